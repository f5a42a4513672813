"""Years beyond 0001-9999 (year 0, negative and Y years) through every layer that reads bounds.

``When`` keeps them as exact day numbers (``bound_days``) with clamped ``earliest`` /
``latest``; the read model's day columns, the timeline's order and filters, calendars,
Arrow rows and ``days_between`` must each use the days or refuse clearly.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

import timeline
import timeline_ics
from timeline._arrow import Provenance, event_row
from timeline._codec import RecordCodec
from timeline._columns import Vocabulary, hot_fields
from timeline._when import When, days_between
from timeline.testing import FixedClock

# In timeline order: the far past first, the far future last.
DATES = ["Y-170000002", "-2005/-1999-02", "-0999", "0000", "0001-01-01", "2025-12", "Y170000002"]


def make_timeline(dates: list[str]) -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    tl.record_many(
        {"id": f"e{i}", "kind": "visit.state", "when": when, "title": when, "actors": ["RUS"]}
        for i, when in enumerate(dates)
    )
    return tl


def test_timeline_order_follows_the_days() -> None:
    """Events list in day order across year 0, negative, ordinary and Y years."""
    tl = make_timeline(list(reversed(DATES)))
    assert DATES == [e.when.edtf for e in tl.events()]


def test_between_filters_by_the_days() -> None:
    """A window of ordinary days leaves the far years out; a window reaching them keeps them."""
    tl = make_timeline(DATES)
    inside = [e.when.edtf for e in tl.events(between=("0001-01-01", "2030-12-31"))]
    assert ["0001-01-01", "2025-12"] == inside
    reaching = [e.when.edtf for e in tl.events(between=(None, "2030-12-31"))]
    assert DATES[:-1] == reaching


def test_day_columns_keep_ordinary_days_and_clamp_far_ones() -> None:
    """Years 0001-9999 keep date.toordinal(); beyond, 0 or 3652060 with rank 0 (one tie)."""
    tl = make_timeline(DATES)
    columns = {e.when.edtf: hot_fields(e)[1:4] for e in tl.events()}
    assert (1, 1, 1) == columns["0001-01-01"]
    december = (dt.date(2025, 12, 1).toordinal(), dt.date(2025, 12, 31).toordinal(), 3)
    assert december == columns["2025-12"]
    assert (0, 0, 0) == columns["-0999"] == columns["Y-170000002"]
    assert (3652060, 3652060, 0) == columns["Y170000002"]


def test_days_between_counts_across_year_zero() -> None:
    """From 1 BCE (year 0000) to AD 1: 1 to 730 days (year 0 is a leap year: 366 + 365 - 1)."""
    assert (1, 730) == days_between(When.parse("0000"), When.parse("0001"))


def test_real_days_at_the_range_ends_are_not_open() -> None:
    """0001-01-01 and 9999-12-31 are days: bounded, with a distance."""
    first, last = When.parse("0001-01-01"), When.parse("9999-12-31")
    assert (False, False, True, True) == (
        first.is_open,
        last.is_open,
        first.is_bounded,
        last.is_bounded,
    )
    assert (3652058, 3652058) == days_between(first, last)


def test_calendars_skip_far_years_with_the_reason() -> None:
    """ICS cannot write year 0 or a Y year: left out, and the report says why."""
    tl = make_timeline(["-0999-06-01", "Y170000002", "2025-12-04"])
    report = timeline_ics.IcsExporter().export(tl, io.BytesIO())
    assert (1, 3) == (report.written, report.matched)
    assert "skipped 2 outside the years 0001-9999 (a calendar cannot write them)" in str(report)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "open_start", "open_end"),
    [
        ("0001-01-01", dt.date(1, 1, 1), dt.date(1, 1, 1), False, False),
        ("9999-12-31", dt.date(9999, 12, 31), dt.date(9999, 12, 31), False, False),
        ("../2006", None, dt.date(2006, 12, 31), True, False),
        ("-0999", None, None, False, False),
        ("-0999/2006", None, dt.date(2006, 12, 31), False, False),
    ],
)
def test_arrow_rows_tell_far_and_open_bounds_apart(
    text: str,
    earliest: dt.date | None,
    latest: dt.date | None,
    open_start: bool,
    open_end: bool,
) -> None:
    """Open flags read the EDTF; a day beyond 0001-9999 is a null bound, not an open one."""
    tl = make_timeline([text])
    moment = dt.datetime(2025, 12, 16, tzinfo=dt.timezone.utc)
    row = event_row(
        tl.get("e0"),
        Provenance(
            version=[1], first_recorded_at=[moment], last_recorded_at=[moment], retracted=[False]
        ),
        0,
    )
    assert (earliest, latest, open_start, open_end) == (
        row["when_earliest"],
        row["when_latest"],
        row["when_open_start"],
        row["when_open_end"],
    )


def test_replay_decodes_the_same_day_columns(tmp_path: Path) -> None:
    """The decoder reading stored lines gives the rows hot_fields gives the events."""
    path = tmp_path / "far.jsonl"
    tl = timeline.Timeline(timeline.JsonlStore(path), clock=FixedClock())
    tl.record_many(
        {"id": f"e{i}", "kind": "visit.state", "when": when, "title": when, "actors": ["RUS"]}
        for i, when in enumerate([*DATES, "../-0999", "2022/..", "9999-24"])
    )
    lines = path.read_bytes().splitlines()
    rows = RecordCodec().hot_decoder(Vocabulary()).decode(lines)
    expected = [hot_fields(e)[1:4] for e in (tl.get(r[1]) for r in rows)]
    assert expected == [tuple(r[4:7]) for r in rows]
