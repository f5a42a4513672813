"""What an export did: ExportReport, Skipped, SkipTally, NothingToExport, calendar_skip."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any

import attrs
import pytest

import timeline
from timeline import ExportReport, NothingToExport, Skipped, SkipTally, calendar_skip


def event(when: str, modality: str = "actual") -> timeline.Event:
    return timeline.Event(kind="visit.state", when=when, title="T", modality=modality)


class TestReport:
    def test_says_what_was_left_out(self) -> None:
        """The line names the counts, the reasons and the option that would include them."""
        report = ExportReport(
            written=12,
            matched=19,
            skipped=(
                Skipped(reason="with fuzzy dates", count=5, option=("fuzzy", "span")),
                Skipped(reason="planned", count=2, option=("modalities", "all")),
            ),
        )
        assert (
            "exported 12 of 19 events; skipped 5 with fuzzy dates (fuzzy='span' to include), "
            "2 planned (modalities='all' to include)"
        ) == str(report)
        assert (
            "exported 12 of 19 events to cal.ics; skipped 5 with fuzzy dates (--fuzzy span to "
            "include), 2 planned (--modalities all to include)"
        ) == report.describe(flags=True, dest="cal.ics")

    def test_all_written(self) -> None:
        """With nothing left out the line is short; one event is singular."""
        assert "exported 3 events" == str(ExportReport(written=3, matched=3))
        assert "exported 1 event" == str(ExportReport(written=1, matched=1))

    def test_tally_groups_and_orders(self) -> None:
        """SkipTally counts per reason, most first, and matched is written plus skipped."""
        tally = SkipTally()
        tally.written()
        for _ in range(2):
            tally.skip("planned", ("modalities", "all"))
        tally.skip("open-ended")
        report = tally.report()
        assert (1, 4) == (report.written, report.matched)
        assert [("planned", 2), ("open-ended", 1)] == [(s.reason, s.count) for s in report.skipped]

    def test_nothing_to_export_says_why(self) -> None:
        """The error names the exporter and why nothing is left."""
        empty = NothingToExport("exporter 'ics'", ExportReport(written=0, matched=0))
        assert "exporter 'ics': nothing to export, no event matches the filters" == str(empty)
        skipped = ExportReport(written=0, matched=2, skipped=(Skipped(reason="planned", count=2),))
        assert "all 2 matching events were left out: 2 planned" in str(
            NothingToExport("exporter 'ics'", skipped)
        )
        assert isinstance(empty, timeline.TimelineError)


class TestCalendarSkip:
    @pytest.mark.parametrize(
        ("when", "modality", "span", "why"),
        [
            ("2025-12-04", "actual", False, None),
            ("2025-12", "actual", False, ("with fuzzy dates", ("fuzzy", "span"))),
            ("2025-12", "actual", True, None),
            ("2022/..", "actual", True, ("open-ended (a calendar cannot draw them)", None)),
            ("2025-12-04", "planned", False, ("planned", ("modalities", "all"))),
            ("2025-12-04", "hypothetical", False, ("hypothetical", ("modalities", "hypothetical"))),
            ("2022/..", "hypothetical", False, ("open-ended (a calendar cannot draw them)", None)),
        ],
    )
    def test_reasons(self, when: str, modality: str, span: bool, why: object) -> None:
        """Open-ended first (no option helps), then the modality, then the fuzzy policy."""
        keep = {timeline.Modality.ACTUAL}
        assert why == calendar_skip(event(when, modality), keep, span)


class TestCalendarCsv:
    def test_google_csv_reports_skips(self) -> None:
        """The Google CSV export reports its fuzzy and planned rows left out."""
        tl = timeline.Timeline(timeline.MemoryStore())
        tl.record(kind="visit.state", when="2025-12-04", title="Exact")
        tl.record(kind="visit.state", when="December 2025", title="Fuzzy")
        tl.record(kind="visit.state", when="2026-01-10", title="Planned", modality="planned")
        report = tl.export("csv", io.StringIO(), dialect="google")
        assert (
            "exported 1 of 3 events; skipped 1 planned (modalities='all' to include), "
            "1 with fuzzy dates (fuzzy='span' to include)"
        ) == str(report)


@attrs.frozen(kw_only=True)
class CountingExporter(timeline.Exporter):
    """Writes one title a line and returns a plain count, as exporters before reports did."""

    name: str = "counting"
    description: str = "Titles, one a line"

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        count = 0
        for record in records:
            assert record.event is not None
            stream.write(record.event.title + "\n")
            count += 1
        return count


class TestReportOfAPlainCount:
    def test_a_count_becomes_a_report_of_all_matches(self) -> None:
        """write() returning n: tl.export and Exporter.export say n written of n matched."""
        tl = timeline.Timeline(timeline.MemoryStore())
        tl.record(kind="visit.state", when="2025-12-04", title="A")
        tl.record(kind="visit.state", when="2025-12-05", title="B")
        out = io.StringIO()
        assert ExportReport(written=2, matched=2) == tl.export(CountingExporter(), out)
        assert "A\nB\n" == out.getvalue()
        report = CountingExporter().export(tl, io.StringIO(), as_of=1)
        assert ExportReport(written=1, matched=1) == report

    def test_a_set_is_one_event_in_several_calendar_rows(self) -> None:
        """Google CSV draws each candidate of a set as a row; the report counts one event."""
        tl = timeline.Timeline(timeline.MemoryStore())
        tl.record(kind="visit.state", when="8 or 10 December 2025", title="Vote")
        out = io.StringIO()
        report = tl.export("csv", out, dialect="google", fuzzy="span")
        assert (1, 1) == (report.written, report.matched)
        assert 3 == len(out.getvalue().strip().split("\r\n"))  # header and two candidates
