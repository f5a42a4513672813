"""The columnar current state: lazy events, column filters, snapshots bound to the chain."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest

import timeline
import timeline._sqlite as sqlite_module
from timeline import CurrentState, LogTruncated, SqliteStore, Timeline
from timeline._snapshot import HEADER_SIZE, SnapshotSections, read_header
from timeline._sqlite import SqliteBackend

FIXTURES = Path(__file__).parent / "fixtures"


def _log(path: Path, n: int = 30) -> list[str]:
    with timeline.open(path, snapshot_every=0) as tl:
        events = tl.record_many(
            {
                "kind": "treaty.signed" if i % 3 else "visit.state",
                "when": f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}",
                "title": f"event {i}",
                "actors": ["RUS", "IND"] if i % 2 else ["CHN"],
                "tags": ["even"] if i % 2 == 0 else [],
                "treaty": "RELOS" if i % 5 == 0 else None,
                "modality": "planned" if i % 7 == 0 else "actual",
            }
            for i in range(n)
        )
        tl.amend(events[1].id, title="amended", reason="test")
        tl.retract(events[2].id, reason="test")
    return [e.id for e in events]


#: The sections of a snapshot of the current state.
SECTION_NAMES = [
    *(name.lstrip("_") for name in timeline._projection._SECTIONS),
    "id_starts",
    "id_ends",
    "ids",
    "wide",
]


def _everything(tl: Timeline) -> object:
    """Every answer a state gives: events in order, counts, ids, short ids, lookups."""
    events = [(e.id, e.kind, e.title) for e in tl.events(include_retracted=True)]
    shown = sorted(e[0] for e in events)
    # Short ids and lookups before ids(): they read the snapshot's id sections, not a list.
    return (
        events,
        [e.id for e in tl.events(actor="IND", between=("2025-03-01", "2025-09-30"))],
        [
            [e.id for e in tl.events(**where)]  # type: ignore[arg-type]
            for where in ({"kind": "visit.*"}, {"tag": "even"}, {"treaty": "RELOS"})
        ],
        [e.id for e in tl.events(modality="planned")],
        (len(tl), tl._state.retracted_count),
        tl.short_ids(shown),
        [tl.ids_matching(i[-6:]) for i in shown],
        [tl.version(i) for i in shown],
        tl.ids(),
    )


@pytest.fixture(params=["log.db", "log.jsonl"])
def path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


class TestLazyEvents:
    def test_open_decodes_no_event(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Opening folds the query columns only: no record is decoded until an event is read."""
        ids = _log(path)
        decoded: list[int] = []
        original = timeline._codec.RecordCodec.decode_many

        def counting(self, lines, seqs):  # type: ignore[no-untyped-def]
            decoded.extend(seqs)
            return original(self, lines, seqs)

        monkeypatch.setattr(timeline._codec.RecordCodec, "decode_many", counting)
        tl = timeline.open(path, snapshot_every=0)
        assert (29, []) == (len(tl), decoded)
        assert "amended" == tl.get(ids[1]).title
        assert 1 == len(decoded)
        tl.close()

    def test_filters_from_columns_equal_filters_on_events(self, path: Path) -> None:
        """Every filter answered from the columns gives what EventFilter.matches says."""
        _log(path)
        tl = timeline.open(path, snapshot_every=0)
        everything = list(tl.events(include_retracted=True))
        cases = [
            {"actor": "IND"},
            {"kind": "visit.*"},
            {"tag": "even"},
            {"treaty": "RELOS"},
            {"modality": "planned"},
            {"modality": ["planned", "actual"], "actor": "CHN"},
            {"between": ("2025-03-01", "2025-04-15")},
            {"within": ("2025-03-01", "2025-04-15")},
            {"include_retracted": True, "kind": "treaty.signed"},
        ]
        for filters in cases:
            where = tl.filter(**filters)  # type: ignore[arg-type]
            expected = [
                e
                for e in everything
                if where.matches(e) and (where.include_retracted or not tl.is_retracted(e.id))
            ]
            assert expected == list(tl.events(**filters)), filters  # type: ignore[arg-type]
        tl.close()

    def test_timeline_order_is_the_exact_order(self, path: Path) -> None:
        """Results come in (When.sort_key, id) order, ties included."""
        _log(path, 60)
        with timeline.open(path, snapshot_every=0) as tl:
            found = list(tl.events(include_retracted=True))
            assert [(e.when.sort_key, e.id) for e in found] == sorted(
                (e.when.sort_key, e.id) for e in found
            )

    def test_within_and_between_together_are_refused(self, path: Path) -> None:
        """between is "possibly in", within "certainly in": one window at a time."""
        _log(path, 3)
        with timeline.open(path) as tl, pytest.raises(timeline.InvalidEvent, match="within"):
            tl.events(between=("2025", "2025"), within=("2025", "2025"))

    def test_bad_modality_is_refused(self, path: Path) -> None:
        """An unknown modality names the known ones."""
        _log(path, 3)
        with timeline.open(path) as tl, pytest.raises(timeline.InvalidEvent, match="actual"):
            tl.events(modality="maybe")


class TestOneEventWithoutTheColumns:
    def test_point_reads_equal_the_loaded_state(self, path: Path) -> None:
        """get, version, retracted and unknown ids answer the same before the snapshot loads."""
        ids = _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            tl.amend(ids[3], title="after the snapshot", reason="test")
            extra = tl.record(kind="visit.state", when="2026", title="new").id
            point = tl.seq
            tl.retract(ids[4], reason="test")
        asked = [*ids, extra, "no-such-event"]
        for view_of in (lambda t: t, lambda t: t.as_of(seq=point)):
            lazy_tl = timeline.open(path)
            lazy = view_of(lazy_tl)
            answers = [
                (i in lazy, lazy.version(i) if i in lazy else 0, lazy.is_retracted(i))
                if i in lazy
                else (False,)
                for i in asked
            ]
            records = [lazy.record_of(i, include_retracted=True) for i in asked if i in lazy]
            assert isinstance(lazy._state, CurrentState)
            assert not lazy._state.loaded or path.suffix != ".db"
            lazy._state._ready()  # now from the columns
            assert answers == [
                (i in lazy, lazy.version(i) if i in lazy else 0, lazy.is_retracted(i))
                if i in lazy
                else (False,)
                for i in asked
            ]
            assert records == [
                lazy.record_of(i, include_retracted=True) for i in asked if i in lazy
            ]
            lazy_tl.close()
        with timeline.open(path) as tl:
            assert tl.is_retracted(ids[4])
            assert not tl.as_of(seq=point).is_retracted(ids[4])
            assert "after the snapshot" == tl.get(ids[3]).title


def test_json_lines_finds_one_event_in_the_snapshots_ids(tmp_path: Path) -> None:
    """With no index of streams, an event's row is found in the snapshot's ids, no map built."""
    path = tmp_path / "log.jsonl"
    ids = _log(path)
    with timeline.open(path, snapshot_every=0) as tl:
        tl.snapshot()
        extra = tl.record(kind="visit.state", when="2026", title="new").id
        tl.amend(ids[-1], title="last, amended", reason="test")
        truth = {i: (tl.version(i), tl.is_retracted(i), tl.record_of(i, include_retracted=True))
                 for i in [*ids, extra]}  # fmt: skip
    with timeline.open(path) as tl:
        for i, (version, retracted, record) in truth.items():
            assert (version, retracted) == (tl.version(i), tl.is_retracted(i))
            assert record == tl.record_of(i, include_retracted=True)
        assert "no-such-event" not in tl
        assert ids[0][:-1] not in tl  # a prefix of an id is no id
        assert isinstance(tl._state, CurrentState)
        assert not tl._state._row_ids.mapped


class TestSnapshots:
    def test_reopen_with_snapshot_equals_replay(self, path: Path) -> None:
        """A state restored from its snapshot answers as a full replay does."""
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            expected = list(tl.events(include_retracted=True))
            tl.snapshot()
            tl.record(kind="treaty.signed", when="2026", title="tail")
        with timeline.open(path, snapshot_every=0) as tl:
            assert [*expected, tl.events()[-1]] == list(tl.events(include_retracted=True))

    @pytest.mark.parametrize("section", [*SECTION_NAMES, "directory"])
    def test_an_edited_snapshot_is_never_shown(self, tmp_path: Path, section: str) -> None:
        """A changed byte in any part of a snapshot fails its hash: rebuilt from the log, noted."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            # A date spanning more than a year: the "wide" section then holds a row.
            tl.record(kind="visit.state", when="2020/2030", title="decade", actors=["IND"])
            tl.snapshot()
            tl.record(kind="visit.state", when="2024-01-02", title="tail", actors=["BRA"])
            expected = _everything(tl)
        db = sqlite3.connect(path)
        seq, data = db.execute("SELECT seq, data FROM snapshots").fetchone()
        header = read_header(data)
        parts = SnapshotSections(header, lambda wanted: [data[a : a + n] for a, n in wanted])
        if section == "directory":
            at = HEADER_SIZE + 3
        else:
            offset, size, _ = parts._sections[section]
            at = HEADER_SIZE + header.directory_size + offset + size // 2
        forged = bytearray(data)
        forged[at] ^= 0x01
        db.execute("DELETE FROM snapshots")
        db.execute(
            "INSERT INTO snapshots VALUES ('current', ?, ?, ?, ?)",
            (CurrentState.version, seq, bytes(forged[:256]), bytes(forged)),
        )
        db.commit()
        db.close()
        with timeline.open(path, snapshot_every=0) as tl:
            assert expected == _everything(tl)
            assert any("does not match its digest" in r for r in tl.repairs), tl.repairs

    def test_the_first_events_read_only_the_sections_they_need(
        self, path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Listing the first events of a restored state reads the order, not every column."""
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            expected = [e.id for e in tl.events()][:5]
            shorts = tl.short_ids(expected)
        read: list[str] = []
        original = SnapshotSections.sections

        def counting(self: SnapshotSections, names: list[str]):  # type: ignore[no-untyped-def]
            read.extend(names)
            return original(self, names)

        monkeypatch.setattr(SnapshotSections, "sections", counting)
        with timeline.open(path) as tl:
            first = [r.stream for r in itertools.islice(tl.iter_records(tl.filter()), 5)]
            assert (expected, shorts) == (first, tl.short_ids(first))
            needed = {"order", "gone", "seqs", "lo", "rank", "id_starts", "id_ends"}
            if path.suffix == ".jsonl":
                needed.add("terms")  # its store keeps no terms: the snapshot's are read
            assert needed == set(read)

    def test_the_saved_order_is_kept_current_through_a_tail(self, path: Path) -> None:
        """New and re-dated events after the snapshot take their places in the saved order."""
        ids = _log(path, 40)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            tl.amend(ids[5], when="1990-05-01", reason="re-dated")
            tl.amend(ids[6], when="2031-01-01", reason="re-dated")
            tl.record_many(
                {"kind": "visit.state", "when": f"20{10 + i}-03-0{1 + i % 5}", "title": f"t{i}"}
                for i in range(12)
            )
        with timeline.open(path) as tl:
            got = [e.id for e in tl.events(include_retracted=True)]
            assert ids[5] == got[0]
            assert ids[6] == got[-1]
            assert got == sorted(
                got, key=lambda i: (tl.get(i, include_retracted=True).when.sort_key, i)
            )
            tl.record(kind="visit.state", when="1980", title="after open")
            assert "after open" == tl.events()[0].title

    def test_json_lines_reads_the_terms_of_its_snapshot(self, tmp_path: Path) -> None:
        """A log whose store keeps no terms takes the snapshot's (checked, like any section)."""
        path = tmp_path / "log.jsonl"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            expected = _everything(tl)
        with timeline.open(path) as tl:
            assert expected == _everything(tl)
            assert not tl.repairs
        snap = next((tmp_path / "log.jsonl.snapshots").glob("current.v*.snap"))
        data = bytearray(snap.read_bytes())
        header = read_header(bytes(data[8:]))
        parts = SnapshotSections(
            header, lambda wanted: [bytes(data[8 + a : 8 + a + n]) for a, n in wanted]
        )
        offset, size, _ = parts._sections["terms"]
        data[8 + HEADER_SIZE + header.directory_size + offset + size // 2] ^= 0x20
        snap.write_bytes(bytes(data))
        with timeline.open(path) as tl:
            assert expected == _everything(tl)
            assert any("does not match its digest" in r for r in tl.repairs), tl.repairs

    def test_snapshot_past_the_head_is_possible_truncation(self, tmp_path: Path) -> None:
        """A snapshot taken at a seq the log no longer holds says so, never silently."""
        path = tmp_path / "log.jsonl"
        _log(path, 5)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:-2]))  # the last two records are gone
        with pytest.raises(LogTruncated, match="records 6-7 are missing"):
            timeline.open(path)
        report = timeline.verify(path)
        assert (False, 6) == (report.ok, report.first_bad_seq)
        assert "records 6-7 are missing" in (report.reason or "")

    def test_json_lines_tail_read_before_the_snapshot_is_remapped(self, tmp_path: Path) -> None:
        """Terms numbered by an append before the snapshot was read still mean the same."""
        path = tmp_path / "log.jsonl"
        _log(path, 10)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
        reopened = timeline.open(path, snapshot_every=0)
        reopened.record(kind="meeting.summit", when="2025-06-01", title="new", actors=["BRA"])
        assert not reopened._state.loaded
        assert ["new"] == [e.title for e in reopened.events(actor="BRA")]
        assert 5 == len(reopened.events(kind="treaty.signed"))
        assert 5 == len(reopened.events(actor="IND"))
        reopened.close()

    def test_sqlite_terms_are_read_only_by_a_query_that_needs_them(self, tmp_path: Path) -> None:
        """A reopened SQLite log lists its first events without reading its terms table."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            tl.record(kind="visit.state", when="2024-01-02", title="tail", actors=["BRA"])
            expected = _everything(tl)
        with timeline.open(path, snapshot_every=0) as tl:
            first = [e.id for e in tl.events()][:5]
            vocabulary = tl._store.vocabulary()
            assert 1 == len(vocabulary)  # only term 0, "none": nothing read from the table
            assert first == [e[0] for e in expected[0] if e[0] in first][:5]  # type: ignore[index]
        with timeline.open(path, snapshot_every=0) as tl:
            assert expected == _everything(tl)
            assert not tl.repairs

    def test_an_actor_query_reads_one_term_of_the_table(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """After a snapshot, an actor and month query asks SQLite for terms, reads none whole."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            expected = [e.id for e in tl.events(actor="IND", between=("2025-03-01", "2025-09-30"))]
        assert expected
        loaded: list[int] = []
        real = SqliteBackend._load_terms

        def counting(backend: SqliteBackend) -> None:
            loaded.append(len(backend._vocabulary))
            real(backend)

        monkeypatch.setattr(SqliteBackend, "_load_terms", counting)
        with timeline.open(path, snapshot_every=0) as tl:
            found = tl.events(actor="IND", between=("2025-03-01", "2025-09-30"))
            assert expected == [e.id for e in found]
            assert [] == loaded  # the snapshot's last term was looked up, no table read
            assert not tl.repairs

    def test_a_changed_last_term_replays_the_log(self, tmp_path: Path) -> None:
        """The store's term where the snapshot's last one was differs: not trusted, replayed."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
            expected = [e.id for e in tl.events(actor="IND", between=("2025-03-01", "2025-09-30"))]
        db = sqlite3.connect(path)
        db.execute("DROP TRIGGER terms_no_update")
        (last,) = db.execute("SELECT max(id) FROM terms").fetchone()
        db.execute("UPDATE terms SET value = value || ' edited' WHERE id = ?", (last,))
        db.commit()
        db.close()
        with timeline.open(path, snapshot_every=0) as tl:
            found = tl.events(actor="IND", between=("2025-03-01", "2025-09-30"))
            assert expected == [e.id for e in found]
            assert any("not the ones the snapshot was taken with" in r for r in tl.repairs)

    def test_an_edited_terms_table_replays_the_log(self, tmp_path: Path) -> None:
        """Terms changed under a snapshot (triggers dropped, a value edited) are not trusted."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
        db = sqlite3.connect(path)
        db.execute("DROP TRIGGER terms_no_update")
        db.execute("UPDATE terms SET value = 'meeting.summit' WHERE value = 'visit.state'")
        db.commit()
        db.close()
        with timeline.open(path, snapshot_every=0) as tl:
            # The log's hot rows now say "meeting.summit": a replay of them is what is shown,
            # never the snapshot's columns read with numbers that changed meaning.
            assert [] == list(tl.events(kind="visit.state"))
            assert 10 == len(tl.events(kind="meeting.summit", include_retracted=True))
            assert any("not the ones the snapshot was taken with" in r for r in tl.repairs)

    def test_terms_after_the_snapshot_are_read_from_the_store(self, tmp_path: Path) -> None:
        """A tail's new terms (a kind, an actor) number its rows as the store numbered them."""
        path = tmp_path / "log.db"
        _log(path)
        with timeline.open(path, snapshot_every=0) as tl:
            tl.snapshot()
        with timeline.open(path, snapshot_every=0) as tl:
            tl.record(kind="meeting.summit", when="2026-03-01", title="Summit", actors=["BRA"])
        with timeline.open(path, snapshot_every=0) as tl:
            assert ["Summit"] == [e.title for e in tl.events(actor="BRA")]
            assert ["Summit"] == [e.title for e in tl.events(kind="meeting.summit")]
            assert 10 == len(tl.events(kind="visit.state", include_retracted=True))
            assert not tl.repairs


class _Refusing:
    """A connection that refuses to write, as SQLite does for a read-only file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: object) -> object:
        if sql.lstrip().upper().startswith("CREATE"):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return self._db.execute(sql, *args)


class TestMigration:
    def test_a_format_3_log_is_migrated_on_open(self, tmp_path: Path) -> None:
        """A log written by the previous format gains its query columns and reads the same."""
        path = tmp_path / "old.db"
        shutil.copy(FIXTURES / "format3.db", path)
        with timeline.open(path, snapshot_every=0) as tl:
            assert (23, 19) == (tl.seq, len(tl))
            assert tl.verify().ok
            assert "2025-12-02" == tl.get("relos-duma").when.edtf
            assert tl.is_retracted("gone")
            relos = [e.id for e in tl.events(treaty="RELOS")]
        db = sqlite3.connect(path)
        assert ("geotimeline-4",) == db.execute("SELECT value FROM meta").fetchone()
        assert 0 == db.execute("SELECT COUNT(*) FROM records WHERE length(hot) != 36").fetchone()[0]
        db.close()
        with timeline.open(path) as again:
            assert relos == [e.id for e in again.events(treaty="RELOS")]

    def test_a_log_without_the_replay_index_gains_it_on_open(self, tmp_path: Path) -> None:
        """The covering index of the hot columns is built once, and replay scans it."""
        path = tmp_path / "log.db"
        _log(path)
        db = sqlite3.connect(path)
        db.execute("DROP INDEX records_hot")
        db.commit()
        db.close()
        with timeline.open(path, snapshot_every=0) as tl:
            expected = list(tl.events(include_retracted=True))
        db = sqlite3.connect(path)
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT stream, hot FROM records WHERE seq > 0 AND seq <= 9"
            " ORDER BY seq"
        ).fetchall()
        db.close()
        assert "COVERING INDEX records_hot" in str(plan)
        with timeline.open(path, snapshot_every=0) as tl:
            assert expected == list(tl.events(include_retracted=True))

    def test_a_log_that_may_not_be_written_is_read_without_the_index(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Where the index cannot be built (a read-only file), the log opens and reads as ever."""
        path = tmp_path / "log.db"
        ids = _log(path)
        db = sqlite3.connect(path)
        db.execute("DROP INDEX records_hot")
        db.commit()
        db.close()
        real = SqliteBackend._index_hot

        def read_only(backend: SqliteBackend) -> None:
            connection = backend._db
            backend._db = _Refusing(connection)  # type: ignore[assignment]
            try:
                real(backend)
            finally:
                backend._db = connection

        monkeypatch.setattr(SqliteBackend, "_index_hot", read_only)
        with timeline.open(path, snapshot_every=0) as tl:
            assert sorted(ids) == sorted(e.id for e in tl.events(include_retracted=True))
        db = sqlite3.connect(path)
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_hot'").fetchone()
        db.close()

    def test_another_error_building_the_index_is_not_swallowed(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Only a read-only file is read without the index: another refusal is an error."""
        path = tmp_path / "log.db"
        _log(path)
        monkeypatch.setattr(sqlite_module, "_HOT_INDEX", "INSERT INTO nowhere VALUES (1)")
        with pytest.raises(timeline.CorruptLog, match="nowhere"):
            timeline.open(path, snapshot_every=0)

    def test_a_forged_query_column_is_found_by_verify(self, tmp_path: Path) -> None:
        """The hot column must say what the hashed record says."""
        path = tmp_path / "log.db"
        _log(path, 3)
        db = sqlite3.connect(path)
        db.execute("DROP TRIGGER records_no_update")
        db.execute("UPDATE records SET hot = zeroblob(36) WHERE seq = 2")
        db.commit()
        db.close()
        report = Timeline(SqliteStore(path)).verify()
        assert (False, 2) == (report.ok, report.first_bad_seq)


def test_a_tie_longer_than_a_batch_is_walked_in_exact_order(tmp_path: Path) -> None:
    """A day of thousands of events (a large tie) comes out in (When.sort_key, id) order."""
    count = timeline._timelineorder.LARGE_TIE + 300
    with timeline.open(tmp_path / "log.db", snapshot_every=0) as tl:
        tl.record_many(
            {
                "kind": "visit.state",
                # One coarse key (the day, day precision); the qualifiers order them.
                "when": ("2025-12-04", "2025-12-04~", "2025-12-04?")[i % 3],
                "title": f"event {i}",
            }
            for i in range(count)
        )
        # The state's own walk (events() orders ties in _queryrows).
        walked = [r.event for r in tl.iter_records(tl.filter()) if r.event is not None]
        listed = list(tl.events())
    assert count == len(walked)
    assert sorted(walked, key=lambda e: (e.when.sort_key, e.id)) == walked == listed
