"""Tests for the gdelt, icews and polecat importers (plugins/timeline_eventdata)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import math
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import timeline
import timeline_eventdata
from timeline.testing import ImporterContract, first_party_host

from .eventdata_files import (
    gdelt_file,
    gdelt_row,
    icews_file,
    icews_row,
    pack,
    polecat_file,
    polecat_row,
)

POLECAT_HEADLINE_HEADER = (*timeline_eventdata.POLECAT_COLUMNS[:7], "Headline",
                           *timeline_eventdata.POLECAT_COLUMNS[7:])  # fmt: skip


@pytest.fixture
def tl(timeline_factory: Any) -> timeline.Timeline:
    return timeline_factory()  # type: ignore[no-any-return]


def ids(tl: timeline.Timeline) -> list[str]:
    return sorted(e.id for e in tl.events())


class TestGdeltMapping:
    def test_a_visit(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """One row becomes one reported event with actors, place, source and attributes."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        report = tl.import_file("gdelt", path)
        assert 1 == report.recorded
        event = tl.get("gdelt-1000001")
        assert "visit.state" == event.kind
        assert "2025-12-05" == event.when.edtf
        assert timeline.Modality.REPORTED == event.modality
        assert [("RUS", "visitor", "GOV", "RUSSIA"), ("IND", "host", None, "INDIA")] == [
            (a.country, a.role.value if a.role else None, a.sector, a.name) for a in event.actors
        ]
        assert "New Delhi, Delhi, India" == event.location
        assert ["https://example.com/news/putin-delhi"] == [s.url for s in event.sources]
        assert ("quad:verbal_cooperation", "root:04") == event.tags
        attributes = event.attributes
        assert {"code": "042", "base": "042", "root": "04", "quad": 1, "goldstein": 1.9} == (
            attributes["cameo"]
        )
        assert 2 == attributes["gdelt"]["num_sources"]
        assert "20251205101500" == attributes["gdelt"]["date_added"]
        assert {"fips": "IN", "lat": 28.6, "lon": 77.2} == {
            k: attributes["geo"][k] for k in ("fips", "lat", "lon")
        }
        assert {"dataset": "gdelt2", "file": path.name, "row": 1} == attributes["provenance"]

    def test_dateadded_is_not_recorded_at(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """DATEADDED stays an attribute: the log's recorded_at is the import's own clock."""
        tl.import_file("gdelt", gdelt_file(tmp_path, [gdelt_row(DATEADDED="20150219000000")]))
        record = tl.history("gdelt-1000001")[0]
        assert record.recorded_at.year != 2015

    def test_codes_stay_strings(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """010 (make statement) and 10 (demand) are different kinds, zeros kept."""
        rows = [
            gdelt_row(GLOBALEVENTID=1, EventCode="010", EventBaseCode="010", EventRootCode="01"),
            gdelt_row(GLOBALEVENTID=2, EventCode="10", EventBaseCode="10", EventRootCode="10"),
        ]
        tl.import_file("gdelt", gdelt_file(tmp_path, rows))
        assert "cameo.010" == tl.get("gdelt-1").kind
        assert "cameo.10" == tl.get("gdelt-2").kind
        assert "010" == tl.get("gdelt-1").attributes["cameo"]["code"]
        assert "cameo.010" in tl.kinds

    def test_uncertain_dates(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """uncertain_dates marks each day uncertain (GDELT often dates by the article)."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        tl.import_file("gdelt", path, uncertain_dates=True)
        assert "2025-12-05?" == tl.get("gdelt-1000001").when.edtf

    @pytest.mark.parametrize(
        ("code", "kind"),
        [("057", "treaty.signed"), ("036", "visit.announced"), ("0312", "defence.intent")],
    )
    def test_mapped_codes(
        self, tl: timeline.Timeline, tmp_path: Path, code: str, kind: str
    ) -> None:
        """Codes in CAMEO_KINDS become their kind."""
        tl.import_file("gdelt", gdelt_file(tmp_path, [gdelt_row(EventCode=code)]))
        assert kind == tl.get("gdelt-1000001").kind
        assert kind == timeline_eventdata.CAMEO_KINDS[code]

    def test_blank_actor2_and_regions(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A blank Actor2 gives one actor; a CAMEO region (EUR = Europe) is no country."""
        rows = [
            gdelt_row(GLOBALEVENTID=1, Actor2Code="", Actor2Name="", Actor2CountryCode=""),
            gdelt_row(GLOBALEVENTID=2, Actor2Code="EUR", Actor2Name="EUROPE",
                      Actor2CountryCode="EUR"),
        ]  # fmt: skip
        tl.import_file("gdelt", gdelt_file(tmp_path, rows))
        assert ["RUS"] == [a.country for a in tl.get("gdelt-1").actors]
        second = tl.get("gdelt-2")
        assert ["RUS"] == [a.country for a in second.actors]
        assert "EUR" == second.attributes["gdelt"]["actor2"]["country_code"]

    @pytest.mark.parametrize("compress", ["zip", "gz", None])
    def test_zip_gz_plain(self, tl: timeline.Timeline, tmp_path: Path, compress: str) -> None:
        """The same rows read the same from a zip, a gzip or a plain file."""
        rows = [gdelt_row(GLOBALEVENTID=i) for i in range(1, 4)]
        report = tl.import_file("gdelt", gdelt_file(tmp_path, rows, compress=compress))
        assert 3 == report.recorded
        assert ["gdelt-1", "gdelt-2", "gdelt-3"] == ids(tl)

    def test_unseekable_stream(self, tl: timeline.Timeline) -> None:
        """A gzip arriving on a pipe-like stream (no seek) is read too."""

        class Pipe(io.RawIOBase):
            def __init__(self, data: bytes) -> None:
                self._data = io.BytesIO(data)

            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                chunk = self._data.read(len(buffer))
                buffer[: len(chunk)] = chunk
                return len(chunk)

        data = pack(f"{gdelt_row()}\n".encode(), "x.CSV", "gz")
        assert 1 == tl.import_file("gdelt", io.BufferedReader(Pipe(data))).recorded


class TestGdeltBadInput:
    def test_gdelt_1_rows(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """57/58-column rows are a clear error naming the file and the line; nothing written."""
        old = "\t".join(gdelt_row().split("\t")[:58])
        path = gdelt_file(tmp_path, [gdelt_row(), old])
        with pytest.raises(timeline.ImportFailed, match=r"GDELT 1\.0") as caught:
            tl.import_file("gdelt", path)
        assert str(path) in str(caught.value)
        assert [(2, "row")] == [(p.line, p.field) for p in caught.value.problems]
        assert 0 == tl.seq

    def test_every_bad_row_named(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Each bad field is reported with its line and its GDELT column name."""
        rows = [
            gdelt_row(GLOBALEVENTID=1),
            gdelt_row(GLOBALEVENTID=2, EventCode="999"),
            gdelt_row(GLOBALEVENTID=3, SQLDATE="20250230"),
            gdelt_row(GLOBALEVENTID="x"),
            gdelt_row(GLOBALEVENTID=5, NumSources="many"),
        ]
        with pytest.raises(timeline.ImportFailed) as caught:
            tl.import_file("gdelt", gdelt_file(tmp_path, rows))
        assert [(2, "EventCode"), (3, "SQLDATE"), (4, "GLOBALEVENTID"), (5, "NumSources")] == [
            (p.line, p.field) for p in caught.value.problems
        ]
        report = tl.import_file("gdelt", gdelt_file(tmp_path, rows), skip_invalid=True)
        assert (1, 4) == (report.recorded, len(report.problems))

    def test_several_members(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A zip with two members is one clear error."""
        path = tmp_path / "two.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.CSV", gdelt_row())
            archive.writestr("b.CSV", gdelt_row())
        with pytest.raises(timeline.ImportFailed, match=r"exactly one file, found 2: a.CSV, b.CSV"):
            tl.import_file("gdelt", path, skip_invalid=True)
        assert 0 == tl.seq

    @pytest.mark.parametrize("compress", ["zip", "gz"])
    def test_truncated(self, tl: timeline.Timeline, tmp_path: Path, compress: str) -> None:
        """A truncated archive is one clear error, even with skip_invalid; nothing written."""
        rows = [gdelt_row(GLOBALEVENTID=i, SOURCEURL=f"https://e.com/{i}") for i in range(300)]
        path = gdelt_file(tmp_path, rows, compress=compress)
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        with pytest.raises(timeline.ImportFailed, match="truncated") as caught:
            tl.import_file("gdelt", path, skip_invalid=True)
        assert ["file"] == [p.field for p in caught.value.problems]
        assert 0 == tl.seq

    def test_not_utf8(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 are replaced and noted in the provenance, not an error."""
        data = gdelt_row(Actor1Name="S\x00O PAULO").replace("\x00", "@").encode()
        data = data.replace(b"@", b"\xe3") + b"\n"
        path = tmp_path / "latin.CSV"
        path.write_bytes(data)
        assert 1 == tl.import_file("gdelt", path).recorded
        event = tl.get("gdelt-1000001")
        assert "S\ufffdO PAULO" == event.actors[0].name
        assert "replaced" in event.attributes["provenance"]["decoding"]


class TestLastUpdate:
    def _listing(self, tmp_path: Path, path: Path, md5: str | None = None) -> Path:
        digest = md5 or hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        url = f"http://data.gdeltproject.org/gdeltv2/{path.name}"
        listing = tmp_path / "lastupdate.txt"
        listing.write_text(
            f"{path.stat().st_size} {digest} {url}\n"
            "2931 0e9f2b7c0c2b5a3d1a0f3c3c3d2b1a0f http://data.gdeltproject.org/gdeltv2/x.mentions.CSV.zip\n",
            encoding="utf-8",
        )
        return listing

    def test_listed_file_imports(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A file whose size and MD5 match lastupdate.txt imports."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        listing = self._listing(tmp_path, path)
        assert 1 == tl.import_file("gdelt", path, lastupdate=str(listing)).recorded

    def test_bad_md5_is_one_error(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A download whose MD5 differs is one error naming both digests; nothing written."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        listing = self._listing(tmp_path, path, md5="0" * 32)
        with pytest.raises(timeline.ImportFailed, match="partial or altered") as caught:
            tl.import_file("gdelt", path, lastupdate=str(listing), skip_invalid=True)
        assert ["file"] == [p.field for p in caught.value.problems]
        assert 0 == tl.seq

    def test_unlisted_file(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A file the listing does not name is refused."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        listing = self._listing(tmp_path, path)
        other = gdelt_file(tmp_path, [gdelt_row()], name="20251205103000.export.CSV")
        with pytest.raises(timeline.ImportFailed, match="does not list"):
            tl.import_file("gdelt", other, lastupdate=str(listing))


class TestGdeltFilters:
    ROWS = (
        gdelt_row(GLOBALEVENTID=1),
        gdelt_row(GLOBALEVENTID=2, Actor1CountryCode="CHN", Actor1Name="CHINA",
                  Actor2CountryCode="USA", Actor2Name="UNITED STATES"),
        gdelt_row(GLOBALEVENTID=3, Actor1CountryCode="IND", Actor2CountryCode="PAK",
                  EventCode="190", EventBaseCode="190", EventRootCode="19", QuadClass="4"),
        gdelt_row(GLOBALEVENTID=4, IsRootEvent="0", NumSources="1", SQLDATE="20251201"),
        gdelt_row(GLOBALEVENTID=5, EventCode="057", EventBaseCode="057", EventRootCode="05",
                  Actor2CountryCode="VNM", SQLDATE="20240620"),
    )  # fmt: skip

    @pytest.mark.parametrize(
        ("options", "kept"),
        [
            ({}, [1, 2, 3, 4, 5]),
            ({"actor": "India"}, [1, 3, 4]),
            ({"actor": ["CHN", "VNM"]}, [2, 5]),
            ({"dyad": "IND,RUS"}, [1, 4]),
            ({"dyad": "India;Pakistan"}, [3]),
            ({"root_code": "04,05"}, [1, 2, 4, 5]),
            ({"quad_class": "4"}, [3]),
            ({"kind": "treaty.*"}, [5]),
            ({"kind": "cameo.19*,visit.*"}, [1, 2, 3, 4]),
            ({"min_sources": 2}, [1, 2, 3, 5]),
            ({"root_only": True}, [1, 2, 3, 5]),
            ({"start": "2025-12-02"}, [1, 2, 3]),
            ({"end": "2025-12-01"}, [4, 5]),
            ({"limit": 2}, [1, 2]),
            ({"limit": 0}, []),
            ({"actor": "RUS", "root_only": True, "limit": 1}, [1]),
        ],
    )
    def test_filters(
        self, tl: timeline.Timeline, tmp_path: Path, options: dict[str, Any], kept: list[int]
    ) -> None:
        """Each filter keeps the rows it says while streaming."""
        tl.import_file("gdelt", gdelt_file(tmp_path, self.ROWS), **options)
        assert sorted(f"gdelt-{i}" for i in kept) == ids(tl)

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"actor": "Atlantis"}, "Atlantis"),
            ({"dyad": "RUS"}, "two countries"),
            ({"quad_class": "5"}, "quad classes"),
            ({"start": "soon"}, "YYYY-MM-DD"),
            ({"start": "2025-12-02", "end": "2025-12-01"}, "on or after"),
            ({"limit": -1}, "0 or more"),
        ],
    )
    def test_bad_filters(
        self, tl: timeline.Timeline, tmp_path: Path, options: dict[str, Any], message: str
    ) -> None:
        """A bad filter value is an InvalidOption naming it."""
        with pytest.raises(timeline.InvalidOption, match=message):
            tl.import_file("gdelt", gdelt_file(tmp_path, self.ROWS), **options)


class TestReimport:
    def test_second_import_changes_nothing(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Deterministic ids: importing the same file again leaves the log as it was.

        The rows already present are counted, not recorded again and not errors.
        """
        path = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=i) for i in range(1, 4)])
        tl.import_file("gdelt", path)
        head = tl.head()
        report = tl.import_file("gdelt", path)
        assert (0, 3, ()) == (report.recorded, report.present, report.problems)
        assert head == tl.head()

    def test_same_rows_in_another_file_are_present(
        self, tl: timeline.Timeline, tmp_path: Path
    ) -> None:
        """The file and row an event came from are not its content: a renamed file is present."""
        rows = [gdelt_row(GLOBALEVENTID=i) for i in range(1, 4)]
        tl.import_file("gdelt", gdelt_file(tmp_path, rows))
        other = tmp_path / "renamed"
        other.mkdir()
        report = tl.import_file(
            "gdelt", gdelt_file(other, [rows[2], rows[0], rows[1]], name="b.export.CSV")
        )
        assert (0, 3) == (report.recorded, report.present)

    def test_updated_row_reported_as_changed(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """An updated row (more sources) is reported as changed and left alone by default."""
        tl.import_file("gdelt", gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=7)]))
        head = tl.head()
        updated = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=7, NumSources="9")])
        report = tl.import_file("gdelt", updated)
        assert (0, 0, ("gdelt-7",)) == (report.recorded, report.present, report.changed)
        assert head == tl.head()
        report = tl.import_file("gdelt", updated, amend=True)
        assert 1 == report.amended
        assert 9 == tl.get("gdelt-7").attributes["gdelt"]["num_sources"]


class TestIcews:
    def test_a_row(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Country names become codes; the source is the publisher and the story id."""
        tl.import_file("icews", icews_file(tmp_path, [icews_row()]))
        event = tl.get("icews-926685-2014-03-02")
        assert "visit.state" == event.kind
        assert [("RUS", "actor", "GOV"), ("IND", "recipient", None)] == [
            (a.country, a.role.value if a.role else None, a.sector) for a in event.actors
        ]
        assert [(None, "Xinhua", "28390718:2")] == [
            (s.url, s.publisher, s.story) for s in event.sources
        ]
        assert "New Delhi, Delhi, India" == event.location
        assert 1.9 == event.attributes["icews"]["intensity"]
        assert "Elite, Executive, Government" == event.attributes["icews"]["source"]["sectors"]
        assert timeline.Modality.REPORTED == event.modality

    def test_event_id_repeats_across_dates(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """ICEWS repeats an Event ID on another date: both rows are kept, with different ids."""
        rows = [icews_row(), icews_row(Event_Date="2014-03-03")]
        assert 2 == tl.import_file("icews", icews_file(tmp_path, rows)).recorded
        assert ["icews-926685-2014-03-02", "icews-926685-2014-03-03"] == ids(tl)

    def test_header_problem_is_one_error(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A wrong header is one error listing the columns found and the ones expected."""
        header = ["Event ID", "Date", "Source Name"]
        path = icews_file(tmp_path, [icews_row()] * 5, header=header)
        with pytest.raises(timeline.ImportFailed) as caught:
            tl.import_file("icews", path, skip_invalid=True)
        assert 1 == len(caught.value.problems)
        reason = caught.value.problems[0].reason
        assert "lacks Event Date, CAMEO Code" in reason
        assert "found columns: Event ID, Date, Source Name" in reason
        assert "expected: Event ID, Event Date" in reason

    def test_latin1_and_gz(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """An ISO-8859-1 name in a gzipped file is decoded with replacement, not refused."""
        header = "\t".join(timeline_eventdata.ICEWS_COLUMNS)
        body = icews_row(Source_Name="Jos\x00").replace("\x00", "@").encode().replace(b"@", b"\xe9")
        path = tmp_path / "events.2014.tab.gz"
        path.write_bytes(gzip.compress(header.encode() + b"\n" + body + b"\n"))
        tl.import_file("icews", path)
        event = tl.get("icews-926685-2014-03-02")
        assert "Jos\ufffd" == event.actors[0].name
        assert "decoding" in event.attributes["provenance"]

    def test_dyad(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A dyad given by names keeps the rows between the two, either way round."""
        rows = [
            icews_row(Event_ID=1),
            icews_row(Event_ID=2, Source_Country="India", Target_Country="Russian Federation"),
            icews_row(Event_ID=3, Target_Country="China"),
        ]
        tl.import_file("icews", icews_file(tmp_path, rows), dyad="Russia,India")
        assert ["icews-1-2014-03-02", "icews-2-2014-03-02"] == ids(tl)

    def test_bad_rows(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Bad dates, codes and widths are reported with their line and column."""
        rows = [icews_row(), icews_row(Event_Date="2014/03/02"), icews_row(CAMEO_Code="X"), "a\tb"]
        with pytest.raises(timeline.ImportFailed) as caught:
            tl.import_file("icews", icews_file(tmp_path, rows))
        assert [(3, "Event Date"), (4, "CAMEO Code"), (5, "row")] == [
            (p.line, p.field) for p in caught.value.problems
        ]


class TestPolecat:
    def test_a_row(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """PLOVER type and mode give the kind; contexts become tags and attributes."""
        tl.import_file("polecat", polecat_file(tmp_path, [polecat_row()]))
        event = tl.get("polecat-20231205-0001")
        assert "visit.state" == event.kind
        assert ("context:diplomatic", "context:military", "quad:verbal_cooperation") == event.tags
        assert ["RUS", "IND"] == [a.country for a in event.actors]
        assert "Q131" == event.attributes["plover"]["actor_wikipedia"]
        assert [("The Hindu", dt.date(2023, 12, 6))] == [
            (s.publisher, s.published) for s in event.sources
        ]

    @pytest.mark.parametrize(
        ("event_type", "mode", "kind"),
        [
            ("CONSULT", "phone", "plover.consult.phone"),
            ("sanction", "expel", "plover.sanction.expel"),
            ("ASSAULT", "aerial", "plover.assault"),
            ("AGREE", "", "plover.agree"),
        ],
    )
    def test_unmapped_types(
        self, tl: timeline.Timeline, tmp_path: Path, event_type: str, mode: str, kind: str
    ) -> None:
        """Types without a mapped kind become plover.<type>[.<mode>], registered."""
        rows = [polecat_row(Event_Type=event_type, Event_Mode=mode)]
        tl.import_file("polecat", polecat_file(tmp_path, rows))
        assert kind == tl.get("polecat-20231205-0001").kind

    def test_headline_header_quirk(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """A header naming a Headline column the rows lack is read, and noted."""
        path = polecat_file(tmp_path, [polecat_row()], header=POLECAT_HEADLINE_HEADER)
        tl.import_file("polecat", path)
        event = tl.get("polecat-20231205-0001")
        assert ["RUS", "IND"] == [a.country for a in event.actors]
        assert ["the header names a Headline column the rows lack"] == (
            event.attributes["provenance"]["quirks"]
        )

    def test_trailing_tabs_and_intensity_name(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """Empty trailing columns are ignored (and noted); 'Event Intensity' reads as Intensity."""
        header = ["Event Intensity" if c == "Intensity" else c
                  for c in timeline_eventdata.POLECAT_COLUMNS]  # fmt: skip
        path = polecat_file(tmp_path, [polecat_row()], header=header, trailing_tabs=3)
        tl.import_file("polecat", path)
        event = tl.get("polecat-20231205-0001")
        assert "1.0" == event.attributes["plover"]["intensity"]
        assert ["3 empty trailing columns ignored"] == event.attributes["provenance"]["quirks"]

    def test_unknown_type(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """An event type PLOVER lacks is a bad row naming the column."""
        path = polecat_file(tmp_path, [polecat_row(Event_Type="DANCE")])
        with pytest.raises(timeline.ImportFailed, match="Event Type"):
            tl.import_file("polecat", path)


@pytest.fixture
def cli_run(tmp_path: Path) -> Any:
    """Return a function running ``timeline --db tmp_path/t.db ...`` in-process on a new log."""
    from click.testing import CliRunner

    from timeline.cli import cli
    from timeline.cli._common import CliState

    def run(*args: str) -> Any:
        state = CliState(host=first_party_host())
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), *args], obj=state)

    assert 0 == run("init").exit_code
    return run


class TestCli:
    def test_import_filtered_and_list_by_name(self, cli_run: Any, tmp_path: Path) -> None:
        """`timeline import gdelt FILE --actor India --root-only`, then `list --actor India`."""
        rows = [
            gdelt_row(GLOBALEVENTID=1),
            gdelt_row(GLOBALEVENTID=2, IsRootEvent="0"),
            gdelt_row(GLOBALEVENTID=3, Actor2CountryCode="CHN"),
        ]
        path = gdelt_file(tmp_path, rows)
        result = cli_run("import", "gdelt", str(path), "--actor", "India", "--root-only")
        assert 0 == result.exit_code, result.output
        assert f"imported 1 event from {path}" in result.output
        listed = cli_run("list", "--actor", "India")
        assert 0 == listed.exit_code, listed.output
        assert 1 == sum("visit.state" in line for line in listed.output.splitlines())

    def test_repeated_actor_flags(self, cli_run: Any, tmp_path: Path) -> None:
        """`--actor RUS --actor CHN` keeps rows with either (repeated flags add up)."""
        rows = [
            gdelt_row(GLOBALEVENTID=1),
            gdelt_row(GLOBALEVENTID=2, Actor1CountryCode="CHN", Actor2CountryCode="USA"),
            gdelt_row(GLOBALEVENTID=3, Actor1CountryCode="FRA", Actor2CountryCode="DEU"),
        ]
        path = gdelt_file(tmp_path, rows)
        result = cli_run("import", "gdelt", str(path), "--actor", "RUS", "--actor", "CHN")
        assert 0 == result.exit_code, result.output
        assert "imported 2 events" in result.output

    def test_bad_file_reports_rows(self, cli_run: Any, tmp_path: Path) -> None:
        """A GDELT 1.0 file reports its row and exits non-zero, without a traceback."""
        path = gdelt_file(tmp_path, ["\t".join(gdelt_row().split("\t")[:57])])
        result = cli_run("import", "gdelt", str(path))
        assert 1 == result.exit_code
        assert f"error: {path}: line 1: row: 57 columns: a GDELT 1.0 row" in result.stderr
        assert "1 bad row; nothing was recorded" in result.stderr
        assert "Traceback" not in result.output

    def test_truncated_archive_is_one_line(self, cli_run: Any, tmp_path: Path) -> None:
        """A truncated zip is one error line."""
        path = gdelt_file(tmp_path, [gdelt_row()])
        path.write_bytes(path.read_bytes()[:40])
        result = cli_run("import", "gdelt", str(path))
        assert 1 == result.exit_code
        assert "not a readable zip archive" in result.stderr
        assert "Traceback" not in result.output


class TestCliSeveralFiles:
    def test_each_file_then_the_total(self, cli_run: Any, tmp_path: Path) -> None:
        """Several files, options before, between and after them: each reported, then a total."""
        a = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=i) for i in (1, 2)], name="a.CSV")
        b = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=i) for i in (2, 3)], name="b.CSV")
        c = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=4, IsRootEvent="0")], name="c.CSV")
        result = cli_run(
            "import", "gdelt", "--actor", "IND", str(a), "--min-sources", "1", str(b),
            str(c), "--root-only",
        )  # fmt: skip
        assert 0 == result.exit_code, result.output
        assert [
            f"imported 2 events from {a}",
            f"imported 1 event (1 already present) from {b}",
            f"imported 0 events from {c}",
            "total: imported 3 events (1 already present) from 3 files",
        ] == result.stdout.splitlines()

    def test_a_failed_file_fails_alone(self, cli_run: Any, tmp_path: Path) -> None:
        """A bad file and a missing one record nothing; the others are imported; exit 1."""
        good = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=1)], name="good.CSV")
        bad = gdelt_file(
            tmp_path, [gdelt_row(GLOBALEVENTID=2), gdelt_row(EventCode="999")], name="bad.CSV"
        )
        missing = tmp_path / "missing.CSV.zip"
        result = cli_run("import", "gdelt", str(bad), str(missing), str(good))
        assert 1 == result.exit_code
        assert [
            f"imported 1 event from {good}",
            "total: imported 1 event from 3 files; 2 of 3 files failed",
        ] == result.stdout.splitlines()
        errors = result.stderr.splitlines()
        assert f"error: {bad}: 1 bad row; nothing was recorded" in errors
        assert any(line.startswith("error: ") and str(missing) in line for line in errors)
        assert "Traceback" not in result.output
        with timeline.open(tmp_path / "t.db", plugins=first_party_host()) as tl:
            assert ["gdelt-1"] == tl.ids()

    def test_changed_rows_warn_and_amend(self, cli_run: Any, tmp_path: Path) -> None:
        """Updated rows are one warning line, left alone; --amend amends them."""
        cli_run("import", "gdelt", str(gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=7)])))
        updated = gdelt_file(tmp_path, [gdelt_row(GLOBALEVENTID=7, NumSources="9")])
        result = cli_run("import", "gdelt", str(updated))
        assert 0 == result.exit_code, result.output
        assert f"imported 0 events (1 changed, left as they were) from {updated}\n" == (
            result.stdout
        )
        assert "1 row differs from the events already in the log" in result.stderr
        assert "(gdelt-7); --amend amends them" in result.stderr
        result = cli_run("import", "gdelt", str(updated), "--amend")
        assert f"imported 0 events (1 amended) from {updated}\n" == result.stdout

    def test_no_file_is_a_usage_error(self, cli_run: Any) -> None:
        """Options and no file: a usage error (exit 2)."""
        result = cli_run("import", "gdelt", "--actor", "IND")
        assert 2 == result.exit_code
        assert "give at least one FILE" in result.stderr


# -- properties ------------------------------------------------------------------------------

_ROW_FIELDS = st.fixed_dictionaries(
    {
        "GLOBALEVENTID": st.integers(min_value=1, max_value=60),
        "SQLDATE": st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31)).map(
            lambda d: d.strftime("%Y%m%d")
        ),
        "Actor1CountryCode": st.sampled_from(["RUS", "IND", "CHN", "EUR", ""]),
        "Actor2CountryCode": st.sampled_from(["RUS", "IND", "USA", ""]),
        "EventCode": st.sampled_from(["010", "042", "043", "057", "0312", "190", "1384"]),
        "QuadClass": st.sampled_from(["1", "2", "3", "4"]),
        "NumSources": st.integers(min_value=0, max_value=5),
        "IsRootEvent": st.sampled_from(["0", "1"]),
    }
)


def _rows(draw_rows: list[dict[str, Any]]) -> list[str]:
    unique = {r["GLOBALEVENTID"]: r for r in draw_rows}  # one row per GDELT id, as GDELT has
    return [gdelt_row(EventRootCode=r["EventCode"][:2], **r) for r in unique.values()]


_BATCHES = st.lists(_ROW_FIELDS, min_size=1, max_size=12).map(_rows)
_FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "actor": st.sampled_from(["RUS", "India", "CHN,USA"]),
        "dyad": st.sampled_from(["RUS,IND", "IND,USA"]),
        "kind": st.sampled_from(["cameo.*", "visit.state", "treaty.signed,cameo.19*"]),
        "root_code": st.sampled_from(["04", "01,19"]),
        "quad_class": st.sampled_from(["1", "3,4"]),
        "min_sources": st.integers(min_value=0, max_value=4),
        "root_only": st.booleans(),
        "start": st.sampled_from(["2024-06-01", "2025-01-01"]),
        "end": st.sampled_from(["2025-06-30", "2025-12-31"]),
    },
)
_PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _matches(event: timeline.Event, options: dict[str, Any]) -> bool:
    """The filters, applied to an imported event: the oracle the streaming filters must match."""
    selection = timeline_eventdata.Selection.from_options("test", options)
    gdelt, cameo = event.attributes["gdelt"], event.attributes["cameo"]
    # keeps_sides is symmetric: the actors' countries, padded to two sides, are enough.
    sides = ([a.country for a in event.actors] + [None, None])[:2]
    return (
        selection.keeps_sides(*sides)
        and selection.keeps_day(event.when.edtf)
        and selection.keeps_kind(event.kind)
        and selection.keeps_codes(cameo["root"], str(cameo["quad"]))
        and gdelt["num_sources"] >= selection.min_sources
        and (gdelt["is_root"] or not selection.root_only)
    )


def _same(before: dict[str, Any], theirs: dict[str, Any], event_id: str) -> set[str]:
    """Return ``{event_id}`` when both imports read the same row for it (file and row aside)."""
    importer = timeline_eventdata.GdeltImporter()
    return {event_id} if importer.unchanged(before[event_id], theirs[event_id]) else set()


class TestProperties:
    @_PROPERTY
    @given(rows=_BATCHES)
    def test_reimport_is_a_no_op(self, tmp_path: Path, rows: list[str]) -> None:
        """Importing a file twice leaves the log head where the first import left it."""
        tl = timeline.open(":memory:", plugins=first_party_host())
        path = gdelt_file(tmp_path, rows)
        tl.import_file("gdelt", path)
        head = tl.head()
        report = tl.import_file("gdelt", path)
        assert timeline.ImportReport(recorded=0, present=len(rows)) == report
        assert head == tl.head()

    @_PROPERTY
    @given(first=_BATCHES, second=_BATCHES, amend=st.booleans())
    def test_overlapping_batches_give_the_union(
        self, tmp_path: Path, first: list[str], second: list[str], amend: bool
    ) -> None:
        """Two batches sharing rows, imported one after the other, give their union.

        A row of the second batch is new, present (the same content), or, when the
        batches disagree on it, changed (left as the first had it) or amended.
        """
        tl = timeline.open(":memory:", plugins=first_party_host())
        tl.import_file("gdelt", gdelt_file(tmp_path, first, name="a.CSV"))
        before = {e.id: e for e in tl.events()}
        report = tl.import_file("gdelt", gdelt_file(tmp_path, second, name="b.CSV"), amend=amend)
        alone = timeline.open(":memory:", plugins=first_party_host())
        alone.import_file("gdelt", gdelt_file(tmp_path, second, name="b.CSV"))
        theirs = {e.id: e for e in alone.events()}
        assert sorted(before.keys() | theirs.keys()) == ids(tl)
        new = theirs.keys() - before.keys()
        differ = {i for i in theirs.keys() & before.keys() if i not in _same(before, theirs, i)}
        assert (len(new), len(theirs) - len(new) - len(differ)) == (
            report.recorded,
            report.present,
        )
        if amend:
            assert ((), len(differ)) == (report.changed, report.amended)
        else:
            assert (differ, 0) == (set(report.changed), report.amended)
        for event_id in differ:
            kept = tl.get(event_id).attributes["gdelt"]
            wanted = (theirs if amend else before)[event_id].attributes["gdelt"]
            assert wanted == kept

    @_PROPERTY
    @given(rows=_BATCHES, options=_FILTERS)
    def test_filters_commute_with_import(
        self, tmp_path: Path, rows: list[str], options: dict[str, Any]
    ) -> None:
        """import(filter=f) gives the events of filter(import()), and each one validates."""
        path = gdelt_file(tmp_path, rows)
        everything = timeline.open(":memory:", plugins=first_party_host())
        everything.import_file("gdelt", path)
        selected = timeline.open(":memory:", plugins=first_party_host())
        selected.import_file("gdelt", path, **options)
        assert sorted(e.id for e in everything.events() if _matches(e, options)) == ids(selected)
        for event in selected.events():
            fields = {f: getattr(event, f) for f in ("id", "kind", "when", "title", "actors",
                      "location", "sources", "tags", "modality", "attributes")}  # fmt: skip
            assert event == timeline.Event(**fields)


# -- the shipped contract, once per importer -------------------------------------------------


class TestGdeltContract(ImporterContract):
    def make_importer(self) -> timeline.Importer:
        return timeline_eventdata.GdeltImporter()

    def invalid_file(self) -> tuple[bytes, list[int]]:
        rows = [gdelt_row(GLOBALEVENTID=1), gdelt_row(GLOBALEVENTID=2, EventCode="999"),
                gdelt_row(GLOBALEVENTID=3), "only\tthree\tcolumns"]  # fmt: skip
        return pack("".join(f"{r}\n" for r in rows).encode(), "x.CSV", "zip"), [2, 4]


class TestIcewsContract(ImporterContract):
    def make_importer(self) -> timeline.Importer:
        return timeline_eventdata.IcewsImporter()

    def invalid_file(self) -> tuple[str, list[int]]:
        header = "\t".join(timeline_eventdata.ICEWS_COLUMNS)
        rows = [icews_row(Event_ID=1), icews_row(Event_ID=2, Event_Date="someday"),
                icews_row(Event_ID=3)]  # fmt: skip
        return "".join(f"{r}\n" for r in [header, *rows]), [3]


class TestPolecatContract(ImporterContract):
    def make_importer(self) -> timeline.Importer:
        return timeline_eventdata.PolecatImporter()

    def invalid_file(self) -> tuple[str, list[int]]:
        header = "\t".join(timeline_eventdata.POLECAT_COLUMNS)
        rows = [polecat_row(Event_ID="a"), polecat_row(Event_ID="b", Event_Type="DANCE"),
                polecat_row(Event_ID="c")]  # fmt: skip
        return "".join(f"{r}\n" for r in [header, *rows]), [3]


@settings(max_examples=80)
@given(
    lines=st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    end=st.sampled_from([b"\n", b"\r\n"]),
    last=st.booleans(),
    chunk=st.integers(min_value=1, max_value=40),
)
def test_lines_are_read_as_a_line_by_line_reader_reads_them(
    lines: list[bytes], end: bytes, last: bool, chunk: int
) -> None:
    """Reading in chunks gives each line, its number and its replaced flag as line by line."""
    data = end.join(lines) + (end if last and lines else b"")
    # Bytes that open as a zip or gzip archive are read as one; that is tested elsewhere.
    assume(not data.startswith((b"PK", b"\x1f\x8b")))
    expected = []
    for number, raw in enumerate(io.BytesIO(data), 1):
        try:
            text, replaced = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, replaced = raw.decode("utf-8", "replace"), True
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        expected.append((number, text.rstrip("\r\n"), replaced))
    stream_module = timeline_eventdata._stream
    before = stream_module._CHUNK
    stream_module._CHUNK = chunk
    try:
        assert expected == list(stream_module.lines_of(io.BytesIO(data)))
    finally:
        stream_module._CHUNK = before


_number_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "+1", ".5", "1.", "010", "1e400", "-0", "1E5", " 2", "nan", "x"]),
)


@settings(max_examples=300)
@given(texts=st.lists(_number_text, min_size=7, max_size=7))
# Two finite floats whose sum overflows: the one-sum finiteness check called them infinite.
@example(texts=["0", "0", "0", "0", "0", "8.988465674311579e+307", "8.98846567431158e+307"])
def test_gdelt_numbers_read_as_int_and_float_read_them(texts: list[str]) -> None:
    """The C path for the number columns reads what int() and float() read, or the same fault."""
    gdelt = timeline_eventdata._gdelt
    fields = gdelt_row().split("\t")
    columns = ("NumMentions", "NumSources", "NumArticles", "GoldsteinScale", "AvgTone",
               "ActionGeo_Lat", "ActionGeo_Long")  # fmt: skip
    for name, text in zip(columns, texts, strict=True):
        fields[timeline_eventdata.GDELT_COLUMNS.index(name)] = text
    # What int() and float() read, or the fault of the first column they refuse.
    expected: Any = []
    for at, text in enumerate(texts):
        try:
            value = (int(text or 0) if at < 3 else float(text)) if text or at < 3 else None
        except ValueError:
            expected = ("not a number", columns[at])
            break
        if isinstance(value, float) and not math.isfinite(value):
            expected = ("not finite", columns[at])
            break
        expected.append(value)
    else:
        expected = tuple(expected)
    try:
        got: Any = gdelt._numbers(fields)
    except gdelt._Bad as bad:
        got = ("not finite" if "finite" in bad.reason else "not a number", bad.field)
    assert expected == got
    if isinstance(got, tuple):
        assert [type(x) for x in expected] == [type(x) for x in got]
