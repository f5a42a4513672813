"""The date window index (``_datewindow``): a date query finds every event it should."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from array import array
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from timeline._datewindow import WIDE_DAYS, wide_rows, window_candidates

from .strategies import operations


@given(
    rows=st.lists(
        st.tuples(st.integers(0, 4000), st.integers(0, 1500), st.integers(0, 7)), max_size=60
    ),
    first=st.integers(-500, 5000),
    length=st.integers(0, 800),
)
def test_candidates_hold_every_row_that_overlaps(
    rows: list[tuple[int, int, int]], first: int, length: int
) -> None:
    """Every row reaching into the window is a candidate; candidates are sorted, each once."""
    lo = array("i", [start for start, _, _ in rows])
    hi = array("i", [start + span for start, span, _ in rows])
    rank = array("i", [r for _, _, r in rows])
    order = sorted(range(len(rows)), key=lambda r: lo[r] * 8 + rank[r])
    last = first + length
    found = window_candidates(order, lo, rank, first, last, wide_rows(lo, hi))
    assert {r for r in range(len(rows)) if lo[r] <= last and hi[r] >= first} <= set(found)
    assert sorted(set(found)) == found
    assert all(hi[r] - lo[r] > WIDE_DAYS for r in wide_rows(lo, hi))


def test_wide_rows_from_a_row_on() -> None:
    """``wide_rows(lo, hi, start)`` checks the rows from ``start`` on only."""
    lo, hi = array("i", [0, 0, 0, 10]), array("i", [400, 5, 367, 10 + WIDE_DAYS + 1])
    assert [0, 2, 3] == list(wide_rows(lo, hi))
    assert [2, 3] == list(wide_rows(lo, hi, 2))


def _apply(tl: timeline.Timeline, ops: list[tuple[str, Any]], ids: list[str]) -> None:
    for op, arg in ops:
        if op == "record":
            ids.append(tl.record(**arg).id)
        elif op == "amend":
            target, change = arg
            tl.amend(ids[target], reason="test", **change)
        else:
            tl.retract(ids[arg], reason="test")


def _windows() -> st.SearchStrategy[tuple[dt.date, dt.date]]:
    days = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    return st.tuples(days, days).map(lambda pair: (min(pair), max(pair)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=operations(max_size=15),
    changes=operations(max_size=8),
    windows=st.lists(_windows(), min_size=1, max_size=4),
)
def test_a_date_query_after_a_snapshot_and_its_tail_finds_what_a_scan_finds(
    before: list[tuple[str, Any]],
    changes: list[tuple[str, Any]],
    windows: list[tuple[dt.date, dt.date]],
) -> None:
    """A snapshot's wide rows, a tail's new and re-dated events: between= and within= miss none."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.db"
        ids: list[str] = []
        with timeline.open(path, snapshot_every=0) as tl:
            _apply(tl, before, ids)
            tl.snapshot()
        with timeline.open(path, snapshot_every=0) as tl:
            # The tail: new events and amendments of the snapshot's (their dates change).
            live = [i for i in ids if not tl.is_retracted(i)]
            for op, arg in changes:
                if op == "record":
                    ids.append(tl.record(**arg).id)
                elif op == "amend" and live:
                    target, change = arg
                    with contextlib.suppress(timeline.InvalidEvent):  # it may change nothing
                        tl.amend(live[target % len(live)], reason="test", **change)
        with timeline.open(path, snapshot_every=0) as tl:
            every = list(tl.events(include_retracted=True))
            for start, end in windows:
                for key in ("between", "within"):
                    window: dict[str, Any] = {key: (start, end), "include_retracted": True}
                    where = tl.filter(**window)
                    expected = [e.id for e in every if where.matches(e)]
                    assert expected == [e.id for e in tl.events(**window)], window
