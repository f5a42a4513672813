"""verify(): the hash chain names the first bad record and why."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import timeline
from timeline import MemoryStore, Timeline
from timeline._codec import encode_line
from timeline._records import chain_hash


def small_log() -> tuple[Timeline, MemoryStore]:
    store = MemoryStore()
    tl = Timeline(store)
    for title in ("a", "b", "c"):
        tl.record(kind="treaty.signed", when="2025-02-18", title=title)
    return tl, store


class TestVerify:
    def test_clean_log(self) -> None:
        """An intact log reports ok, the count and the head hash."""
        tl, store = small_log()
        report = tl.verify()
        assert report.ok
        assert bool(report)
        assert 3 == report.checked
        assert store.record_hash(3) == report.head_hash
        assert str(report).startswith("ok: 3 records")

    def test_empty_log(self) -> None:
        """An empty log is ok."""
        assert timeline.open(":memory:").verify().ok

    def test_record_missing(self) -> None:
        """A removed record is named by the seq that should have been there."""
        tl, store = small_log()
        del store.backend._lines[1]
        report = tl.verify()
        assert (False, 2) == (report.ok, report.first_bad_seq)
        assert "record missing: expected seq 2, found 3" == report.reason

    def test_order_broken(self) -> None:
        """Records out of seq order are reported."""
        tl, store = small_log()
        lines = store.backend._lines
        lines[1], lines[2] = lines[2], lines[1]
        report = tl.verify()
        assert 2 == report.first_bad_seq
        assert "record missing" in (report.reason or "") or "order broken" in (report.reason or "")

    def test_duplicated_record(self) -> None:
        """A record repeated in place is an order break."""
        tl, store = small_log()
        store.backend._lines.insert(2, store.backend._lines[1])
        report = tl.verify()
        assert 3 == report.first_bad_seq
        assert "order broken: seq 2 where seq 3 was due" == report.reason

    def test_version_gap(self) -> None:
        """A stream whose versions skip one is an order break, named by seq."""
        tl, store = small_log()
        event = tl.events()[0]
        tl.amend(event.id, title="x", reason="y")
        store.backend._lines[3] = store.backend._lines[3].replace(b'"version":2', b'"version":3')
        report = tl.verify()
        assert 4 == report.first_bad_seq
        assert f"order broken: event {event.id} version 3 where version 2 was due" == report.reason

    def test_payload_changed(self) -> None:
        """A changed byte in a payload is reported at its seq, the chain before it is kept."""
        tl, store = small_log()
        store.backend._lines[2] = store.backend._lines[2].replace(b'"title":"c"', b'"title":"C"')
        report = tl.verify()
        assert 3 == report.first_bad_seq
        assert (report.reason or "").startswith("payload changed")
        assert 2 == report.checked
        assert "bad record at seq 3" in str(report)

    def test_unreadable(self) -> None:
        """A line that is not a record is reported as unreadable, not raised."""
        tl, store = small_log()
        store.backend._lines[1] = b"garbage"
        report = tl.verify()
        assert 2 == report.first_bad_seq
        assert (report.reason or "").startswith("unreadable")


class TestExpectedHead:
    """verify(expect=SEQ:HASH) finds what a valid chain hides: truncation and rewrites."""

    def test_head_is_seq_and_hash(self) -> None:
        """tl.head() is the last record's seq and hash, printed as SEQ:HASH and parsed back."""
        tl, store = small_log()
        head = tl.head()
        assert (3, store.record_hash(3)) == (head.seq, head.hash)
        assert f"3:{store.record_hash(3)}" == str(head)
        assert head == timeline.LogHead.parse(str(head))
        assert timeline.LogHead(0, "0" * 64) == timeline.open(":memory:").head()
        assert head == tl.verify().head

    def test_a_view_has_its_own_head(self) -> None:
        """An as_of view's head is the record the view ends at."""
        tl, store = small_log()
        assert timeline.LogHead(2, store.record_hash(2) or "") == tl.as_of(seq=2).head()

    @pytest.mark.parametrize("text", ["", "3", "3:abc", "x:" + "0" * 64, "3:" + "A" * 64])
    def test_bad_head_text(self, text: str) -> None:
        """A head that is not SEQ:HASH is an InvalidRecord naming it."""
        tl, _ = small_log()
        with pytest.raises(timeline.InvalidRecord, match="expected SEQ:HASH"):
            tl.verify(expect=text)

    def test_intact_log_contains_its_old_heads(self) -> None:
        """Every earlier head is still contained by a log that only grew."""
        tl, _ = small_log()
        heads = [tl.as_of(seq=n).head() for n in range(4)]
        tl.record(kind="treaty.signed", when="2025-02-18", title="d")
        for head in heads:
            assert tl.verify(expect=head).ok
        assert tl.verify(expect=str(heads[-1])).ok

    def test_truncation(self) -> None:
        """Cutting the last records leaves a valid chain, but not the expected head."""
        tl, store = small_log()
        head = tl.head()
        del store.backend._lines[2:]
        assert tl.verify().ok  # what a chain alone cannot see
        report = tl.verify(expect=head)
        assert (False, 3) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("truncated: the log ends at seq 2")

    def test_rewritten_last_record(self) -> None:
        """A last record rewritten with a recomputed hash is not the expected head."""
        tl, store = small_log()
        head = tl.head()
        raw = next(iter(store.read_raw(after=2)))
        payload = bytes(raw.payload).replace(b'"title":"c"', b'"title":"C"')
        args = (3, raw.stream, raw.version, raw.type, raw.recorded_at, raw.schema, payload)
        forged = chain_hash(store.record_hash(2) or "", *args)
        store.backend._lines[2] = encode_line(*args, forged)
        assert tl.verify().ok
        report = tl.verify(expect=head)
        assert (False, 3) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("rewritten: the record at seq 3")


class TestBatchMarks:
    """The batch marks are checked: an append cut short or re-marked is reported."""

    def batch_log(self) -> tuple[Timeline, MemoryStore]:
        store = MemoryStore()
        tl = Timeline(store)
        tl.record(kind="treaty.signed", when="2025-02-18", title="a")
        tl.record_many([{"kind": "treaty.signed", "when": "2025-02-18", "title": t} for t in "bcd"])
        return tl, store

    def test_an_append_cut_short(self) -> None:
        """A log ending inside a multi-record append is not ok (a truncation or a crash)."""
        tl, store = self.batch_log()
        del store.backend._lines[3]
        report = tl.verify()
        assert (False, 4) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("unfinished append")

    def test_batch_marks_are_hashed(self) -> None:
        """Changing a batch mark changes the hash."""
        tl, store = self.batch_log()
        lines = store.backend._lines
        lines[1] = lines[1].replace(b'"batch_end":4', b'"batch_end":5')
        report = tl.verify()
        assert (False, 2) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("payload changed")

    def test_unreadable_payload_with_a_valid_chain(self) -> None:
        """A record whose chain holds but whose payload does not decode is named."""
        store = MemoryStore()
        tl = Timeline(store)
        tl.record(kind="treaty.signed", when="2025-02-18", title="a")
        payload = b'{"event":{"title":7}}'
        args = (2, "x", 1, "recorded", "2025-01-01T00:00:00.000000Z", 2, payload)
        forged = chain_hash(store.record_hash(1) or "", *args)
        store.backend._lines.append(encode_line(*args, forged))
        report = tl.verify()
        assert (False, 2) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("unreadable")


def test_an_undecodable_payload_beside_query_columns_is_unreadable(tmp_path: Path) -> None:
    """A SQLite record whose chain holds but whose payload does not decode is named unreadable.

    Its hot column cannot be checked against an event that does not decode: verify says
    why the record is bad (its payload), not that its columns disagree.
    """
    path = tmp_path / "log.db"
    with timeline.open(path, snapshot_every=0) as tl:
        tl.record(kind="treaty.signed", when="2025-02-18", title="a")
        first_hash = tl.store.record_hash(1) or ""
    payload = b'{"event":{"title":7}}'
    args = (2, "x", 1, "recorded", "2025-01-01T00:00:00.000000Z", 2, payload)
    forged = chain_hash(first_hash, *args)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        (hot,) = db.execute("SELECT hot FROM records WHERE seq = 1").fetchone()
        db.execute(
            "INSERT INTO records (seq, stream, version, type, recorded_at, hash, line, hot)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (2, "x", 1, "recorded", args[4], forged, encode_line(*args, forged), hot),
        )
    report = timeline.verify(path)
    assert (False, 2) == (report.ok, report.first_bad_seq)
    assert (report.reason or "").startswith("unreadable: the payload does not decode")


def test_progress_wraps_every_record_checked(tmp_path: Path) -> None:
    """``verify(progress=...)`` hands the wrapper the records to check and the log's count."""
    path = tmp_path / "log.db"
    with timeline.open(path, snapshot_every=0) as tl:
        tl.record_many(
            {"kind": "treaty.signed", "when": f"2025-02-{d:02}", "title": f"t{d}"}
            for d in range(1, 6)
        )
        tl.retract(tl.ids()[0], reason="test")
    seen: list[int] = []

    def progress(rows: Iterator[Any], count: int) -> Iterable[Any]:
        seen.append(count)
        for row in rows:
            seen.append(row[0].seq)
            yield row

    report = timeline.verify(path, progress=progress)
    assert (True, 6) == (report.ok, report.checked)
    assert [6, 1, 2, 3, 4, 5, 6] == seen
    counts: list[int] = []

    def counting(rows: Iterator[Any], count: int) -> Iterable[Any]:
        counts.append(count)
        return rows

    with timeline.open(path) as tl:
        assert tl.verify(progress=counting).ok
    assert [6] == counts
