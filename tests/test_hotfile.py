"""The JSON Lines hot file (``_hotfile``): a replay reads it instead of the lines, never trusts it.

Every test compares a timeline opened over the hot file with the same log replayed from
its lines alone (the hot file removed), so a wrong row shows as a wrong answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import filelock
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from timeline._hotfile import _HEADER, HotFile
from timeline._jsonl import JsonlBackend
from timeline._records import RecordType
from timeline.testing import append_pending
from timeline.testing._stores import pending_recorded

from .strategies import operations
from .test_timeline import apply_ops, state_of


def hot_path(log: Path) -> Path:
    return Path(f"{log}.snapshots", "hot")


def write_log(log: Path, appends: int = 3, per: int = 4) -> None:
    with timeline.open(log, snapshot_every=0) as tl:
        for a in range(appends):
            tl.record_many(
                [
                    {
                        "kind": "treaty.signed" if i % 2 else "visit.state",
                        "when": f"20{10 + a}-0{1 + i % 9}-1{i % 9}",
                        "title": f"e{a}.{i}",
                        "actors": ["FRA", "DEU"][: 1 + i % 2],
                        "tags": [f"t{i % 3}"],
                    }
                    for i in range(per)
                ]
            )
        first = next(iter(tl.events()))
        tl.amend(first.id, title="amended", reason="test")
        tl.retract(list(tl.events())[-1].id, reason="test")


def answers(log: Path) -> list[Any]:
    """What a reader sees: every event with its version, and a few filtered queries."""
    with timeline.open(log, snapshot_every=0) as tl:
        return [
            state_of(tl),
            [e.id for e in tl.events(actor="DEU")],
            [e.id for e in tl.events(kind="treaty.*")],
            [e.id for e in tl.events(tag="t1")],
            [e.id for e in tl.events(between=("2011-01-01", "2011-12-31"))],
            [e.id for e in tl.as_of(seq=min(5, tl.seq)).events()],
        ]


def from_lines(log: Path, tmp_path: Path) -> list[Any]:
    """The answers of a copy of the log with no hot file (replayed from its lines)."""
    copy = tmp_path / "lines-only" / log.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(log, copy)
    return answers_without_keeping(copy)


def answers_without_keeping(log: Path) -> list[Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(JsonlBackend, "keep_hot", lambda self, decoded: None)
        return answers(log)


def no_lines_read(mp: pytest.MonkeyPatch) -> list[tuple[int, int | None]]:
    """Make the backend record every range of lines it is asked for."""
    asked: list[tuple[int, int | None]] = []
    real = JsonlBackend.lines

    def lines(self: JsonlBackend, after: int = 0, until: int | None = None) -> Any:
        asked.append((after, until))
        return real(self, after, until)

    mp.setattr(JsonlBackend, "lines", lines)
    return asked


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log.jsonl"
    write_log(path)
    return path


class TestWrittenOnAppend:
    def test_the_store_keeps_one_and_a_replay_reads_no_line(
        self, log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every append adds its rows; a replay then asks for no line before the head."""
        assert hot_path(log).exists()
        expected = from_lines(log, tmp_path)
        asked = no_lines_read(monkeypatch)
        with timeline.open(log, snapshot_every=0) as tl:
            head = tl.seq
            assert len(tl) == 11
        assert all(after >= head for after, _ in asked)
        assert answers(log) == expected

    def test_it_covers_every_record(self, log: Path) -> None:
        backend = JsonlBackend(log)
        assert backend._hot.end()[0] == backend.head() == 14

    def test_offsets_come_from_it(self, log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Events read on demand are found at the offsets the hot file's lengths give."""
        asked = no_lines_read(monkeypatch)
        with timeline.open(log, snapshot_every=0) as tl:
            titles = sorted(e.title for e in tl.events())
        assert "amended" in titles
        assert len(titles) == 11
        assert all(after >= 14 for after, _ in asked)


def blocks_in(log: Path) -> int:
    path = hot_path(log)
    with path.open("rb") as f:
        return len(HotFile(path)._forward(f, path.stat().st_size))


class TestCompaction:
    def test_a_log_written_an_event_at_a_time_is_compacted_on_open(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One block per append at first; the next whole read joins them into one."""
        log = tmp_path / "log.jsonl"
        with timeline.open(log, snapshot_every=0) as tl:
            for n in range(30):
                tl.record(kind="visit.state", when=f"2020-01-{n % 28 + 1:02d}", title=f"{n}")
        assert blocks_in(log) == 30
        expected = from_lines(log, tmp_path)
        assert answers(log) == expected
        assert blocks_in(log) == 1
        asked = no_lines_read(monkeypatch)
        assert answers(log) == expected
        assert all(after >= 30 for after, _ in asked)

    def test_appends_after_compaction_continue_it(self, tmp_path: Path) -> None:
        log = tmp_path / "log.jsonl"
        with timeline.open(log, snapshot_every=0) as tl:
            for n in range(12):
                tl.record(kind="visit.state", when="2020", title=f"{n}")
        with timeline.open(log, snapshot_every=0) as tl:
            tl.record(kind="visit.state", when="2021", title="after")
        assert blocks_in(log) == 2
        assert JsonlBackend(log)._hot.end()[0] == 13
        assert answers(log) == from_lines(log, tmp_path)


class TestNeverTrusted:
    def test_a_log_without_one_gets_it_on_open(self, log: Path, tmp_path: Path) -> None:
        """A log an older version wrote (no hot file) replays from its lines and gains one."""
        expected = from_lines(log, tmp_path)
        hot_path(log).unlink()
        assert answers(log) == expected
        assert JsonlBackend(log)._hot.end()[0] == 14
        assert timeline.verify(log).ok  # rows decoded from lines say what appended rows say

    @pytest.mark.parametrize("cut", [1, 5, 40])
    def test_a_torn_tail_is_not_read_and_is_written_again(
        self, log: Path, tmp_path: Path, cut: int
    ) -> None:
        expected = from_lines(log, tmp_path)
        path = hot_path(log)
        path.write_bytes(path.read_bytes()[:-cut])
        assert answers(log) == expected
        assert JsonlBackend(log)._hot.end()[0] == 14

    def test_garbage_is_not_read(self, log: Path, tmp_path: Path) -> None:
        expected = from_lines(log, tmp_path)
        hot_path(log).write_bytes(b"\x00garbage" * 100)
        assert answers(log) == expected

    def test_a_changed_byte_fails_the_digest(self, log: Path, tmp_path: Path) -> None:
        expected = from_lines(log, tmp_path)
        path = hot_path(log)
        data = bytearray(path.read_bytes())
        data[_HEADER.size + 20] ^= 0x01  # inside the first block's payload
        path.write_bytes(bytes(data))
        assert answers_without_keeping(log) == expected

    def test_another_logs_file_is_not_read(self, log: Path, tmp_path: Path) -> None:
        """Same shape, other records: the last hash of each block is not this log's."""
        other = tmp_path / "other" / "log.jsonl"
        other.parent.mkdir()
        write_log(other)
        expected = from_lines(log, tmp_path)
        shutil.copyfile(hot_path(other), hot_path(log))
        assert answers_without_keeping(log) == expected
        answers(log)  # written again from the lines
        assert JsonlBackend(log)._hot.end()[0] == 14
        with timeline.open(log, snapshot_every=0) as tl:
            assert not tl.repairs  # a cache rebuilt is no repair of the log
            assert state_of(tl) == expected[0]

    def test_a_hot_file_that_lags_is_caught_up(self, log: Path) -> None:
        """Rows missing at the end (a crash, an older version's log): decoded, then kept."""
        path = hot_path(log)
        with path.open("rb") as f:
            second = HotFile(path)._forward(f, path.stat().st_size)[1]
        path.write_bytes(path.read_bytes()[: second.end])  # the first two appends' blocks
        with timeline.open(log, snapshot_every=0) as tl:
            assert not tl.repairs
            assert len(tl) == 11
        assert JsonlBackend(log)._hot.end()[0] == 14

    def test_a_log_cut_back_is_read_to_its_head(self, log: Path, tmp_path: Path) -> None:
        """As after ``git checkout`` of an older version of the file: fewer lines than rows."""
        lines = log.read_bytes().splitlines(keepends=True)
        log.write_bytes(b"".join(lines[:8]))  # the first two appends
        expected = from_lines(log, tmp_path)
        got = answers(log)
        assert got == expected
        assert len(got[0]) == 8
        assert JsonlBackend(log)._hot.end()[0] == 8  # cut back and written again

    def test_a_rewritten_line_of_another_length_is_read_from_the_lines(
        self, log: Path, tmp_path: Path
    ) -> None:
        """A line edited to another length moves every later line: their offsets are relearnt."""
        data = log.read_bytes()
        lines = data.splitlines(keepends=True)
        # Re-encode line 2 with its payload padded by JSON whitespace: the same record to
        # the chain's eyes is not the same bytes (verify reports it), later lines move.
        head, payload = lines[1].split(b',"payload":', 1)
        lines[1] = head + b',"payload": ' + payload
        log.write_bytes(b"".join(lines))
        with timeline.open(log, snapshot_every=0) as tl:
            assert len(list(tl.events())) == 11

    def test_a_crash_before_the_hot_rows_are_written(
        self, log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The log has the append, the hot file not: the next open decodes it and keeps it."""

        def fail(self: HotFile, blocks: Any, after: int) -> None:
            raise OSError("disk full")

        with monkeypatch.context() as mp:
            mp.setattr(HotFile, "append", fail)
            with timeline.open(log, snapshot_every=0) as tl:
                tl.record(kind="visit.state", when="2020-02-02", title="late", actors=["ITA"])
        assert JsonlBackend(log)._hot.end()[0] == 14
        expected = from_lines(log, tmp_path)
        assert answers(log) == expected
        assert JsonlBackend(log)._hot.end()[0] == 15
        with timeline.open(log, snapshot_every=0) as tl:
            assert [e.title for e in tl.events(actor="ITA")] == ["late"]

    def test_a_reader_never_waits_for_the_lock(self, log: Path, tmp_path: Path) -> None:
        """While another writer holds the lock, a replay keeps nothing (and does not wait)."""
        expected = from_lines(log, tmp_path)
        hot_path(log).unlink()
        store = timeline.JsonlStore(log)  # opening takes the lock to repair; then free
        with filelock.FileLock(f"{log}.lock", timeout=0):
            tl = timeline.Timeline(store, snapshot_every=0)
            assert state_of(tl) == expected[0]
            assert not hot_path(log).exists()
            tl.close()
        assert answers(log) == expected
        assert hot_path(log).exists()

    def test_a_read_only_directory_costs_nothing_but_time(
        self, log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        expected = from_lines(log, tmp_path)
        hot_path(log).unlink()
        monkeypatch.setattr(HotFile, "append", lambda self, blocks, after: _raise())
        assert answers(log) == expected


def _raise() -> None:
    raise PermissionError("read-only")


class TestWriters:
    @pytest.mark.parametrize("damage", ["none", "torn", "missing"])
    def test_a_new_writer_knows_every_streams_version(self, log: Path, damage: str) -> None:
        """A process's first append checks versions the hot file gave (and the lines after it)."""
        path = hot_path(log)
        if damage == "torn":
            path.write_bytes(path.read_bytes()[:-30])
        elif damage == "missing":
            path.unlink()
        with timeline.open(log, snapshot_every=0) as tl:
            amended = next(e.id for e in tl.events() if e.title == "amended")
            other = next(e.id for e in tl.events() if e.title != "amended")
        backend = JsonlBackend(log)
        with pytest.raises(timeline.ConcurrencyError):
            append_pending(backend, [pending_recorded("again", amended, 2, RecordType.AMENDED)])
        with pytest.raises(timeline.ConcurrencyError):
            append_pending(backend, [pending_recorded("again", other, 1)])
        rows = append_pending(backend, [pending_recorded("ok", amended, 3, RecordType.AMENDED)])
        assert (rows[0].seq, rows[0].version) == (15, 3)
        assert JsonlBackend(log).head() == 15
        assert timeline.verify(log).ok


_WRITER = """
import sys, timeline
path, worker = sys.argv[1], sys.argv[2]
for i in range(20):
    with timeline.open(path, snapshot_every=0) as tl:
        if i % 3:
            tl.record(kind="visit.state", when="2020-02-02", title=f"{worker}-{i}", actors=["IND"])
        else:
            tl.record_many([{"kind": "visit.state", "when": "2021", "title": f"{worker}-{i}-{k}"}
                            for k in range(3)])
        if i % 5 == 0:  # its own events only: the other writer's may change meanwhile
            mine = next(e for e in tl.events() if e.title.startswith(worker + "-"))
            tl.amend(mine.id, title=mine.title + "!", reason="test")
"""

_READER = """
import sys, timeline
for i in range(20):
    with timeline.open(sys.argv[1], snapshot_every=0) as tl:
        list(tl.events(actor="IND"))
"""


def test_writers_and_readers_in_other_processes(tmp_path: Path) -> None:
    """Processes appending and replaying at once leave a hot file that covers every record."""
    log = tmp_path / "log.jsonl"
    timeline.open(log).close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(log), w]) for w in "ab"]
    procs.append(subprocess.Popen([sys.executable, "-c", _READER, str(log)]))
    assert [0, 0, 0] == [p.wait(120) for p in procs]
    head = JsonlBackend(log).head()
    assert head == 2 * (13 + 7 * 3 + 4)  # 13 single and 7 triple appends, 4 amendments each
    assert JsonlBackend(log)._hot.end()[0] == head
    assert answers_without_keeping(log) == from_lines(log, tmp_path)
    assert timeline.verify(log).ok


def _forge_first_block(log: Path, change: Callable[[list[Any]], None]) -> None:
    """Change the first block's payload in place (same size) and give it a fresh digest."""
    path = hot_path(log)
    data = bytearray(path.read_bytes())
    magic, first, count, size, line_at, _ = _HEADER.unpack_from(data, 0)
    start = _HEADER.size
    payload = msgspec.msgpack.decode(bytes(data[start : start + size]))
    change(payload)
    forged = msgspec.msgpack.encode(payload)
    assert len(forged) == size
    digest = hashlib.blake2b(forged, digest_size=16).digest()
    data[: _HEADER.size] = _HEADER.pack(magic, first, count, size, line_at, digest)
    data[start : start + size] = forged
    path.write_bytes(bytes(data))


class TestVerify:
    def test_a_forged_row_is_found(self, log: Path) -> None:
        """Rows rewritten with a fresh digest pass the reader's checks, not verify's."""

        def later_day(payload: list[Any]) -> None:
            rows = bytearray(payload[4])
            # The first record's earliest day (third int32 of its row): a year later.
            day = int.from_bytes(rows[8:12], "little") + 365
            rows[8:12] = day.to_bytes(4, "little")
            payload[4] = bytes(rows)

        _forge_first_block(log, later_day)
        report = timeline.verify(log)
        assert not report.ok
        assert report.first_bad_seq == 1
        assert "query columns" in (report.reason or "")

    def test_a_forged_stream_is_found(self, log: Path) -> None:
        """A block naming another event for a record (a fresh digest) fails verify."""

        def swapped(payload: list[Any]) -> None:
            streams = payload[2]
            assert isinstance(streams, list)
            assert len(streams) >= 2
            assert streams[0] != streams[1]
            streams[0], streams[1] = streams[1], streams[0]

        _forge_first_block(log, swapped)
        report = timeline.verify(log)
        assert not report.ok
        assert report.first_bad_seq == 1
        assert "index columns" in (report.reason or "")

    def test_an_intact_log_verifies(self, log: Path) -> None:
        assert timeline.verify(log).ok


class TestProperty:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        ops=operations(max_size=12),
        splits=st.lists(st.integers(0, 11), max_size=3),
        cut=st.integers(0, 200),
    )
    def test_any_writes_and_any_torn_tail_replay_as_the_lines_do(
        self, tmp_path_factory: pytest.TempPathFactory, ops: Any, splits: list[int], cut: int
    ) -> None:
        """Writes in several sessions, the hot file then cut anywhere: the same state."""
        base = tmp_path_factory.mktemp("hot")
        log = base / "log.jsonl"
        bounds = sorted({0, len(ops), *(min(s, len(ops)) for s in splits)})
        ids: list[str] = []
        for start, end in itertools.pairwise(bounds):
            with timeline.open(log, snapshot_every=0) as tl:
                ids += apply_ops_from(tl, ops, start, end, ids)
        path = hot_path(log)
        if path.exists():
            data = path.read_bytes()
            path.write_bytes(data[: max(len(data) - cut, 0)])
        copy = base / "copy" / "log.jsonl"
        copy.parent.mkdir()
        shutil.copyfile(log, copy)
        with timeline.open(log, snapshot_every=0) as tl, timeline.open(copy, snapshot_every=0) as c:
            assert state_of(tl) == state_of(c)
            for seq in range(1, tl.seq + 1, 3):
                assert state_of(tl.as_of(seq=seq)) == state_of(c.as_of(seq=seq))
        with timeline.open(log, snapshot_every=0) as tl, timeline.open(copy, snapshot_every=0) as c:
            assert state_of(tl) == state_of(c)  # read over the hot file written again
        # Rows written back from the lines (the fast decoder) and rows appended (the
        # events' own hot fields) agree, row for row, on whatever dates were drawn.
        assert timeline.verify(log).ok
        assert timeline.verify(copy).ok


def apply_ops_from(
    tl: timeline.Timeline, ops: list[tuple[str, object]], start: int, end: int, ids: list[str]
) -> list[str]:
    """Apply ``ops[start:end]``, whose event indexes count the events recorded before."""
    known = list(ids)
    made: list[str] = []
    for op, arg in ops[start:end]:
        if op == "record":
            made += apply_ops(tl, [(op, arg)])
            known.append(made[-1])
        elif op == "amend":
            index, change = arg  # type: ignore[misc]
            apply_ops_target(tl, op, known[index], change)
        else:
            apply_ops_target(tl, op, known[arg], None)  # type: ignore[index]
    return made


def apply_ops_target(tl: timeline.Timeline, op: str, event_id: str, change: Any) -> None:
    if op == "amend":
        with contextlib.suppress(timeline.InvalidEvent):
            tl.amend(event_id, reason="test", **change)
    else:
        tl.retract(event_id, reason="test")
