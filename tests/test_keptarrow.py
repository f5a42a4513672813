"""The kept Arrow table (_keptarrow): read where the chain vouches for it, equal to a built one.

A whole timeline's ``events/1`` table is kept in the store; later tables take the
rows of unchanged events from it and build the rest. Whatever was written since,
whatever the query or the view, the table must be the one built event by event;
a kept table the chain does not vouch for, or an edited one, is never read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import timeline
from timeline._arrow import events_schema
from timeline._eventstable import Tally, table_batches
from timeline._keptarrow import NAME, VERSION, ArrowKeeping
from timeline._results import log_point
from timeline.testing import FixedClock

from .strategies import operations
from .test_bulkarrow import FILTERS, _fill, _one_by_one
from .test_results import CONSUMERS
from .test_timeline import apply_ops, ticking

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")

#: Small enough that the test logs (18-30 events) keep their tables.
KEEP = 4


def _store(kind: str, tmp_path: Path) -> timeline.Store:
    if kind == "memory":
        return timeline.MemoryStore()
    if kind == "sqlite":
        return timeline.SqliteStore(tmp_path / "log.db")
    return timeline.JsonlStore(tmp_path / "log.jsonl")


def _open(store: timeline.Store, keep: int = KEEP) -> timeline.Timeline:
    return timeline.Timeline(store, clock=FixedClock(), snapshot_every=0, keep_arrow_from=keep)


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> timeline.Store:
    return _store(request.param, tmp_path)


def _kept(store: timeline.Store) -> bytes | None:
    saved = store.load_snapshot(NAME, VERSION)
    return None if saved is None else saved[1]


def _assert_same(fast: Any, slow: Any) -> None:
    """Same schema (metadata too) and cells; dictionaries may number their values apart."""
    assert fast.schema.equals(slow.schema, check_metadata=True)
    for name in slow.column_names:
        assert fast[name].to_pylist() == slow[name].to_pylist(), name


def _built(view: Any, **filters: Any) -> int:
    """Return how many rows of the query's table were built (not read from the kept table)."""
    results = view.events(**filters)
    tally = Tally()
    rows, keeping = results._rows, results._keeping
    _, batches = table_batches(rows, log_point(view), keeping=keeping, tally=tally)
    for _ in batches:
        pass
    return tally.built


class TestKeeping:
    def test_a_whole_table_is_kept_and_read_back(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        assert _kept(store) is None
        first = tl.events().to_arrow()
        assert _kept(store) is not None
        again = _open(store)
        assert _built(again) == 0
        _assert_same(again.events().to_arrow(), first)
        _assert_same(again.events().to_arrow(), _one_by_one(again, again.filter()))

    @pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
    def test_every_query_reads_the_same_table(
        self, store: timeline.Store, filters: dict[str, Any]
    ) -> None:
        tl = _open(store)
        _fill(tl)
        tl.events(include_retracted=True).to_arrow()
        _assert_same(tl.events(**filters).to_arrow(), _one_by_one(tl, tl.filter(**filters)))

    def test_a_filtered_query_keeps_nothing(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        tl.events(actor="IND").to_arrow()
        assert _kept(store) is None

    def test_an_as_of_view_reads_but_keeps_nothing(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        view = tl.as_of(seq=tl.seq - 4)
        view.events().to_arrow()
        assert _kept(store) is None
        tl.events(include_retracted=True).to_arrow()
        for retracted in (False, True):
            _assert_same(
                view.events(include_retracted=retracted).to_arrow(),
                _one_by_one(view, view.filter(include_retracted=retracted)),
            )

    def test_zero_keeps_nothing(self, store: timeline.Store) -> None:
        tl = _open(store, keep=0)
        _fill(tl)
        tl.events().to_arrow()
        assert _kept(store) is None

    def test_a_small_timeline_keeps_nothing(self, store: timeline.Store) -> None:
        tl = _open(store, keep=1000)
        _fill(tl)
        tl.events().to_arrow()
        assert _kept(store) is None


class TestLaterWrites:
    def test_only_the_changed_events_are_built(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        tl.events(include_retracted=True).to_arrow()
        tl.amend("e04", title="Amended after keeping", reason="test")  # in the 2024-02-01 tie
        tl.retract("e12", reason="test")
        tl.record(id="n1", kind="visit.state", when="2024-02-01", title="New, in a tie")
        tl.record(id="n2", kind="visit.state", when="1999-05-05", title="New, alone")
        later = _open(store)
        # The amended, the retracted and the two new events; their ties' others are read.
        assert 4 == _built(later, include_retracted=True)
        for filters in FILTERS:
            _assert_same(
                later.events(**filters).to_arrow(), _one_by_one(later, later.filter(**filters))
            )

    def test_a_table_mostly_built_again_is_kept_again(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        tl.events().to_arrow()
        before = _kept(store)
        for i in range(40):
            tl.record(id=f"m{i:02d}", kind="visit.state", when=f"19{i + 10}", title=f"More {i}")
        tl.events().to_arrow()
        assert _kept(store) != before
        assert _built(_open(store)) == 0

    @pytest.mark.parametrize("size", [1, 3, 7, 65_536])
    def test_every_batch_holds_only_its_own_lists(self, store: timeline.Store, size: int) -> None:
        """Between changed events the kept runs are slices: their list columns are rebased,
        so no batch carries the kept table's whole child arrays (polars copies them)."""
        tl = _open(store)
        _fill(tl)
        tl.events(include_retracted=True).to_arrow()
        for i in range(0, 18, 4):
            tl.amend(f"e{i:02d}", title=f"Amended {i}", reason="test")
        later = _open(store)
        results = later.events(include_retracted=True)
        schema, batches = table_batches(
            results._rows, log_point(later), size=size, keeping=results._keeping
        )
        got = list(batches)
        for batch in got:
            for field, column in zip(batch.schema, batch.columns, strict=True):
                if pa.types.is_list(field.type) and len(column):
                    assert column.offsets[0].as_py() == 0, field.name
                    assert column.offsets[-1].as_py() == len(column.values), field.name
        table = pa.Table.from_batches(got, schema=schema)
        _assert_same(table, _one_by_one(later, later.filter(include_retracted=True)))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=operations(max_size=10), then=operations(max_size=10))
    def test_any_writes_after_keeping(
        self, first: list[tuple[str, object]], then: list[tuple[str, object]]
    ) -> None:
        """Any events kept, then any more recorded, amended, retracted: the same table."""
        tl = timeline.Timeline(timeline.MemoryStore(), clock=ticking(), keep_arrow_from=1)
        apply_ops(tl, first)
        tl.events(include_retracted=True).to_arrow()
        apply_ops(tl, [op for op in then if op[0] == "record"])
        ids = [e.id for e in tl.events()]
        for n, event_id in enumerate(ids[::3]):
            tl.amend(event_id, title=f"later {n}", reason="test")
        for event_id in ids[1::4]:
            tl.retract(event_id, reason="test")
        for filters in ({}, {"include_retracted": True}, {"between": ("2000-01-01", "2030-12-31")}):
            _assert_same(tl.events(**filters).to_arrow(), _one_by_one(tl, tl.filter(**filters)))


class TestConsumers:
    @pytest.mark.parametrize("name", sorted(CONSUMERS))
    def test_consumers_read_the_stream_from_a_kept_table(
        self, store: timeline.Store, name: str
    ) -> None:
        """duckdb, polars, pandas and pyarrow read the stream of kept and built rows alike."""
        module, read = CONSUMERS[name]
        pytest.importorskip(module, reason=f"pip install {module} to run this consumer")
        tl = _open(store)
        _fill(tl)
        tl.events().to_arrow()
        tl.record(id="n1", kind="visit.state", when="2024-02-01", title="New, in a tie")
        again = _open(store)
        assert [e.id for e in again.events()] == read(again.events())
        assert 1 == _built(again)


class TestNotVouchedFor:
    def test_an_edited_kept_table_is_never_read(self, tmp_path: Path) -> None:
        store = timeline.JsonlStore(tmp_path / "log.jsonl")
        tl = _open(store)
        _fill(tl)
        expected = tl.events().to_arrow()
        (path,) = (tmp_path / "log.jsonl.snapshots").glob(f"{NAME}.v{VERSION}.snap")
        data = bytearray(path.read_bytes())
        data[-200] ^= 0xFF  # inside the table section
        path.write_bytes(bytes(data))
        again = _open(timeline.JsonlStore(tmp_path / "log.jsonl"))
        _assert_same(again.events().to_arrow(), expected)
        assert any("kept Arrow table does not match its digest" in r for r in again.repairs)
        assert _built(_open(timeline.JsonlStore(tmp_path / "log.jsonl"))) == 0  # kept again

    def test_a_kept_table_of_another_log_is_never_read(self, tmp_path: Path) -> None:
        one, other = tmp_path / "one.jsonl", tmp_path / "other.jsonl"
        tl = _open(timeline.JsonlStore(one))
        _fill(tl)
        tl.events().to_arrow()
        second = _open(timeline.JsonlStore(other))
        second.record(id="x", kind="visit.state", when="2020", title="Only in the other log")
        _fill(second)
        (other.parent / "other.jsonl.snapshots").mkdir(exist_ok=True)
        name = f"{NAME}.v{VERSION}.snap"
        (tmp_path / "other.jsonl.snapshots" / name).write_bytes(
            (tmp_path / "one.jsonl.snapshots" / name).read_bytes()
        )
        reopened = _open(timeline.JsonlStore(other))
        table = reopened.events().to_arrow()
        assert "Only in the other log" in table["title"].to_pylist()
        assert any("does not match the log's record" in r for r in reopened.repairs)

    def test_a_store_that_refuses_the_write_still_gives_the_table(
        self, store: timeline.Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        tl = _open(store)
        _fill(tl)

        def refuse(*_: object) -> None:
            raise timeline.TimelineError("read-only: permission denied")

        monkeypatch.setattr(store, "save_snapshot", refuse)
        _assert_same(tl.events().to_arrow(), _one_by_one(tl, tl.filter()))
        assert any("the Arrow table was not kept (read-only" in r for r in tl.repairs)
        monkeypatch.setattr(store, "save_snapshot", lambda *_: pytest.fail("tried again"))
        _assert_same(tl.events().to_arrow(), _one_by_one(tl, tl.filter()))

    def test_a_table_of_another_schema_is_not_read(self, store: timeline.Store) -> None:
        tl = _open(store)
        _fill(tl)
        table = tl.events().to_arrow()
        renamed = table.rename_columns([*table.column_names[:-1], "attributes_json"])
        seqs = pa.array([r.seq for r in tl.iter_records()], pa.int64())
        ArrowKeeping(KEEP).save(store, tl.seq, store.record_hash(tl.seq) or "", renamed, seqs)
        schema = events_schema(log_point(tl))
        assert ArrowKeeping(KEEP).load(store, len(table), schema) is None
        assert any("not of this version's events/1 schema" in r for r in tl.repairs)
