"""The import policy (src/timeline/_importing.py): one append per file, in bounded batches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs
import pytest

import timeline
import timeline._importing as importing
from timeline.testing import FixedClock, first_party_host


def rows(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"e{i}", "kind": "treaty.signed", "when": f"2025-01-{i + 1:02d}", "title": f"T{i}"}
        for i in range(n)
    ]


def jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture(params=["log.db", "log.jsonl", ":memory:"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    name = str(request.param)
    return name if name == ":memory:" else str(tmp_path / name)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 2 records, so a handful of rows spans several batches."""
    monkeypatch.setattr(importing, "BATCH", 2)


def open_at(location: str) -> timeline.Timeline:
    return timeline.open(location, clock=FixedClock(), plugins=first_party_host())


class TestOneAppend:
    def test_batches_make_one_append(self, location: str, tmp_path: Path) -> None:
        """Seven rows in batches of two are one append: one batch_end, one recorded_at."""
        with open_at(location) as tl:
            tl.record(kind="treaty.signed", when="2024-12-31", title="before")
            report = tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", rows(7)))
            assert 7 == report.recorded
            raws = list(tl.store.read_raw())
            assert [None] + [8] * 7 == [r.batch_end for r in raws]
            assert 1 == len({r.recorded_at for r in raws[1:]})
            assert [f"e{i}" for i in range(7)] == [r.stream for r in raws[1:]]
            assert 8 == len(tl)
            assert tl.verify().ok

    def test_imported_events_are_queryable(self, location: str, tmp_path: Path) -> None:
        """The read model knows every imported event, across batches and after reopening."""
        with open_at(location) as tl:
            tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", rows(5)))
            assert ["T3"] == [e.title for e in tl.events(between=("2025-01-04", "2025-01-04"))]
        if location != ":memory:":
            with open_at(location) as again:
                assert [f"e{i}" for i in range(5)] == sorted(again.ids())

    def test_subscribers_hear_every_record(self, tmp_path: Path) -> None:
        """timeline_on_append hears each imported record once, in batches of BATCH."""
        heard: list[list[str]] = []

        class Listener:
            @timeline.hookimpl
            def timeline_on_append(self, records: Any) -> None:
                heard.append([r.stream for r in records])

        host = first_party_host()
        host.register(Listener(), name="listener")
        with timeline.open(tmp_path / "log.db", plugins=host) as tl:
            tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", rows(5)))
        assert [["e0", "e1"], ["e2", "e3"], ["e4"]] == heard


class TestReadModelLater:
    """A large import leaves the read model of its events to the first query after it."""

    @pytest.fixture(autouse=True)
    def small_threshold(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(importing, "READ_LATER", 5)

    def _answers(self, tl: timeline.Timeline) -> object:
        return (
            [(e.id, e.title, tl.version(e.id)) for e in tl.events(include_retracted=True)],
            len(tl),
            [e.id for e in tl.events(between=("2025-01-03", "2025-01-05"))],
            tl.get("e3").title,
        )

    @pytest.mark.parametrize("snapshot", [False, True])
    def test_the_state_waits_and_then_answers_as_a_reopen(
        self, location: str, tmp_path: Path, snapshot: bool
    ) -> None:
        """After the import nothing is folded; the first query folds it all, then later writes."""
        with open_at(location) as tl:
            tl.record(kind="treaty.signed", when="2024-12-31", title="before")
            if snapshot:
                tl.snapshot()
            report = tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", rows(8)))
            assert 8 == report.recorded
            assert not tl._state.loaded
            assert 9 == tl._state.seq
            tl.record(kind="visit.state", when="2025-01-04", title="after")
            tl.amend("e3", title="T3 amended", reason="test")
            answers = self._answers(tl)
            assert tl._state.loaded
            assert (10, 11) == (len(tl), tl._state.seq)
            assert "T3 amended" == tl.get("e3").title
            if location != ":memory:":
                tl.close()
                with open_at(location) as reopened:
                    assert answers == self._answers(reopened)

    def test_a_small_import_is_folded_at_once(self, location: str, tmp_path: Path) -> None:
        """Below the threshold the events are folded in by the import itself."""
        with open_at(location) as tl:
            tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", rows(4)))
            assert tl._state.loaded
            assert 4 == len(tl)

    def test_reimport_after_a_deferred_import_is_a_no_op(
        self, location: str, tmp_path: Path
    ) -> None:
        """The rows of a deferred import are present to the next import (head unchanged)."""
        source = jsonl(tmp_path / "a.jsonl", rows(8))
        with open_at(location) as tl:
            tl.import_file("jsonl", source)
            head = tl.store.head()
            again = tl.import_file("jsonl", source)
            assert (0, 8, head) == (again.recorded, again.present, tl.store.head())


@attrs.frozen(kw_only=True)
class Racing(timeline.Importer):
    """Reads JSON Lines, and has another writer record the last row's id meanwhile."""

    name: str = "racing"
    description: str = "JSON Lines, raced by another writer"
    binary: bool = False
    other: str = ""

    def read(self, stream: IO[Any], **options: Any) -> Iterator[tuple[int, dict[str, Any]]]:
        items = [json.loads(line) for line in stream]
        yield from enumerate(items, 1)
        with open_at(self.other) as other:
            other.record(**items[-1])


class TestAllOrNothing:
    @pytest.mark.parametrize("location", ["log.db", "log.jsonl"])
    def test_lost_race_writes_nothing(self, location: str, tmp_path: Path) -> None:
        """Another writer taking a row's id during the import: nothing of the file is written."""
        path = str(tmp_path / location)
        with open_at(path) as tl:
            source = jsonl(tmp_path / "a.jsonl", rows(5))
            with pytest.raises(timeline.ImportFailed) as info:
                tl.import_file(Racing(other=path), source)
            assert ["line 5: id: event 'e4' was written by another writer during the import"] == [
                str(p) for p in info.value.problems
            ]
            tl.refresh()
            assert (["e4"], 1) == (tl.ids(), tl.seq)
            assert tl.verify().ok

    def test_bad_row_writes_nothing(self, location: str, tmp_path: Path) -> None:
        """A bad row in the last batch: the file's other rows are not written either."""
        items = rows(5)
        items[4]["when"] = "someday"
        with open_at(location) as tl:
            with pytest.raises(timeline.ImportFailed, match="line 5: when"):
                tl.import_file("jsonl", jsonl(tmp_path / "a.jsonl", items))
            assert (0, 0) == (tl.seq, tl.store.head())


class TestSpool:
    def test_repeats_and_counts(self) -> None:
        """The spool keeps each id once, names the first line, and counts the records."""
        spool = importing._Spool()
        try:
            record = importing._pending(
                timeline.Event(kind="treaty.signed", when="2025", title="x", id="a"),
                importing.RecordType.RECORDED,
                1,
            )
            assert spool.add("a", 3, record) is None
            assert spool.add("b", 4, None) is None
            assert 4 == spool.add("b", 9, record)
            assert 3 == spool.add("a", 10, None)
            for i in range(3):
                spool.add(f"c{i}", 11 + i, record)
            assert 4 == spool.count
            batches = list(spool.batches())
            assert [2, 2] == [len(b) for b in batches]
            assert record == batches[0][0]
        finally:
            spool.close()
