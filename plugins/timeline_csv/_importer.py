"""The ``csv`` importer: reads the full dialect the ``csv`` exporter writes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

import attrs
import msgspec

import timeline

from ._cells import FULL_COLUMNS, REQUIRED_COLUMNS, unguard

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
    """Reads the full CSV dialect (the columns the ``csv`` exporter writes; ids are kept).

    The header names the columns (any order; ``kind``, ``when`` and ``title``
    are required). Each bad row is reported with its line number and field.
    """

    name: str = "csv"
    description: str = "CSV in the full dialect of the csv exporter"
    suffix: str = ".csv"
    binary: bool = False
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="guard_formulas",
            default=True,
            type=bool,
            help="Undo the exporter's formula guard (give the value it was exported with)",
        ),
    )

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, fields)`` per row, or ``(line, ImportProblem)`` for a bad one."""
        reader = csv.reader(stream, strict=True)
        clean = unguard if options["guard_formulas"] else str
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
                    problems = self._check_header(line, header)
                    yield from problems
                    if problems:
                        return
                    continue
                if len(row) != len(header):
                    yield _problem(line, "row", f"{len(row)} cells; the header has {len(header)}")
                    continue
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
                        f"(columns: {', '.join(FULL_COLUMNS)})",
                    )
                )
        if len(set(header)) != len(header):
            twice = sorted({c for c in header if header.count(c) > 1})
            problems.append(_problem(line, twice[0], "the column appears twice"))
        for column in REQUIRED_COLUMNS:
            if column not in header:
                problems.append(_problem(line, column, "required column missing"))
        return problems
