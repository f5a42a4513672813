"""Following a log (tl.follow, Store.wait) on the polled stores: SQLite, JSON Lines, memory."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import timeline
from timeline import JsonlStore, MemoryStore, SqliteStore, Store
from timeline._follow import follow_records
from timeline.testing._stores import pending_recorded


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


OPENERS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda d: SqliteStore(d / "log.db"),
    "jsonl": lambda d: JsonlStore(d / "log.jsonl"),
}


@pytest.mark.parametrize("kind", sorted(OPENERS))
def test_follow_sees_another_writers_records_once_in_order(tmp_path: Path, kind: str) -> None:
    """Records another store instance appends meanwhile are yielded once each, in seq order."""
    writer, reader = OPENERS[kind](tmp_path), OPENERS[kind](tmp_path)
    writer.append([pending_recorded("before")], utc_now)

    def write() -> None:
        for i in range(5):
            time.sleep(0.02)
            writer.append([pending_recorded(f"w{i}a"), pending_recorded(f"w{i}b")], utc_now)

    thread = threading.Thread(target=write)
    thread.start()
    seen = []
    for record in follow_records(reader, 0, timeout=1.0):
        seen.append(record.seq)
        if record.seq == 11:
            break
    thread.join()
    assert list(range(1, 12)) == seen
    writer.close()
    reader.close()


@pytest.mark.parametrize("kind", sorted(OPENERS))
def test_wait(tmp_path: Path, kind: str) -> None:
    """wait() is True at once when the head is past ``after``, False after the timeout."""
    store = OPENERS[kind](tmp_path)
    store.append([pending_recorded("a")], utc_now)
    assert store.wait(0, timeout=0)
    started = time.monotonic()
    assert not store.wait(1, timeout=0.1)
    assert 0.1 <= time.monotonic() - started < 2
    store.close()


def test_follow_stops_when_idle_on_memory() -> None:
    """On a memory store, follow yields what is there and stops after the idle timeout."""
    store = MemoryStore()
    store.append([pending_recorded("a"), pending_recorded("b")], utc_now)
    assert [2] == [r.seq for r in follow_records(store, 1, timeout=0.05)]


def test_timeline_follow_starts_at_its_seq_and_keeps_its_state(tmp_path: Path) -> None:
    """tl.follow() yields only new records by default, and queries on tl see them."""
    path = tmp_path / "log.db"
    with timeline.open(path) as reading, timeline.open(path) as writing:
        writing.record(kind="treaty.signed", when="2025", title="old", actors=["FRA"])
        reading.refresh()
        follower = reading.follow(timeout=2)
        new = writing.record(kind="treaty.signed", when="2026", title="new", actors=["DEU"])
        record = next(follower)
        follower.close()
        assert new.id == record.stream
        assert 2 == record.seq
        assert "new" == reading.get(new.id).title
        assert [1, 2] == [r.seq for r in reading.follow(after=0, timeout=0.05)]


def test_closed_timeline_cannot_follow() -> None:
    """Following a closed timeline is a TimelineError."""
    tl = timeline.open(":memory:")
    tl.close()
    with pytest.raises(timeline.TimelineError, match="closed"):
        next(tl.follow(timeout=0))


def test_cli_follow_json_on_sqlite(tmp_path: Path) -> None:
    """timeline follow --json prints one JSON record per line, in seq order, then stops."""
    path = tmp_path / "log.db"
    with timeline.open(path) as tl:
        tl.record(kind="treaty.signed", when="2025-02-18", title="RELOS", actors=["RUS"])
        tl.record(kind="treaty.signed", when="2025-03-01", title="Second", actors=["IND"])
    argv = ["--db", str(path), "follow", "--after", "1", "--timeout", "0.2", "--json"]
    result = subprocess.run(
        [sys.executable, "-m", "timeline", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == result.returncode, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [2] == [r["seq"] for r in records]
    assert "Second" == records[0]["payload"]["event"]["title"]
