"""Processes the PostgreSQL tests start: concurrent writers, and a writer killed mid-batch.

Run as ``python tests/pg_worker.py writer URL INDEX COUNT STREAMS`` or
``python tests/pg_worker.py batches URL SIZE``.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from timeline import ConcurrencyError, PostgresStore, RecordType
from timeline._records import CURRENT_SCHEMA, PendingRecord
from timeline.testing._stores import pending_recorded


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def writer(url: str, index: int, count: int, streams: int) -> None:
    """Append ``count`` times to random shared streams; print wins and losses."""
    store = PostgresStore(url)
    rng = random.Random(index)
    known: dict[str, int] = {}  # what this writer believes each stream's version is
    wins = losses = 0
    for i in range(count):
        stream = f"s{rng.randrange(streams)}"
        version = known.get(stream, 0) + 1
        kind = RecordType.RECORDED if version == 1 else RecordType.AMENDED
        try:
            store.append([pending_recorded(f"w{index}-{i}", stream, version, kind)], utc_now)
        except ConcurrencyError as exc:
            # The optimistic pattern: learn the current version and try later.
            known[stream] = exc.actual
            losses += 1
        else:
            known[stream] = version
            wins += 1
    store.close()
    print(wins, losses, flush=True)


def batches(url: str, size: int) -> None:
    """Append batches of ``size`` records forever; print "ready" after the first commits."""
    store = PostgresStore(url)
    payload = pending_recorded("bulk").payload
    schema = CURRENT_SCHEMA[RecordType.RECORDED.value]
    for n in range(10**6):
        store.append(
            [
                PendingRecord(
                    stream=f"b{n}-{i}",
                    version=1,
                    type=RecordType.RECORDED,
                    schema=schema,
                    payload=payload,
                )
                for i in range(size)
            ],
            utc_now,
        )
        if n == 0:
            print("ready", flush=True)


if __name__ == "__main__":
    command, url, *rest = sys.argv[1:]
    if command == "writer":
        writer(url, *map(int, rest))
    else:
        batches(url, int(rest[0]))
