"""SQLite's clustered copy (``_sqlitecluster``): kept by appends, bound to the chain, walked."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import full_events

import timeline
import timeline._sqlitecluster as cluster_module
from timeline import SqliteStore, Timeline

DATES = ["2025-12-01", "2025-12", "2025", "2025-12-01~", "early December 2025", "1987-06-15"]


def fill(tl: Timeline, n: int = 40) -> None:
    """Record n events on dates of every precision, amend one and retract one."""
    tl.record_many(
        [
            {"id": f"e{i:03d}", "kind": "visit.state", "when": DATES[i % 6], "title": f"T{i}"}
            for i in range(n)
        ]
    )
    tl.amend("e003", when="1999", reason="later source")
    tl.retract("e004", reason="duplicate")


def _plain(path: Path) -> list[timeline.Event]:
    """The events as the records give them (the copy dropped from a copy of the file)."""
    other = path.with_name("plain.db")
    other.unlink(missing_ok=True)
    source, dest = sqlite3.connect(path), sqlite3.connect(other)
    source.backup(dest)  # with what the WAL holds
    source.close()
    dest.close()
    with Timeline(SqliteStore(other, cluster=False)) as tl:
        assert tl.store.backend.clustered_rows() is None
        return list(tl.events())


def _state(tl: Timeline) -> Any:
    return tl.store.backend._cluster.state()


@pytest.fixture
def clustered(tmp_path: Path) -> Timeline:
    tl = Timeline(SqliteStore(tmp_path / "log.db", cluster=True))
    fill(tl)
    return tl


def _no_records(tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seqs: Any) -> Any:
        raise AssertionError("the walk read records")

    monkeypatch.setattr(tl.store, "records_at", refuse)


class TestWalk:
    def test_the_walk_reads_the_copy_alone(
        self, clustered: Timeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every live event, in timeline order, with no record read."""
        expected = _plain(tmp_path / "log.db")
        _no_records(clustered, monkeypatch)
        assert list(clustered.events()) == expected
        assert [e.id for e in clustered.events()] == [e.id for e in expected]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(full_events(), min_size=1, max_size=12, unique_by=lambda e: e["id"]), st.data())
    def test_equals_the_records_walk(
        self, tmp_path_factory: pytest.TempPathFactory, fields: list[dict[str, Any]], data: Any
    ) -> None:
        """Any events, amended and retracted, walk from the copy as from the records."""
        path = tmp_path_factory.mktemp("walk") / "log.db"
        with Timeline(SqliteStore(path, cluster=True)) as tl:
            tl.record_many(fields)
            picked = data.draw(st.lists(st.sampled_from(fields), max_size=4))
            for n, item in enumerate(picked):
                if item["id"] in tl:
                    if data.draw(st.booleans()):
                        tl.retract(str(item["id"]), reason="r")
                    else:
                        tl.amend(
                            str(item["id"]),
                            when=data.draw(st.sampled_from(DATES)),
                            title=f"amended {n}",
                            reason="a",
                        )
            walked = list(tl.events())
            assert _state(tl)[:2] == (tl.seq, len(tl))
        assert walked == _plain(path)

    def test_filtered_and_retracted_queries_read_the_records(self, clustered: Timeline) -> None:
        """A filter, or retracted events asked for, is not what the copy holds: the records."""
        assert clustered.events(include_retracted=True)[-1] is not None
        everything = list(clustered.events(include_retracted=True))
        assert "e004" in [e.id for e in everything]
        assert [e.id for e in clustered.events(between=("2025-12-01", "2025-12-31"))]

    def test_an_append_during_the_walk(
        self, clustered: Timeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The copy moves part way: the walk goes on from the records, as of its query."""
        monkeypatch.setattr(cluster_module, "CLUSTER_BATCH", 7)
        expected = _plain(tmp_path / "log.db")
        walk = iter(clustered.events())
        first = [next(walk) for _ in range(10)]
        clustered.record(id="late", kind="visit.state", when="1800", title="late")
        assert first + list(walk) == expected
        assert clustered.events()[0].id == "late"

    def test_an_append_between_the_query_and_the_walk(
        self, clustered: Timeline, tmp_path: Path
    ) -> None:
        """The copy holds a later state when the walk begins: the records, as of the query."""
        expected = _plain(tmp_path / "log.db")
        results = clustered.events()
        clustered.record(id="late", kind="visit.state", when="1800", title="late")
        assert clustered.store.backend.clustered_rows() is not None  # the copy is current
        assert list(results) == expected

    def test_walks_at_once(
        self, clustered: Timeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Nested and abandoned walks each read the copy; appends go on meanwhile."""
        monkeypatch.setattr(cluster_module, "CLUSTER_BATCH", 5)
        expected = _plain(tmp_path / "log.db")
        _no_records(clustered, monkeypatch)
        abandoned = iter(clustered.events())
        assert next(abandoned) == expected[0]
        assert [(a, list(clustered.events())) for a in clustered.events()] == [
            (a, expected) for a in expected
        ]
        monkeypatch.undo()
        clustered.record(id="late", kind="visit.state", when="1800", title="late")
        assert next(abandoned) == expected[1]  # its read transaction: the state it began in
        del abandoned  # its connection given back
        assert [e.id for e in clustered.events()] == ["late"] + [e.id for e in expected]

    def test_an_event_with_no_msgpack_form(self, tmp_path: Path) -> None:
        """An integer past 64 bits has no msgpack form: that event is read from its record."""
        with Timeline(SqliteStore(tmp_path / "log.db", cluster=True)) as tl:
            fill(tl, 5)
            tl.record(id="big", kind="visit.state", when="2025", title="b", attributes={"n": 2**70})
            events = list(tl.events())
        assert events == _plain(tmp_path / "log.db")
        assert next(e for e in events if e.id == "big").attributes == {"n": 2**70}


class TestBinding:
    def test_appends_keep_it_bound(self, clustered: Timeline) -> None:
        """After each append the copy names the head's seq, hash and the live count."""
        seq, count, hash_ = _state(clustered)
        assert (seq, count, hash_) == (
            clustered.seq,
            len(clustered),
            clustered.store.record_hash(seq),
        )
        assert count == 39

    def test_a_failed_append_leaves_it(self, clustered: Timeline) -> None:
        """An append refused part way (a version conflict) changes neither the log nor the copy."""
        before = _state(clustered)
        with pytest.raises(timeline.TimelineError):
            clustered.record_many(
                [
                    {"id": "new", "kind": "visit.state", "when": "2025", "title": "n"},
                    {"id": "e001", "kind": "visit.state", "when": "2025", "title": "x"},
                ]
            )
        assert _state(clustered) == before
        assert timeline.verify(clustered.store.location).ok

    def test_a_writer_that_keeps_no_copy(self, clustered: Timeline, tmp_path: Path) -> None:
        """A writer that keeps none (an older version) leaves it lagging: unused, then caught up."""
        path = tmp_path / "log.db"
        other = Timeline(SqliteStore(path))
        other.store.backend._place = None  # as a version without the copy writes
        other.record(id="older", kind="visit.state", when="1700", title="o")
        lagging = Timeline(SqliteStore(path))
        assert _state(lagging)[0] == lagging.seq - 1
        assert lagging.store.backend.clustered_rows() is None
        assert next(e.id for e in lagging.events()) == "older"  # from the records
        lagging.record(id="newer", kind="visit.state", when="1600", title="n")
        assert _state(lagging)[:2] == (lagging.seq, len(lagging))
        assert list(lagging.events()) == _plain(path)
        assert timeline.verify(path).ok

    def test_a_copy_of_another_log_is_stale(self, clustered: Timeline, tmp_path: Path) -> None:
        """A binding whose hash is not the log's is never used, and an append marks it stale."""
        path = tmp_path / "log.db"
        db = sqlite3.connect(path)
        with db:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'clustered'",
                (f"{clustered.seq} {len(clustered)} {'0' * 64}",),
            )
        db.close()
        tl = Timeline(SqliteStore(path))
        assert tl.store.backend.clustered_batches(tl.seq, len(tl)) is None
        tl.record(id="x", kind="visit.state", when="2025", title="x")
        assert _state(tl) is None
        assert tl.store.backend._cluster.kept()
        assert list(tl.events()) == _plain(path)
        rebuilt = Timeline(SqliteStore(path, cluster=True))
        assert _state(rebuilt)[:2] == (rebuilt.seq, len(rebuilt))

    def test_dropped_and_kept(self, clustered: Timeline, tmp_path: Path) -> None:
        """None keeps the log's choice; False drops the table and its binding."""
        path = tmp_path / "log.db"
        assert _state(Timeline(SqliteStore(path))) is not None
        dropped = Timeline(SqliteStore(path, cluster=False))
        assert not dropped.store.backend._cluster.kept()
        dropped.record(id="x", kind="visit.state", when="2025", title="x")
        tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
        assert ("clustered",) not in tables

    def test_a_table_dropped_by_hand(self, clustered: Timeline, tmp_path: Path) -> None:
        """Its binding without its table: appends go on, marking it stale; walks read records."""
        db = sqlite3.connect(tmp_path / "log.db")
        db.execute("DROP TABLE clustered")
        db.close()
        clustered.record(id="x", kind="visit.state", when="2025", title="x")
        assert _state(clustered) is None
        assert list(clustered.events()) == _plain(tmp_path / "log.db")

    def test_a_record_that_does_not_decode_makes_none(
        self, clustered: Timeline, tmp_path: Path
    ) -> None:
        """Making it decodes every record: one that does not decode refuses it, nothing made."""
        path = tmp_path / "log.db"
        clustered.close()
        SqliteStore(path, cluster=False).close()
        db = sqlite3.connect(path)
        with db:
            db.execute(
                "INSERT INTO records (seq, stream, version, type, recorded_at, hash, line)"
                " VALUES (43, 'bad', 1, 'recorded', '2026-01-01T00:00:00.000000Z', ?, x'7b7d')",
                ("0" * 64,),
            )
        db.close()
        with pytest.raises(timeline.InvalidRecord, match=r"log\.db record: not a valid record"):
            SqliteStore(path, cluster=True)
        assert not SqliteStore(path).backend._cluster.kept()


class TestDamage:
    def _edit(self, path: Path, sql: str, *args: Any) -> None:
        db = sqlite3.connect(path)
        with db:
            db.execute(sql, args)
        db.close()

    def test_a_changed_event_is_reported_by_verify(
        self, clustered: Timeline, tmp_path: Path
    ) -> None:
        """A row's packed event edited: verify names it."""
        path = tmp_path / "log.db"
        row = sqlite3.connect(path).execute("SELECT seq, event FROM clustered LIMIT 1").fetchone()
        self._edit(
            path,
            "UPDATE clustered SET event = ? WHERE seq = ?",
            row[1].replace(b"T", b"X", 1),
            row[0],
        )
        report = timeline.verify(path)
        assert not report.ok
        assert report.first_bad_seq == row[0]
        assert "clustered copy" in str(report.reason)

    @pytest.mark.parametrize(
        "sql",
        [
            "DELETE FROM clustered WHERE stream = 'e010'",
            "UPDATE clustered SET key = x'0001' WHERE stream = 'e010'",
            "UPDATE clustered SET seq = 1 WHERE stream = 'e010'",
            "INSERT INTO clustered SELECT x'ff', 'e004', seq, x'' FROM records"
            " WHERE stream = 'e004' AND version = 1",
        ],
    )
    def test_rows_that_disagree_with_the_log(
        self, clustered: Timeline, tmp_path: Path, sql: str
    ) -> None:
        """A missing, misplaced, out-of-date or retracted row fails verify."""
        path = tmp_path / "log.db"
        self._edit(path, sql)
        report = timeline.verify(path)
        assert not report.ok
        assert "clustered copy" in str(report.reason)

    def test_an_undecodable_event_falls_back(self, clustered: Timeline, tmp_path: Path) -> None:
        """A packed event that does not decode: the walk reads the records from there."""
        path = tmp_path / "log.db"
        self._edit(path, "UPDATE clustered SET event = x'c1' WHERE stream = 'e020'")
        assert list(Timeline(SqliteStore(path)).events()) == _plain(path)

    def test_a_missing_row_is_a_corrupt_log(self, clustered: Timeline, tmp_path: Path) -> None:
        """Fewer rows than the binding says: the walk stops with CorruptLog, never short."""
        path = tmp_path / "log.db"
        self._edit(path, "DELETE FROM clustered WHERE stream = 'e010'")
        with pytest.raises(timeline.CorruptLog, match="clustered copy holds 38 events"):
            list(Timeline(SqliteStore(path)).events())

    def test_an_intact_copy_verifies(self, clustered: Timeline, tmp_path: Path) -> None:
        assert timeline.verify(tmp_path / "log.db").ok
