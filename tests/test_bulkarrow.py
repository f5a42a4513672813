"""The events/1 table built from stored lines (_bulkarrow) equals the one built event by event.

``tl.events().to_arrow()`` and the Parquet and Arrow exporters read a query's stored
lines without decoding events; ``events_reader`` over a walk of records builds the
same table from the decoded events. Every row, every column, every type must agree.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from timeline.testing import FixedClock

from .strategies import full_events
from .test_codec import v1_line
from .test_logfile import damage

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")
pq = pytest.importorskip("pyarrow.parquet")

#: Filters the comparison runs under: none, each filter alone, dates both ways.
FILTERS: list[dict[str, Any]] = [
    {},
    {"include_retracted": True},
    {"actor": "IND"},
    {"kind": "treaty.*"},
    {"tag": "défense"},
    {"treaty": "RELOS"},
    {"modality": ["planned", "reported"]},
    {"between": ("2024-01-01", "2024-02-15")},
    {"within": ("2023-06-01", "2025-12-31")},
    {"between": ("2024-02-01", "2024-02-01"), "include_retracted": True},
]

#: Dates of every shape: ties on one day (precision, qualifiers, times, sets), open ends,
#: far years, an interval, a season, phrases.
DATES = [
    "2024-02-01",
    "2024-02-01",
    "2024-02-01~",
    "2024-02-01?",
    "2024-02-01T09:30+05:30",
    "2024-02-01T04:00Z",
    "2024-02-01/2024-02-03",
    "[2024-01-01,2024-03-01]",
    "{2024-01-10,2024-02-20}",
    "2024-02",
    "early February 2024",
    "2024",
    "2024-21",
    "since 2022",
    "../2024-06",
    "0005",
    "9998-12-31",
    "2019~/2024-06",
]


def _fill(tl: timeline.Timeline) -> None:
    """Record a varied log: every date shape, amendments, retractions, non-ASCII text."""
    countries = ["RUS", "IND", "CHN", "USA", "FRA"]
    for i, when in enumerate(DATES):
        tl.record(
            id=f"e{i:02d}",
            kind=["treaty.signed", "visit.state", "treaty.ratified", "relations.shift"][i % 4],
            when=when,
            title=f"Событие {i} — 中文 ✓",
            summary="" if i % 3 else f"Résumé {i}\nline two",
            actors=[
                countries[i % 5],
                {"country": countries[(i + 1) % 5], "role": "party", "sector": "GOV"},
            ][: 1 + i % 2],
            sources=[
                {"url": f"https://x.org/{i}", "title": "Ратификация", "published": "2024-02-02"}
            ]
            if i % 2
            else [],
            tags=["défense", "energy"][: i % 3],
            treaty="RELOS" if i % 4 == 0 else None,
            related=["e00"] if i % 5 == 1 else [],
            modality=["actual", "planned", "reported"][i % 3],
            attributes={"votes": [417, i], "note": "ß"} if i % 4 == 1 else {},
        )
    tl.amend("e01", title="Amended once", reason="typo")
    tl.amend("e01", when="2024-02-01T23:59Z", reason="timed")
    tl.amend("e05", actors=["IND"], reason="who")
    tl.retract("e02", reason="duplicate")
    tl.amend("e03", tags=["défense"], reason="tag")
    tl.retract("e03", reason="wrong")
    tl.retract("e07", reason="set date retracted")


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def tl(request: pytest.FixtureRequest, tmp_path: Path) -> timeline.Timeline:
    store: timeline.Store
    if request.param == "memory":
        store = timeline.MemoryStore()
    elif request.param == "sqlite":
        store = timeline.SqliteStore(tmp_path / "log.db")
    else:
        store = timeline.JsonlStore(tmp_path / "log.jsonl")
    tl = timeline.Timeline(store, clock=FixedClock(), snapshot_every=0)
    _fill(tl)
    return tl


def _one_by_one(view: Any, where: timeline.EventFilter, rows: int = 65_536) -> Any:
    """The table built event by event: decoded records walked into ``event_batch``.

    Read through a fresh timeline over the same store, so every event is decoded
    from its stored line: a just-written event in the first timeline's cache keeps
    its attributes in the order they were given, where the log stores them sorted.
    """
    fresh = timeline.Timeline(view.store, clock=FixedClock(), snapshot_every=0)
    if getattr(view, "timeline", None) is not None:
        fresh = fresh.as_of(view.seq)  # type: ignore[assignment]
    records = iter(list(fresh.iter_records(where)))  # a plain walk: not the view's query
    reader = timeline.events_reader(fresh, records, rows=rows)
    return reader.read_all()


def _assert_same(fast: Any, slow: Any) -> None:
    assert fast.schema.equals(slow.schema, check_metadata=True)
    for name in slow.column_names:
        assert fast[name].to_pylist() == slow[name].to_pylist(), name
    assert fast.equals(slow)


class TestSameTable:
    @pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
    def test_every_row_and_column(self, tl: timeline.Timeline, filters: dict[str, Any]) -> None:
        """events().to_arrow() (from stored lines) equals the event-by-event table."""
        fast = tl.events(**filters).to_arrow()
        assert fast.num_rows > 0
        _assert_same(fast, _one_by_one(tl, tl.filter(**filters)))

    def test_order_is_the_events_order(self, tl: timeline.Timeline) -> None:
        """Rows come in timeline order, ties on a day included: the order of events()."""
        events = tl.events(include_retracted=True)
        assert [e.id for e in events] == events.to_arrow()["event_id"].to_pylist()

    def test_small_batches_split_only_between_ties(self, tl: timeline.Timeline) -> None:
        """Batches of 2 rows still give the same rows: a tie of one day is never split."""
        events = tl.events(include_retracted=True)
        batches = list(events.batches(rows=2))
        assert len(batches) > 1
        table = pa.Table.from_batches(batches).combine_chunks()
        slow = _one_by_one(tl, tl.filter(include_retracted=True), rows=2).combine_chunks()
        assert table.to_pylist() == slow.to_pylist()
        keys = [
            list(zip(b["when_earliest"].to_pylist(), b["when_precision"].to_pylist(), strict=True))
            for b in batches
        ]
        for before, after in itertools.pairwise(keys):
            assert before[-1] != after[0]  # a day and precision (a tie) stays in one batch

    def test_as_of_view(self, tl: timeline.Timeline) -> None:
        """An as_of view's events build the same way (the view's columns and metadata)."""
        view = tl.as_of(10)
        fast = view.events(include_retracted=True).to_arrow()
        _assert_same(fast, _one_by_one(view, view.filter(include_retracted=True)))
        assert "seq=10" == fast.schema.metadata[b"geotimeline.as_of"].decode()

    def test_later_writes_do_not_change_results(self, tl: timeline.Timeline) -> None:
        """Results read the rows when the query ran: a later amend or retract is not in them."""
        events = tl.events(include_retracted=True)
        before = _one_by_one(tl, tl.filter(include_retracted=True))
        tl.amend("e00", title="Later", reason="later")
        tl.retract("e04", reason="later")
        _assert_same(events.to_arrow(), before)
        assert "Later" not in [e.title for e in events]


class TestExporters:
    def test_parquet_is_the_same_table(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """The Parquet export (built from stored lines) holds the event-by-event table."""
        tl.export("parquet", tmp_path / "out.parquet", include_retracted=True)
        written = pq.read_table(tmp_path / "out.parquet")
        slow = _one_by_one(tl, tl.filter(include_retracted=True))
        assert written.to_pylist() == slow.to_pylist()

    def test_arrow_ipc_is_the_same_table(self, tl: timeline.Timeline, tmp_path: Path) -> None:
        """The Arrow IPC export, filtered, holds the event-by-event table."""
        tl.export("arrow", tmp_path / "out.arrow", actor="IND")
        with pa.memory_map(str(tmp_path / "out.arrow")) as source:
            written = pa.ipc.open_file(source).read_all()
        _assert_same(written, _one_by_one(tl, tl.filter(actor="IND")))


class TestOldSchema:
    def test_a_batch_with_an_old_record_is_built_from_decoded_records(self) -> None:
        """A schema-1 line (upcast on read) does not fit the fast decoder: same table anyway."""
        store = timeline.MemoryStore()
        line = v1_line()
        backend = store.backend
        backend._lines.append(line)  # type: ignore[attr-defined]
        backend._hashes.append(msgspec.json.decode(line)["hash"])  # type: ignore[attr-defined]
        backend._times.append("2020-01-01T00:00:00.000000Z")  # type: ignore[attr-defined]
        backend._streams["e1"] = [1]  # type: ignore[attr-defined]
        tl = timeline.Timeline(store, clock=FixedClock(), snapshot_every=0)
        tl.record(id="e2", kind="visit.state", when="2025-12", title="New")
        tl.amend("e1", title="Old, amended", reason="check")
        tl.record(id="e3", kind="visit.state", when="2025-12", title="Same month")
        fast = tl.events().to_arrow()
        assert ["e1", "e2", "e3"] == sorted(fast["event_id"].to_pylist())
        _assert_same(fast, _one_by_one(tl, tl.filter()))


class TestDamage:
    @pytest.mark.parametrize("name", ["log.db", "log.jsonl"])
    def test_a_damaged_line_is_named(self, tmp_path: Path, name: str) -> None:
        """A line that no longer decodes fails the table with an error naming its seq."""
        path = tmp_path / name
        with timeline.open(path, snapshot_every=0) as tl:
            tl.record_many(
                [{"kind": "treaty.signed", "when": "2025", "title": f"t{i}"} for i in range(300)]
            )
        damage(path, 290, b'"title":"t289"', b'"title":289')
        with timeline.open(path, snapshot_every=0) as tl:
            events = tl.events()  # decodes nothing yet
            with pytest.raises(timeline.InvalidRecord, match=r"seq 290\b"):
                events.to_arrow()
            with pytest.raises(timeline.InvalidRecord, match=r"seq 290\b"):
                tl.export("parquet", tmp_path / "out.parquet")
            assert not (tmp_path / "out.parquet").exists()  # nothing half-written


class TestAnyEvents:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(full_events(), min_size=1, max_size=8, unique_by=lambda e: e["id"]),
        st.data(),
    )
    def test_any_events_amended_and_retracted(
        self, fields: list[dict[str, object]], data: st.DataObject
    ) -> None:
        """Any events (every precision, open ends, far years, non-ASCII), some amended or
        retracted: the two tables agree."""
        tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
        tl.record_many(fields)
        ids = [str(f["id"]) for f in fields]
        for n, event_id in enumerate(data.draw(st.lists(st.sampled_from(ids), max_size=3))):
            tl.amend(event_id, title=f"amended {n} ✓", reason="test")
        for event_id in data.draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)):
            tl.retract(event_id, reason="test")
        for filters in ({}, {"include_retracted": True}):
            _assert_same(tl.events(**filters).to_arrow(), _one_by_one(tl, tl.filter(**filters)))
