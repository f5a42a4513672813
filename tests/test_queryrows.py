"""A query's records (_queryrows.QueryRecords): decoded a run at a time, as they are reached.

``tl.events()[0]`` or a notebook's ``repr`` of a million events must not decode a
million records; indexing, slicing and iterating must still give exactly the
events a full decode gives, in the same order.
"""

from __future__ import annotations

from typing import Any

import pytest

import timeline
from timeline._queryrows import QueryRecords
from timeline.testing import FixedClock

#: Days with several events each (ties), some sets, across three years.
DATES = [f"202{i % 3}-0{1 + i % 9}-1{i % 4}" for i in range(60)] + [
    "[2021-01-01,2021-06-01]",
    "{2022-03-10,2022-08-20}",
    "2021",
    "2022-05",
]


@pytest.fixture
def tl(monkeypatch: pytest.MonkeyPatch) -> timeline.Timeline:
    # Runs of 8 positions, 2 kept: the 64 events are many runs, most not cached.
    monkeypatch.setattr(QueryRecords, "BATCH", 8)
    monkeypatch.setattr(QueryRecords, "CACHED_RUNS", 2)
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    tl.record_many(
        {"id": f"e{i:02d}", "kind": "visit.state", "when": when, "title": f"Event {i}"}
        for i, when in enumerate(DATES)
    )
    for i in range(0, 60, 7):
        tl.retract(f"e{i:02d}", reason="test")
    return tl


def _expected(tl: timeline.Timeline, **filters: Any) -> list[timeline.Event]:
    """The events a plain walk of the query gives (no QueryRecords)."""
    return [r.event for r in tl.iter_records(tl.filter(**filters)) if r.event is not None]


def _count_decoded(tl: timeline.Timeline, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the records the store decodes from now on."""
    decoded: list[int] = []
    store = tl.store
    records_at = store.records_at

    def counting(seqs: Any) -> Any:
        decoded.append(len(seqs))
        return records_at(seqs)

    monkeypatch.setattr(store, "records_at", counting)
    return decoded


class TestLazy:
    def test_the_first_events_decode_one_run(
        self, tl: timeline.Timeline, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        evs = tl.events()
        decoded = _count_decoded(tl, monkeypatch)
        assert evs[0] == _expected(tl)[0]
        assert list(evs[:3]) == _expected(tl)[:3]
        repr(evs)
        assert sum(decoded) < 2 * 8 + 8  # the first run (ties may lengthen it), once
        assert len(evs) == len(_expected(tl))

    def test_iterating_keeps_no_more_than_a_few_runs(
        self, tl: timeline.Timeline, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        evs = tl.events()
        records = evs._events.records  # type: ignore[attr-defined]
        assert list(evs) == _expected(tl)
        assert records._records is None
        assert len(records._cache) <= QueryRecords.CACHED_RUNS


class TestSameEvents:
    @pytest.mark.parametrize("filters", [{}, {"include_retracted": True}, {"kind": "visit.*"}])
    def test_every_index_and_slice(self, tl: timeline.Timeline, filters: dict[str, Any]) -> None:
        evs = tl.events(**filters)
        expected = _expected(tl, **filters)
        assert len(evs) == len(expected)
        for i in [*range(len(expected)), *range(-1, -len(expected) - 1, -9)]:
            assert evs[i] == expected[i]
        for cut in [slice(None), slice(5, 30), slice(-12, None), slice(3, 50, 7), slice(40, 2, -5)]:
            assert list(evs[cut]) == expected[cut]
        assert list(reversed(evs)) == expected[::-1]
        with pytest.raises(IndexError):
            evs[len(expected)]
        with pytest.raises(IndexError):
            evs[-len(expected) - 1]

    def test_a_date_filter_drops_set_dates_outside_it(self, tl: timeline.Timeline) -> None:
        evs = tl.events(between=("2022-03-01", "2022-04-30"))
        expected = _expected(tl, between=("2022-03-01", "2022-04-30"))
        assert len(evs) == len(expected)
        assert list(evs) == expected
        assert [evs[i] for i in range(len(expected))] == expected
        assert "e61" in {e.id for e in expected}  # the set's member 2022-03-10 is in it

    def test_the_retracted_are_flagged(self, tl: timeline.Timeline) -> None:
        records = tl.events(include_retracted=True)._events.records  # type: ignore[attr-defined]
        assert records.retracted_ids() == frozenset(f"e{i:02d}" for i in range(0, 60, 7))


class TestWholeQueryOrder:
    """A query with no filter sorts its rows on first need, from the state or its copies."""

    @pytest.mark.parametrize("include_retracted", [False, True])
    def test_known_before_sorted_and_unchanged_by_later_writes(
        self, tl: timeline.Timeline, include_retracted: bool
    ) -> None:
        evs = tl.events(include_retracted=include_retracted)
        expected = _expected(tl, include_retracted=include_retracted)
        rows = evs._events.records._rows  # type: ignore[attr-defined]
        assert len(evs) == len(expected)
        # Writes after the query: a new event first in the order, one re-dated, one
        # retracted. The result still shows the timeline as the query saw it, sorted
        # from its copies of the columns since the state has moved on.
        tl.record({"id": "first", "kind": "visit.state", "when": "1990", "title": "First"})
        tl.amend("e01", when="1989-01-01", reason="re-dated", keep_phrase=False)
        tl.retract("e02", reason="later")
        assert rows.rows is None  # not sorted by the query
        assert list(evs) == expected
        assert len(evs) == len(expected)

    def test_sorted_by_the_state_while_it_is_unchanged(self, tl: timeline.Timeline) -> None:
        evs = tl.events()
        expected = _expected(tl)
        assert evs[-1] == expected[-1]
        assert list(evs) == expected
        # The order is a copy: writes after it do not reorder it.
        order = list(evs._events.records._rows.order)  # type: ignore[attr-defined]
        tl.record({"id": "first", "kind": "visit.state", "when": "1990", "title": "First"})
        assert list(evs._events.records._rows.order) == order  # type: ignore[attr-defined]
        assert list(evs) == expected
