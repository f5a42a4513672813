"""Spreadsheets as people keep them: CSV columns mapped to fields, and calendar CSV read back.

``map="title=Headline,when=Date,actors=Countries"`` names the column of each
field; ``rest=True`` keeps the other columns as attributes; ``kind=...`` gives
the kind of rows without a kind column. The Google and Outlook calendar
dialects the ``csv`` exporter writes are told by their header and read back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import timeline

from ._exporter import GOOGLE_COLUMNS, OUTLOOK_COLUMNS

__all__ = [
    "MAPPABLE_FIELDS",
    "calendar_dialect",
    "calendar_fields",
    "check_mapped_header",
    "mapped_fields",
    "parse_map",
]

#: The event fields a column can be mapped to.
MAPPABLE_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "when",
    "title",
    "summary",
    "actors",
    "location",
    "sources",
    "tags",
    "treaty",
    "related",
    "modality",
)
_LIST_FIELDS = frozenset({"actors", "sources", "tags", "related"})
_ITEMS = re.compile(r"\s*[;,|]\s*")
_WORDS = re.compile(r"[;,\s]+")
Row = tuple[int, "timeline.Event | dict[str, Any] | timeline.ImportProblem"]


def parse_map(owner: str, value: Any) -> dict[str, str]:
    """Read the ``map`` option: ``"title=Headline,when=Date"`` (or a dict) -> field to column.

    Raises:
        InvalidOption: a pair has no ``=``, names no event field, or maps a field twice.
    """
    if isinstance(value, dict):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    else:
        pairs = []
        for part in str(value).split(","):
            if not part.strip():
                continue
            field, eq, column = part.partition("=")
            if not eq or not column.strip():
                raise timeline.InvalidOption(owner, "map", value, "FIELD=COLUMN pairs")
            pairs.append((field.strip(), column.strip()))
    mapping: dict[str, str] = {}
    for field, column in pairs:
        if field not in MAPPABLE_FIELDS:
            raise timeline.InvalidOption(
                owner, "map", value, f"fields among {', '.join(MAPPABLE_FIELDS)} ({field!r})"
            )
        if field in mapping:
            raise timeline.InvalidOption(owner, "map", value, f"each field once ({field!r})")
        mapping[field] = column
    return mapping


def header_problem(found: Sequence[str], expected: Sequence[str], missing: Sequence[str]) -> Row:
    """Return the one problem for a header lacking columns: it lists found and expected."""
    reason = (
        f"the header lacks {', '.join(missing)}; found columns: {', '.join(found) or 'none'}; "
        f"expected: {', '.join(expected)}"
    )
    return 1, timeline.ImportProblem(line=1, field="header", reason=reason)


def _cell_value(field: str, text: str) -> Any:
    if field == "actors":
        return [part for part in _ITEMS.split(text) if part]
    if field == "sources":
        return [part for part in _WORDS.split(text) if part]
    if field in _LIST_FIELDS:
        return [part for part in _ITEMS.split(text) if part]
    return text


def mapped_fields(
    line: int,
    header: Sequence[str],
    cells: Sequence[str],
    mapping: dict[str, str],
    default_kind: str | None,
    rest: bool,
) -> dict[str, Any]:
    """Return the event fields of one row of a mapped CSV (the Event checks the values)."""
    by_column = dict(zip(header, cells, strict=True))
    fields: dict[str, Any] = {}
    for field, column in mapping.items():
        text = by_column[column].strip()
        if text:
            fields[field] = _cell_value(field, text)
    if "kind" not in fields and default_kind is not None:
        fields["kind"] = default_kind
    if rest:
        mapped = set(mapping.values())
        extra = {c: v.strip() for c, v in by_column.items() if c not in mapped and v.strip()}
        if extra:
            fields["attributes"] = extra
    return fields


def check_mapped_header(
    header: Sequence[str], mapping: dict[str, str], default_kind: str | None
) -> Row | None:
    """Return the header problem of a mapped CSV, or None when every mapped column is there."""
    missing = [column for column in mapping.values() if column not in header]
    needed = [f for f in ("when", "title") if f not in mapping]
    if "kind" not in mapping and default_kind is None:
        needed.insert(0, "kind")
    if missing:
        return header_problem(header, list(mapping.values()), missing)
    if needed:
        reason = (
            f"no column is mapped to {', '.join(needed)} (map them with "
            f"--map FIELD=COLUMN{', or give --kind' if 'kind' in needed else ''}); "
            f"found columns: {', '.join(header)}"
        )
        return 1, timeline.ImportProblem(line=1, field="map", reason=reason)
    return None


# -- the Google and Outlook calendar dialects, read back ------------------------------------


def calendar_dialect(header: Sequence[str]) -> str | None:
    """Return ``google`` or ``outlook`` when the header is that dialect's, else None."""
    if tuple(header) == GOOGLE_COLUMNS:
        return "google"
    if tuple(header) == OUTLOOK_COLUMNS:
        return "outlook"
    return None


def _us_day(text: str) -> dt.date:
    month, day, year = (int(p) for p in text.strip().split("/"))
    return dt.date(year, month, day)


def _us_moment(day: dt.date, text: str) -> str:
    clock, _, half = text.strip().partition(" ")
    parts = [int(p) for p in clock.split(":")]
    hour = parts[0] % 12 + (12 if half.upper() == "PM" else 0)
    second = parts[2] if len(parts) > 2 else 0
    moment = dt.datetime(day.year, day.month, day.day, hour, parts[1], second)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # the exporter writes UTC


def _calendar_when(cells: dict[str, str], all_day_column: str) -> str:
    start = _us_day(cells["Start Date"])
    end = _us_day(cells["End Date"]) if cells.get("End Date", "").strip() else start
    if cells.get(all_day_column, "").strip().lower() != "false":
        return start.isoformat() if end == start else f"{start.isoformat()}/{end.isoformat()}"
    first = _us_moment(start, cells["Start Time"])
    last = _us_moment(end, cells.get("End Time") or cells["Start Time"])
    return first if first == last else f"{first}/{last}"


def calendar_fields(
    line: int, dialect: str, header: Sequence[str], cells: Sequence[str], kind: str | None
) -> dict[str, Any] | timeline.ImportProblem:
    """Return the event fields of one Google or Outlook row (what the dialect carries)."""
    row = dict(zip(header, cells, strict=True))
    try:
        when = _calendar_when(row, "All Day Event" if dialect == "google" else "All day event")
    except (ValueError, IndexError, KeyError) as exc:
        return timeline.ImportProblem(
            line=line, field="Start Date", reason=f"not a MM/DD/YYYY date and h:mm AM time ({exc})"
        )
    text = timeline.read_calendar_description(row.get("Description", ""))
    fields: dict[str, Any] = {
        "title": row["Subject"].removeprefix("≈ "),
        "when": when,
        "summary": text.summary,
        "location": row.get("Location", "").strip() or None,
        "sources": list(text.urls),
    }
    if text.modality is not None:
        fields["modality"] = text.modality
    categories = [c.strip() for c in row.get("Categories", "").split(";") if c.strip()]
    if categories:
        fields["kind"], fields["tags"] = categories[0], categories[1:]
    elif kind is not None:
        fields["kind"] = kind
    else:
        return timeline.ImportProblem(
            line=line, field="kind", reason=f"a {dialect} row carries no kind; give --kind"
        )
    return fields
