"""Appends: one event at a time and in batches, per store; the peer and the floors.

Each round appends to a fresh, empty log. Every record we append is validated,
encoded, hashed and chained. Two inputs: plain field dicts (``when`` as text, so
validation and date parsing are included) and already-built ``Event`` objects
(the store, encoding and hashing path alone).
"""

from __future__ import annotations

import itertools
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

import peers
import timeline
import workload
from conftest import describe

#: Events per round for batched appends (1,000 per batch) and one-at-a-time appends.
BATCHED = 10_000
ONE_BY_ONE = {"memory": 1000, "sqlite": 1000, "jsonl": 200}
BATCH = 1000

_tmp = tempfile.TemporaryDirectory(prefix="geotimeline-bench-")
_counter = itertools.count()


def _fields(count: int) -> list[dict[str, Any]]:
    rng = random.Random(workload.SEED + count)
    return [workload.make_event(rng) for _ in range(count)]


def _fresh(kind: str) -> timeline.Timeline:
    if kind == "memory":
        return timeline.open(":memory:", snapshot_every=0)
    suffix = ".db" if kind == "sqlite" else ".jsonl"
    return timeline.open(Path(_tmp.name) / f"t{next(_counter)}{suffix}", snapshot_every=0)


def _count(benchmark: Any, n: int) -> int:
    return n if benchmark.enabled else min(n, 200)


STORES = ["memory", "sqlite", "jsonl"]


class TestOurs:
    @pytest.mark.parametrize("kind", STORES)
    @pytest.mark.parametrize("given", ["dicts", "events"])
    def test_append_batched(self, benchmark: Any, rounds: int, kind: str, given: str) -> None:
        """record_many in batches of 1,000 into a fresh log."""
        count = _count(benchmark, BATCHED)
        fields = _fields(count)
        items: list[Any] = fields
        if given == "events":
            items = [timeline.Event(**f) for f in fields]
        opened: list[timeline.Timeline] = []

        def setup() -> tuple[tuple[timeline.Timeline], dict[str, Any]]:
            opened.append(_fresh(kind))
            return (opened[-1],), {}

        def run(tl: timeline.Timeline) -> None:
            for at in range(0, count, BATCH):
                tl.record_many(items[at : at + BATCH])

        floor = {"sqlite": "F2 sqlite write", "jsonl": "F1 jsonl write"}.get(kind)
        describe(
            benchmark,
            f"append batched {kind} ({given})",
            0,
            count,
            vs_peer=f"peer append batched {'popo' if kind == 'memory' else 'sqlite'}",
            **({"vs_floor": floor} if floor else {}),
        )
        benchmark.pedantic(run, setup=setup, rounds=rounds)
        for tl in opened:
            assert count == tl.seq
            tl.close()

    @pytest.mark.parametrize("kind", STORES)
    def test_append_one_by_one(self, benchmark: Any, rounds: int, kind: str) -> None:
        """record() one event at a time (one transaction, or one fsync, each)."""
        count = _count(benchmark, ONE_BY_ONE[kind])
        items = [timeline.Event(**f) for f in _fields(count)]
        opened: list[timeline.Timeline] = []

        def setup() -> tuple[tuple[timeline.Timeline], dict[str, Any]]:
            opened.append(_fresh(kind))
            return (opened[-1],), {}

        def run(tl: timeline.Timeline) -> None:
            for event in items:
                tl.record(event)

        describe(
            benchmark,
            f"append one-by-one {kind}",
            0,
            count,
            vs_peer=f"peer append one-by-one {'popo' if kind == 'memory' else 'sqlite'}",
        )
        benchmark.pedantic(run, setup=setup, rounds=rounds)
        for tl in opened:
            assert count == tl.seq
            tl.close()


#: The logs ``test_append_batched_into_log`` appends into, and with which ids: the price of
#: generated ids is measured on the plain SQLite log alone.
INTO_LOGS = [
    ("random", "sqlite"),
    ("generated", "sqlite"),
    ("random", "sqlite clustered"),
    ("random", "jsonl"),
    ("random", "jsonl clustered"),
]


def _copy_of_log(paths: workload.Paths, log: str) -> Path:
    """Return a fresh copy of the n-record log (a JSON Lines one with its caches)."""
    kind = log.split()[0]
    if log.endswith("clustered"):
        source = workload.clustered_store(paths, kind)
    else:
        source = paths.sqlite if kind == "sqlite" else paths.jsonl
    copy = Path(_tmp.name) / f"large{next(_counter)}{source.suffix}"
    shutil.copyfile(source, copy)
    if kind == "jsonl" and Path(f"{source}.snapshots").is_dir():
        shutil.copytree(f"{source}.snapshots", f"{copy}.snapshots")
    return copy


class TestIntoLargeLog:
    @pytest.mark.parametrize(("ids", "log"), INTO_LOGS)
    def test_append_batched_into_log(
        self, benchmark: Any, n: int, paths: workload.Paths, rounds: int, ids: str, log: str
    ) -> None:
        """record_many of new events, 1,000 per batch, into a copy of the n-record log.

        ``random``: the workload's own ids (random hex, as an import with foreign
        ids has). ``generated``: ids the library generates (time-ordered UUIDv7).
        ``log``: SQLite or JSON Lines, plain or keeping its clustered copy.
        """
        count = _count(benchmark, BATCHED)
        fields = _fields(count)
        if ids == "generated":
            fields = [{k: v for k, v in f.items() if k != "id"} for f in fields]
        items = [timeline.Event(**f) for f in fields]
        opened: list[timeline.Timeline] = []

        def setup() -> tuple[tuple[timeline.Timeline], dict[str, Any]]:
            opened.append(timeline.open(_copy_of_log(paths, log), snapshot_every=0))
            return (opened[-1],), {}

        def run(tl: timeline.Timeline) -> None:
            for at in range(0, count, BATCH):
                tl.record_many(items[at : at + BATCH])

        describe(
            benchmark,
            f"append batched {log} into the log ({ids} ids)",
            n,
            count,
            **({"vs_floor": "F2 sqlite write"} if log == "sqlite" else {}),
        )
        benchmark.pedantic(run, setup=setup, rounds=rounds)
        for tl in opened:
            assert n + count == tl.seq
            assert tl.store.clustered == ("on" if log.endswith("clustered") else "off")
            tl.close()
            Path(tl.store.location).unlink()
            shutil.rmtree(f"{tl.store.location}.snapshots", ignore_errors=True)


def _flat(count: int) -> list[dict[str, Any]]:
    # The flat form of the same events the ours-cases append (recorded records).
    out = []
    for i, f in enumerate(_fields(count), 1):
        when = timeline.When.parse(f["when"])
        out.append(
            {
                "seq": i,
                "stream": f["id"],
                "version": 1,
                "type": "recorded",
                "kind": f["kind"],
                "when": when.edtf,
                "earliest": when.earliest.isoformat(),
                "latest": when.latest.isoformat(),
                "title": f["title"],
                "summary": f["summary"],
                "actors": f["actors"],
                "sources": f["sources"],
                "tags": sorted(f["tags"]),
                "reason": "",
            }
        )
    return out


class TestPeer:
    @pytest.mark.parametrize("store", ["popo", "sqlite"])
    def test_peer_append_batched(self, benchmark: Any, rounds: int, store: str) -> None:
        """eventsourcing: trigger_event with explicit versions, one save per 1,000."""
        count = _count(benchmark, BATCHED)
        records = _flat(count)

        def setup() -> tuple[tuple[peers.PeerApp, list[dict[str, Any]]], dict[str, Any]]:
            path = Path(_tmp.name) / f"p{next(_counter)}.sqlite"
            return (peers.PeerApp(peers.peer_env(store, path)), records), {}

        describe(benchmark, f"peer append batched {store}", 0, count, role="peer")
        benchmark.pedantic(peers.peer_append_batched, setup=setup, rounds=rounds)

    @pytest.mark.parametrize("store", ["popo", "sqlite"])
    def test_peer_append_one_by_one(self, benchmark: Any, rounds: int, store: str) -> None:
        """eventsourcing docs idiom: app.save(log.trigger_event(...)) per event."""
        count = _count(benchmark, 1000)
        records = _flat(count)

        def setup() -> tuple[tuple[peers.PeerApp, list[dict[str, Any]]], dict[str, Any]]:
            path = Path(_tmp.name) / f"p{next(_counter)}.sqlite"
            return (peers.PeerApp(peers.peer_env(store, path)), records), {}

        describe(benchmark, f"peer append one-by-one {store}", 0, count, role="peer")
        benchmark.pedantic(peers.peer_append_each, setup=setup, rounds=rounds)


class TestFloors:
    def test_floor_f2_write(self, benchmark: Any, rounds: int) -> None:
        """F2 write: sqlite3 executemany of JSON bodies in one transaction."""
        count = _count(benchmark, BATCHED)
        import orjson

        lines = [orjson.dumps(r) for r in _flat(count)]

        def setup() -> tuple[tuple[Path, list[bytes]], dict[str, Any]]:
            return (Path(_tmp.name) / f"f{next(_counter)}.sqlite", lines), {}

        describe(benchmark, "F2 sqlite write", 0, count, role="floor")
        benchmark.pedantic(peers.floor_f2_write, setup=setup, rounds=rounds)

    def test_floor_f1_write(self, benchmark: Any, rounds: int) -> None:
        """F1 write: orjson.dumps per line into one file, no fsync."""
        count = _count(benchmark, BATCHED)
        records = _flat(count)

        def setup() -> tuple[tuple[Path, list[dict[str, Any]]], dict[str, Any]]:
            return (Path(_tmp.name) / f"f{next(_counter)}.jsonl", records), {}

        describe(benchmark, "F1 jsonl write", 0, count, role="floor")
        benchmark.pedantic(peers.floor_f1_write, setup=setup, rounds=rounds)


class TestClusteredCopy:
    def test_keep_clustered_copy(
        self, benchmark: Any, n: int, paths: workload.Paths, rounds: int
    ) -> None:
        """What keeping a copy clustered in timeline order would add to each batched append.

        The price of the design behind test_replay's "clustered floor": the same 10,000
        events as ``test_append_batched_into_log``, 1,000 a batch, each inserted as msgpack
        into a copy of the n-event clustered table at a random place in timeline order
        (the workload's dates are random), in WAL mode with the store's pragmas and a
        commit a batch. Compare its rate with that case's, in the same run.
        """
        import sqlite3

        import msgspec

        count = _count(benchmark, BATCHED)
        encode = msgspec.msgpack.Encoder().encode
        rng = random.Random(workload.SEED)
        live = workload.live_events(n)
        rows = [
            (rng.randrange(1, live * workload.CLUSTER_GAP).to_bytes(8, "big"), encode(e))
            for e in (timeline.Event(**f) for f in _fields(count))
        ]
        source = workload.clustered(paths)
        opened: list[tuple[sqlite3.Connection, Path]] = []

        def setup() -> tuple[tuple[sqlite3.Connection], dict[str, Any]]:
            copy = Path(_tmp.name) / f"clustered{next(_counter)}.sqlite"
            shutil.copyfile(source, copy)
            db = sqlite3.connect(copy, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            opened.append((db, copy))
            return (db,), {}

        def run(db: sqlite3.Connection) -> None:
            for at in range(0, count, BATCH):
                db.execute("BEGIN")
                db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?)", rows[at : at + BATCH])
                db.execute("COMMIT")

        case = "keep a clustered copy at append (its added cost)"
        describe(benchmark, case, n, count, role="info")
        benchmark.pedantic(run, setup=setup, rounds=rounds)
        for db, copy in opened:
            (kept,) = db.execute("SELECT count(*) FROM events").fetchone()
            assert live < kept <= live + count
            db.close()
            for extra in ("", "-wal", "-shm"):
                Path(f"{copy}{extra}").unlink(missing_ok=True)
