"""A JSON Lines log's clustered copy (``_clusterfile``): a cache beside the log, bound to it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.test_sqlitecluster import fill

import timeline
import timeline._sqlitecluster as cluster_module
from timeline import JsonlStore, MemoryStore, Timeline
from timeline._clusterfile import ClusterFile


def _copy_db(path: Path) -> Path:
    return Path(f"{path}.snapshots") / "clustered.db"


def _plain(path: Path) -> list[timeline.Event]:
    """The events as the lines give them (the log copied without its caches)."""
    other = path.with_name("plain.jsonl")
    shutil.copyfile(path, other)
    shutil.rmtree(f"{other}.snapshots", ignore_errors=True)
    with Timeline(JsonlStore(other), snapshot_every=0) as tl:
        assert tl.store.clustered == "off"
        return list(tl.events())


def _state(tl: Timeline) -> Any:
    cluster = tl.store.backend._cluster._opened()
    return None if cluster is None else cluster.state()


def _no_records(tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seqs: Any) -> Any:
        raise AssertionError("the walk read records")

    monkeypatch.setattr(tl.store, "records_at", refuse)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.jsonl"


@pytest.fixture
def clustered(path: Path) -> Timeline:
    tl = Timeline(JsonlStore(path, cluster=True))
    fill(tl)
    return tl


class TestWalk:
    def test_the_walk_reads_the_copy_alone(
        self, clustered: Timeline, path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every live event, in timeline order, with no line decoded."""
        expected = _plain(path)
        _no_records(clustered, monkeypatch)
        assert list(clustered.events()) == expected
        assert clustered.store.clustered == "on"

    def test_another_process_reads_it(self, clustered: Timeline, path: Path) -> None:
        """A timeline opened later (from its snapshot) walks the copy too."""
        clustered.close()
        with Timeline(JsonlStore(path)) as tl:
            assert tl.store.backend.clustered_batches(tl.seq, len(tl)) is not None
            assert list(tl.events()) == _plain(path)

    def test_an_append_during_the_walk(
        self, clustered: Timeline, path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The copy moves part way: the walk goes on from the lines, as of its query."""
        monkeypatch.setattr(cluster_module, "CLUSTER_BATCH", 7)
        expected = _plain(path)
        walk = iter(clustered.events())
        first = [next(walk) for _ in range(10)]
        clustered.record(id="late", kind="visit.state", when="1800", title="late")
        assert first + list(walk) == expected
        assert clustered.events()[0].id == "late"


class TestBinding:
    def test_appends_keep_it_bound(self, clustered: Timeline) -> None:
        """After each append the copy names the head's seq, hash and the live count."""
        assert _state(clustered) == (
            clustered.seq,
            len(clustered),
            clustered.store.record_hash(clustered.seq),
        )

    def test_made_from_an_existing_log(self, path: Path) -> None:
        """'cluster on' over a log kept without it reads every line once."""
        with Timeline(JsonlStore(path)) as tl:
            fill(tl)
            assert tl.store.clustered == "off"
            assert not _copy_db(path).exists()
        with Timeline(JsonlStore(path, cluster=True)) as tl:
            assert _state(tl) == (tl.seq, len(tl), tl.store.record_hash(tl.seq))
            assert list(tl.events()) == _plain(path)

    def test_a_copy_left_behind_is_caught_up(self, clustered: Timeline, path: Path) -> None:
        """Lines appended without the copy (a crash after the fsync, another version's writer)
        leave it lagging: unused, then caught up by the next append."""
        other = Timeline(JsonlStore(path))
        other.store.backend._place = None  # as a version without the copy writes
        other.record(id="older", kind="visit.state", when="1700", title="o")
        lagging = Timeline(JsonlStore(path))
        assert _state(lagging)[0] == lagging.seq - 1
        assert lagging.store.clustered == "stale"
        assert next(e.id for e in lagging.events()) == "older"  # from the lines
        lagging.record(id="newer", kind="visit.state", when="1600", title="n")
        assert _state(lagging)[:2] == (lagging.seq, len(lagging))
        assert list(lagging.events()) == _plain(path)
        assert timeline.verify(path).ok

    def test_failing_to_write_it_keeps_the_append(
        self, clustered: Timeline, path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The copy's write fails (a full disk): the append stands, the copy lags, unused."""

        def full(*args: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(cluster_module.SqliteCluster, "append", full)
        clustered.record(id="kept", kind="visit.state", when="1700", title="k")
        monkeypatch.undo()
        assert "kept" in Timeline(JsonlStore(path))
        assert _state(clustered)[0] == clustered.seq - 1
        assert list(clustered.events()) == _plain(path)

    def test_a_shortened_log(self, clustered: Timeline, path: Path) -> None:
        """The log cut back (an older copy of the file put back): the copy is never used."""
        clustered.close()
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:30]))
        with Timeline(JsonlStore(path), snapshot_every=0) as tl:
            assert tl.store.clustered == "stale"
            assert list(tl.events()) == _plain(path)
            tl.record(id="x", kind="visit.state", when="2025", title="x")
            assert _state(tl) is None  # marked stale: no append keeps it
        with Timeline(JsonlStore(path, cluster=True)) as tl:
            assert tl.store.clustered == "on"
            assert list(tl.events()) == _plain(path)

    def test_another_log_put_in_its_place(
        self, clustered: Timeline, path: Path, tmp_path: Path
    ) -> None:
        """A log of as many records and events, another chain: the copy is never used."""
        clustered.close()
        other = tmp_path / "other.jsonl"
        with Timeline(JsonlStore(other)) as tl:
            fill(tl)  # recorded at other times: other hashes
        shutil.copyfile(other, path)
        with Timeline(JsonlStore(path)) as tl:
            assert (tl.seq, len(tl)) == _state(tl)[:2]  # the same seq and count...
            assert tl.store.clustered == "stale"  # ...but not the log's hash there
            assert tl.store.backend.clustered_batches(tl.seq, len(tl)) is None
            assert list(tl.events()) == _plain(path)

    def test_a_damaged_file_is_made_anew(self, clustered: Timeline, path: Path) -> None:
        """Not a database: walks read the lines, appends go on, 'cluster on' makes it anew."""
        clustered.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{_copy_db(path)}{suffix}").unlink(missing_ok=True)
        _copy_db(path).write_bytes(b"not a database at all" * 100)
        with Timeline(JsonlStore(path)) as tl:
            assert tl.store.clustered == "stale"
            assert list(tl.events()) == _plain(path)
            tl.record(id="x", kind="visit.state", when="2025", title="x")
            assert "x" in tl
        with Timeline(JsonlStore(path, cluster=True)) as tl:
            assert tl.store.clustered == "on"
            assert list(tl.events()) == _plain(path)

    def test_dropped(self, clustered: Timeline, path: Path) -> None:
        """False removes the copy's files; None keeps the log's choice."""
        clustered.close()
        with Timeline(JsonlStore(path)) as tl:
            assert tl.store.clustered == "on"
        with Timeline(JsonlStore(path, cluster=False)) as tl:
            assert tl.store.clustered == "off"
            tl.record(id="x", kind="visit.state", when="2025", title="x")
        assert not _copy_db(path).exists()
        assert list(Path(f"{path}.snapshots").glob("clustered.db*")) == []

    def test_dropped_and_made_by_another_process(self, clustered: Timeline, path: Path) -> None:
        """This process notices the copy's file removed, then made anew, by another."""
        assert list(clustered.events()) == _plain(path)  # its connections open
        JsonlStore(path, cluster=False).close()
        assert clustered.store.clustered == "off"
        assert clustered.store.backend.clustered_batches(clustered.seq, len(clustered)) is None
        assert not _copy_db(path).exists()  # nothing made again by asking
        clustered.record(id="x", kind="visit.state", when="2025", title="x")
        JsonlStore(path, cluster=True).close()
        clustered.record(id="y", kind="visit.state", when="2025", title="y")
        assert _state(clustered)[:2] == (clustered.seq, len(clustered))
        assert list(clustered.events()) == _plain(path)

    def test_inspect_only_refuses_to_make_it(self, path: Path) -> None:
        JsonlStore(path).close()
        with pytest.raises(timeline.ReadOnlyTimeline):
            JsonlStore(path, inspect=True, cluster=True)
        assert not _copy_db(path).exists()

    def test_a_store_that_keeps_none(self) -> None:
        """A store with no copy refuses to make one and says it is off."""
        store = MemoryStore()
        with pytest.raises(timeline.TimelineError, match="keeps no clustered copy"):
            store.keep_clustered(True)
        store.keep_clustered(False)
        assert store.clustered == "off"


class TestDamage:
    def _edit(self, path: Path, sql: str, *args: Any) -> None:
        db = sqlite3.connect(_copy_db(path))
        with db:
            db.execute(sql, args)
        db.close()

    def test_a_changed_event_is_reported_by_verify(self, clustered: Timeline, path: Path) -> None:
        """A row's packed event edited: verify names it."""
        row = (
            sqlite3.connect(_copy_db(path))
            .execute("SELECT seq, event FROM clustered LIMIT 1")
            .fetchone()
        )
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

    def test_a_missing_row_is_a_corrupt_log(self, clustered: Timeline, path: Path) -> None:
        """Fewer rows than the binding says: the walk stops with CorruptLog, never short."""
        self._edit(path, "DELETE FROM clustered WHERE stream = 'e010'")
        with pytest.raises(timeline.CorruptLog, match="clustered copy holds 38 events"):
            list(Timeline(JsonlStore(path)).events())

    def test_a_last_line_that_is_not_a_record(self, clustered: Timeline, path: Path) -> None:
        """verify reports the line, with a copy beside the log as without one."""
        clustered.close()
        path.write_bytes(path.read_bytes()[:-20] + b"\x00" * 19 + b"\n")
        report = timeline.verify(path)
        assert (report.ok, report.first_bad_seq) == (False, 42)

    def test_an_intact_copy_verifies(self, clustered: Timeline, path: Path) -> None:
        assert timeline.verify(path).ok


def test_every_method_but_the_walk_needs_no_database(tmp_path: Path) -> None:
    """A log with no copy: nothing is made by asking about it."""
    copy = ClusterFile(tmp_path / "x.snapshots" / "clustered.db", "x", lambda seq: None, iter)
    assert not copy.kept()
    assert copy.batches(3, 2) is None
    assert copy.rows(3) is None
    copy.close()
    assert not (tmp_path / "x.snapshots").exists()
