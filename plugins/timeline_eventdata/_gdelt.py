"""The ``gdelt`` importer: GDELT 2.0 event exports (61 tab-separated columns, no header)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import IO, Any, ClassVar, Final

import attrs

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
from ._stream import lines_of, stream_name

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
_DIGITS: Final = re.compile(r"^[0-9]+$")
_DAY_TEXT: Final = re.compile(r"^[0-9]{8}$")
_COUNTRY_CACHE: dict[str, str | None] = {}


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


def _int(fields: list[str], at: int) -> int:
    text = fields[at]
    if text == "":
        return 0
    try:
        return int(text)
    except ValueError:
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected an integer") from None


def _float(fields: list[str], at: int) -> float | None:
    text = fields[at]
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected a number") from None
    if not math.isfinite(value):
        raise _Bad(GDELT_COLUMNS[at], f"got {text!r}, expected a finite number")
    return value


def _iso_day(text: str) -> str:
    if not _DAY_TEXT.match(text):
        raise _Bad("SQLDATE", f"got {text!r}, expected a day as YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        raise _Bad("SQLDATE", f"got {text!r}, which is not a calendar day") from None


def _actor(fields: list[str], at: int, role: str) -> dict[str, Any] | None:
    country = country_of(fields[at + 2])
    if country is None:
        return None
    actor: dict[str, Any] = {"country": country, "role": role}
    sector = fields[at + 7]
    if _SECTOR.match(sector):
        actor["sector"] = sector
    if fields[at + 1]:
        actor["name"] = fields[at + 1]
    return actor


def _raw_actor(fields: list[str], at: int) -> dict[str, str]:
    return {
        key: fields[at + i]
        for i, key in enumerate(("code", "name", "country_code", "known_group"))
        if fields[at + i]
    } | {"types": ",".join(t for t in fields[at + 7 : at + 10] if t)}


def _geo(fields: list[str], at: int) -> dict[str, Any]:
    geo: dict[str, Any] = {}
    for key, value in (
        ("type", fields[at]),
        ("name", fields[at + 1]),
        ("fips", fields[at + 2]),
        ("adm1", fields[at + 3]),
        ("adm2", fields[at + 4]),
        ("feature_id", fields[at + 7]),
    ):
        if value:
            geo[key] = value
    for key, i in (("lat", 5), ("lon", 6)):
        number = _float(fields, at + i)
        if number is not None:
            geo[key] = number
    return geo


_ROLES: Final = {"042": ("visitor", "host"), "043": ("host", "visitor")}


def gdelt_fields(
    fields: list[str], kind: str, day: str, file: str, line: int, replaced: bool
) -> dict[str, Any]:
    """Return the event fields of one GDELT row (already split, checked and selected).

    Raises:
        _Bad: a number column cannot be read.
    """
    code = fields[_CODE]
    roles = _ROLES.get(code, ("actor", "recipient"))
    actors = [a for a in (_actor(fields, _A1, roles[0]), _actor(fields, _A2, roles[1])) if a]
    label = cameo_label(code) or code
    names = [n for n in (fields[_A1 + 1], fields[_A2 + 1]) if n]
    title = f"{' → '.join(names)}: {label} (CAMEO {code})" if names else f"{label} (CAMEO {code})"
    cameo: dict[str, Any] = {"code": code, "base": fields[_BASE], "root": fields[_ROOT]}
    if fields[_QUAD]:
        cameo["quad"] = _int(fields, _QUAD)
    goldstein = _float(fields, _GOLDSTEIN)
    if goldstein is not None:
        cameo["goldstein"] = goldstein
    gdelt: dict[str, Any] = {
        "num_mentions": _int(fields, _MENTIONS),
        "num_sources": _int(fields, _SOURCES),
        "num_articles": _int(fields, _ARTICLES),
        "is_root": fields[_ROOT_EVENT] == "1",
        "date_added": fields[_ADDED],
    }
    tone = _float(fields, _TONE)
    if tone is not None:
        gdelt["avg_tone"] = tone
    for key, at in (("actor1", _A1), ("actor2", _A2)):
        raw = _raw_actor(fields, at)
        if raw.get("code") or raw.get("name"):
            gdelt[key] = raw
    attributes: dict[str, Any] = {
        "cameo": cameo,
        "gdelt": gdelt,
        "provenance": provenance("gdelt2", file, line, replaced),
    }
    geo = _geo(fields, _ACTION_GEO)
    if geo:
        attributes["geo"] = geo
    tags = [f"root:{fields[_ROOT]}"]
    quad = QUAD_CLASSES.get(fields[_QUAD])
    if quad is not None:
        tags.append(f"quad:{quad}")
    url = fields[_URL].strip()
    return {
        "id": f"gdelt-{fields[_ID]}",
        "kind": kind,
        "when": day,
        "title": title,
        "actors": actors,
        "location": fields[_ACTION_GEO + 1] or None,
        "sources": [url] if url.lower().startswith(("http://", "https://")) else [],
        "tags": tags,
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
    )
    dataset: ClassVar[str] = "gdelt2"

    def rows(self, stream: IO[Any], selection: Selection) -> Iterator[Row]:
        """Yield the selected rows of a GDELT export as event fields, bad rows as problems."""
        file = base_name(stream_name(stream))
        for line in lines_of(stream):
            if not line.text.strip():
                continue
            fields = line.text.split("\t")
            if len(fields) != 61:
                yield line.number, _width_problem(line.number, len(fields))
                continue
            try:
                item = self._row(fields, selection, file, line.number, line.replaced)
            except _Bad as bad:
                yield (
                    line.number,
                    timeline.ImportProblem(line=line.number, field=bad.field, reason=bad.reason),
                )
                continue
            if item is not None:
                yield line.number, item

    @staticmethod
    def _row(
        fields: list[str], selection: Selection, file: str, line: int, replaced: bool
    ) -> dict[str, Any] | None:
        if not _DIGITS.match(fields[_ID]):
            raise _Bad("GLOBALEVENTID", f"got {fields[_ID]!r}, expected digits")
        day = _iso_day(fields[_DAY])
        code = fields[_CODE]
        kind = cameo_kind(code)
        if kind is None:
            raise _Bad("EventCode", f"got {code!r}, expected a CAMEO event code such as '042'")
        if selection.root_only and fields[_ROOT_EVENT] != "1":
            return None
        if selection.min_sources and _int(fields, _SOURCES) < selection.min_sources:
            return None
        if not selection.keeps_codes(fields[_ROOT], fields[_QUAD]):
            return None
        if not selection.keeps_day(day) or not selection.keeps_kind(kind):
            return None
        if (selection.actors or selection.dyad is not None) and not selection.keeps_sides(
            country_of(fields[_A1 + 2]), country_of(fields[_A2 + 2])
        ):
            return None
        return gdelt_fields(fields, kind, day, file, line, replaced)


def _width_problem(line: int, width: int) -> timeline.ImportProblem:
    if width in (57, 58):
        reason = (
            f"{width} columns: a GDELT 1.0 row; this importer reads GDELT 2.0 exports (61 columns)"
        )
    else:
        reason = f"{width} tab-separated columns, expected the 61 of a GDELT 2.0 export"
    return timeline.ImportProblem(line=line, field="row", reason=reason)
