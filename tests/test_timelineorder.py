"""Timeline order (``_timelineorder``): placing rows, ordering ties, the walk in exact order."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import crowded_dates, whens

import timeline._timelineorder as order_module
from timeline import Event, Payload, Record, RecordType, When
from timeline._timelineorder import in_exact_order, order_ties, placed, timeline_key

_AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _records(whens: Iterable[When]) -> list[Record]:
    return [
        Record(
            seq=seq,
            stream=f"{seq:032x}",
            version=1,
            type=RecordType.RECORDED,
            recorded_at=_AT,
            schema=2,
            payload=Payload(event=Event(id=f"{seq:032x}", kind="visit.state", when=w, title="t")),
            hash="0" * 64,
        )
        for seq, w in enumerate(whens, 1)
    ]


def _coarse_of(records: list[Record]) -> list[int]:
    # The read model's coarse key: earliest day, then precision rank (sort_key's prefix).
    return [k[0][0] * 8 + k[0][1] for k in map(timeline_key, records)]


#: Dates that share a coarse key (or nearly), so ties of unequal exact keys are common.
_CROWDED = st.sampled_from(
    [
        "2024-05-20",
        "2024-05-20~",
        "2024-05-20?",
        "2024-05-20%",
        "2024-05-20T12:00:00+03:00",
        "2024-05-20T09:00:00Z",
        "2024-05-20/2024-05-22",
        "2024-05",
        "2024-05~",
        "2024",
    ]
).map(When.parse)

keys = st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 7)), min_size=0, max_size=60)


@given(keys, st.data())
def test_placed_rows_land_where_a_sort_puts_them(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    """Placing new and moved rows into a coarse order gives every row once, keys in order."""
    lo, rank = [p[0] for p in pairs], [p[1] for p in pairs]
    total = len(pairs)
    known = data.draw(st.integers(0, total))
    moved = data.draw(st.sets(st.integers(0, known - 1)) if known else st.just(set[int]()))
    unplaced = [*moved, *range(known, total)]

    def key(row: int) -> int:
        return lo[row] * 8 + rank[row]

    order = array("i", sorted(range(known), key=key))
    got = placed(order, [*unplaced, *unplaced[:1]], lo, rank)  # a repeat is placed once
    assert sorted(got) == list(range(total))
    assert [key(r) for r in got] == sorted(key(r) for r in range(total))


def test_order_ties_sorts_only_ties() -> None:
    """Items of equal coarse key are put in key order; an item alone keeps its place."""
    items = ["c", "b", "z", "a", "y"]
    order_ties(items, [1, 1, 2, 3, 3], key=lambda s: (s,))
    assert ["b", "c", "z", "a", "y"] == items


@pytest.mark.parametrize(("first_fetch", "large_tie"), [(32, 4096), (2, 3)])
@given(
    st.tuples(
        st.lists(_CROWDED, min_size=2, max_size=40),
        st.lists(st.one_of(crowded_dates().map(When.parse), whens(phrases=False)), max_size=20),
    ).flatmap(lambda drawn: st.permutations(drawn[0] + drawn[1])),
    st.data(),
)
def test_the_walk_is_in_exact_timeline_order(
    first_fetch: int, large_tie: int, dates: list[When], data: st.DataObject
) -> None:
    """Rows in coarse order come out in (When.sort_key, id) order, hidden rows left out.

    With small batches and a small ``LARGE_TIE`` the walk also takes its path for a
    large tie (keys first, records a batch at a time).
    """
    records = _records(dates)
    coarse = _coarse_of(records)
    rows = list(range(len(records)))
    ordered = sorted(rows, key=coarse.__getitem__)
    hide = bytearray(data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))))
    seqs = [r.seq for r in records]
    by_seq = {r.seq: r for r in records}
    fetched: list[int] = []

    def fetch(wanted: list[int]) -> list[Record]:
        fetched.extend(wanted)
        return [by_seq[s] for s in wanted]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(order_module, "FIRST_FETCH", first_fetch)
        patch.setattr(order_module, "LARGE_TIE", large_tie)
        walked = list(
            in_exact_order(ordered, lambda rs: [coarse[r] for r in rs], seqs, fetch, hide)
        )
    shown = [r for r in records if not hide[r.seq - 1]]
    assert sorted(shown, key=timeline_key) == walked
    assert set(fetched) == {r.seq for r in shown}
