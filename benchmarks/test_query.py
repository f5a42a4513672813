"""On the largest log: a one-month range query answered from the index, vs a full scan; a text
search answered from the FTS5 index (built on the first search), vs a scan of the texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import timeline
import workload
from conftest import describe
from timeline._search import close_index, index_path

MONTH = (dt.date(1987, 6, 1), dt.date(1987, 6, 30))
#: Two workload words side by side: about 2% of the events hold the phrase.
PHRASE = "naval reactor"

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


def _holds_phrase(event: timeline.Event) -> bool:
    """Whether the title or summary holds ``PHRASE`` (the workload's events have no other text)."""
    return any(PHRASE in text.lower() for text in (event.title, event.summary))


class TestTextSearch:
    def test_first_search_builds_index(self, benchmark: Any, largest: int, rounds: int) -> None:
        """The first search of a log without an index builds it (every record's texts)."""
        path = workload.build(largest).sqlite
        opened: list[timeline.Timeline] = []

        def setup() -> tuple[tuple[()], dict[str, Any]]:
            tl = timeline.Timeline(timeline.SqliteStore(path), snapshot_every=0)
            sidecar = index_path(tl.store)
            assert sidecar is not None
            sidecar.unlink(missing_ok=True)
            opened.append(tl)
            return (), {}

        def run() -> list[timeline.Event]:
            return list(opened[-1].events(text=f'"{PHRASE}"'))

        describe(
            benchmark, "text search, first (builds index)", largest, 1, vs_self="text search, scan"
        )
        found = benchmark.pedantic(run, setup=setup, rounds=rounds)
        assert found
        for tl in opened:
            close_index(tl.store)
            tl.close()

    def test_repeated_search(
        self, benchmark: Any, largest: int, big: tuple[timeline.Timeline, list[timeline.Event]]
    ) -> None:
        """tl.events(text=a phrase) once the index exists: the same events as the scan."""
        tl, everything = big
        tl.events(text=f'"{PHRASE}"')  # builds (or brings up to date) the index untimed
        describe(benchmark, "text search, a phrase", largest, 1, vs_self="text search, scan")
        found = benchmark(tl.events, text=f'"{PHRASE}"')
        assert [e for e in everything if _holds_phrase(e)] == list(found)

    def test_ranked_search(
        self, benchmark: Any, largest: int, big: tuple[timeline.Timeline, list[timeline.Event]]
    ) -> None:
        """tl.search(a phrase, limit=20): the 20 best, with snippets (`timeline search`)."""
        tl, _ = big
        tl.search(f'"{PHRASE}"', limit=20)
        describe(benchmark, "text search, ranked top 20", largest, 1, vs_self="text search, scan")
        hits = benchmark(tl.search, f'"{PHRASE}"', limit=20)
        assert all(_holds_phrase(h.event) for h in hits)

    def test_text_scan(
        self,
        benchmark: Any,
        largest: int,
        rounds: int,
        big: tuple[timeline.Timeline, list[timeline.Event]],
    ) -> None:
        """The same answer by scanning every live event's texts (already decoded)."""
        _, everything = big
        describe(benchmark, "text search, scan", largest, 1, role="baseline")
        found = benchmark.pedantic(
            lambda: [e for e in everything if _holds_phrase(e)], rounds=rounds
        )
        assert found
