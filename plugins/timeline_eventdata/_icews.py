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
from ._stream import file_error, lines_of, stream_name

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


_SECTORS: dict[str, str | None] = {}


def _sector(names: str) -> str | None:
    try:
        return _SECTORS[names]
    except KeyError:
        pass
    given = {name.strip().lower() for name in names.split(",")}
    code = next((code for name, code in SECTOR_CODES.items() if name in given), None)
    if len(_SECTORS) < 100_000:
        _SECTORS[names] = code
    return code


_COUNTRIES: dict[str, str | None] = {}


def _country(name: str) -> str | None:
    # ICEWS gives country names ("Russian Federation"): the library's table reads them.
    try:
        return _COUNTRIES[name]
    except KeyError:
        pass
    code = None
    if name:
        try:
            code = timeline.Actor.coerce(name).country
        except timeline.InvalidEvent:
            code = None
    if len(_COUNTRIES) < 10_000:
        _COUNTRIES[name] = code
    return code


_DAYS: dict[str, str | None] = {}


def _iso_day(text: str) -> str | None:
    try:
        return _DAYS[text]
    except KeyError:
        pass
    try:
        day: str | None = dt.date.fromisoformat(text).isoformat()
    except ValueError:
        day = None
    if len(_DAYS) < 100_000:
        _DAYS[text] = day
    return day


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@attrs.frozen(kw_only=True)
class IcewsImporter(EventDataImporter):
    """Reads ICEWS event files (``events.2014.….tab``): tab-separated with a header row."""

    name: str = "icews"
    description: str = "ICEWS coded event data (yearly tab-separated files; .zip, .gz or plain)"
    suffix: str = ".tab"
    options: tuple[timeline.Option, ...] = COMMON_OPTIONS
    dataset: ClassVar[str] = "icews"

    def rows(self, stream: IO[Any], selection: Selection, options: dict[str, Any]) -> Iterator[Row]:
        """Yield the selected ICEWS rows as event fields, bad rows as problems."""
        file = base_name(stream_name(stream))
        lines = lines_of(stream)
        header = next(lines, None)
        found = [] if header is None else [c.strip() for c in header[1].split("\t")]
        if any(c not in found for c in _REQUIRED):
            raise header_error(stream, found, ICEWS_COLUMNS, _REQUIRED)
        # Where each known column is in this file (None: the file lacks it).
        where = [found.index(c) if c in found else None for c in ICEWS_COLUMNS]
        width = len(found)
        for number, text, replaced in lines:
            fields = text.split("\t")
            if len(fields) != width:
                if text.strip():
                    reason = f"{len(fields)} tab-separated columns, expected {width} (the header's)"
                    yield number, timeline.ImportProblem(line=number, field="row", reason=reason)
                continue
            values = [fields[i].strip() if i is not None else "" for i in where]
            item = _row(values, selection, provenance("icews", file, number, replaced))
            if item is not None:
                yield number, item


def _row(
    values: list[str], selection: Selection, origin: dict[str, Any]
) -> dict[str, Any] | timeline.ImportProblem | None:
    (event_id, day_text, source_name, source_sectors, source_country, text, code, intensity,
     target_name, target_sectors, target_country, story, sentence, publisher, city, district,
     province, country, latitude, longitude) = values  # fmt: skip
    number = origin["row"]
    if not event_id.isalnum():
        return timeline.ImportProblem(
            line=number, field="Event ID", reason=f"got {event_id!r}, expected an id"
        )
    day = _iso_day(day_text)
    if day is None:
        return timeline.ImportProblem(
            line=number,
            field="Event Date",
            reason=f"got {day_text!r}, expected a day as YYYY-MM-DD",
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
    first, second = _country(source_country), _country(target_country)
    if not (
        selection.keeps_day(day)
        and selection.keeps_kind(kind)
        and selection.keeps_codes(root, quad)
        and selection.keeps_sides(first, second)
    ):
        return None
    actors = []
    icews: dict[str, Any] = {}
    for side, role, name, sectors, country_name, code_of in (
        ("source", "actor", source_name, source_sectors, source_country, first),
        ("target", "recipient", target_name, target_sectors, target_country, second),
    ):
        raw = {k: v for k, v in (("name", name), ("sectors", sectors), ("country", country_name))
               if v}  # fmt: skip
        if raw:
            icews[side] = raw
        if code_of is not None:
            actor: dict[str, Any] = {"country": code_of, "role": role}
            if name:
                actor["name"] = name
            sector = _sector(sectors) if sectors else None
            if sector is not None:
                actor["sector"] = sector
            actors.append(actor)
    if story:
        icews["story_id"] = story
    if sentence:
        icews["sentence"] = sentence
    value = _number(intensity)
    if value is not None:
        icews["intensity"] = value
    cameo: dict[str, Any] = {"code": code, "root": root}
    if quad:
        cameo["quad"] = int(quad)
    attributes: dict[str, Any] = {"cameo": cameo, "icews": icews, "provenance": origin}
    geo: dict[str, Any] = {
        k: v
        for k, v in (("city", city), ("district", district), ("province", province),
                     ("country", country))
        if v
    }  # fmt: skip
    lat, lon = _number(latitude), _number(longitude)
    if lat is not None:
        geo["lat"] = lat
    if lon is not None:
        geo["lon"] = lon
    if geo:
        attributes["geo"] = geo
    place = ", ".join(p for p in (city, province, country) if p)
    sources = []
    if publisher and story:
        sources.append(
            {"publisher": publisher, "story": f"{story}:{sentence}" if sentence else story}
        )
    if source_name and target_name:
        title = f"{source_name} → {target_name}: {text or kind}"
    else:
        title = (
            f"{source_name or target_name}: {text or kind}"
            if source_name or target_name
            else (text or kind)
        )
    tags = [f"root:{root}", f"quad:{QUAD_CLASSES[quad]}"] if quad else [f"root:{root}"]
    return {
        "id": f"icews-{event_id}-{day}",
        "kind": kind,
        "when": day,
        "title": title,
        "actors": actors,
        "location": place or None,
        "sources": sources,
        "tags": tags,
        "modality": "reported",
        "attributes": attributes,
    }
