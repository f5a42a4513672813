"""The ``polecat`` importer: POLECAT, the PLOVER-coded successor of ICEWS (tab-separated)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import IO, Any, ClassVar, Final

import attrs

import timeline

from ._codes import QUAD_CLASSES, plover_kind, plover_word
from ._icews import header_error
from ._select import COMMON_OPTIONS, EventDataImporter, Row, Selection, base_name, provenance
from ._stream import Line, lines_of, stream_name

__all__ = ["POLECAT_COLUMNS", "PolecatImporter"]

#: The columns of a POLECAT file, in file order (some files say ``Event Intensity``).
POLECAT_COLUMNS: Final[tuple[str, ...]] = (
    "Event ID",
    "Event Date",
    "Event Type",
    "Event Mode",
    "Intensity",
    "Quad Code",
    "Contexts",
    "Actor Name",
    "Actor Country",
    "Actor COW",
    "Primary Actor Sector",
    "Actor Sectors",
    "Actor Title",
    "Actor Name Raw",
    "Wikipedia Actor ID",
    "Recipient Name",
    "Recipient Country",
    "Recipient COW",
    "Primary Recipient Sector",
    "Recipient Sectors",
    "Recipient Title",
    "Recipient Name Raw",
    "Wikipedia Recipient ID",
    "Placename",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
    "GeoNames ID",
    "Raw Placename",
    "Feature Type",
    "Source",
    "Publication Date",
    "Story People",
    "Story Organizations",
    "Story Locations",
    "Language",
    "Version",
)
_REQUIRED: Final = ("Event ID", "Event Date", "Event Type")
_QUADS: Final = {
    "verbal cooperation": "1",
    "material cooperation": "2",
    "verbal conflict": "3",
    "material conflict": "4",
}
_LIST: Final = re.compile(r"[;,|]")
_SECTOR: Final = re.compile(r"^[A-Z]{3}$")


def _quad(text: str) -> str:
    value = text.strip().lower().replace("_", " ")
    return value if value in QUAD_CLASSES else _QUADS.get(value, "")


def _country(text: str) -> str | None:
    if not text:
        return None
    try:
        return timeline.Actor.coerce(text).country
    except timeline.InvalidEvent:
        return None


@attrs.frozen(kw_only=True)
class PolecatImporter(EventDataImporter):
    """Reads POLECAT files: tab-separated, a header row, PLOVER types, modes and contexts.

    Two known quirks of published files are read and noted in
    ``attributes.provenance.quirks``: a ``Headline`` header name the rows do not
    fill, and empty tab columns after the last one.
    """

    name: str = "polecat"
    description: str = "POLECAT (PLOVER-coded) event files (tab-separated; .zip, .gz or plain)"
    suffix: str = ".txt"
    options: tuple[timeline.Option, ...] = COMMON_OPTIONS
    dataset: ClassVar[str] = "polecat"

    def rows(self, stream: IO[Any], selection: Selection, options: dict[str, Any]) -> Iterator[Row]:
        """Yield the selected POLECAT rows as event fields, bad rows as problems."""
        file = base_name(stream_name(stream))
        lines = lines_of(stream)
        header = next(lines, None)
        found = [] if header is None else [c.strip() for c in header[1].split("\t")]
        found = ["Intensity" if c == "Event Intensity" else c for c in found]
        if any(c not in found for c in _REQUIRED):
            raise header_error(stream, found, POLECAT_COLUMNS, _REQUIRED)
        without_headline = [c for c in found if c != "Headline"]
        for line in lines:
            number, text, _ = line
            if not text.strip():
                continue
            fields = text.split("\t")
            quirks: list[str] = []
            names = found
            if len(fields) > len(names) and not any(f.strip() for f in fields[len(names) :]):
                quirks.append(f"{len(fields) - len(names)} empty trailing columns ignored")
                fields = fields[: len(names)]
            if len(fields) == len(without_headline) != len(names):
                quirks.append("the header names a Headline column the rows lack")
                names = without_headline
            if len(fields) != len(names):
                yield (
                    number,
                    timeline.ImportProblem(
                        line=number,
                        field="row",
                        reason=f"{len(fields)} tab-separated columns, expected {len(names)} "
                        "(the header's)",
                    ),
                )
                continue
            row = {name: value.strip() for name, value in zip(names, fields, strict=True)}
            item = _row(row, selection, file, line, quirks)
            if item is not None:
                yield number, item


def _row(
    row: dict[str, str], selection: Selection, file: str, line: Line, quirks: list[str]
) -> dict[str, Any] | timeline.ImportProblem | None:
    number = line[0]
    event_id, day = row["Event ID"], row["Event Date"]
    if not event_id or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,100}$", event_id):
        return timeline.ImportProblem(
            line=number, field="Event ID", reason=f"got {event_id!r}, expected an id"
        )
    try:
        day = dt.date.fromisoformat(day[:10]).isoformat()
    except ValueError:
        return timeline.ImportProblem(
            line=number, field="Event Date", reason=f"got {day!r}, expected a day as YYYY-MM-DD"
        )
    event_type, mode = row["Event Type"], row.get("Event Mode", "")
    kind = plover_kind(event_type, mode)
    if kind is None:
        return timeline.ImportProblem(
            line=number,
            field="Event Type",
            reason=f"got {event_type!r}, expected a PLOVER event type such as CONSULT",
        )
    quad = _quad(row.get("Quad Code", ""))
    first = _country(row.get("Actor Country", ""))
    second = _country(row.get("Recipient Country", ""))
    if not (
        selection.keeps_day(day)
        and selection.keeps_kind(kind)
        and selection.keeps_codes("", quad)
        and selection.keeps_sides(first, second)
    ):
        return None
    if selection.root_codes:
        return None  # PLOVER has no CAMEO root codes: a root-code filter keeps nothing
    return _fields(row, event_id, day, kind, quad, (first, second), file, line, quirks)


def _actor(row: dict[str, str], side: str, role: str, country: str | None) -> dict[str, Any]:
    if country is None:
        return {}
    actor: dict[str, Any] = {"country": country, "role": role}
    name = row.get(f"{side} Name", "")
    if name:
        actor["name"] = name
    sector = row.get(f"Primary {side} Sector", "").upper()
    if _SECTOR.match(sector):
        actor["sector"] = sector
    return actor


def _fields(
    row: dict[str, str],
    event_id: str,
    day: str,
    kind: str,
    quad: str,
    countries: tuple[str | None, str | None],
    file: str,
    line: Line,
    quirks: list[str],
) -> dict[str, Any]:
    actors = [
        a
        for a in (
            _actor(row, "Actor", "actor", countries[0]),
            _actor(row, "Recipient", "recipient", countries[1]),
        )
        if a
    ]
    contexts = [plover_word(c) for c in _LIST.split(row.get("Contexts", "")) if c.strip()]
    plover: dict[str, Any] = {
        "type": row["Event Type"].upper(),
        "mode": row.get("Event Mode", ""),
        "contexts": contexts,
    }
    for key, column in (
        ("intensity", "Intensity"),
        ("quad", "Quad Code"),
        ("version", "Version"),
        ("language", "Language"),
        ("actor_wikipedia", "Wikipedia Actor ID"),
        ("recipient_wikipedia", "Wikipedia Recipient ID"),
        ("actor_sectors", "Actor Sectors"),
        ("recipient_sectors", "Recipient Sectors"),
    ):
        if row.get(column):
            plover[key] = row[column]
    geo: dict[str, Any] = {
        key: row[column]
        for key, column in (
            ("name", "Placename"),
            ("city", "City"),
            ("province", "Province"),
            ("country", "Country"),
            ("geonames_id", "GeoNames ID"),
            ("feature_type", "Feature Type"),
        )
        if row.get(column)
    }
    for key, column in (("lat", "Latitude"), ("lon", "Longitude")):
        with contextlib.suppress(ValueError):
            geo[key] = float(row.get(column, ""))
    origin = provenance("polecat", file, line[0], line[2])
    if quirks:
        origin["quirks"] = quirks
    attributes: dict[str, Any] = {"plover": plover, "provenance": origin}
    if geo:
        attributes["geo"] = geo
    sources = []
    publisher = row.get("Source", "")
    if publisher:
        source: dict[str, Any] = {"publisher": publisher, "story": event_id}
        with contextlib.suppress(ValueError):
            source["published"] = dt.date.fromisoformat(row.get("Publication Date", "")[:10])
        sources.append(source)
    names = [n for n in (row.get("Actor Name", ""), row.get("Recipient Name", "")) if n]
    action = " ".join(p for p in (plover["type"], plover["mode"]) if p)
    text = row.get("Headline") or action
    tags = [f"context:{c}" for c in contexts]
    if quad:
        tags.append(f"quad:{QUAD_CLASSES[quad]}")
    return {
        "id": f"polecat-{event_id}",
        "kind": kind,
        "when": day,
        "title": f"{' → '.join(names)}: {text}" if names else text,
        "actors": actors,
        "location": row.get("Placename") or None,
        "sources": sources,
        "tags": tags,
        "modality": "reported",
        "attributes": attributes,
    }
