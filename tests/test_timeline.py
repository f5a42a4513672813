"""The Timeline API: record, amend, retract, queries, history, as_of, replay, snapshots."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import timeline
from timeline import (
    ConcurrencyError,
    CurrentState,
    Event,
    EventFilter,
    EventRetracted,
    InvalidDate,
    InvalidEvent,
    MemoryStore,
    ReadOnlyTimeline,
    Record,
    RecordType,
    Timeline,
    TimelineError,
    UnknownEvent,
    UnknownKind,
)
from timeline._snapshot import bind as bind_snapshot

from .strategies import operations

T0 = dt.datetime(2025, 12, 16, 9, 0, tzinfo=dt.timezone.utc)


def ticking(start: dt.datetime = T0) -> Callable[[], dt.datetime]:
    now = [start]

    def clock() -> dt.datetime:
        now[0] += dt.timedelta(minutes=1)
        return now[0]

    return clock


@pytest.fixture
def tl() -> Timeline:
    return Timeline(MemoryStore(), clock=ticking())


def duma(tl: Timeline) -> Event:
    return tl.record(
        kind="treaty.domestic_approval",
        when="2025-12-01/2025-12-10",
        title="State Duma approves RELOS ratification",
        actors=["RUS", "IND"],
        sources=["https://tass.com/politics/2052369"],
        treaty="RELOS",
        tags=["military"],
    )


class TestRecord:
    def test_record_and_get(self, tl: Timeline) -> None:
        """A recorded event is returned with its id and can be read back."""
        event = duma(tl)
        assert event == tl.get(event.id)
        assert 1 == tl.version(event.id)
        assert 1 == len(tl)
        assert event.id in tl

    def test_record_an_event_object(self, tl: Timeline) -> None:
        """record() also takes an Event."""
        event = Event(
            id="x1",
            kind="visit.state",
            when="4–5 December 2025",  # noqa: RUF001
            title="Visit",
        )
        assert event == tl.record(event)

    def test_unknown_kind(self, tl: Timeline) -> None:
        """An unknown kind names the closest known kinds and writes nothing."""
        with pytest.raises(UnknownKind, match=r"treaty\.signed"):
            tl.record(kind="treaty.sign", when="2025", title="x")
        assert 0 == tl.seq

    def test_bad_date(self, tl: Timeline) -> None:
        """A malformed date is refused naming the field and the text."""
        with pytest.raises(InvalidEvent, match="2025-02-30"):
            tl.record(kind="treaty.signed", when="2025-02-30", title="x")

    def test_duplicate_id(self, tl: Timeline) -> None:
        """Recording an id twice is refused."""
        tl.record(id="a", kind="treaty.signed", when="2025", title="x")
        with pytest.raises(InvalidEvent, match="not used by another event"):
            tl.record(id="a", kind="treaty.signed", when="2025", title="y")

    def test_event_and_fields_refused(self, tl: Timeline) -> None:
        """Passing an Event and keyword fields at once is an error."""
        event = Event(kind="visit.state", when="2025", title="Visit")
        with pytest.raises(InvalidEvent, match="not both"):
            tl.record(event, title="other")

    def test_record_many_is_atomic(self, tl: Timeline) -> None:
        """One bad event in a batch writes nothing and names its position."""
        good = {"kind": "treaty.signed", "when": "2025", "title": "ok"}
        with pytest.raises(InvalidEvent, match="event 1"):
            tl.record_many([good, {**good, "when": "Smarch 2025"}])
        assert 0 == tl.seq
        with pytest.raises(InvalidEvent, match="'colour'"):
            tl.record_many([{**good, "colour": "red"}])
        assert 2 == len(tl.record_many([good, good]))
        assert 2 == tl.seq

    def test_missing_required_field_in_a_batch(self, tl: Timeline) -> None:
        """A batch item without a required field is named by position and field."""
        good = {"kind": "treaty.signed", "when": "2025", "title": "ok"}
        with pytest.raises(InvalidEvent, match="event 1: invalid event field 'when'") as info:
            tl.record_many([good, {"kind": "treaty.signed", "title": "no date"}])
        assert "required" in str(info.value)
        assert 0 == tl.seq

    def test_duplicate_ids_in_a_batch(self, tl: Timeline) -> None:
        """A batch that repeats an id is refused whole."""
        item = {"id": "same", "kind": "treaty.signed", "when": "2025", "title": "x"}
        with pytest.raises(InvalidEvent, match="event 1: id"):
            tl.record_many([item, item])
        assert 0 == tl.seq


class TestLoneSurrogates:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"title": "\ud800"}, "title"),
            ({"summary": "a\udcffb"}, "summary"),
            ({"location": "\udc80"}, "location"),
            ({"tags": ["ok", "\ud800"]}, "tags[1]"),
            ({"sources": ["https://example.org/\udc80"]}, "sources[0].url"),
            ({"treaty": "RE\udcc5LOS"}, "treaty"),
        ],
    )
    def test_record(self, tl: Timeline, fields: dict[str, object], field: str) -> None:
        """A lone surrogate is an InvalidEvent naming the field; nothing is written."""
        with pytest.raises(InvalidEvent) as info:
            tl.record(kind="treaty.signed", when="2025-01-01", **{"title": "t", **fields})
        assert (field, "text without lone surrogates") == (
            info.value.field,
            info.value.expected.split(" (")[0],
        )
        assert (0, 0) == (len(tl), tl.seq)

    def test_attributes(self, tl: Timeline) -> None:
        """In attributes (keys or values) it is refused as not JSON-compatible."""
        for attributes in ({"k\ud800": 1}, {"a": {"b": ["\udc80"]}}):
            with pytest.raises(InvalidEvent, match=r"'attributes'.*surrogates not allowed"):
                tl.record(kind="treaty.signed", when="2025-01-01", title="t", attributes=attributes)

    def test_batch_names_the_event(self, tl: Timeline) -> None:
        """In record_many the error names the event's position; the batch is not written."""
        good = {"kind": "treaty.signed", "when": "2025-01-01", "title": "ok"}
        with pytest.raises(InvalidEvent, match=r"^event 1: invalid event field 'title'"):
            tl.record_many([good, {**good, "title": "\ud800"}])
        assert 0 == tl.seq

    def test_amend_and_retract(self, tl: Timeline) -> None:
        """A surrogate in an amended field or a reason is refused the same way."""
        event = duma(tl)
        with pytest.raises(InvalidEvent, match="'title'"):
            tl.amend(event.id, reason="typo", title="bad \udcff")
        with pytest.raises(InvalidEvent, match="'reason'"):
            tl.retract(event.id, reason="bad \udcff")
        assert (1, 1) == (tl.seq, tl.version(event.id))


class TestAmendRetract:
    def test_amend_keeps_history(self, tl: Timeline) -> None:
        """An amendment is a new record; the old version stays in the history."""
        event = duma(tl)
        amended = tl.amend(
            event.id, when="2025-12-02", reason="Duma vote date confirmed", expected_version=1
        )
        assert "2025-12-02" == tl.get(event.id).when.edtf == amended.when.edtf
        history = tl.history(event.id)
        assert [RecordType.RECORDED, RecordType.AMENDED] == [r.type for r in history]
        assert "2025-12-01/2025-12-10" == history[0].event.when.edtf  # type: ignore[union-attr]
        assert ("when",) == history[1].payload.changes
        assert "Duma vote date confirmed" == history[1].payload.reason

    def test_stale_expected_version(self, tl: Timeline) -> None:
        """A stale expected_version raises ConcurrencyError and writes nothing."""
        event = duma(tl)
        tl.amend(event.id, title="Duma approves", reason="shorter")
        with pytest.raises(ConcurrencyError, match="version 2, not the expected version 1"):
            tl.amend(event.id, title="x", reason="y", expected_version=1)
        assert 2 == tl.seq

    def test_amend_refining_the_date_keeps_the_phrase(self, tl: Timeline) -> None:
        """A narrower date keeps the words as written; keep_phrase=False or new words drop them."""
        tl.record(
            id="duma",
            kind="treaty.domestic_approval",
            when=timeline.When.parse("in early December", anchor="2025-12-05"),
            title="Duma vote",
        )
        when = tl.amend("duma", reason="confirmed", when="2025-12-02").when
        assert ("2025-12-02", "in early December") == (when.edtf, when.phrase)
        assert "2025-12-03" == tl.amend("duma", reason="r", when="3 December 2025").when.edtf
        assert "3 December 2025" == tl.get("duma").when.phrase
        dropped = tl.amend("duma", reason="r", when="2025-12-04", keep_phrase=False).when
        assert dropped.phrase is None

    def test_amend_errors(self, tl: Timeline) -> None:
        """Unknown events, no change, no reason and bad values are refused."""
        event = duma(tl)
        with pytest.raises(UnknownEvent, match="nope"):
            tl.amend("nope", title="x", reason="y")
        with pytest.raises(InvalidEvent, match="at least one field"):
            tl.amend(event.id, title=event.title, reason="same")
        with pytest.raises(InvalidEvent, match="reason"):
            tl.amend(event.id, title="x", reason=" ")
        with pytest.raises(InvalidEvent, match="when"):
            tl.amend(event.id, when="2025-13-45", reason="typo")
        with pytest.raises(UnknownKind):
            tl.amend(event.id, kind="treaty.unknown", reason="x")
        assert 1 == tl.seq

    def test_retract(self, tl: Timeline) -> None:
        """A retracted event is hidden from queries, kept in the log and in history."""
        event = duma(tl)
        record = tl.retract(event.id, reason="duplicate")
        assert RecordType.RETRACTED == record.type
        assert 0 == len(tl)
        assert [] == tl.events()
        assert [event] == tl.events(include_retracted=True)
        assert tl.is_retracted(event.id)
        with pytest.raises(EventRetracted):
            tl.get(event.id)
        assert event == tl.get(event.id, include_retracted=True)
        assert 2 == len(tl.history(event.id))
        with pytest.raises(EventRetracted):
            tl.amend(event.id, title="x", reason="y")
        with pytest.raises(EventRetracted):
            tl.retract(event.id, reason="again")
        with pytest.raises(UnknownEvent):
            tl.retract("nope", reason="x")


def racing(store: MemoryStore, change: Callable[[], object], times: int = 1) -> Timeline:
    """Return a timeline on ``store`` whose next appends each lose a race to ``change``.

    The clock is read inside the store's append, after this timeline read the
    event's version and before the store checks it: what another process does then.
    """
    left = [times]
    tick = ticking()

    def clock() -> dt.datetime:
        if left[0] > 0:
            left[0] -= 1
            change()
        return tick()

    return Timeline(store, clock=clock)


class TestLosingARace:
    """amend()/retract() without expected_version retry a race they lose (issue 14, defect 9)."""

    def test_amend_retries_against_the_new_state(self) -> None:
        """The other writer's change is kept and this one is applied on top of it."""
        store = MemoryStore()
        other = Timeline(store, clock=ticking())
        event = duma(other)
        mine = racing(store, lambda: other.amend(event.id, title="Duma votes", reason="them"))
        amended = mine.amend(event.id, when="2025-12-02", reason="me")
        assert ("Duma votes", "2025-12-02") == (amended.title, amended.when.edtf)
        assert [1, 2, 3] == [r.version for r in mine.history(event.id)]
        assert ("when",) == mine.history(event.id)[2].payload.changes
        assert mine.verify().ok

    def test_retract_retries(self) -> None:
        """A retraction losing a race to an amendment retracts the amended event."""
        store = MemoryStore()
        other = Timeline(store, clock=ticking())
        event = duma(other)
        mine = racing(store, lambda: other.amend(event.id, title="Duma votes", reason="them"))
        record = mine.retract(event.id, reason="duplicate")
        assert (3, RecordType.RETRACTED) == (record.version, record.type)
        assert mine.is_retracted(event.id)

    def test_retrying_meets_a_retraction(self) -> None:
        """When the race was lost to a retraction, the retry says so."""
        store = MemoryStore()
        other = Timeline(store, clock=ticking())
        event = duma(other)
        mine = racing(store, lambda: other.retract(event.id, reason="them"))
        with pytest.raises(EventRetracted):
            mine.amend(event.id, title="x", reason="me")

    def test_an_expected_version_is_not_retried(self) -> None:
        """With expected_version the caller asked for that version: the race is reported."""
        store = MemoryStore()
        other = Timeline(store, clock=ticking())
        event = duma(other)
        mine = racing(store, lambda: other.amend(event.id, title="Duma votes", reason="them"))
        with pytest.raises(ConcurrencyError, match="not the expected version 1"):
            mine.amend(event.id, title="x", reason="me", expected_version=1)

    def test_giving_up_names_no_version(self) -> None:
        """A race lost on every attempt ends in a ConcurrencyError naming no version."""
        store = MemoryStore()
        other = Timeline(store, clock=ticking())
        event = duma(other)
        count = [0]

        def change() -> None:
            count[0] += 1
            other.amend(event.id, title=f"t{count[0]}", reason="them")

        mine = racing(store, change, times=1000)
        with pytest.raises(ConcurrencyError, match="changed under each of 100 attempts") as info:
            mine.amend(event.id, when="2025-12-02", reason="me")
        assert "expected version" not in str(info.value)


class TestQueries:
    @pytest.fixture
    def sample(self) -> Timeline:
        return timeline.datasets.load("relos")

    def test_issue_example(self, sample: Timeline) -> None:
        """The README query: Indian treaty steps in 2025, in timeline order."""
        titles = [
            e.title
            for e in sample.events(
                actor="IND", kind="treaty.*", between=("2025-01-01", "2025-12-31")
            )
        ]
        assert [
            "Russia and India negotiate the RELOS logistics pact",  # until the signature
            "RELOS signed in Moscow",
            "RELOS ratification bill submitted to the State Duma",
            "State Duma approves RELOS ratification",
            "Federation Council approves RELOS ratification",
            "Putin signs the RELOS ratification law",
        ] == titles

    def test_fuzzy_month_overlaps_range(self, tl: Timeline) -> None:
        """An event "in December 2025" overlaps 2025-12-10..2025-12-20."""
        event = tl.record(kind="visit.state", when="December 2025", title="Visit")
        assert [event] == tl.events(between=("2025-12-10", "2025-12-20"))
        assert [] == tl.events(between=("2026-01-01", None))

    def test_open_ended_events(self, sample: Timeline) -> None:
        """An open interval ("since 2022") overlaps any later range."""
        ids = {e.id for e in sample.events(between=("2030-01-01", "2030-01-31"))}
        assert {"us-policy-since-2022", "india-bridges-russia-us", "new-detente"} == {
            i for i in ids if not i.endswith("-hypothetical")
        }
        assert 6 == len([i for i in ids if i.endswith("-hypothetical")])

    def test_filters(self, sample: Timeline) -> None:
        """actor, kind, tag and treaty filters combine."""
        assert 7 == len(sample.events(treaty="RELOS", kind="treaty.*"))
        assert {"rus-prk-treaty-signed", "rus-prk-treaty-in-force"} == {
            e.id for e in sample.events(actor="PRK")
        }
        assert ["putin-vietnam-visit-2024", "rus-vnm-joint-statement"] == [
            e.id for e in sample.events(tag="Partnership")
        ]
        assert 3 == len(sample.events(kind="treaty.domestic_approval"))

    def test_order(self, sample: Timeline) -> None:
        """Events come in When order: earliest bound first, finer precision first."""
        events = sample.events()
        keys = [e.when.sort_key for e in events]
        assert keys == sorted(keys)

    def test_bad_filters(self, tl: Timeline) -> None:
        """Bad filter values are clear errors."""
        with pytest.raises(UnknownKind):
            tl.events(kind="treaty.sigend")
        with pytest.raises(InvalidEvent, match="country"):
            tl.events(actor="Atlantis")  # names work ("Russia"); unknown ones do not
        with pytest.raises(InvalidEvent, match="start on or before the end"):
            tl.events(between=("2025-12-31", "2025-01-01"))
        with pytest.raises(InvalidEvent, match="pair"):
            tl.events(between="2025")  # type: ignore[arg-type]
        with pytest.raises(InvalidDate):
            tl.events(between=("Smarch", None))

    def test_index_follows_changes(self, tl: Timeline) -> None:
        """After a query built the indexes, amendments and retractions keep them right."""
        event = duma(tl)
        assert [event.id] == [e.id for e in tl.events(actor="IND")]
        tl.amend(event.id, actors=["RUS"], when="2024-06-21", reason="wrong actor")
        assert [] == tl.events(actor="IND")
        assert [event.id] == [e.id for e in tl.events(between=("2024-06-01", "2024-06-30"))]
        tl.retract(event.id, reason="x")
        assert [] == tl.events(actor="RUS")


class TestAsOf:
    def test_as_of_seq(self, tl: Timeline) -> None:
        """as_of(seq=1) shows the event as first recorded."""
        event = duma(tl)
        tl.amend(event.id, when="2025-12-02", reason="confirmed")
        assert "2025-12-01/2025-12-10" == tl.as_of(seq=1).get(event.id).when.edtf
        assert "2025-12-02" == tl.as_of(2).get(event.id).when.edtf
        assert 1 == len(tl.as_of(seq=1).history(event.id))
        assert 0 == len(tl.as_of(seq=0))

    def test_as_of_time(self, tl: Timeline) -> None:
        """as_of(recorded=t) shows what was known at t."""
        event = duma(tl)
        tl.retract(event.id, reason="x")
        first = tl.history(event.id)[0].recorded_at
        assert [event] == tl.as_of(recorded=first).events()
        assert [event] == tl.as_of(first + dt.timedelta(seconds=30)).events()
        assert [] == tl.as_of(recorded=first - dt.timedelta(seconds=1)).events()
        assert [] == tl.as_of(first + dt.timedelta(days=1)).events()

    def test_as_of_is_read_only(self, tl: Timeline) -> None:
        """A view refuses writes."""
        duma(tl)
        view = tl.as_of(seq=1)
        with pytest.raises(ReadOnlyTimeline):
            view.record(kind="treaty.signed", when="2025", title="x")  # type: ignore[attr-defined]

    def test_as_of_errors(self, tl: Timeline) -> None:
        """Exactly one point is needed, of the right type."""
        with pytest.raises(InvalidEvent, match="exactly one"):
            tl.as_of()
        with pytest.raises(InvalidEvent, match="exactly one"):
            tl.as_of(1, seq=2)
        with pytest.raises(InvalidEvent, match="aware"):
            tl.as_of(dt.datetime(2025, 1, 1))
        with pytest.raises(InvalidEvent, match="from 0 to 0"):
            tl.as_of(-1)
        duma(tl)
        with pytest.raises(InvalidEvent, match="a seq from 0 to 1 "):
            tl.as_of(seq=2)


class TestReplayAndSnapshots:
    def test_custom_projection(self, tl: Timeline) -> None:
        """replay() folds every record into any object with name, version and apply."""

        class CountByType:
            name = "count"
            version = 1

            def __init__(self) -> None:
                self.counts: dict[str, int] = {}

            def apply(self, record: Record) -> None:
                self.counts[record.type.value] = self.counts.get(record.type.value, 0) + 1

        event = duma(tl)
        tl.amend(event.id, title="x", reason="y")
        assert {"recorded": 1, "amended": 1} == tl.replay(CountByType()).counts
        assert {"recorded": 1} == tl.replay(CountByType(), until=1).counts

    def test_snapshot_then_tail(self, tmp_path: Path) -> None:
        """Reopening a log with a snapshot replays only the tail and gives the same state."""
        path = tmp_path / "log.db"
        with timeline.open(path, snapshot_every=0) as tl:
            ids = [
                e.id
                for e in tl.record_many(
                    {"kind": "treaty.signed", "when": "2025", "title": f"t{i}"} for i in range(50)
                )
            ]
            assert 50 == tl.snapshot()
            tl.amend(ids[0], title="changed", reason="tail")
        reads: list[int] = []
        store = timeline.SqliteStore(path)
        original = store.read_hot

        def counting_read(after: int = 0, until: int | None = None):  # type: ignore[no-untyped-def]
            reads.append(after)
            return original(after, until)

        store.read_hot = counting_read  # type: ignore[method-assign]
        reopened = Timeline(store)
        assert [50] == reads
        assert "changed" == reopened.get(ids[0]).title
        assert 50 == len(reopened)

    def test_reopen_and_append_without_loading(self, tmp_path: Path) -> None:
        """Appending to a reopened log decodes only the tail, not the snapshot."""
        path = tmp_path / "log.db"
        with timeline.open(path, snapshot_every=1) as tl:
            first = tl.record(id="a", kind="treaty.signed", when="2025", title="a")
        reopened = timeline.open(path)
        reopened.record(id="b", kind="treaty.signed", when="2025", title="b")
        assert not reopened._state.loaded
        with pytest.raises(InvalidEvent, match="not used by another event"):
            reopened.record(id="a", kind="treaty.signed", when="2025", title="again")
        assert not reopened._state.loaded
        # One event is read through the store's stream index: still no snapshot decoded.
        assert first == reopened.get("a")
        assert 1 == reopened.version("a")
        assert "b" in reopened
        assert not reopened._state.loaded
        assert ["a", "b"] == [e.id for e in reopened.events()]
        assert reopened._state.loaded
        assert 2 == reopened.seq

    def test_snapshot_replaced_before_first_use(self, tmp_path: Path) -> None:
        """If another process replaces the snapshot before it is decoded, the state is rebuilt."""
        path = tmp_path / "log.db"
        with timeline.open(path, snapshot_every=0) as tl:
            tl.record(id="a", kind="treaty.signed", when="2025", title="a")
            tl.snapshot()
        reopened = timeline.open(path)
        with timeline.open(path, snapshot_every=0) as other:
            other.record(id="b", kind="treaty.signed", when="2025", title="b")
            other.snapshot()
        assert ["a"] == [e.id for e in reopened.events()]
        assert 1 == reopened.seq

    def test_replay_pauses_the_collector_and_frees_a_dropped_timeline(self) -> None:
        """The cyclic GC is off while records are folded in, back on after; a dropped timeline
        is freed even while its store lives on (its codec once kept it, and gc.freeze() every
        reopened log)."""
        import gc
        import weakref

        source = timeline.datasets.load("relos")
        seen: list[bool] = []

        class Probe:
            name, version = "probe", 1

            def apply(self, record: timeline.Record) -> None:
                seen.append(gc.isenabled())

        tl = Timeline(source.store)
        tl.replay(Probe())
        assert seen
        assert not any(seen)
        assert gc.isenabled()
        assert 0 == gc.get_freeze_count()
        dropped = weakref.ref(tl)
        del tl
        assert dropped() is None  # freed by reference counting: no cycle through the store

    def test_large_replay_moves_its_objects_to_the_oldest_generation(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """After a large replay its objects skip the young generations' walks; none stay frozen,
        and objects the program froze itself stay frozen."""
        import gc

        source = timeline.datasets.load("relos")
        monkeypatch.setattr(timeline._collector, "PROMOTE_AFTER", 50)
        gc.collect()
        tl = Timeline(source.store)

        class KeepAll:
            """A projection that keeps every record it folds (an eager read model)."""

            name, version = "keep", 1

            def __init__(self) -> None:
                self.records: list[timeline.Record] = []

            def apply(self, record: timeline.Record) -> None:
                self.records.append(record)

        kept = tl.replay(KeepAll())
        event = kept.records[0].event
        assert any(o is event for o in gc.get_objects(generation=2))
        assert 0 == gc.get_freeze_count()
        assert gc.isenabled()

        gc.freeze()  # a program that froze its own objects (a pre-fork server, say)
        try:
            Timeline(source.store)
            assert gc.get_freeze_count() > 0  # not unfrozen by the promotion
        finally:
            gc.unfreeze()

    def test_stale_snapshot_ignored(self, tmp_path: Path) -> None:
        """A snapshot whose record is no longer in the log is ignored (full replay)."""
        path = tmp_path / "log.db"
        with timeline.open(path, snapshot_every=0) as tl:
            tl.record(kind="treaty.signed", when="2025", title="a")
            tl.snapshot()
        store = timeline.SqliteStore(path)
        forged = bind_snapshot(1, "f" * 64, *CurrentState().body())
        store.save_snapshot("current", CurrentState.version, 1, forged)
        reopened = Timeline(store)
        assert 1 == len(reopened)
        assert any("does not match the log's record 1" in r for r in reopened.repairs)

    def test_changed_projection_version_ignores_snapshot(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Snapshots are keyed by projection version: a new version replays from scratch."""
        path = tmp_path / "log.jsonl"
        with timeline.open(path, snapshot_every=1) as tl:
            tl.record(kind="treaty.signed", when="2025", title="a")
        monkeypatch.setattr(CurrentState, "version", CurrentState.version + 1)
        assert timeline.JsonlStore(path).load_snapshot("current", CurrentState.version) is None
        assert 1 == len(timeline.open(path))

    def test_close_takes_snapshot(self, tmp_path: Path) -> None:
        """Closing after enough new records saves a snapshot automatically."""
        path = tmp_path / "log.db"
        with timeline.open(path, snapshot_every=2) as tl:
            tl.record_many(
                [{"kind": "treaty.signed", "when": "2025", "title": "a"}] * 0
                + [{"kind": "treaty.signed", "when": "2025", "title": f"{i}"} for i in range(3)]
            )
        saved = timeline.SqliteStore(path).load_snapshot("current", CurrentState.version)
        assert saved is not None
        assert 3 == saved[0]


class TestOpen:
    def test_store_by_suffix(self, tmp_path: Path) -> None:
        """open() picks the store from the suffix."""
        assert isinstance(timeline.open(tmp_path / "a.db").store, timeline.SqliteStore)
        assert isinstance(timeline.open(tmp_path / "a.sqlite").store, timeline.SqliteStore)
        assert isinstance(timeline.open(tmp_path / "a.jsonl").store, timeline.JsonlStore)
        assert isinstance(timeline.open(":memory:").store, timeline.MemoryStore)

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """An unknown suffix is a TimelineError naming the path."""
        with pytest.raises(TimelineError, match=r"a\.txt"):
            timeline.open(tmp_path / "a.txt")

    def test_default_path(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a path: $TIMELINE_DB, else timeline.db in the current directory."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("TIMELINE_DB", raising=False)
        assert "timeline.db" == timeline.open().store.location == timeline.DEFAULT_PATH
        monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "x.jsonl"))
        assert str(tmp_path / "x.jsonl") == timeline.open().store.location

    def test_closed_timeline_refuses_writes(self, tmp_path: Path) -> None:
        """Writing to a closed timeline is an error; closing twice is fine."""
        tl = timeline.open(tmp_path / "a.db")
        tl.close()
        tl.close()
        with pytest.raises(TimelineError, match="closed"):
            tl.record(kind="treaty.signed", when="2025", title="x")

    def test_other_process_appends_are_seen(self, tmp_path: Path) -> None:
        """A timeline folds in records another writer appended before its own."""
        path = tmp_path / "a.db"
        first, second = timeline.open(path), timeline.open(path)
        a = first.record(kind="treaty.signed", when="2025", title="a")
        second.record(kind="treaty.signed", when="2025", title="b")
        assert a == second.get(a.id)
        assert 1 == first.refresh()
        assert 2 == len(first)


def apply_ops(tl: Timeline, ops: list[tuple[str, object]]) -> list[str]:
    ids: list[str] = []
    for op, arg in ops:
        if op == "record":
            ids.append(tl.record(**arg).id)  # type: ignore[arg-type]
        elif op == "amend":
            index, change = arg  # type: ignore[misc]
            # The drawn change may equal the current state: nothing to amend then.
            with contextlib.suppress(InvalidEvent):
                tl.amend(ids[index], reason="test", **change)
        else:
            tl.retract(ids[arg], reason="test")  # type: ignore[index]
    return ids


def state_of(view: timeline.TimelineView | Timeline) -> list[tuple[str, int, Event]]:
    return [(e.id, view.version(e.id), e) for e in view.events(include_retracted=True)]


class TestProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=operations())
    def test_replay_equals_live_state(self, ops: list[tuple[str, object]]) -> None:
        """Replaying the log gives the state built by applying the operations one by one."""
        live = Timeline(MemoryStore(), clock=ticking())
        apply_ops(live, ops)
        replayed = Timeline(live.store)
        assert state_of(live) == state_of(replayed)
        assert {e.id for e in live.events()} == {e.id for e in replayed.events()}

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=operations(max_size=12))
    def test_as_of_equals_replay_stopped_at_n(self, ops: list[tuple[str, object]]) -> None:
        """as_of(seq=n) equals a fresh replay of the first n records."""
        tl = Timeline(MemoryStore(), clock=ticking())
        apply_ops(tl, ops)
        for n in range(tl.seq + 1):
            stopped = tl.replay(CurrentState(), until=n)
            view = tl.as_of(seq=n)
            everything = EventFilter(include_retracted=True)
            assert [(r.seq, r.version, r.event) for r in stopped.query(everything)] == [
                (r.seq, r.version, r.event) for r in view.records(everything)
            ]
            assert [r.stream for r in stopped.query(EventFilter())] == [
                r.stream for r in view.records(view.filter())
            ]
            assert [stopped.version_of(i) for i in view.ids()] == [
                view.version(i) for i in view.ids()
            ]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=operations(max_size=10))
    def test_chain_verifies_and_any_change_is_found(self, ops: list[tuple[str, object]]) -> None:
        """Any log verifies, and flipping any byte of any stored payload is found at its seq."""
        store = MemoryStore()
        tl = Timeline(store, clock=ticking())
        apply_ops(tl, ops)
        assert tl.verify().ok
        import msgspec

        for seq in range(1, tl.seq + 1):
            original = store.backend._lines[seq - 1]
            raw = msgspec.json.decode(original)
            payload = msgspec.json.encode(raw["payload"])
            # Change one byte inside the payload's title or reason text.
            marker = b'"title":"' if b'"title":"' in payload else b'"reason":"'
            at = original.index(marker) + len(marker)
            flipped = b"Z" if original[at : at + 1] != b"Z" else b"Y"
            store.backend._lines[seq - 1] = original[:at] + flipped + original[at + 1 :]
            report = tl.verify()
            store.backend._lines[seq - 1] = original
            assert not report.ok
            assert seq == report.first_bad_seq
