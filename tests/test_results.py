"""EventResults: what events() returns, a sequence of events and an Arrow PyCapsule stream."""

from __future__ import annotations

import collections.abc
import importlib
from collections.abc import Callable
from typing import Any

import pytest

import timeline
from timeline.testing import FixedClock

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")


@pytest.fixture
def tl() -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    tl.record_many(
        [
            {
                "id": "a",
                "kind": "treaty.signed",
                "when": "2025-02-18",
                "title": "A",
                "actors": ["RUS"],
            },
            {"id": "b", "kind": "visit.state", "when": "2025-03", "title": "B", "actors": ["IND"]},
            {"id": "c", "kind": "visit.state", "when": "2024", "title": "C"},
        ]
    )
    return tl


class TestSequence:
    def test_equals_lists_and_tuples(self, tl: timeline.Timeline) -> None:
        """Results compare equal to a list or tuple of the same events, and unequal otherwise."""
        events = tl.events()
        as_list = list(events)
        assert as_list == events
        assert events == tuple(as_list)
        assert events != as_list[:2]
        assert events != "abc"
        assert events == tl.events()

    def test_sequence_operations(self, tl: timeline.Timeline) -> None:
        """len, indexing, negative indexes, slices, in, index, count, reversed and bool."""
        events = tl.events()
        assert (3, "c", "b") == (len(events), events[0].id, events[-1].id)
        assert ["a", "b"] == [e.id for e in events[1:]]
        assert isinstance(events[1:], timeline.EventResults)
        assert events[0] in events
        assert (2, 1) == (events.index(events[2]), events.count(events[2]))
        assert ["b", "a", "c"] == [e.id for e in reversed(events)]
        assert events
        assert not tl.events(kind="treaty.ratified")
        with pytest.raises(IndexError):
            events[3]
        with pytest.raises(ValueError, match="not in the results"):
            tl.events(kind="visit.state").index(events[1])

    def test_not_a_list_nor_an_abc_sequence(self, tl: timeline.Timeline) -> None:
        """Not a list (nor a collections.abc.Sequence): consumers then look for the stream."""
        events = tl.events()
        assert not isinstance(events, list)
        assert not isinstance(events, collections.abc.Sequence)

    def test_repr_is_short(self, tl: timeline.Timeline) -> None:
        """The repr shows the first events and how many more there are."""
        tl.record(id="d", kind="visit.state", when="2023", title="D")
        text = repr(tl.events())
        assert text.startswith("EventResults([Event(id='d'")
        assert text.endswith("... (1 more)])")

    def test_not_hashable(self, tl: timeline.Timeline) -> None:
        """Like a list, results are not hashable."""
        with pytest.raises(TypeError):
            hash(tl.events())


def _duckdb(events: Any) -> list[str]:
    import duckdb

    evs = events  # noqa: F841 - DuckDB finds the variable by its name (a replacement scan)
    return [row[0] for row in duckdb.sql("select event_id from evs").fetchall()]


def _polars(events: Any) -> list[str]:
    import polars as pl

    return list(pl.DataFrame(events)["event_id"])


def _pandas(events: Any) -> list[str]:
    import pandas as pd

    frame = pd.DataFrame.from_arrow(events) if hasattr(pd.DataFrame, "from_arrow") else None
    if frame is None:  # pandas 2: from the pyarrow table, still no geotimeline code
        frame = pa.table(events).to_pandas()
    return list(frame["event_id"])


def _pyarrow(events: Any) -> list[str]:
    return list(pa.table(events)["event_id"].to_pylist())


CONSUMERS: dict[str, tuple[str, Callable[[Any], list[str]]]] = {
    "duckdb": ("duckdb", _duckdb),
    "polars": ("polars", _polars),
    "pandas": ("pandas", _pandas),
    "pyarrow": ("pyarrow", _pyarrow),
}


class TestConsumers:
    @pytest.mark.parametrize("name", sorted(CONSUMERS))
    @pytest.mark.parametrize("as_of", [False, True], ids=["live", "as_of"])
    def test_reads_the_stream(self, tl: timeline.Timeline, name: str, as_of: bool) -> None:
        """duckdb, polars, pandas and pyarrow read the results with no geotimeline code."""
        module, read = CONSUMERS[name]
        pytest.importorskip(module, reason=f"pip install {module} to run this consumer")
        view = tl.as_of(seq=2) if as_of else tl
        expected = [e.id for e in view.events()]
        assert expected == read(view.events())

    def test_stream_is_batched_lazily(self, tl: timeline.Timeline) -> None:
        """The stream is built one record batch at a time, of the requested size."""
        batches = list(tl.events().batches(rows=2))
        assert [2, 1] == [b.num_rows for b in batches]

    def test_requested_schema(self, tl: timeline.Timeline) -> None:
        """A consumer may request the schema it already has (the capsule protocol)."""
        events = tl.events()
        capsule = events.__arrow_c_stream__(events.__arrow_c_schema__())
        table = pa.RecordBatchReader._import_from_c_capsule(capsule).read_all()
        assert 3 == table.num_rows

    def test_conveniences(self, tl: timeline.Timeline) -> None:
        """to_arrow, to_pandas and to_polars give tables with one row per event."""
        events = tl.events(actor="RUS")
        assert ["a"] == events.to_arrow()["event_id"].to_pylist()
        assert ["a"] == list(events.to_pandas()["event_id"])
        if importlib.util.find_spec("polars") is not None:
            assert ["a"] == list(events.to_polars()["event_id"])


class TestReaders:
    def test_events_reader_streams_records(self, tl: timeline.Timeline) -> None:
        """events_reader turns a walk of records into batches (what the exporters use)."""
        where = tl.filter(kind="visit.state")
        reader = timeline.events_reader(tl, tl.iter_records(where), rows=1)
        assert ["c", "b"] == reader.read_all()["event_id"].to_pylist()

    def test_records_reader_for_some_streams(self, tl: timeline.Timeline) -> None:
        """records_reader can keep the records of some events only."""
        tl.amend("a", reason="typo", title="A!")
        rows = timeline.records_reader(tl, streams=["a"]).read_all().to_pylist()
        assert [(1, "recorded"), (2, "amended")] == [(r["version"], r["type"]) for r in rows]


class TestEventRows:
    def test_rows_equal_the_arrow_table(self) -> None:
        """event_rows (no pyarrow) gives exactly the values of the Arrow table, every column."""
        tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
        tl.record(
            id="x",
            kind="treaty.ratified",
            when="2025-12-04T10:00+05:30",
            title="T",
            actors=[{"country": "RUS", "role": "party", "sector": "GOV"}],
            sources=[{"url": "https://tass.ru/a", "published": "2025-02-19"}],
            attributes={"a": 1},
        )
        tl.record(id="y", kind="relations.shift", when="../2024-06", title="Y", tags=["b", "a"])
        tl.record(id="z", kind="relations.shift", when="since 2022", title="Z")
        tl.amend("y", reason="r", summary="now")
        tl.retract("z", reason="r")
        rows = list(timeline.event_rows(tl, tl.iter_records(tl.filter(include_retracted=True))))
        assert tl.events(include_retracted=True).to_arrow().to_pylist() == rows
