"""The store contract against the three built-in stores, and concurrent writers."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

import timeline
from timeline import JsonlStore, MemoryStore, SqliteStore, Store
from timeline._records import PendingRecord
from timeline.testing._stores import StoreContract, pending_recorded


class TestMemoryStore(StoreContract):
    durable = False

    def make_store(self, tmp_path: Path) -> Store:
        return MemoryStore()

    def tamper(self, store: Store, seq: int, old: bytes, new: bytes) -> None:
        assert isinstance(store, MemoryStore)
        store.backend._lines[seq - 1] = store.backend._lines[seq - 1].replace(old, new)


class TestSqliteStore(StoreContract):
    def make_store(self, tmp_path: Path) -> Store:
        return SqliteStore(tmp_path / "log.db")

    def reopen(self, store: Store, tmp_path: Path) -> Store:
        store.close()
        return SqliteStore(tmp_path / "log.db")

    def tamper(self, store: Store, seq: int, old: bytes, new: bytes) -> None:
        db = sqlite3.connect(tmp_path_of(store))
        # An attacker with file access can drop the append-only trigger; verify still notices.
        db.execute("DROP TRIGGER records_no_update")
        (line,) = db.execute("SELECT line FROM records WHERE seq = ?", (seq,)).fetchone()
        db.execute(
            "UPDATE records SET line = ? WHERE seq = ?", (bytes(line).replace(old, new), seq)
        )
        db.commit()
        db.close()

    def test_append_batches_holds_one_batch_at_a_time(self, tmp_path: Path) -> None:
        """Each batch is written before the next is asked for; others see none until the end."""
        store = SqliteStore(tmp_path / "log.db")
        other = sqlite3.connect(tmp_path / "log.db")
        seen: list[tuple[int, int]] = []

        def batches() -> Iterator[list[PendingRecord]]:
            for i in range(3):
                # Rows of the open transaction (this connection), and what others see.
                (mine,) = store.backend._db.execute("SELECT count(*) FROM records").fetchone()
                (theirs,) = other.execute("SELECT count(*) FROM records").fetchone()
                seen.append((mine, theirs))
                yield [pending_recorded(f"{i}-{j}") for j in range(2)]

        def clock() -> dt.datetime:
            return dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)

        assert (1, 6) == store.append_batches(batches(), 6, clock)
        assert [(0, 0), (2, 0), (4, 0)] == seen
        assert 6 == other.execute("SELECT count(*) FROM records").fetchone()[0]
        other.close()

    def test_updates_are_refused_by_the_database(self, tmp_path: Path) -> None:
        """A stray UPDATE or DELETE on the records table fails."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a")], lambda: dt.datetime.now(dt.timezone.utc))
        db = sqlite3.connect(tmp_path / "log.db")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE records SET stream = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM records")

    def test_index_columns_must_match_the_record(self, tmp_path: Path) -> None:
        """verify() notices a column changed behind the stored record's back."""
        store = self.make_store(tmp_path)
        store.append(
            [pending_recorded("a"), pending_recorded("b")], lambda: dt.datetime.now(dt.timezone.utc)
        )
        db = sqlite3.connect(tmp_path / "log.db")
        db.execute("DROP TRIGGER records_no_update")
        db.execute("UPDATE records SET version = 7 WHERE seq = 2")
        db.commit()
        report = timeline.Timeline(store).verify()
        assert 2 == report.first_bad_seq
        assert "index columns disagree" in (report.reason or "")

    def test_seq_column_must_match_the_record(self, tmp_path: Path) -> None:
        """The last record's seq column moved past its stored seq is reported (a latent gap)."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a"), pending_recorded("b")], _now)
        db = sqlite3.connect(tmp_path / "log.db")
        db.execute("DROP TRIGGER records_no_update")
        db.execute("UPDATE records SET seq = 7 WHERE seq = 2")
        db.commit()
        report = timeline.verify(tmp_path / "log.db")
        assert 2 == report.first_bad_seq
        assert "index columns disagree" in (report.reason or "")

    def test_a_failed_open_closes_the_store(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """timeline.open() of a log that does not replay releases the database."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a")], _now)
        db = sqlite3.connect(tmp_path / "log.db")
        db.execute("DROP TRIGGER records_no_update")
        db.execute("UPDATE records SET hot = CAST('{}' AS BLOB) WHERE seq = 1")  # what replay reads
        db.commit()
        closed: list[str] = []
        monkeypatch.setattr(SqliteStore, "close", lambda self: closed.append(self.location))
        with pytest.raises(timeline.InvalidRecord, match="record seq 1"):
            timeline.open(tmp_path / "log.db")
        assert [str(tmp_path / "log.db")] == closed

    def test_two_writers_number_new_terms_in_turn(self, tmp_path: Path) -> None:
        """Writers that each add terms (the other's unseen) number them once, in order."""
        one = timeline.open(tmp_path / "log.db", snapshot_every=0)
        two = timeline.open(tmp_path / "log.db", snapshot_every=0)
        try:
            for n, (tl, actors) in enumerate(
                [(one, ["FRA"]), (two, ["DEU", "FRA"]), (one, ["DEU"]), (two, ["FRA"])]
            ):
                tl.record_many(
                    [
                        {
                            "kind": "treaty.signed",
                            "when": "2025",
                            "title": f"{n}",
                            "actors": actors,
                        },
                        {
                            "kind": "visit.state",
                            "when": "2025",
                            "title": f"{n}b",
                            "tags": [f"t{n}"],
                        },
                    ]
                )
            db = sqlite3.connect(tmp_path / "log.db")
            terms = db.execute("SELECT id, field, value FROM terms ORDER BY id").fetchall()
            db.close()
            assert [t[0] for t in terms] == list(range(1, len(terms) + 1))
            assert len({t[1:] for t in terms}) == len(terms)
            assert timeline.verify(tmp_path / "log.db").ok  # every hot column says its record
            with timeline.open(tmp_path / "log.db", snapshot_every=0) as tl:
                assert ["1", "2"] == sorted(e.title for e in tl.events(actor="DEU"))
                assert ["0", "1", "3"] == sorted(e.title for e in tl.events(actor="FRA"))
                assert ["2b"] == [e.title for e in tl.events(tag="t2")]
        finally:
            one.close()
            two.close()

    def test_not_a_log(self, tmp_path: Path) -> None:
        """Opening a file that is not SQLite is a CorruptLog error naming the file."""
        path = tmp_path / "junk.db"
        path.write_bytes(b"this is not a database at all" * 100)
        with pytest.raises(timeline.CorruptLog, match=r"junk\.db"):
            SqliteStore(path)


def tmp_path_of(store: Store) -> str:
    return store.location


def _seq(line: bytes) -> int:
    return int(msgspec.json.decode(line)["seq"])


def _hash(path: Path, seq: int) -> str:
    return str(msgspec.json.decode(path.read_bytes().splitlines()[seq - 1])["hash"])


class TestJsonlStore(StoreContract):
    def make_store(self, tmp_path: Path) -> Store:
        return JsonlStore(tmp_path / "log.jsonl")

    def reopen(self, store: Store, tmp_path: Path) -> Store:
        store.close()
        return JsonlStore(tmp_path / "log.jsonl")

    def tamper(self, store: Store, seq: int, old: bytes, new: bytes) -> None:
        path = Path(store.location)
        lines = path.read_bytes().splitlines(keepends=True)
        lines[seq - 1] = lines[seq - 1].replace(old, new)
        path.write_bytes(b"".join(lines))

    @pytest.mark.parametrize("after", [4097, 6000, 9998, 9999, 10000])
    def test_a_far_tail_is_found_by_bisection(self, tmp_path: Path, after: int) -> None:
        """Lines after a seq far from any bookmark are read from where bisection finds them."""
        path = tmp_path / "log.jsonl"
        now = lambda: dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # noqa: E731
        JsonlStore(path).append([pending_recorded(f"t{i}") for i in range(10_000)], now)
        backend = JsonlStore(path).backend  # knows the head only
        seqs = [_seq(line) for batch in backend.lines(after, after + 2) for line in batch]
        assert seqs == list(range(after + 1, min(after + 2, 10_000) + 1))
        assert backend.record_hash(after) == _hash(path, after)

    def test_damaged_lines_and_the_bisection(self, tmp_path: Path) -> None:
        """A damaged line the search skips is verify's to report; one it meets, the reader's."""
        path = tmp_path / "log.jsonl"
        now = lambda: dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # noqa: E731
        JsonlStore(path).append([pending_recorded(f"t{i}") for i in range(6000)], now)
        lines = path.read_bytes().splitlines(keepends=True)
        one = [*lines[:2999], b"not a record at all\n", *lines[3000:]]
        path.write_bytes(b"".join(one))
        backend = JsonlStore(path).backend
        assert [_seq(x) for b in backend.lines(5000, 5001) for x in b] == [5001]
        assert timeline.verify(path).first_bad_seq == 3000
        # Garbage wherever the search looks: it gives up, and reading in turn names the line.
        many = [*lines[:100], *(b"garbage\n" for _ in range(100, 5998)), *lines[5998:]]
        path.write_bytes(b"".join(many))
        backend = JsonlStore(path).backend
        with pytest.raises(timeline.InvalidRecord, match=r"log\.jsonl:101"):
            list(backend.lines(5998, 5999))

    def test_seq_at_names_a_garbage_line_it_meets(self, tmp_path: Path) -> None:
        """seq_at bisects the file; a line that is not a record is an error naming the file."""
        path = tmp_path / "log.jsonl"
        now = lambda: dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # noqa: E731
        JsonlStore(path).append([pending_recorded(f"t{i}") for i in range(10)], now)
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join([*lines[:5], b"garbage\n" * 200, *lines[5:]]))
        with pytest.raises(timeline.InvalidRecord, match=r"log\.jsonl: the line after byte \d+"):
            JsonlStore(path).seq_at(dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc))

    def test_torn_last_line_is_cut_off(self, tmp_path: Path) -> None:
        """A crash mid-write leaves a torn line: reopening cuts it and keeps every record."""
        path = tmp_path / "log.jsonl"
        store = JsonlStore(path)
        store.append(
            [pending_recorded("a"), pending_recorded("b")], lambda: dt.datetime.now(dt.timezone.utc)
        )
        whole = path.read_bytes()
        path.write_bytes(whole + whole.splitlines(keepends=True)[0][:37])
        again = JsonlStore(path)
        assert 1 == len(again.repairs)
        assert "torn last line (37 bytes)" in again.repairs[0]
        assert whole == path.read_bytes()
        assert [1, 2] == [r.seq for r in again.read()]
        assert timeline.open(path).verify().ok

    def test_reads_after_a_seq_seek_to_a_bookmark(self, tmp_path: Path) -> None:
        """Reads after any seq give the right records, starting near it rather than at line 1."""
        path = tmp_path / "log.jsonl"
        store = JsonlStore(path)
        now = lambda: dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # noqa: E731
        store.append([pending_recorded(f"t{i}") for i in range(9000)], now)
        assert 9000 == sum(1 for _ in store.read())  # a full read leaves bookmarks
        for after in (0, 1, 4095, 4096, 4097, 8999):
            assert [after + 1] == [r.seq for r in store.read(after=after, until=after + 1)]
        assert (9000, path.stat().st_size) == store.backend._start(9000)
        reopened = JsonlStore(path)
        assert (9000, path.stat().st_size) == reopened.backend._start(9000)
        assert [] == list(reopened.read(after=9000))

    def test_clean_file_reports_no_repair(self, tmp_path: Path) -> None:
        """Opening an intact file repairs nothing."""
        path = tmp_path / "log.jsonl"
        JsonlStore(path).append([pending_recorded("a")], lambda: dt.datetime.now(dt.timezone.utc))
        assert [] == JsonlStore(path).repairs

    def test_garbage_last_line(self, tmp_path: Path) -> None:
        """A complete last line that is not a record is a CorruptLog error."""
        path = tmp_path / "log.jsonl"
        path.write_bytes(b'{"hello": "world"}\n')
        with pytest.raises(timeline.CorruptLog, match="last line is not a record"):
            JsonlStore(path)

    def test_human_readable(self, tmp_path: Path) -> None:
        """Each line is one JSON record starting with its seq (git-diffable)."""
        path = tmp_path / "log.jsonl"
        JsonlStore(path).append(
            [pending_recorded("alpha")], lambda: dt.datetime.now(dt.timezone.utc)
        )
        line = path.read_text().splitlines()[0]
        assert line.startswith('{"seq":1,"stream":')
        assert '"title":"alpha"' in line


_WRITER = """
import sys, timeline
path, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with timeline.open(path, snapshot_every=0) as tl:
    for i in range(count):
        tl.record(kind="meeting.summit", when="2025-01-01", title=f"w{worker}-{i}", actors=["RUS"])
"""


@pytest.mark.parametrize("name", ["log.db", "log.jsonl"])
def test_two_processes_append_at_once(tmp_path: Path, name: str) -> None:
    """Two processes appending to one file lose and duplicate nothing; the chain verifies."""
    path = str(tmp_path / name)
    timeline.open(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, path, str(w), "60"]) for w in range(2)
    ]
    assert [0, 0] == [p.wait(120) for p in procs]
    with timeline.open(path) as tl:
        titles = sorted(e.title for e in tl.events())
        assert sorted(f"w{w}-{i}" for w in range(2) for i in range(60)) == titles
        assert 120 == tl.seq
        report = tl.verify()
        assert report.ok, str(report)


def test_sqlite_format_2_is_migrated(tmp_path: Path) -> None:
    """A log of the previous SQLite format opens: its snapshots (caches) are dropped."""
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.append([pending_recorded("a")], lambda: dt.datetime.now(dt.timezone.utc))
    store.close()
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE snapshots; CREATE TABLE snapshots (name TEXT, version INTEGER, seq INTEGER,"
        " data BLOB); INSERT INTO snapshots VALUES ('current', 1, 1, x'00');"
        " UPDATE meta SET value = 'geotimeline-2' WHERE key = 'format';"
    )
    db.close()
    again = SqliteStore(path)
    assert again.load_snapshot("current", 1) is None
    assert [1] == [r.seq for r in again.read()]


def test_sqlite_unknown_format_is_refused(tmp_path: Path) -> None:
    """A log of a format this version does not read is a CorruptLog naming the format."""
    path = tmp_path / "old.db"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'geotimeline-1' WHERE key = 'format'")
    db.commit()
    db.close()
    with pytest.raises(timeline.CorruptLog, match="'geotimeline-1' is not one this"):
        SqliteStore(path)


def _now() -> dt.datetime:
    return dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


class TestJsonlBatchAtomicity:
    """An append is kept whole or not at all, also when its writer is killed mid-write."""

    def _log_with_cut_batch(self, tmp_path: Path, keep: int, torn: int = 0) -> Path:
        # Two whole appends (1 record, then 3), then the first `keep` lines of a
        # 5-record append and `torn` bytes of the next, as a kill -9 leaves them.
        path = tmp_path / "log.jsonl"
        store = JsonlStore(path)
        store.append([pending_recorded("a")], _now)
        store.append([pending_recorded(t) for t in "bcd"], _now)
        whole = path.read_bytes()
        store.append([pending_recorded(f"x{i}") for i in range(5)], _now)
        batch = path.read_bytes()[len(whole) :].splitlines(keepends=True)
        path.write_bytes(whole + b"".join(batch[:keep]) + batch[keep][:torn])
        return path

    def test_lines_of_a_batch_carry_its_last_seq(self, tmp_path: Path) -> None:
        """Records of a multi-record append carry batch_end; a single record's line does not."""
        path = tmp_path / "log.jsonl"
        store = JsonlStore(path)
        store.append([pending_recorded("a")], _now)
        store.append([pending_recorded("b"), pending_recorded("c")], _now)
        lines = path.read_bytes().splitlines()
        assert b"batch_end" not in lines[0]
        assert [b'"batch_end":3,' in line for line in lines[1:]] == [True, True]
        assert timeline.verify(path).ok

    @pytest.mark.parametrize(("keep", "torn"), [(3, 0), (3, 57), (1, 0), (0, 80)])
    def test_reopening_drops_an_unfinished_batch(
        self, tmp_path: Path, keep: int, torn: int
    ) -> None:
        """The complete lines of an append that never finished are cut; the note counts them."""
        path = self._log_with_cut_batch(tmp_path, keep, torn)
        store = JsonlStore(path)
        assert [1, 2, 3, 4] == [r.seq for r in store.read()]
        assert 1 == len(store.repairs)
        note = store.repairs[0]
        if keep:
            assert f"dropped {keep} records (seq 5-{4 + keep})" in note
            assert "was to end at seq 9" in note
            assert (f"torn last line ({torn} bytes)" in note) == bool(torn)
        else:
            assert f"torn last line ({torn} bytes)" in note
        assert timeline.verify(path).ok
        store.append([pending_recorded("after")], _now)
        assert [1, 2, 3, 4, 5] == [r.seq for r in JsonlStore(path).read()]
        assert timeline.verify(path).ok

    def test_a_writer_meeting_a_dead_writers_batch_repairs_it(self, tmp_path: Path) -> None:
        """A store opened before the crash cuts the dead writer's lines and appends after them."""
        path = tmp_path / "log.jsonl"
        writer = JsonlStore(path)
        writer.append([pending_recorded("a")], _now)
        other = JsonlStore(path)
        other.append([pending_recorded(t) for t in "bcd"], _now)
        whole = path.read_bytes()
        other.append([pending_recorded(f"x{i}") for i in range(4)], _now)
        batch = path.read_bytes()[len(whole) :]
        path.write_bytes(whole + batch[: len(batch) // 2])  # died halfway through
        stamps = writer.append([pending_recorded("e")], _now)
        assert 5 == stamps[0][0]
        assert any("dropped" in note for note in writer.repairs), writer.repairs
        assert timeline.verify(path).ok
        assert 5 == JsonlStore(path).head()

    def test_head_repairs_and_keeps_the_writers_view(self, tmp_path: Path) -> None:
        """head() between two appends does not make a writer miss another process's records."""
        path = tmp_path / "log.jsonl"
        first, second = JsonlStore(path), JsonlStore(path)
        first.append([pending_recorded("a", "e1")], _now)
        second.append([pending_recorded("b", "e1", 2, timeline.RecordType.AMENDED)], _now)
        assert 2 == first.head()
        with pytest.raises(timeline.ConcurrencyError):
            first.append([pending_recorded("c", "e1", 2, timeline.RecordType.AMENDED)], _now)
        assert timeline.verify(path).ok

    def test_a_file_written_before_batch_marks_still_opens(self, tmp_path: Path) -> None:
        """Lines without batch_end (as written before it existed) open, replay and verify."""
        from timeline._codec import encode_line
        from timeline._records import GENESIS_HASH, chain_hash

        previous, lines = GENESIS_HASH, []
        for seq, p in enumerate([pending_recorded(t) for t in "abc"], 1):
            at = "2025-01-01T00:00:00.000000Z"
            args = (seq, p.stream, 1, "recorded", at, p.schema, p.payload)
            previous = chain_hash(previous, *args)
            lines.append(encode_line(*args, previous) + b"\n")
        path = tmp_path / "old.jsonl"
        path.write_bytes(b"".join(lines))
        with timeline.open(path) as tl:
            assert ["a", "b", "c"] == sorted(e.title for e in tl.events())
            assert [] == tl.repairs
            assert tl.verify().ok
            tl.record(kind="meeting.summit", when="2025-01-01", title="d")
        assert timeline.verify(path).ok

    def test_stores_write_the_same_bytes(self, tmp_path: Path) -> None:
        """A batch's lines, batch marks included, are byte-identical in SQLite and JSON Lines."""
        batch = [pending_recorded(t, f"id{t}") for t in "abc"]
        jsonl, sqlite = JsonlStore(tmp_path / "a.jsonl"), SqliteStore(tmp_path / "a.db")
        jsonl.append(batch, _now)
        sqlite.append(batch, _now)
        rows = sqlite.backend._db.execute("SELECT line FROM records ORDER BY seq").fetchall()
        assert (tmp_path / "a.jsonl").read_bytes().splitlines() == [bytes(r[0]) for r in rows]
