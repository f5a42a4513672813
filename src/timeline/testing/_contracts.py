"""Contract tests every exporter, importer and analysis must pass.

Subclass one in a test module (its name starting with ``Test``) and implement
the ``make_*`` method; pytest then runs every ``test_*`` method below against
your implementation::

    class TestHelloExporter(ExporterContract):
        def make_exporter(self):
            return HelloExporter()

The tests use the ``timeline_factory`` and ``tmp_path`` fixtures, so the test
module (or a conftest) must opt in with ``pytest_plugins = ["timeline.testing"]``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from .._errors import ImportFailed, TimelineError
from .._exportreport import NothingToExport
from .._extensions import Analysis, Exporter, Importer, ImportReport
from .._timeline import Timeline
from ._fixtures import TimelineFactory

__all__ = ["SAMPLE_EVENTS", "AnalysisContract", "ExporterContract", "ImporterContract"]

#: Plain, day-precision, actual events that every exporter can write (ASCII titles
#: without separators, so they appear verbatim in any text format).
SAMPLE_EVENTS: tuple[dict[str, Any], ...] = (
    {
        "id": "sample-relos-signed",
        "kind": "treaty.signed",
        "when": "2025-02-18",
        "title": "RELOS agreement signed in Moscow",
        "summary": "Signed by the deputy defence minister and the ambassador.",
        "actors": ["RUS", "IND"],
        "sources": ["https://example.org/relos-signed"],
        "tags": ["defence", "logistics"],
        "treaty": "RELOS",
    },
    {
        "id": "sample-modi-visit",
        "kind": "visit.state",
        "when": "2025-12-04/2025-12-05",
        "title": "State visit to New Delhi",
        "actors": ["RUS", "IND"],
        "sources": ["https://example.org/visit"],
        "tags": ["summit"],
    },
    {
        "id": "sample-sco-summit",
        "kind": "meeting.summit",
        "when": "2025-08-31",
        "title": "Summit in Tianjin",
        "actors": ["CHN", "RUS"],
        "sources": ["https://example.org/sco"],
    },
)


def _contains(output: bytes | str, text: str) -> bool:
    data = output if isinstance(output, str) else output.decode("utf-8", "replace")
    return text in data


class ExporterContract:
    """Tests for an ``Exporter``: implement ``make_exporter``.

    Override ``sample_events`` to use other events, ``export_options`` for
    options every export needs, and ``assert_exported`` to check the output
    more closely than "every title appears in it".
    """

    #: Options passed to every export in these tests.
    export_options: ClassVar[dict[str, Any]] = {}

    def make_exporter(self) -> Exporter:
        """Return the exporter under test."""
        raise NotImplementedError

    def sample_events(self) -> Sequence[dict[str, Any]]:
        """Return the events the tests record (all must be exported with ``export_options``)."""
        return SAMPLE_EVENTS

    def export(self, timeline: Any, **options: Any) -> bytes | str:
        """Export to an in-memory file and return what was written."""
        exporter = self.make_exporter()
        stream: io.BytesIO | io.StringIO = io.BytesIO() if exporter.binary else io.StringIO()
        exporter.export(timeline, stream, **{**self.export_options, **options})
        return stream.getvalue()

    def assert_exported(
        self, output: bytes | str, titles: Sequence[str], absent: Sequence[str] = ()
    ) -> None:
        """Check that ``titles`` are in the output and ``absent`` ones are not."""
        for title in titles:
            assert _contains(output, title), f"{title!r} missing from the export"
        for title in absent:
            assert not _contains(output, title), f"{title!r} should not be exported"

    def test_has_name_and_description(self) -> None:
        """The exporter has a lower-case name and a one-line description."""
        exporter = self.make_exporter()
        assert exporter.name == exporter.name.strip().lower() != ""
        assert exporter.description.strip() != ""
        assert "\n" not in exporter.description.strip()

    def test_exports_sample_events(self, timeline_factory: TimelineFactory) -> None:
        """Every sample event is written, and the count returned says so."""
        events = self.sample_events()
        tl = timeline_factory(events)
        exporter = self.make_exporter()
        stream: io.BytesIO | io.StringIO = io.BytesIO() if exporter.binary else io.StringIO()
        report = exporter.export(tl, stream, **self.export_options)
        assert (len(events), len(events)) == (report.written, report.matched)
        self.assert_exported(stream.getvalue(), [e["title"] for e in events])

    def test_honours_filters(self, timeline_factory: TimelineFactory) -> None:
        """An actor filter leaves out the events without that actor."""
        events = self.sample_events()
        tl = timeline_factory(events)
        actor = events[-1]["actors"][0]
        keep = [e["title"] for e in events if actor in e.get("actors", ())]
        drop = [e["title"] for e in events if actor not in e.get("actors", ())]
        self.assert_exported(self.export(tl, actor=actor), keep, drop)

    def test_honours_as_of(self, timeline_factory: TimelineFactory) -> None:
        """``as_of`` exports the timeline as it was known then."""
        events = self.sample_events()
        tl = timeline_factory(events[:-1])
        seq = tl.seq
        tl.record(**events[-1])
        output = self.export(tl, as_of=seq)
        self.assert_exported(output, [e["title"] for e in events[:-1]], [events[-1]["title"]])

    def test_empty_timeline(self, timeline_factory: TimelineFactory) -> None:
        """An empty timeline exports nothing: an empty file, or NothingToExport saying so.

        Formats that cannot be empty (an ICS calendar needs one event) raise
        ``NothingToExport`` and write nothing.
        """
        exporter = self.make_exporter()
        stream: io.BytesIO | io.StringIO = io.BytesIO() if exporter.binary else io.StringIO()
        refused: NothingToExport | None = None
        try:
            report = exporter.export(timeline_factory(), stream, **self.export_options)
        except NothingToExport as exc:
            refused = exc
        if refused is not None:
            assert "nothing to export" in str(refused)
            assert len(stream.getvalue()) == 0
        else:
            assert (report.written, report.matched) == (0, 0)

    def test_writes_to_path(self, timeline_factory: TimelineFactory, tmp_path: Path) -> None:
        """Exporting to a path writes the same bytes as exporting to a file object."""
        tl = timeline_factory(self.sample_events())
        exporter = self.make_exporter()
        path = tmp_path / f"out{exporter.suffix}"
        report = exporter.export(tl, path, **self.export_options)
        expected = self.export(tl)
        data = path.read_bytes()
        assert len(self.sample_events()) == report.written
        assert (expected if isinstance(expected, bytes) else expected.encode("utf-8")) == data

    def test_writes_to_file_object(self, timeline_factory: TimelineFactory) -> None:
        """Exporting to an open file object writes the events there."""
        tl = timeline_factory(self.sample_events())
        output = self.export(tl)
        assert len(output) > 0

    def test_unknown_option_errors(self, timeline_factory: TimelineFactory) -> None:
        """An option the exporter does not take is refused with a TimelineError."""
        with pytest.raises(TimelineError, match="no_such_option"):
            self.export(timeline_factory(), no_such_option=1)


class ImporterContract:
    """Tests for an ``Importer``: implement ``make_importer`` and ``invalid_file``.

    Give ``make_exporter`` (the matching exporter) to get the round-trip test.
    """

    def make_importer(self) -> Importer:
        """Return the importer under test."""
        raise NotImplementedError

    def make_exporter(self) -> Exporter | None:
        """Return the exporter whose output this importer reads, if any (for round trips)."""
        return None

    def invalid_file(self) -> tuple[str | bytes, Sequence[int]]:
        """Return a file's content with good and bad rows, and the bad rows' line numbers."""
        raise NotImplementedError

    def sample_events(self) -> Sequence[dict[str, Any]]:
        """Return the events the round trip uses."""
        return SAMPLE_EVENTS

    def _write(self, tmp_path: Path, content: str | bytes) -> Path:
        path = tmp_path / f"in{self.make_importer().suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def test_has_name_and_description(self) -> None:
        """The importer has a lower-case name and a one-line description."""
        importer = self.make_importer()
        assert importer.name == importer.name.strip().lower() != ""
        assert "\n" not in importer.description.strip() != ""

    def test_round_trip(self, timeline_factory: TimelineFactory, tmp_path: Path) -> None:
        """Events exported by the matching exporter import back unchanged."""
        exporter = self.make_exporter()
        if exporter is None:
            pytest.skip("no matching exporter given (make_exporter)")
        source = timeline_factory(self.sample_events())
        path = tmp_path / f"round{exporter.suffix}"
        exporter.export(source, path)
        target = timeline_factory()
        report = self.make_importer().import_into(target, path)
        assert len(source) == report.recorded
        for event in source.events():
            assert event == target.get(event.id)

    def test_round_trip_again_changes_nothing(
        self, timeline_factory: TimelineFactory, tmp_path: Path
    ) -> None:
        """An export imported a second time (or into its own timeline) is all already present."""
        exporter = self.make_exporter()
        if exporter is None:
            pytest.skip("no matching exporter given (make_exporter)")
        source = timeline_factory(self.sample_events())
        path = tmp_path / f"again{exporter.suffix}"
        exporter.export(source, path)
        target = timeline_factory()
        self.make_importer().import_into(target, path)
        for tl in (target, source):
            head = tl.head()
            report = self.make_importer().import_into(tl, path)
            assert ImportReport(recorded=0, present=len(source)) == report
            assert head == tl.head()

    def test_bad_rows_reported_with_lines(
        self, timeline_factory: TimelineFactory, tmp_path: Path
    ) -> None:
        """Every bad row is reported with its line number, and nothing is recorded."""
        content, bad_lines = self.invalid_file()
        tl = timeline_factory()
        with pytest.raises(ImportFailed) as caught:
            self.make_importer().import_into(tl, self._write(tmp_path, content))
        assert sorted(bad_lines) == sorted({p.line for p in caught.value.problems})
        assert len(tl) == 0
        assert tl.seq == 0

    def test_skip_invalid_records_good_rows(
        self, timeline_factory: TimelineFactory, tmp_path: Path
    ) -> None:
        """With ``skip_invalid`` the good rows are recorded and the bad ones reported."""
        content, bad_lines = self.invalid_file()
        tl = timeline_factory()
        report = self.make_importer().import_into(
            tl, self._write(tmp_path, content), skip_invalid=True
        )
        assert sorted(bad_lines) == sorted({p.line for p in report.problems})
        assert report.recorded == len(tl) > 0

    def test_reads_a_file_object(self, timeline_factory: TimelineFactory, tmp_path: Path) -> None:
        """An open file object is read like a path (bad rows reported the same way)."""
        content, bad_lines = self.invalid_file()
        importer = self.make_importer()
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        stream: io.BytesIO | io.StringIO = (
            io.BytesIO(data) if importer.binary else io.StringIO(data.decode("utf-8"), newline="")
        )
        report = importer.import_into(timeline_factory(), stream, skip_invalid=True)
        assert sorted(bad_lines) == sorted({p.line for p in report.problems})

    def test_missing_file_errors(self, timeline_factory: TimelineFactory, tmp_path: Path) -> None:
        """A file that does not exist is a TimelineError naming it."""
        with pytest.raises(TimelineError, match="nope"):
            self.make_importer().import_into(timeline_factory(), tmp_path / "nope.txt")

    def test_unknown_option_errors(self, timeline_factory: TimelineFactory, tmp_path: Path) -> None:
        """An option the importer does not take is refused with a TimelineError."""
        content, _ = self.invalid_file()
        with pytest.raises(TimelineError, match="no_such_option"):
            self.make_importer().import_into(
                timeline_factory(), self._write(tmp_path, content), no_such_option=1
            )


def _is_attrs_result(result: Any) -> bool:
    if attrs.has(type(result)):
        return True
    if isinstance(result, (list, tuple)):
        return all(attrs.has(type(r)) for r in result)
    return False


class AnalysisContract:
    """Tests for an ``Analysis``: implement ``make_analysis``.

    ``analysis_options`` are passed to every run; override ``sample_events``
    when the analysis needs particular events to say anything.
    """

    #: Options passed to every run in these tests.
    analysis_options: ClassVar[dict[str, Any]] = {}

    def make_analysis(self) -> Analysis:
        """Return the analysis under test."""
        raise NotImplementedError

    def sample_events(self) -> Sequence[dict[str, Any]]:
        """Return the events the tests record."""
        return SAMPLE_EVENTS

    def run(self, timeline: Timeline | Any, **options: Any) -> Any:
        """Run the analysis with ``analysis_options`` plus ``options``."""
        return self.make_analysis().analyze(timeline, **{**self.analysis_options, **options})

    def test_has_name_and_description(self) -> None:
        """The analysis has a lower-case name and a one-line description."""
        analysis = self.make_analysis()
        assert analysis.name == analysis.name.strip().lower() != ""
        assert "\n" not in analysis.description.strip() != ""

    def test_returns_attrs_objects(self, timeline_factory: TimelineFactory) -> None:
        """The result is an attrs object (or a list of them)."""
        assert _is_attrs_result(self.run(timeline_factory(self.sample_events())))

    def test_honours_filters(self, timeline_factory: TimelineFactory) -> None:
        """A filter matching no event gives the same result as an empty timeline."""
        tl = timeline_factory(self.sample_events())
        assert self.run(timeline_factory()) == self.run(tl, actor="NZL")

    def test_honours_as_of(self, timeline_factory: TimelineFactory) -> None:
        """``as_of`` runs on the timeline as it was known then."""
        tl = timeline_factory(self.sample_events())
        assert self.run(timeline_factory()) == self.run(tl, as_of=0)
        assert self.run(tl) == self.run(tl, as_of=tl.seq)

    def test_table_has_header_and_rows(self, timeline_factory: TimelineFactory) -> None:
        """``table()`` returns a header of strings and rows as long as the header."""
        analysis = self.make_analysis()
        header, rows = analysis.table(self.run(timeline_factory(self.sample_events())))
        assert all(isinstance(h, str) for h in header)
        assert [len(header)] * len(rows) == [len(r) for r in rows]

    def test_to_json_is_encodable(self, timeline_factory: TimelineFactory) -> None:
        """``to_json()`` returns data ``json.dumps`` accepts."""
        analysis = self.make_analysis()
        data = analysis.to_json(self.run(timeline_factory(self.sample_events())))
        assert json.loads(json.dumps(data)) is not None

    def test_empty_timeline(self, timeline_factory: TimelineFactory) -> None:
        """An empty timeline gives a result (and a table) without error."""
        analysis = self.make_analysis()
        header, _rows = analysis.table(self.run(timeline_factory()))
        assert len(header) > 0

    def test_unknown_option_errors(self, timeline_factory: TimelineFactory) -> None:
        """An option the analysis does not take is refused with a TimelineError."""
        with pytest.raises(TimelineError, match="no_such_option"):
            self.run(timeline_factory(), no_such_option=1)
