"""A one-month range query on the largest log, answered from the index, vs a full scan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import timeline
import workload
from conftest import describe

MONTH = (dt.date(1987, 6, 1), dt.date(1987, 6, 30))

_open: dict[int, tuple[timeline.Timeline, list[timeline.Event]]] = {}


@pytest.fixture
def big(largest: int) -> tuple[timeline.Timeline, list[timeline.Event]]:
    """The largest log, opened once, with every live event in timeline order."""
    if largest not in _open:
        tl = timeline.Timeline(
            timeline.SqliteStore(workload.build(largest).sqlite), snapshot_every=0
        )
        _open[largest] = (tl, tl.events())
    return _open[largest]


class TestRangeQuery:
    def test_first_query_builds_index(self, benchmark: Any, largest: int, rounds: int) -> None:
        """The first query of a freshly opened log pays for building the indexes."""
        path = workload.build(largest).sqlite
        opened: list[timeline.Timeline] = []

        def setup() -> tuple[tuple[()], dict[str, Any]]:
            opened.append(timeline.Timeline(timeline.SqliteStore(path), snapshot_every=0))
            return (), {}

        def run() -> list[timeline.Event]:
            return opened[-1].events(between=MONTH)

        describe(
            benchmark,
            "range query, first (builds index)",
            largest,
            1,
            vs_self="range query, full scan",
        )
        found = benchmark.pedantic(run, setup=setup, rounds=rounds)
        assert found
        for tl in opened:
            tl.close()

    def test_month_query(
        self, benchmark: Any, largest: int, big: tuple[timeline.Timeline, list[timeline.Event]]
    ) -> None:
        """tl.events(between=one month) once the index exists."""
        tl, everything = big
        tl.events(between=MONTH)  # builds the index outside the timing
        describe(benchmark, "range query, one month", largest, 1, vs_self="range query, full scan")
        found = benchmark(tl.events, between=MONTH)
        assert [e for e in everything if e.when.overlaps(*MONTH)] == found

    def test_full_scan(
        self,
        benchmark: Any,
        largest: int,
        rounds: int,
        big: tuple[timeline.Timeline, list[timeline.Event]],
    ) -> None:
        """The same answer by scanning every live event's date bounds."""
        _, everything = big

        def scan() -> list[timeline.Event]:
            return [e for e in everything if e.when.overlaps(*MONTH)]

        describe(benchmark, "range query, full scan", largest, 1, role="baseline")
        found = benchmark.pedantic(scan, rounds=rounds)
        assert found
