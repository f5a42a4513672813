"""The PostgreSQL store beside SQLite, in the same run: batched append, replay, follow latency.

Targets (issue 10): batched append into PostgreSQL at least 30,000 records/s and
within 3x of SQLite's; replay within 2x of SQLite's at 100k; a record committed
by one process reaches a follower in another within 50 ms (median of 100).

Each case runs the PostgreSQL and the SQLite side round by round and prints
both rates and their ratio (best round of each). The server is the one the
``postgres_server`` fixture gives (pgserver, or $GEOTIMELINE_TEST_PG).
"""

from __future__ import annotations

import itertools
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import timeline
import workload
from timeline._records import PendingRecord, RecordType
from timeline.testing._postgres import with_params

BATCHED = 10_000
BATCH = 1000
FOLLOWED = 100

_tmp = tempfile.TemporaryDirectory(prefix="geotimeline-bench-pg-")
_counter = itertools.count()


@pytest.fixture
def schemas(postgres_server: str) -> Iterator[list[str]]:
    """Log URLs of fresh schemas, each dropped after the case."""
    made: list[str] = []

    def drop() -> None:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            for url in made:
                schema = url.rpartition("schema=")[2].partition("&")[0]
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    yield made
    drop()


def _new_url(server: str, made: list[str], **params: str) -> str:
    url = with_params(server, schema=f"b_{uuid.uuid4().hex[:12]}", **params)
    made.append(url)
    return url


def _report(benchmark: Any, what: str, rates: dict[str, float], target: str) -> None:
    ratio = rates["sqlite"] / rates["postgresql"]
    benchmark.extra_info.update(rates=rates, sqlite_over_postgresql=ratio)
    print(
        f"\n{what}: postgresql {rates['postgresql']:,.0f}/s, sqlite {rates['sqlite']:,.0f}/s,"
        f" sqlite/postgresql {ratio:.2f}x (target: {target})"
    )


def test_append_batched_postgres_vs_sqlite(
    benchmark: Any, rounds: int, postgres_server: str, schemas: list[str]
) -> None:
    """record_many of built Events, 1,000 per batch, into fresh logs: hashed and chained."""
    count = BATCHED if benchmark.enabled else 200
    rng = random.Random(workload.SEED)
    events = [timeline.Event(**workload.make_event(rng)) for _ in range(count)]
    seconds: dict[str, list[float]] = {"postgresql": [], "sqlite": []}

    def one_pair() -> None:
        for kind in ("sqlite", "postgresql"):
            location = (
                str(Path(_tmp.name) / f"a{next(_counter)}.db")
                if kind == "sqlite"
                else _new_url(postgres_server, schemas)
            )
            tl = timeline.open(location, snapshot_every=0)
            started = time.perf_counter()
            for at in range(0, count, BATCH):
                tl.record_many(events[at : at + BATCH])
            seconds[kind].append(time.perf_counter() - started)
            assert count == tl.seq
            assert tl.verify().ok
            tl.close()

    benchmark.pedantic(one_pair, rounds=rounds)
    rates = {kind: count / min(times) for kind, times in seconds.items()}
    _report(benchmark, f"append batched ({count:,} events)", rates, "≥30,000/s and ≤3x")


def _load(paths: workload.Paths, url: str) -> None:
    """Copy the workload's records into a PostgreSQL log (same payloads, same order)."""
    store = timeline.PostgresStore(url)
    clock = workload.Clock()
    batch: list[PendingRecord] = []
    for raw in timeline.SqliteStore(paths.sqlite).read_raw():
        batch.append(
            PendingRecord(
                stream=raw.stream,
                version=raw.version,
                type=RecordType(raw.type),
                schema=raw.schema,
                payload=bytes(raw.payload),
            )
        )
        if len(batch) == 10_000:
            store.append(batch, clock)
            batch = []
    store.append(batch, clock)
    store.close()


def test_replay_postgres_vs_sqlite(
    benchmark: Any, n: int, paths: workload.Paths, rounds: int, postgres_server: str,
    schemas: list[str],
) -> None:  # fmt: skip
    """Open a log with no snapshot: a full replay into a queryable current state."""
    url = _new_url(postgres_server, schemas, clock="client")
    _load(paths, url)
    seconds: dict[str, list[float]] = {"postgresql": [], "sqlite": []}

    def one_pair() -> None:
        for kind in ("sqlite", "postgresql"):
            store: timeline.Store = (
                timeline.SqliteStore(paths.sqlite)
                if kind == "sqlite"
                else timeline.PostgresStore(url)
            )
            started = time.perf_counter()
            tl = timeline.Timeline(store, snapshot_every=0)
            seconds[kind].append(time.perf_counter() - started)
            assert n == tl.seq
            assert workload.live_events(n) == len(tl)
            tl.close()

    benchmark.pedantic(one_pair, rounds=rounds)
    rates = {kind: n / min(times) for kind, times in seconds.items()}
    _report(benchmark, f"replay ({n:,} records)", rates, "≤2x at 100k")


_WRITER = """
import sys, time, datetime as dt
from timeline import PostgresStore
from timeline.testing._stores import pending_recorded
store = PostgresStore(sys.argv[1])
now = lambda: dt.datetime.now(dt.timezone.utc)
for i in range(int(sys.argv[2])):
    time.sleep(0.02)
    ((seq, _, _),) = store.append([pending_recorded(f"f{i}")], now)
    print(seq, time.time(), flush=True)
store.close()
"""


def test_follow_latency(benchmark: Any, postgres_server: str, schemas: list[str]) -> None:
    """Commit in one process, seen by tl.follow() in another: median and worst of 100."""
    count = FOLLOWED if benchmark.enabled else 10
    url = _new_url(postgres_server, schemas)
    seen: dict[int, float] = {}
    latencies: list[float] = []

    def run() -> None:
        seen.clear()
        with timeline.open(url, snapshot_every=0) as tl:
            start = tl.seq
            ready = threading.Event()

            def follow() -> None:
                records = tl.follow(after=start, timeout=10)
                ready.set()
                for record in records:
                    seen[record.seq] = time.time()
                    if record.seq == start + count:
                        return

            thread = threading.Thread(target=follow)
            thread.start()
            ready.wait()
            writer = subprocess.run(
                [sys.executable, "-c", _WRITER, url, str(count)],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
            thread.join(timeout=30)
        committed = [line.split() for line in writer.stdout.splitlines() if line]
        latencies[:] = [seen[int(seq)] - float(at) for seq, at in committed]

    benchmark.pedantic(run, rounds=1)
    assert count == len(latencies)
    median = statistics.median(latencies) * 1000
    worst = max(latencies) * 1000
    benchmark.extra_info.update(median_ms=median, max_ms=worst)
    print(
        f"\nfollow latency ({count} commits, one writer process -> tl.follow in another):"
        f" median {median:.2f} ms, max {worst:.2f} ms (target: median ≤50 ms)"
    )
