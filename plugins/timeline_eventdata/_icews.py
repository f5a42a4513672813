"""The ``icews`` importer: the ICEWS coded event data (yearly tab-separated files)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import IO, Any, ClassVar, Final

import attrs

import timeline

from ._codes import QUAD_CLASSES, cameo_kind
from ._select import COMMON_OPTIONS, EventDataImporter, Row, Selection, base_name, provenance
from ._stream import Line, file_error, lines_of, stream_name

__all__ = ["ICEWS_COLUMNS", "IcewsImporter", "header_error", "quad_of_root"]

#: The columns of an ICEWS file, in file order.
ICEWS_COLUMNS: Final[tuple[str, ...]] = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)
_REQUIRED: Final = ("Event ID", "Event Date", "CAMEO Code")

#: ICEWS sector names -> sector codes; an actor with several sectors takes the
#: code of the one listed first here (Government before Elite).
SECTOR_CODES: Final[dict[str, str]] = {
    "government": "GOV",
    "executive": "GOV",
    "cabinet": "GOV",
    "military": "MIL",
    "army": "MIL",
    "legislative / parliamentary": "LEG",
    "parliament": "LEG",
    "judicial": "JUD",
    "police": "COP",
    "rebel": "REB",
    "insurgents": "REB",
    "intelligence": "SPY",
    "business": "BUS",
    "media": "JRN",
    "news": "JRN",
    "education": "EDU",
    "elite": "ELI",
    "labor": "LAB",
    "refugee": "REF",
    "opposition": "OPP",
    "religious": "REL",
    "political party": "PTY",
    "agriculture": "AGR",
    "crime": "CRM",
    "civilian": "CVL",
}


def quad_of_root(root: str) -> str:
    """Return the quad class (``"1"``-``"4"``) of a CAMEO root code, as GDELT assigns it."""
    number = int(root) if root.isdigit() else 0
    if 1 <= number <= 5:
        return "1"
    if 6 <= number <= 8:
        return "2"
    if 9 <= number <= 13:
        return "3"
    return "4" if 14 <= number <= 20 else ""


def header_error(
    stream: object, found: Sequence[str], expected: Sequence[str], required: Sequence[str]
) -> timeline.ImportFailed:
    """Return the one error for a header that lacks required columns (listing both)."""
    missing = [c for c in required if c not in found]
    reason = (
        f"the header lacks {', '.join(missing)}; found columns: {', '.join(found) or 'none'}; "
        f"expected: {', '.join(expected)}"
    )
    return file_error(stream, 1, reason)


def _sector(names: str) -> str | None:
    given = {name.strip().lower() for name in names.split(",")}
    return next((code for name, code in SECTOR_CODES.items() if name in given), None)


@attrs.frozen(kw_only=True)
class IcewsImporter(EventDataImporter):
    """Reads ICEWS event files (``events.2014.….tab``): tab-separated with a header row."""

    name: str = "icews"
    description: str = "ICEWS coded event data (yearly tab-separated files; .zip, .gz or plain)"
    suffix: str = ".tab"
    options: tuple[timeline.Option, ...] = COMMON_OPTIONS
    dataset: ClassVar[str] = "icews"

    def rows(self, stream: IO[Any], selection: Selection) -> Iterator[Row]:
        """Yield the selected ICEWS rows as event fields, bad rows as problems."""
        file = base_name(stream_name(stream))
        lines = lines_of(stream)
        header = next(lines, None)
        found = [] if header is None else [c.strip() for c in header[1].split("\t")]
        if any(c not in found for c in _REQUIRED):
            raise header_error(stream, found, ICEWS_COLUMNS, _REQUIRED)
        at = {name: i for i, name in enumerate(found)}
        width = len(found)
        for line in lines:
            number, text, _ = line
            if not text.strip():
                continue
            fields = text.split("\t")
            if len(fields) != width:
                yield (
                    number,
                    timeline.ImportProblem(
                        line=number,
                        field="row",
                        reason=f"{len(fields)} tab-separated columns, expected {width} "
                        "(the header's)",
                    ),
                )
                continue
            row = {name: fields[i].strip() for name, i in at.items()}
            item = _row(row, selection, file, line)
            if item is not None:
                yield number, item


def _number(row: dict[str, str], column: str) -> float | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _row(
    row: dict[str, str], selection: Selection, file: str, line: Line
) -> dict[str, Any] | timeline.ImportProblem | None:
    number = line[0]
    event_id, day, code = row["Event ID"], row["Event Date"], row["CAMEO Code"]
    if not event_id or not event_id.isalnum():
        return timeline.ImportProblem(
            line=number, field="Event ID", reason=f"got {event_id!r}, expected an id"
        )
    try:
        day = dt.date.fromisoformat(day).isoformat()
    except ValueError:
        return timeline.ImportProblem(
            line=number, field="Event Date", reason=f"got {day!r}, expected a day as YYYY-MM-DD"
        )
    kind = cameo_kind(code)
    if kind is None:
        return timeline.ImportProblem(
            line=number,
            field="CAMEO Code",
            reason=f"got {code!r}, expected a CAMEO event code such as '042'",
        )
    root = code[:2]
    quad = quad_of_root(root)
    first = _country(row.get("Source Country", ""))
    second = _country(row.get("Target Country", ""))
    if not (
        selection.keeps_day(day)
        and selection.keeps_kind(kind)
        and selection.keeps_codes(root, quad)
        and selection.keeps_sides(first, second)
    ):
        return None
    return _fields(row, event_id, day, kind, code, quad, (first, second), file, line)


def _country(name: str) -> str | None:
    # ICEWS gives country names ("Russian Federation"): the library's table reads them.
    if not name:
        return None
    try:
        return timeline.Actor.coerce(name).country
    except timeline.InvalidEvent:
        return None


def _fields(
    row: dict[str, str],
    event_id: str,
    day: str,
    kind: str,
    code: str,
    quad: str,
    countries: tuple[str | None, str | None],
    file: str,
    line: Line,
) -> dict[str, Any]:
    actors = []
    sides: dict[str, dict[str, str]] = {}
    for side, role, country in (
        ("Source", "actor", countries[0]),
        ("Target", "recipient", countries[1]),
    ):
        name, sectors = row.get(f"{side} Name", ""), row.get(f"{side} Sectors", "")
        raw = {
            k: v
            for k, v in (
                ("name", name),
                ("sectors", sectors),
                ("country", row.get(f"{side} Country", "")),
            )
            if v
        }
        if raw:
            sides[side.lower()] = raw
        if country is not None:
            actor: dict[str, Any] = {"country": country, "role": role}
            if name:
                actor["name"] = name
            sector = _sector(sectors)
            if sector is not None:
                actor["sector"] = sector
            actors.append(actor)
    story = row.get("Story ID", "")
    sentence = row.get("Sentence Number", "")
    publisher = row.get("Publisher", "")
    icews: dict[str, Any] = {k: v for k, v in (("story_id", story), ("sentence", sentence)) if v}
    intensity = _number(row, "Intensity")
    if intensity is not None:
        icews["intensity"] = intensity
    icews.update(sides)
    attributes: dict[str, Any] = {
        "cameo": {"code": code, "root": code[:2]} | ({"quad": int(quad)} if quad else {}),
        "icews": icews,
        "provenance": provenance("icews", file, line[0], line[2]),
    }
    geo: dict[str, Any] = {
        k.lower(): row[k] for k in ("City", "District", "Province", "Country") if row.get(k)
    }
    for key, column in (("lat", "Latitude"), ("lon", "Longitude")):
        value = _number(row, column)
        if value is not None:
            geo[key] = value
    if geo:
        attributes["geo"] = geo
    place = ", ".join(row[k] for k in ("City", "Province", "Country") if row.get(k))
    text = row.get("Event Text", "") or kind
    names = [n for n in (row.get("Source Name", ""), row.get("Target Name", "")) if n]
    sources: list[dict[str, str]] = []
    if publisher and story:
        sources.append(
            {"publisher": publisher, "story": f"{story}:{sentence}" if sentence else story}
        )
    tags = [f"root:{code[:2]}"]
    if quad:
        tags.append(f"quad:{QUAD_CLASSES[quad]}")
    return {
        "id": f"icews-{event_id}-{day}",
        "kind": kind,
        "when": day,
        "title": f"{' → '.join(names)}: {text}" if names else text,
        "actors": actors,
        "location": place or None,
        "sources": sources,
        "tags": tags,
        "modality": "reported",
        "attributes": attributes,
    }
