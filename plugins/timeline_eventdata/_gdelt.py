"""The ``gdelt`` importer: GDELT 2.0 event exports (61 tab-separated columns, no header)."""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Iterator
from typing import IO, Any, ClassVar, Final

import attrs
import msgspec

import timeline

from ._codes import QUAD_CLASSES, cameo_kind, cameo_label
from ._select import (
    COMMON_OPTIONS,
    EventDataImporter,
    Row,
    Selection,
    base_name,
    provenance,
)
from ._stream import check_listed, lines_of, stream_name

__all__ = ["GDELT_COLUMNS", "GdeltImporter"]

_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")

#: The 61 columns of a GDELT 2.0 event export, in file order (``SOURCEURL`` last).
GDELT_COLUMNS: Final[tuple[str, ...]] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{c}" for c in _ACTOR),
    *(f"Actor2{c}" for c in _ACTOR),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"Actor1Geo_{c}" for c in _GEO),
    *(f"Actor2Geo_{c}" for c in _GEO),
    *(f"ActionGeo_{c}" for c in _GEO),
    "DATEADDED",
    "SOURCEURL",
)
assert len(GDELT_COLUMNS) == 61

_COL: Final = {name: i for i, name in enumerate(GDELT_COLUMNS)}
_ID, _DAY = _COL["GLOBALEVENTID"], _COL["SQLDATE"]
_ROOT_EVENT, _CODE, _BASE, _ROOT = (
    _COL["IsRootEvent"],
    _COL["EventCode"],
    _COL["EventBaseCode"],
    _COL["EventRootCode"],
)
_QUAD, _GOLDSTEIN = _COL["QuadClass"], _COL["GoldsteinScale"]
_MENTIONS, _SOURCES, _ARTICLES, _TONE = (
    _COL["NumMentions"],
    _COL["NumSources"],
    _COL["NumArticles"],
    _COL["AvgTone"],
)
_A1, _A2 = _COL["Actor1Code"], _COL["Actor2Code"]
_A1_GEO, _A2_GEO, _ACTION_GEO = (
    _COL["Actor1Geo_Type"],
    _COL["Actor2Geo_Type"],
    _COL["ActionGeo_Type"],
)
_ADDED, _URL = _COL["DATEADDED"], _COL["SOURCEURL"]

#: CAMEO regional and group codes that may stand in ``ActorNCountryCode`` but are not
#: countries (``EUR`` is Europe in CAMEO, the European Union in PLOVER): kept in
#: ``attributes.gdelt.actor1``/``actor2``, not as an actor's country.
CAMEO_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "AFR", "ASA", "BLK", "CAF", "CAS", "CAU", "CFR", "CRB", "EAF", "EEU", "EIN", "EUR",
        "LAM", "MDT", "MEA", "NAF", "NMR", "PGS", "SAF", "SAM", "SAS", "SCN", "SEA", "WAF",
        "WST", "NTH", "STH",
    }
)  # fmt: skip
_SECTOR: Final = re.compile(r"^[A-Z]{3}$")
_DAY_TEXT: Final = re.compile(r"^[0-9]{8}$")
_COUNTRY_CACHE: dict[str, str | None] = {}
#: Type codes seen -> whether they are a sector code (a few hundred distinct).
_SECTORS: dict[str, bool] = {}


def _is_sector(code: str) -> bool:
    found = _SECTORS.get(code)
    if found is None:
        found = bool(_SECTOR.match(code))
        if len(_SECTORS) < 10_000:
            _SECTORS[code] = found
    return found


def country_of(code: str) -> str | None:
    """Return the ISO alpha-3 code a CAMEO actor country code stands for, or None."""
    try:
        return _COUNTRY_CACHE[code]
    except KeyError:
        pass
    country: str | None = None
    if len(code) == 3 and code.isalpha() and code.isupper() and code not in CAMEO_REGIONS:
        try:
            country = timeline.Actor.coerce(code).country
        except timeline.InvalidEvent:
            country = None
    _COUNTRY_CACHE[code] = country
    return country


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _int(text: str, at: int) -> int:
    if text == "":
        return 0
    try:
        return int(text)
    except ValueError:
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected an integer") from None


def _finite(values: tuple[float | None, ...]) -> bool:
    """Return whether none of the values is NaN or infinite (None is no value)."""
    return all(value is None or math.isfinite(value) for value in values)


def _float(text: str, at: int) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected a number") from None
    if not math.isfinite(value):
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected a finite number")
    return value


#: SQLDATE text -> ISO day (a GDELT day holds few distinct dates: parse each once).
_DAYS: dict[str, str] = {}


def _iso_day(text: str) -> str:
    day = _DAYS.get(text)
    if day is not None:
        return day
    if not _DAY_TEXT.match(text):
        raise _Bad("SQLDATE", f"got {text!r}, expected a day as YYYYMMDD")
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise _Bad("SQLDATE", f"got {text!r}, which is not a calendar day") from None
    if len(_DAYS) < 100_000:
        _DAYS[text] = day
    return day


#: EventCode -> (kind, label); a code the codebook lacks maps to None.
_KINDS: dict[str, tuple[str, str] | None] = {}


def _kind_of(code: str) -> tuple[str, str] | None:
    try:
        return _KINDS[code]
    except KeyError:
        pass
    kind = cameo_kind(code)
    found = None if kind is None else (kind, cameo_label(code) or code)
    if len(_KINDS) < 10_000:
        _KINDS[code] = found
    return found


def _actor(fields: list[str], at: int, role: str) -> dict[str, Any] | None:
    code = fields[at + 2]
    # The caches are read here, not through country_of/_is_sector: two calls fewer a side.
    country = _COUNTRY_CACHE[code] if code in _COUNTRY_CACHE else country_of(code)
    if country is None:
        return None
    actor: dict[str, Any] = {"country": country, "role": role}
    sector = fields[at + 7]
    if sector and (_SECTORS[sector] if sector in _SECTORS else _is_sector(sector)):
        actor["sector"] = sector
    if fields[at + 1]:
        actor["name"] = fields[at + 1]
    return actor


def _raw_actor(fields: list[str], at: int) -> dict[str, str]:
    raw = {
        key: fields[at + i]
        for i, key in enumerate(("code", "name", "country_code", "known_group"))
        if fields[at + i]
    }
    types = ",".join(t for t in fields[at + 7 : at + 10] if t)
    if types:
        raw["types"] = types
    return raw


def _geo(fields: list[str], at: int, lat: float | None, lon: float | None) -> dict[str, Any]:
    kind, name, fips, adm1, adm2 = fields[at : at + 5]
    geo: dict[str, Any] = {}
    # Spelled out: a comprehension over zip() cost a third of this function.
    if kind:
        geo["type"] = kind
    if name:
        geo["name"] = name
    if fips:
        geo["fips"] = fips
    if adm1:
        geo["adm1"] = adm1
    if adm2:
        geo["adm2"] = adm2
    if lat is not None:
        geo["lat"] = lat
    if lon is not None:
        geo["lon"] = lon
    if fields[at + 7]:
        geo["feature_id"] = fields[at + 7]
    return geo


_ROLES: Final = {"042": ("visitor", "host"), "043": ("host", "visitor")}
_PLAIN_ROLES: Final = ("actor", "recipient")
_QUAD_TAGS: Final = {code: f"quad:{name}" for code, name in QUAD_CLASSES.items()}
_QUAD_NUMBERS: Final = {code: int(code) for code in QUAD_CLASSES}


_NUMBER_COLUMNS: Final = operator.itemgetter(
    _MENTIONS, _SOURCES, _ARTICLES, _GOLDSTEIN, _TONE, _ACTION_GEO + 5, _ACTION_GEO + 6
)
_Numbers = tuple[int, int, int, float | None, float | None, float | None, float | None]
#: The seven number columns read as one JSON array in C: 0.64 µs a row where seven
#: int()/float() calls took 1.56 µs. JSON numbers are a subset of what int() and
#: float() read; whatever it refuses (a blank, "+1", ".5", "nan") takes the slow path.
_NUMBERS_JSON: Final = msgspec.json.Decoder(tuple[int, int, int, float, float, float, float])


def _numbers(fields: list[str]) -> _Numbers:
    """Return NumMentions, NumSources, NumArticles, GoldsteinScale, AvgTone and ActionGeo lat/lon.

    Raises:
        _Bad: one of them (or an ActionGeo coordinate) is not a (finite) number.
    """
    texts: tuple[str, ...] = _NUMBER_COLUMNS(fields)
    numbers: _Numbers
    if "" not in texts:
        try:
            numbers = _NUMBERS_JSON.decode("[" + ",".join(texts) + "]")
        except msgspec.DecodeError:
            pass
        else:
            # An exponent past a float's range reads as infinity: one check for all four
            # (and each in turn when two huge finite values overflow the sum).
            if math.isfinite(numbers[3] + numbers[4] + numbers[5] + numbers[6]) or _finite(
                numbers[3:]
            ):
                return numbers
    try:
        mentions, sources, articles, goldstein, tone, lat, lon = texts
        numbers = (
            int(mentions or 0),
            int(sources or 0),
            int(articles or 0),
            float(goldstein) if goldstein else None,
            float(tone) if tone else None,
            float(lat) if lat else None,
            float(lon) if lon else None,
        )
        # NaN and infinities propagate through a sum: one check for all four (and each
        # in turn when two huge finite values overflow it).
        if math.isfinite(
            (numbers[3] or 0.0) + (numbers[4] or 0.0) + (numbers[5] or 0.0) + (numbers[6] or 0.0)
        ) or _finite(numbers[3:]):
            return numbers
    except ValueError:
        pass
    # The slow path names the column at fault.
    for at in (_MENTIONS, _SOURCES, _ARTICLES):
        _int(fields[at], at)
    for at in (_GOLDSTEIN, _TONE, _ACTION_GEO + 5, _ACTION_GEO + 6):
        _float(fields[at], at)
    raise AssertionError("unreachable: a column above is bad")  # pragma: no cover


def gdelt_fields(
    fields: list[str], kind: str, label: str, day: str, origin: dict[str, Any]
) -> dict[str, Any]:
    """Return the event fields of one GDELT row (already split, checked and selected).

    Raises:
        _Bad: a number column cannot be read.
    """
    mentions, sources, articles, goldstein, tone, lat, lon = _numbers(fields)
    code = fields[_CODE]
    roles = _ROLES.get(code, _PLAIN_ROLES)
    first, second = _actor(fields, _A1, roles[0]), _actor(fields, _A2, roles[1])
    if first is None:
        actors = [] if second is None else [second]
    else:
        actors = [first] if second is None else [first, second]
    name1, name2 = fields[_A1 + 1], fields[_A2 + 1]
    if name1 and name2:
        title = f"{name1} → {name2}: {label} (CAMEO {code})"
    elif name1 or name2:
        title = f"{name1 or name2}: {label} (CAMEO {code})"
    else:
        title = f"{label} (CAMEO {code})"
    root = fields[_ROOT]
    cameo: dict[str, Any] = {"code": code, "base": fields[_BASE], "root": root}
    quad = fields[_QUAD]
    if quad:
        cameo["quad"] = _QUAD_NUMBERS.get(quad) or _int(quad, _QUAD)
    if goldstein is not None:
        cameo["goldstein"] = goldstein
    gdelt: dict[str, Any] = {
        "num_mentions": mentions,
        "num_sources": sources,
        "num_articles": articles,
        "is_root": fields[_ROOT_EVENT] == "1",
        "date_added": fields[_ADDED],
    }
    if tone is not None:
        gdelt["avg_tone"] = tone
    # The raw codes of a side without a country (a region, a group, or blank) are kept here.
    if first is None and (fields[_A1] or name1):
        gdelt["actor1"] = _raw_actor(fields, _A1)
    if second is None and (fields[_A2] or name2):
        gdelt["actor2"] = _raw_actor(fields, _A2)
    attributes: dict[str, Any] = {"cameo": cameo, "gdelt": gdelt, "provenance": origin}
    if fields[_ACTION_GEO] or fields[_ACTION_GEO + 1]:
        attributes["geo"] = _geo(fields, _ACTION_GEO, lat, lon)
    quad_tag = _QUAD_TAGS.get(quad)
    url = fields[_URL]
    return {
        "id": "gdelt-" + fields[_ID],
        "kind": kind,
        "when": day,
        "title": title,
        "actors": actors,
        "location": fields[_ACTION_GEO + 1] or None,
        "sources": [url] if url.startswith(("http://", "https://")) else [],
        "tags": ["root:" + root] if quad_tag is None else ["root:" + root, quad_tag],
        "modality": "reported",
        "attributes": attributes,
    }


@attrs.frozen(kw_only=True)
class GdeltImporter(EventDataImporter):
    """Reads GDELT 2.0 event exports: ``.export.CSV`` files, plain, ``.zip`` or ``.gz``."""

    name: str = "gdelt"
    description: str = "GDELT 2.0 event exports (61 tab-separated columns; .zip, .gz or plain)"
    suffix: str = ".CSV"
    options: tuple[timeline.Option, ...] = (
        *COMMON_OPTIONS,
        timeline.Option(
            name="min_sources", help="Keep rows with at least this many sources.", type=int
        ),
        timeline.Option(
            name="root_only",
            help="Keep root events only (IsRootEvent = 1).",
            type=bool,
            default=False,
        ),
        timeline.Option(
            name="uncertain_dates",
            help="Mark every date uncertain (EDTF '?'): GDELT often dates an event by its article.",
            type=bool,
            default=False,
        ),
        timeline.Option(
            name="lastupdate",
            help="Check the file's size and MD5 against this lastupdate.txt (already downloaded).",
        ),
    )
    dataset: ClassVar[str] = "gdelt2"

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield the selected rows; with ``lastupdate``, check the file against it first."""
        if options.get("lastupdate"):
            check_listed(stream, str(options["lastupdate"]))
        yield from super().read(stream, **options)

    def rows(self, stream: IO[Any], selection: Selection, options: dict[str, Any]) -> Iterator[Row]:
        """Yield the selected rows of a GDELT export as event fields, bad rows as problems."""
        file = base_name(stream_name(stream))
        by_sides = bool(selection.actors) or selection.dyad is not None
        by_codes = bool(selection.root_codes or selection.quad_classes)
        by_day = selection.start is not None or selection.end is not None
        by_kind = bool(selection.kinds)
        root_only, min_sources = selection.root_only, selection.min_sources
        qualifier = "?" if options.get("uncertain_dates") else ""
        for number, text, replaced in lines_of(stream):
            fields = text.split("\t")
            if len(fields) != 61:
                if text.strip():
                    yield number, _width_problem(number, len(fields))
                continue
            try:
                if not fields[_ID].isdigit():
                    raise _Bad("GLOBALEVENTID", f"got {fields[_ID]!r}, expected digits")
                day = _iso_day(fields[_DAY])
                coded = _kind_of(fields[_CODE])
                if coded is None:
                    raise _Bad(
                        "EventCode",
                        f"got {fields[_CODE]!r}, expected a CAMEO event code such as '042'",
                    )
                if (
                    (root_only and fields[_ROOT_EVENT] != "1")
                    or (min_sources and _int(fields[_SOURCES], _SOURCES) < min_sources)
                    or (by_codes and not selection.keeps_codes(fields[_ROOT], fields[_QUAD]))
                    or (by_day and not selection.keeps_day(day))
                    or (by_kind and not selection.keeps_kind(coded[0]))
                    or (
                        by_sides
                        and not selection.keeps_sides(
                            country_of(fields[_A1 + 2]), country_of(fields[_A2 + 2])
                        )
                    )
                ):
                    continue
                origin = provenance("gdelt2", file, number, replaced)
                fields_out = gdelt_fields(fields, coded[0], coded[1], day + qualifier, origin)
                yield number, fields_out
            except _Bad as bad:
                yield (
                    number,
                    timeline.ImportProblem(line=number, field=bad.field, reason=bad.reason),
                )


def _width_problem(line: int, width: int) -> timeline.ImportProblem:
    if width in (57, 58):
        reason = (
            f"{width} columns: a GDELT 1.0 row; this importer reads GDELT 2.0 exports (61 columns)"
        )
    else:
        reason = f"{width} tab-separated columns, expected the 61 of a GDELT 2.0 export"
    return timeline.ImportProblem(line=line, field="row", reason=reason)
