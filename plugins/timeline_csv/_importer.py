"""The ``csv`` importer: reads the full dialect the ``csv`` exporter writes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

import attrs
import msgspec

import timeline

from ._cells import FULL_COLUMNS, REQUIRED_COLUMNS, unguard
from ._mapped import (
    calendar_dialect,
    calendar_fields,
    check_mapped_header,
    mapped_fields,
    parse_map,
)

__all__ = ["CsvImporter"]

_JSON_COLUMNS: dict[str, type] = {
    "actors": list,
    "sources": list,
    "tags": list,
    "related": list,
    "attributes": dict,
}
Row = tuple[int, "timeline.Event | dict[str, Any] | timeline.ImportProblem"]


def _problem(line: int, field: str, reason: str) -> Row:
    return line, timeline.ImportProblem(line=line, field=field, reason=reason)


def _fields(line: int, cells: dict[str, str]) -> Row:
    """Turn one row's cells into Event fields, or the first problem found in them."""
    for column in ("kind", "title"):
        if not cells.get(column, "").strip():
            return _problem(line, column, "empty; a value is required")
    fields: dict[str, Any] = {}
    for column, text in cells.items():
        if column in {"when", "phrase", "anchor"} or not text:
            continue
        kind = _JSON_COLUMNS.get(column)
        if kind is None:
            fields[column] = text
            continue
        try:
            value: object = msgspec.json.decode(text)
        except msgspec.DecodeError as exc:
            return _problem(line, column, f"not JSON ({exc}): {text[:60]!r}")
        if not isinstance(value, kind):
            return _problem(line, column, f"expected a JSON {kind.__name__}, got {text[:60]!r}")
        fields[column] = value
    if not cells.get("when"):
        return _problem(line, "when", "empty; expected an EDTF date such as 2025-12-04")
    try:
        fields["when"] = timeline.When.from_parts(
            cells["when"], cells.get("phrase") or None, cells.get("anchor") or None
        )
    except timeline.InvalidDate as exc:
        return _problem(line, "when", f"{exc.args[0]}")
    return line, fields


@attrs.frozen(kw_only=True)
class CsvImporter(timeline.Importer):
    """Reads CSV: the full dialect (ids kept), any spreadsheet with ``map``, or calendar CSV.

    The full dialect's header names the columns (any order; ``kind``, ``when``
    and ``title`` are required). With ``map`` (``title=Headline,when=Date``) any
    CSV is read, its columns named by the user. A header that is exactly
    Google's or Outlook's is read back as that calendar dialect. Each bad row is
    reported with its line number and field; a header problem is one problem.
    """

    name: str = "csv"
    description: str = "CSV: the full dialect, any spreadsheet (--map), Google or Outlook"
    suffix: str = ".csv"
    binary: bool = False
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="guard_formulas",
            default=True,
            type=bool,
            help="Undo the exporter's formula guard (give the value it was exported with)",
        ),
        timeline.Option(
            name="map",
            help="FIELD=COLUMN pairs naming each field's column (title=Headline,when=Date)",
        ),
        timeline.Option(name="kind", help="The kind of rows without one (mapped and calendar CSV)"),
        timeline.Option(
            name="rest",
            default=False,
            type=bool,
            help="Mapped CSV: keep the columns no field is mapped to as attributes",
        ),
    )

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, fields)`` per row, or ``(line, ImportProblem)`` for a bad one."""
        reader = csv.reader(stream, strict=True)
        clean = unguard if options["guard_formulas"] else str
        mapping = parse_map(self.owner, options["map"]) if options.get("map") else None
        kind = options.get("kind")
        dialect: str | None = None
        line = 1
        header: list[str] | None = None
        try:
            while True:
                line = reader.line_num + 1  # the row's first line (cells may span lines)
                try:
                    row = next(reader)
                except StopIteration:
                    break
                if not row or row == [""]:
                    continue
                if header is None:
                    header = [clean(c).strip() for c in row]
                    dialect = None if mapping else calendar_dialect(header)
                    problems: list[Row] = []
                    if mapping is not None:
                        problem = check_mapped_header(header, mapping, kind)
                        problems = [] if problem is None else [problem]
                    elif dialect is None:
                        problems = self._check_header(line, header)
                    yield from problems
                    if problems:
                        return
                    continue
                if len(row) != len(header):
                    yield _problem(line, "row", f"{len(row)} cells; the header has {len(header)}")
                    continue
                if mapping is not None:
                    cells_in = [clean(c) for c in row]
                    yield (
                        line,
                        mapped_fields(line, header, cells_in, mapping, kind, options["rest"]),
                    )
                elif dialect is not None:
                    yield (
                        line,
                        calendar_fields(line, dialect, header, [clean(c) for c in row], kind),
                    )
                else:
                    cells = {col: clean(cell) for col, cell in zip(header, row, strict=True)}
                    yield _fields(line, cells)
        except csv.Error as exc:
            yield _problem(line, "row", f"malformed CSV ({exc})")
        if header is None:
            yield _problem(
                1, "row", "no header row; expected the columns " + ",".join(FULL_COLUMNS)
            )

    @staticmethod
    def _check_header(line: int, header: list[str]) -> list[Row]:
        problems = []
        for column in header:
            if column not in FULL_COLUMNS:
                problems.append(
                    _problem(
                        line,
                        column,
                        "not a column of the full CSV dialect "
                        f"(columns: {', '.join(FULL_COLUMNS)}; found: {', '.join(header)}; "
                        "map other columns with --map FIELD=COLUMN)",
                    )
                )
        if len(set(header)) != len(header):
            twice = sorted({c for c in header if header.count(c) > 1})
            problems.append(_problem(line, twice[0], "the column appears twice"))
        for column in REQUIRED_COLUMNS:
            if column not in header:
                problems.append(_problem(line, column, "required column missing"))
        return problems
