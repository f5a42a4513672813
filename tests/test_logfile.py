"""A log on disk: timeline.verify(path) reports on logs that cannot be opened (defect 5)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import timeline

# One stored payload byte changed so that the record no longer decodes: a title
# that is a number. Replay (so timeline.open) stops there; the chain breaks there too.
GOOD, BAD = b'"title":"b"', b'"title":7'


def small_log(path: Path) -> timeline.LogHead:
    with timeline.open(path, snapshot_every=0) as tl:
        for title in "abcd":
            tl.record(kind="treaty.signed", when="2025-02-18", title=title)
        return tl.head()


def damage(path: Path, seq: int, old: bytes, new: bytes) -> None:
    """Replace bytes in the stored line of one record (dropping SQLite's guard triggers)."""
    if path.suffix == ".jsonl":
        lines = path.read_bytes().splitlines(keepends=True)
        assert old in lines[seq - 1]
        lines[seq - 1] = lines[seq - 1].replace(old, new)
        path.write_bytes(b"".join(lines))
        return
    with sqlite3.connect(path) as db:
        for (trigger,) in db.execute("select name from sqlite_master where type = 'trigger'"):
            db.execute(f"drop trigger {trigger}")
        db.execute(
            "update records set line = cast(replace(cast(line as text), ?, ?) as blob)"
            " where seq = ?",
            (old.decode(), new.decode(), seq),
        )


@pytest.fixture(params=["log.db", "log.jsonl"])
def path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


class TestVerifyAPath:
    def test_intact(self, path: Path) -> None:
        """An intact log verifies, with or without its head expected."""
        head = small_log(path)
        report = timeline.verify(path, expect=head)
        assert (True, 4, head) == (report.ok, report.checked, report.head)

    def test_a_log_that_cannot_be_opened(self, path: Path) -> None:
        """Reading the damaged event fails naming its seq; verify(path) reports that seq.

        Opening decodes no event (the read model folds the query columns), so the
        damage shows when the event is first read, and that error names the seq too.
        """
        small_log(path)
        damage(path, 2, GOOD, BAD)
        with (
            timeline.open(path, snapshot_every=0) as tl,
            pytest.raises(timeline.InvalidRecord, match=r"seq 2\b"),
        ):
            list(tl.events())  # events() decodes nothing until its events are read
        report = timeline.verify(path)
        assert (False, 2, 1) == (report.ok, report.first_bad_seq, report.checked)

    def test_a_bad_record_past_the_first_batch_is_named(self, path: Path) -> None:
        """The open error names the bad record's seq, not the start of its replay batch."""
        with timeline.open(path, snapshot_every=0) as tl:
            tl.record_many(
                [{"kind": "treaty.signed", "when": "2025", "title": f"t{i}"} for i in range(300)]
            )
        damage(path, 290, b'"title":"t289"', b'"title":289')
        with (
            timeline.open(path, snapshot_every=0) as tl,
            pytest.raises(timeline.InvalidRecord, match=r"seq 290\b"),
        ):
            list(tl.events())
        assert 290 == timeline.verify(path).first_bad_seq

    def test_truncated_log(self, path: Path) -> None:
        """A log holding fewer records than an expected head is reported truncated."""
        head = small_log(path)
        report = timeline.verify(path, expect=f"{head.seq + 1}:{head.hash}")
        assert (False, 5) == (report.ok, report.first_bad_seq)
        assert (report.reason or "").startswith("truncated")

    def test_no_file(self, tmp_path: Path) -> None:
        """verify(path) of a missing file is an error, and creates nothing."""
        with pytest.raises(timeline.TimelineError, match="no timeline at"):
            timeline.verify(tmp_path / "nope.db")
        assert not (tmp_path / "nope.db").exists()

    def test_not_a_log(self, tmp_path: Path) -> None:
        """A file that is not a log at all is reported, not raised."""
        path = tmp_path / "x.db"
        path.write_bytes(b"this is not sqlite" * 100)
        report = timeline.verify(path)
        assert not report.ok
        assert "not a geotimeline SQLite log" in (report.reason or "")


class TestJsonlDamagedTail:
    def test_a_damaged_last_line_gives_its_seq(self, tmp_path: Path) -> None:
        """A last line that is not a record: open names its seq, verify reports it."""
        path = tmp_path / "log.jsonl"
        small_log(path)
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:3]) + b"\x00garbage" + lines[3][8:])
        with pytest.raises(timeline.CorruptLog, match=r"log\.jsonl:4: .*\(seq 4\b"):
            timeline.open(path)
        report = timeline.verify(path)
        assert (False, 4) == (report.ok, report.first_bad_seq)

    def test_verify_changes_nothing(self, tmp_path: Path) -> None:
        """verify(path) on a crashed file notes the repair open would make and cuts nothing."""
        path = tmp_path / "log.jsonl"
        small_log(path)
        whole = path.read_bytes()
        path.write_bytes(whole + whole[:40])
        report = timeline.verify(path)
        assert report.ok
        assert 1 == len(report.repairs)
        assert "not repaired (only inspected)" in report.repairs[0]
        assert whole + whole[:40] == path.read_bytes()


def test_an_inspecting_store_refuses_appends(tmp_path: Path) -> None:
    """A JSON Lines store opened to inspect neither repairs nor appends."""
    from timeline.testing._stores import pending_recorded

    path = tmp_path / "log.jsonl"
    small_log(path)
    store = timeline.JsonlStore(path, inspect=True)
    with pytest.raises(timeline.ReadOnlyTimeline, match="inspect only"):
        store.append([pending_recorded("x")], lambda: dt.datetime.now(dt.timezone.utc))
    assert 4 == store.head()
