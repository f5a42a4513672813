"""``tl.restore`` and ``timeline restore``: undoing a mistaken retraction by a new record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import timeline
from timeline import RecordType, Timeline
from timeline._plugins import PluginHost
from timeline.cli import cli
from timeline.cli._common import CliState
from timeline.testing import FixedClock

SIGNED = {
    "id": "relos-signed",
    "kind": "treaty.signed",
    "when": "2025-02-18",
    "title": "RELOS signed",
    "actors": ["RUS", "IND"],
    "treaty": "RELOS",
}


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A log location on each kind of store."""
    return {"memory": ":memory:", "sqlite": f"{tmp_path}/t.db", "jsonl": f"{tmp_path}/t.jsonl"}[
        request.param
    ]


@pytest.fixture
def tl(where: str, plugin_host: PluginHost) -> Iterator[Timeline]:
    """A timeline with one event, amended and then retracted (versions 1-3)."""
    opened = timeline.open(where, clock=FixedClock(), plugins=plugin_host)
    opened.record(**SIGNED)
    opened.amend("relos-signed", reason="place", location="Moscow")
    opened.retract("relos-signed", reason="duplicate?")
    yield opened
    opened.close()


class TestRestore:
    def test_the_event_comes_back_as_it_was(self, tl: Timeline) -> None:
        """The restored event is its last state before the retraction (the amendment's)."""
        restored = tl.restore("relos-signed", reason="not a duplicate")
        assert "Moscow" == restored.location
        assert restored == tl.get("relos-signed")
        assert "relos-signed" in tl
        assert not tl.is_retracted("relos-signed")
        assert ["relos-signed"] == [e.id for e in tl.events(treaty="RELOS")]
        assert 4 == tl.version("relos-signed")

    def test_a_new_record_never_an_edit(self, tl: Timeline) -> None:
        before = [r.hash for r in tl.history("relos-signed")]
        tl.restore("relos-signed", reason="not a duplicate")
        history = tl.history("relos-signed")
        assert before == [r.hash for r in history[:3]]
        last = history[-1]
        assert (RecordType.RETRACTED, RecordType.AMENDED) == (history[2].type, last.type)
        assert "not a duplicate" == last.payload.reason
        assert () == last.payload.changes
        assert last.event == history[1].event
        assert tl.verify().ok

    def test_as_of_before_the_restore_shows_it_retracted(self, tl: Timeline) -> None:
        retracted_at = tl.seq
        tl.restore("relos-signed", reason="not a duplicate")
        view = tl.as_of(retracted_at)
        assert view.is_retracted("relos-signed")
        assert [] == list(view.events())
        assert not tl.as_of(tl.seq).is_retracted("relos-signed")

    def test_reopened_and_from_a_snapshot(self, tl: Timeline, where: str) -> None:
        """The stores' hot rows and a snapshot fold the restore the same way."""
        tl.restore("relos-signed", reason="not a duplicate")
        if where == ":memory:":
            return
        tl.snapshot()
        tl.close()
        for round_ in (1, 2):  # from the snapshot, then from a snapshot and a tail
            with timeline.open(where, clock=FixedClock()) as again:
                assert "relos-signed" in again
                assert "Moscow" == again.get("relos-signed").location
                again.retract("relos-signed", reason="after all")
                again.restore("relos-signed", reason="no, really")
                assert 4 + 2 * round_ == again.version("relos-signed")

    def test_restoring_a_live_event_is_refused(self, tl: Timeline) -> None:
        tl.restore("relos-signed", reason="not a duplicate")
        seq = tl.seq
        with pytest.raises(timeline.EventNotRetracted, match="is not retracted"):
            tl.restore("relos-signed", reason="again")
        assert seq == tl.seq

    def test_unknown_and_reasonless(self, tl: Timeline) -> None:
        with pytest.raises(timeline.UnknownEvent):
            tl.restore("nope", reason="x")
        with pytest.raises(timeline.InvalidEvent, match="reason"):
            tl.restore("relos-signed", reason=" ")

    def test_expected_version_is_the_retractions(self, tl: Timeline) -> None:
        with pytest.raises(timeline.ConcurrencyError, match="at version 3"):
            tl.restore("relos-signed", reason="x", expected_version=2)
        tl.restore("relos-signed", reason="x", expected_version=3)

    def test_amend_and_retract_work_after_it(self, tl: Timeline) -> None:
        tl.restore("relos-signed", reason="x")
        tl.amend("relos-signed", reason="y", title="RELOS signed in Moscow", expected_version=4)
        tl.retract("relos-signed", reason="z", expected_version=5)
        assert tl.is_retracted("relos-signed")

    def test_a_view_cannot_restore(self, tl: Timeline) -> None:
        with pytest.raises(timeline.ReadOnlyTimeline):
            tl.as_of(1).restore("relos-signed", reason="x")


@pytest.fixture
def run(plugin_host: PluginHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    with timeline.open(tmp_path / "t.db", clock=FixedClock(), plugins=plugin_host) as tl:
        tl.record(**SIGNED)

    def invoke(*args: str) -> Any:
        obj = CliState(host=plugin_host, clock=FixedClock())
        return CliRunner().invoke(cli, ["--db", "t.db", *args], obj=obj)

    return invoke


class TestCli:
    def test_retract_restore_history(self, run: Any) -> None:
        assert 0 == run("retract", "relos-signed", "--reason", "dup").exit_code
        result = run("restore", "relos-signed", "--reason", "not a duplicate")
        assert 0 == result.exit_code, result.output
        assert "restored relos-signed (now version 3)" == result.stdout.strip()
        assert "RELOS signed" in run("list").stdout
        rows = run("history", "relos-signed").stdout.splitlines()[1:]
        assert ["recorded", "retracted", "restored"] == [r.split()[1] for r in rows]
        assert rows[2].endswith("not a duplicate")

    def test_restoring_a_live_event_is_one_line(self, run: Any) -> None:
        result = run("restore", "relos-signed", "--reason", "x")
        assert 1 == result.exit_code
        [line] = result.stderr.strip().splitlines()
        assert "error: event 'relos-signed' is not retracted: there is nothing to restore" == line

    def test_reason_is_required(self, run: Any) -> None:
        result = run("restore", "relos-signed")
        assert 2 == result.exit_code
        assert "--reason" in result.stderr
