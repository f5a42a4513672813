"""verify(): the hash chain names the first bad record and why."""

from __future__ import annotations

import timeline
from timeline import MemoryStore, Timeline


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
        del store._lines[1]
        report = tl.verify()
        assert (False, 2) == (report.ok, report.first_bad_seq)
        assert "record missing: expected seq 2, found 3" == report.reason

    def test_order_broken(self) -> None:
        """Records out of seq order are reported."""
        tl, store = small_log()
        store._lines[1], store._lines[2] = store._lines[2], store._lines[1]
        report = tl.verify()
        assert 2 == report.first_bad_seq
        assert "record missing" in (report.reason or "") or "order broken" in (report.reason or "")

    def test_duplicated_record(self) -> None:
        """A record repeated in place is an order break."""
        tl, store = small_log()
        store._lines.insert(2, store._lines[1])
        report = tl.verify()
        assert 3 == report.first_bad_seq
        assert "order broken: seq 2 where seq 3 was due" == report.reason

    def test_version_gap(self) -> None:
        """A stream whose versions skip one is an order break, named by seq."""
        tl, store = small_log()
        event = tl.events()[0]
        tl.amend(event.id, title="x", reason="y")
        store._lines[3] = store._lines[3].replace(b'"version":2', b'"version":3')
        report = tl.verify()
        assert 4 == report.first_bad_seq
        assert f"order broken: event {event.id} version 3 where version 2 was due" == report.reason

    def test_payload_changed(self) -> None:
        """A changed byte in a payload is reported at its seq, the chain before it is kept."""
        tl, store = small_log()
        store._lines[2] = store._lines[2].replace(b'"title":"c"', b'"title":"C"')
        report = tl.verify()
        assert 3 == report.first_bad_seq
        assert (report.reason or "").startswith("payload changed")
        assert 2 == report.checked
        assert "bad record at seq 3" in str(report)

    def test_unreadable(self) -> None:
        """A line that is not a record is reported as unreadable, not raised."""
        tl, store = small_log()
        store._lines[1] = b"garbage"
        report = tl.verify()
        assert 2 == report.first_bad_seq
        assert (report.reason or "").startswith("unreadable")
