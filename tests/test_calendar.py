"""The calendar policy shared by the exporters: spans and descriptions."""

from __future__ import annotations

import datetime as dt

import pytest

import timeline
from timeline import (
    CalendarSpan,
    SpanKind,
    When,
    calendar_description,
    calendar_span,
    calendar_spans,
)

UTC = dt.timezone.utc


class TestCalendarSpans:
    @pytest.mark.parametrize(
        ("text", "kind", "days"),
        [
            ("[2025-12-08,2025-12-10]", SpanKind.FUZZY, [(8, 8), (10, 10)]),
            ("{2025-12-08,2025-12-10}", SpanKind.ALL_DAY, [(8, 8), (10, 10)]),
            ("[2025-12-01..2025-12-02,2025-12-10..2025-12-11]", SpanKind.FUZZY, [(1, 2), (10, 11)]),
            # Members of different lengths cannot repeat one entry: the whole span.
            ("[2025-12-08,2025-12-10..2025-12-12]", SpanKind.FUZZY, [(8, 12)]),
            ("2025-12-04/2025-12-05", SpanKind.ALL_DAY, [(4, 5)]),
        ],
    )
    def test_sets_are_drawn_as_their_members(self, text, kind, days) -> None:
        """A set is its members, each with the kind of the whole date; other dates one span."""
        spans = calendar_spans(When.parse(text))
        assert [(kind, dt.date(2025, 12, a), dt.date(2025, 12, b)) for a, b in days] == [
            (s.kind, s.first_day, s.last_day) for s in spans
        ]

    def test_open_sets_are_not_drawn(self) -> None:
        """A set with an open end has no span, like any open date."""
        assert () == calendar_spans(When.parse("[..2025-12-03,2025-12-08]"))


class TestCalendarSpan:
    def test_exact_days_are_all_day(self) -> None:
        """A span of known days is all-day, with an exclusive end the day after."""
        span = calendar_span(When.parse("4–5 December 2025"))  # noqa: RUF001
        assert (
            CalendarSpan(
                kind=SpanKind.ALL_DAY, first_day=dt.date(2025, 12, 4), last_day=dt.date(2025, 12, 5)
            )
            == span
        )
        assert span is not None
        assert dt.date(2025, 12, 6) == span.end_exclusive

    def test_timed_in_utc(self) -> None:
        """A timed date becomes UTC instants."""
        span = calendar_span(When.parse("2025-12-04T23:30:00-05:00"))
        assert span is not None
        assert SpanKind.TIMED == span.kind
        assert dt.datetime(2025, 12, 5, 4, 30, tzinfo=UTC) == span.start
        assert dt.date(2025, 12, 5) == span.first_day

    def test_fuzzy(self) -> None:
        """Fuzzy dates span their bounds; open ones have no span."""
        span = calendar_span(When.parse("early December 2025"))
        assert span is not None
        assert (SpanKind.FUZZY, dt.date(2025, 12, 1), dt.date(2025, 12, 10)) == (
            span.kind,
            span.first_day,
            span.last_day,
        )
        assert calendar_span(When.parse("2022/..")) is None


class TestDescription:
    def test_lists_summary_date_modality_sources(self) -> None:
        """The description carries what a calendar user needs to judge the event."""
        event = timeline.Event(
            kind="visit.state",
            when="early December 2025",
            title="Visit",
            summary="A visit.",
            modality="planned",
            sources=[{"url": "https://tass.com/x", "publisher": "TASS"}, "https://a.example/b"],
        )
        assert (
            "A visit.\nDate: early December 2025 (2025-12-01/2025-12-10)\nModality: planned\n"
            "Sources:\n- TASS: https://tass.com/x\n- https://a.example/b"
        ) == calendar_description(event, fuzzy=True)

    def test_a_relative_phrase_says_what_it_resolved_to(self) -> None:
        """A relative phrase is shown with its resolution, and the EDTF when drawn fuzzy."""
        event = timeline.Event(
            kind="relations.shift",
            when=When.parse("over the summer", anchor=dt.date(2025, 12, 8)),
            title="Shift",
        )
        assert "Date: over the summer (summer 2025)" == calendar_description(event)
        assert "Date: over the summer (summer 2025, 2025-22)" == calendar_description(
            event, fuzzy=True
        )


class TestParseModalities:
    def test_forms(self) -> None:
        """Comma lists, iterables and 'all' are read; bad names are InvalidOption errors."""
        assert {timeline.Modality.ACTUAL, timeline.Modality.PLANNED} == timeline.parse_modalities(
            "exporter 'ics'", "actual, planned"
        )
        assert set(timeline.Modality) == timeline.parse_modalities("x", ["all"])
        with pytest.raises(timeline.InvalidOption, match="modalities"):
            timeline.parse_modalities("exporter 'ics'", "maybe")
        with pytest.raises(timeline.InvalidOption, match="at least one"):
            timeline.parse_modalities("exporter 'ics'", "")


class TestFromParts:
    def test_round_trip(self) -> None:
        """A When rebuilt from edtf, phrase and anchor equals the original."""
        when = When.parse("over the weekend", anchor="2024-06-24")
        assert when == When.from_parts(when.edtf, when.phrase, "2024-06-24")
        assert When.parse("2025-12") == When.from_parts("2025-12")

    def test_disagreeing_parts(self) -> None:
        """A phrase that does not give the EDTF, or a bad anchor, is refused."""
        with pytest.raises(timeline.InvalidDate, match="reads as 2025-12"):
            When.from_parts("2024-01", "December 2025")
        with pytest.raises(timeline.InvalidDate, match="ISO date"):
            When.from_parts("2025", None, "June")


class TestReadCalendarDescription:
    def test_reads_back_what_calendar_description_wrote(self) -> None:
        """Summary, modality and source URLs come back from calendar_description's text."""
        event = timeline.Event(
            kind="visit.state",
            when="2025-12-04",
            title="Visit",
            summary="First line\nsecond line",
            modality="planned",
            sources=[{"url": "https://e.com/a", "publisher": "TASS"}, "https://e.com/b"],
        )
        text = timeline.read_calendar_description(timeline.calendar_description(event, False))
        assert ("First line\nsecond line", timeline.Modality.PLANNED) == (
            text.summary,
            text.modality,
        )
        assert ("https://e.com/a", "https://e.com/b") == text.urls

    def test_other_text_is_all_summary(self) -> None:
        """Text another program wrote (no Date: line) is the summary, whole."""
        text = timeline.read_calendar_description("Agenda:\n- item https://x.org")
        assert ("Agenda:\n- item https://x.org", None, ()) == (
            text.summary,
            text.modality,
            text.urls,
        )


class TestOutOfRangeInstants:
    def test_utc_instant_in_year_zero_is_not_drawn(self) -> None:
        """A timed date whose UTC instant is in year 0 (an older log may hold one) has no span.

        Recording one is refused now (test_when); here one is forged as an old log would
        hand it over, and every calendar export skips it instead of failing.
        """
        when = When.parse("0001-01-01T01:30+01:00")
        early = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        object.__setattr__(when, "start", early)  # as decoded from a log written before 0.2
        assert calendar_span(when) is None
