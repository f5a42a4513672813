"""Fixture generators for the event-data importers: GDELT, ICEWS and POLECAT files.

No real data: each builder takes only the fields a test cares about and fills
every other column with a valid value. Used by tests/test_plugin_eventdata.py
and benchmarks/test_import.py.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from timeline_eventdata import GDELT_COLUMNS, ICEWS_COLUMNS, POLECAT_COLUMNS

__all__ = [
    "GDELT_DEFAULTS",
    "gdelt_file",
    "gdelt_row",
    "icews_file",
    "icews_row",
    "pack",
    "polecat_file",
    "polecat_row",
]

#: A valid GDELT 2.0 row: Russia visits India on 5 December 2025 (CAMEO 042).
GDELT_DEFAULTS: dict[str, str] = {
    "GLOBALEVENTID": "1000001",
    "SQLDATE": "20251205",
    "MonthYear": "202512",
    "Year": "2025",
    "FractionDate": "2025.9260",
    "Actor1Code": "RUSGOV",
    "Actor1Name": "RUSSIA",
    "Actor1CountryCode": "RUS",
    "Actor1Type1Code": "GOV",
    "Actor2Code": "IND",
    "Actor2Name": "INDIA",
    "Actor2CountryCode": "IND",
    "IsRootEvent": "1",
    "EventCode": "042",
    "EventBaseCode": "042",
    "EventRootCode": "04",
    "QuadClass": "1",
    "GoldsteinScale": "1.9",
    "NumMentions": "10",
    "NumSources": "2",
    "NumArticles": "10",
    "AvgTone": "2.5",
    "Actor1Geo_Type": "1",
    "Actor1Geo_FullName": "Russia",
    "Actor1Geo_CountryCode": "RS",
    "Actor1Geo_Lat": "60",
    "Actor1Geo_Long": "100",
    "Actor1Geo_FeatureID": "RS",
    "ActionGeo_Type": "4",
    "ActionGeo_FullName": "New Delhi, Delhi, India",
    "ActionGeo_CountryCode": "IN",
    "ActionGeo_ADM1Code": "IN07",
    "ActionGeo_ADM2Code": "",
    "ActionGeo_Lat": "28.6",
    "ActionGeo_Long": "77.2",
    "ActionGeo_FeatureID": "-2106102",
    "DATEADDED": "20251205101500",
    "SOURCEURL": "https://example.com/news/putin-delhi",
}


def gdelt_row(**fields: object) -> str:
    """Return one tab-separated GDELT 2.0 line (no newline): defaults plus ``fields``."""
    unknown = set(fields) - set(GDELT_COLUMNS)
    assert not unknown, f"not GDELT columns: {unknown}"
    values = {**GDELT_DEFAULTS, **{k: str(v) for k, v in fields.items()}}
    return "\t".join(values.get(name, "") for name in GDELT_COLUMNS)


def pack(data: bytes, member: str, compress: str | None) -> bytes:
    """Return ``data`` zipped (one member), gzipped, or as it is."""
    if compress == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(member, data)
        return out.getvalue()
    if compress == "gz":
        return gzip.compress(data, mtime=0)
    assert compress is None
    return data


def _lines(lines: Iterable[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def gdelt_file(
    directory: Path,
    rows: Iterable[str],
    name: str = "20251205101500.export.CSV",
    compress: str | None = "zip",
) -> Path:
    """Write GDELT lines as an export file (zipped by default, as GDELT publishes them)."""
    suffix = {"zip": ".zip", "gz": ".gz", None: ""}[compress]
    path = directory / f"{name}{suffix}"
    path.write_bytes(pack(_lines(rows), name, compress))
    return path


def _tsv_row(
    columns: tuple[str, ...], defaults: Mapping[str, str], fields: dict[str, object]
) -> str:
    unknown = set(fields) - set(columns)
    assert not unknown, f"not columns: {unknown}"
    values = {**defaults, **{k: str(v) for k, v in fields.items()}}
    return "\t".join(values.get(name, "") for name in columns)


#: A valid ICEWS row: the Russian government visits India (CAMEO 042).
ICEWS_DEFAULTS: dict[str, str] = {
    "Event ID": "926685",
    "Event Date": "2014-03-02",
    "Source Name": "Vladimir Putin",
    "Source Sectors": "Elite, Executive, Government",
    "Source Country": "Russian Federation",
    "Event Text": "Make a visit",
    "CAMEO Code": "042",
    "Intensity": "1.9",
    "Target Name": "India",
    "Target Sectors": "",
    "Target Country": "India",
    "Story ID": "28390718",
    "Sentence Number": "2",
    "Publisher": "Xinhua",
    "City": "New Delhi",
    "District": "",
    "Province": "Delhi",
    "Country": "India",
    "Latitude": "28.6",
    "Longitude": "77.2",
}


def icews_row(**fields: object) -> str:
    """Return one ICEWS line: defaults plus ``fields`` (given by column name with ``_``)."""
    named = {k.replace("_", " "): v for k, v in fields.items()}
    return _tsv_row(ICEWS_COLUMNS, ICEWS_DEFAULTS, named)


def icews_file(
    directory: Path,
    rows: Iterable[str],
    name: str = "events.2014.20150313084929.tab",
    compress: str | None = None,
    header: Iterable[str] = ICEWS_COLUMNS,
) -> Path:
    """Write an ICEWS yearly file: the exact header, then the rows."""
    suffix = {"zip": ".zip", "gz": ".gz", None: ""}[compress]
    path = directory / f"{name}{suffix}"
    path.write_bytes(pack(_lines(["\t".join(header), *rows]), name, compress))
    return path


#: A valid POLECAT row: Russia's government visits India (CONSULT, visit).
POLECAT_DEFAULTS: dict[str, str] = {
    "Event ID": "20231205-0001",
    "Event Date": "2023-12-05",
    "Event Type": "CONSULT",
    "Event Mode": "visit",
    "Intensity": "1.0",
    "Quad Code": "Verbal Cooperation",
    "Contexts": "diplomatic;military",
    "Actor Name": "Sergey Lavrov",
    "Actor Country": "RUS",
    "Primary Actor Sector": "GOV",
    "Wikipedia Actor ID": "Q131",
    "Recipient Name": "India",
    "Recipient Country": "IND",
    "Primary Recipient Sector": "GOV",
    "Placename": "New Delhi",
    "Country": "India",
    "Latitude": "28.6",
    "Longitude": "77.2",
    "GeoNames ID": "1261481",
    "Source": "The Hindu",
    "Publication Date": "2023-12-06",
    "Language": "en",
    "Version": "1.0",
}


def polecat_row(**fields: object) -> str:
    """Return one POLECAT line: defaults plus ``fields`` (column names with ``_``)."""
    named = {k.replace("_", " "): v for k, v in fields.items()}
    return _tsv_row(POLECAT_COLUMNS, POLECAT_DEFAULTS, named)


def polecat_file(
    directory: Path,
    rows: Iterable[str],
    name: str = "ngec_coded_v1.txt",
    header: Iterable[str] = POLECAT_COLUMNS,
    trailing_tabs: int = 0,
) -> Path:
    """Write a POLECAT file; ``header`` and ``trailing_tabs`` make the published quirks."""
    path = directory / name
    lines = ["\t".join(header), *(row + "\t" * trailing_tabs for row in rows)]
    path.write_bytes(_lines(lines))
    return path
