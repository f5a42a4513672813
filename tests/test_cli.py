"""Tests for the timeline command (timeline.cli): click's runner and a real subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import networkx as nx
import pytest
from click.testing import CliRunner, Result

import timeline
from timeline._plugins import PluginHost
from timeline.cli import CliState, cli
from timeline.cli import _common as common
from timeline.hookspecs import hookimpl
from timeline.testing import FixedClock

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)
# A page names a file its examples read as "`events.json` holding:" before a ```json block.
HOLDING = re.compile(r"`([\w.-]+)` holding:\n\n```json\n(.*?)^```", re.DOTALL | re.MULTILINE)

SIGNED = [
    "--kind",
    "treaty.signed",
    "--when",
    "2025-02-18",
    "--title",
    "RELOS signed",
    "--actor",
    "RUS",
    "--actor",
    "IND",
    "--source",
    "https://example.org/relos",
    "--tag",
    "logistics",
    "--treaty",
    "RELOS",
    "--id",
    "relos-signed",
]
VISIT = [
    "--kind",
    "visit.state",
    "--when",
    "2025-12-04/2025-12-05",
    "--title",
    "Putin visits",
    "--actor",
    "RUS",
    "--actor",
    "IND",
    "--id",
    "visit-delhi",
]
SCO_LIKE = ["--kind", "meeting.summit", "--when", "2025", "--title", "x", "--id", "x-sco"]
SUMMIT = [
    "--kind",
    "meeting.summit",
    "--when",
    "2025-08-31",
    "--title",
    "SCO summit",
    "--actor",
    "CHN",
    "--id",
    "sco-2025",
]


@pytest.fixture
def run(plugin_host: PluginHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Return a function running the CLI in-process on tmp_path/t.db."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMELINE_DB", raising=False)

    def invoke(
        *args: str,
        db: str | None = "t.db",
        host: PluginHost | None = None,
        input: str | None = None,
    ) -> Result:
        argv = (["--db", db] if db else []) + list(args)
        obj = CliState(host=host or plugin_host, clock=FixedClock())
        return CliRunner().invoke(cli, argv, obj=obj, input=input)

    return invoke


@pytest.fixture
def filled(run: Any) -> Any:
    """The runner, with a log holding three events."""
    assert run("init").exit_code == 0
    for flags in (SIGNED, VISIT, SUMMIT):
        assert run("add", *flags).exit_code == 0
    return run


def assert_user_error(result: Result, text: str, code: int = 1) -> None:
    """The command failed with one 'error:' line on stderr and no traceback."""
    assert code == result.exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert text in lines[0]
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def console_examples(text: str) -> list[tuple[list[str], list[str]]]:
    """Return each ``$ timeline ...`` command of a page's console blocks with its shown output."""
    steps: list[tuple[list[str], list[str]]] = []
    for block in CONSOLE.findall(text):
        lines = block.splitlines()
        shown: list[str] | None = None
        while lines:
            line = lines.pop(0)
            if not line.startswith("$ "):
                if shown is not None:
                    shown.append(line)
                continue
            command = line[2:]
            while command.endswith("\\") and lines:
                command = command[:-1] + " " + lines.pop(0).strip()
            argv = shlex.split(command, comments=True)
            shown = None
            if argv[0] == "timeline":
                shown = []
                steps.append((argv, shown))
    return steps


class TestConsoleExamples:
    def test_parser_joins_continuations(self) -> None:
        """Backslash-continued lines are one command; other commands and comments are dropped."""
        text = (
            "```console\n$ timeline --db a.db add --title 'A b' \\\n    --when 2025\n"
            "a1\n$ echo $?\n0\n$ timeline demo   # note\n```\n"
        )
        expected = [
            (["timeline", "--db", "a.db", "add", "--title", "A b", "--when", "2025"], ["a1"]),
            (["timeline", "demo"], []),
        ]
        assert expected == console_examples(text)

    @pytest.mark.parametrize("page", ["README.md", "docs/cli.md"])
    def test_examples_run(self, run: Any, tmp_path: Path, page: str) -> None:
        """Every ``$ timeline`` example of the page runs in order: exit 0, or the error it shows."""
        text = (ROOT / page).read_text(encoding="utf-8")
        for name, content in HOLDING.findall(text):
            (tmp_path / name).write_text(content, encoding="utf-8")
        steps = console_examples(text)
        assert any(argv[-1] == "verify" for argv, _ in steps), "the page should show verify"
        for argv, shown in steps:
            result = run(*argv[1:], db=None)
            if shown and shown[0].startswith("error: "):
                assert (1, shown[0]) == (result.exit_code, result.stderr.strip()), argv
                continue
            assert result.exit_code == 0, (argv, result.output)
            if argv[-1] == "verify":
                assert result.stdout.startswith("ok: "), result.stdout


class TestInit:
    def test_creates_log(self, run: Any, tmp_path: Path) -> None:
        """init creates the SQLite file and says so."""
        result = run("init")
        assert result.exit_code == 0
        assert result.stdout == "created an empty timeline in t.db\n"
        assert (tmp_path / "t.db").exists()

    def test_again_is_harmless(self, filled: Any) -> None:
        """init on an existing log keeps it and reports its size."""
        assert filled("init").stdout == "t.db already holds a timeline (3 events)\n"

    def test_db_from_environment(
        self, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """TIMELINE_DB chooses the log when --db is not given."""
        monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "env.jsonl"))
        assert run("init", db=None).exit_code == 0
        assert (tmp_path / "env.jsonl").exists()

    def test_unknown_store_suffix(self, run: Any) -> None:
        """A --db path with no known suffix is one error line."""
        assert_user_error(run("init", db="log.txt"), "cannot tell the store")


class TestAdd:
    def test_prints_id(self, run: Any, tmp_path: Path) -> None:
        """add records the event and prints its id."""
        run("init")
        result = run("add", *SIGNED)
        assert result.stdout == "relos-signed\n"
        with timeline.open(tmp_path / "t.db") as tl:
            event = tl.get("relos-signed")
        assert (
            event.kind,
            event.countries,
            event.tags,
            event.treaty,
        ) == ("treaty.signed", ("RUS", "IND"), ("logistics",), "RELOS")

    def test_from_json_file(self, run: Any, tmp_path: Path) -> None:
        """add --json records a list of events in one append."""
        run("init")
        data = [
            {"kind": "treaty.signed", "when": "2025-02-18", "title": "A", "id": "a"},
            {"kind": "treaty.signed", "when": "2025-02-19", "title": "B", "id": "b"},
        ]
        (tmp_path / "e.json").write_text(json.dumps(data), encoding="utf-8")
        assert run("add", "--json", "e.json").stdout == "a\nb\n"

    def test_from_stdin(self, run: Any) -> None:
        """add --json - reads one event object from standard input."""
        run("init")
        event = {"kind": "treaty.signed", "when": "2025-02-18", "title": "A", "id": "a"}
        assert run("add", "--json", "-", input=json.dumps(event)).stdout == "a\n"

    @pytest.mark.parametrize(
        ("args", "text"),
        [
            (["--kind", "treaty.signd", "--when", "2025", "--title", "x"], "did you mean"),
            (["--kind", "treaty.signed", "--when", "not a date", "--title", "x"], "'when'"),
            (["--kind", "treaty.signed", "--title", "x"], "--when is required"),
            (
                ["--kind", "treaty.signed", "--when", "2025", "--title", "x", "--actor", "XX1"],
                "actors",
            ),
            (["--json", "missing.json"], "missing.json: No such file or directory"),
        ],
    )
    def test_user_mistakes(self, run: Any, args: list[str], text: str) -> None:
        """Bad dates, unknown kinds, missing fields and files are one error line."""
        run("init")
        assert_user_error(run("add", *args), text)

    @pytest.mark.parametrize("command", ["add", "amend"])
    def test_modality_help_lists_the_values(self, run: Any, command: str) -> None:
        """--help offers exactly the modalities the log accepts."""
        out = " ".join(run(command, "--help").stdout.split())
        assert f"--modality [{'|'.join(m.value for m in timeline.Modality)}]" in out

    def test_modality(self, run: Any, tmp_path: Path) -> None:
        """--modality records a listed value; any other is one usage error line naming them."""
        run("init")
        assert run("add", *SUMMIT, "--modality", "planned").exit_code == 0
        with timeline.open(tmp_path / "t.db") as tl:
            assert timeline.Modality.PLANNED == tl.get("sco-2025").modality
        result = run("add", *VISIT, "--modality", "denied")
        assert_user_error(result, "'denied' is not one of 'actual', 'planned'", code=2)

    def test_bad_json(self, run: Any, tmp_path: Path) -> None:
        """A file that is not JSON is one error line naming it."""
        run("init")
        (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
        assert_user_error(run("add", "--json", "bad.json"), "bad.json: not JSON")

    @pytest.mark.parametrize(
        ("data", "text"),
        [
            (
                [{"kind": "treaty.signed", "when": "2025", "title": "A"}, {"kind": "x.y"}],
                "e.json[1]: missing 'when' and 'title' (every event needs kind, when and title)",
            ),
            (
                [{"kind": "treaty.signed", "when": "nope", "title": "A"}],
                "e.json[0]: invalid event field 'when': got 'nope'",
            ),
            (
                [
                    {"kind": "treaty.signed", "when": "2025", "title": "A", "id": "a"},
                    {"kind": "treaty.signed", "when": "2025", "title": "B", "id": "a"},
                ],
                "e.json[1]: invalid event field 'id': got 'a'",
            ),
            (
                {"kind": "treaty.signd", "when": "2025", "title": "A"},
                "e.json: invalid event field 'kind': got 'treaty.signd'",
            ),
            ([{"kind": "treaty.signed", "when": "2025", "title": "A"}, 1], "e.json[1]: expected"),
            ("text", "e.json: expected an event object or a list of event objects"),
            ([], "e.json: the list holds no events, so there is nothing to add"),
        ],
    )
    def test_json_errors_name_file_and_item(
        self, run: Any, tmp_path: Path, data: Any, text: str
    ) -> None:
        """A bad event in a JSON file is one error naming the file and its list index."""
        run("init")
        (tmp_path / "e.json").write_text(json.dumps(data), encoding="utf-8")
        assert_user_error(run("add", "--json", "e.json"), f"error: {text}")
        assert run("list").stderr == "no events\n"  # all or nothing

    def test_json_errors_from_stdin(self, run: Any) -> None:
        """A bad event read from standard input is named <stdin>."""
        run("init")
        result = run("add", "--json", "-", input='{"kind": "treaty.signed", "title": "A"}')
        assert_user_error(result, "error: <stdin>: missing 'when'")

    def test_json_and_flags(self, run: Any, tmp_path: Path) -> None:
        """--json with event flags is refused."""
        run("init")
        (tmp_path / "e.json").write_text("{}", encoding="utf-8")
        assert_user_error(run("add", "--json", "e.json", "--title", "x"), "not both")

    def test_anchor_reads_relative_dates(self, run: Any, tmp_path: Path) -> None:
        """--anchor is the day a relative --when is read against; JSON objects carry their own."""
        run("init")
        weekend = ["--kind", "meeting.summit", "--when", "over the weekend", "--title", "W"]
        assert run("add", *weekend, "--anchor", "2024-06-23", "--id", "w").exit_code == 0
        data = [
            {"kind": "meeting.summit", "when": "4-6 June", "title": "A", "id": "a"},
            {"kind": "meeting.summit", "when": "4 June", "title": "B", "id": "b"},
            {
                "kind": "meeting.summit",
                "when": "May",
                "title": "C",
                "id": "c",
                "anchor": "2020-01-05",
            },
        ]
        (tmp_path / "e.json").write_text(json.dumps(data), encoding="utf-8")
        assert run("add", "--json", "e.json", "--anchor", "2025-06-23").exit_code == 0
        with timeline.open(tmp_path / "t.db") as tl:
            got = {i: (tl.get(i).when.edtf, tl.get(i).when.anchor) for i in "wabc"}
        assert {
            "w": ("2024-06-22/2024-06-23", timeline.When.parse("2024-06-23").earliest),
            "a": ("2025-06-04/2025-06-06", timeline.When.parse("2025-06-23").earliest),
            "b": ("2025-06-04", timeline.When.parse("2025-06-23").earliest),
            "c": ("2019-05", timeline.When.parse("2020-01-05").earliest),
        } == got

    def test_amend_anchor_alone_rereads_the_phrase(self, run: Any, tmp_path: Path) -> None:
        """amend --anchor without --when reads the date as written against the new day."""
        run("init")
        weekend = ["--kind", "meeting.summit", "--when", "over the weekend", "--title", "W"]
        run("add", *weekend, "--anchor", "2024-06-24", "--id", "w")
        result = run("amend", "w", "--reason", "dated 23 June", "--anchor", "2024-06-23")
        assert result.exit_code == 0
        with timeline.open(tmp_path / "t.db") as tl:
            assert "over the weekend" == tl.get("w").when.phrase
            assert "2024-06-22/2024-06-23" == tl.get("w").when.edtf

    @pytest.mark.parametrize(
        ("when", "anchor", "text"),
        [
            ("4-6 June", None, "the year is missing: add the year, or give an anchor date"),
            ("4-6 June", "June", "invalid anchor 'June'"),
            ("4-6 June", "2024-06", "invalid anchor '2024-06': an anchor must be a single day"),
        ],
    )
    def test_anchor_mistakes(self, run: Any, when: str, anchor: str | None, text: str) -> None:
        """A missing year or a bad anchor is one error line saying what to do."""
        run("init")
        flags = ["--kind", "meeting.summit", "--when", when, "--title", "x"]
        assert_user_error(run("add", *flags, *(["--anchor", anchor] if anchor else [])), text)

    def test_json_anchor_mistake_names_the_item(self, run: Any, tmp_path: Path) -> None:
        """A bad anchor in a JSON list names the file and the item."""
        run("init")
        data = [{"kind": "meeting.summit", "when": "4 June", "title": "A", "anchor": "x"}]
        (tmp_path / "e.json").write_text(json.dumps(data), encoding="utf-8")
        assert_user_error(run("add", "--json", "e.json"), "e.json[0]: invalid anchor 'x'")

    def test_without_log(self, run: Any) -> None:
        """Adding to a log that does not exist says how to create it."""
        assert_user_error(run("add", *SIGNED), "timeline --db t.db init")


class TestAmendRetract:
    def test_amend_tags_one_by_one_and_clear_actors(self, filled: Any) -> None:
        """--add-tag/--remove-tag change single tags; --clear-actors empties the actors."""
        result = filled(
            "amend",
            "relos-signed",
            "--reason",
            "r",
            "--add-tag",
            "Pact",
            "--remove-tag",
            "logistics",
        )
        assert result.exit_code == 0, result.output
        filled("amend", "relos-signed", "--reason", "r", "--clear-actors")
        with timeline.open("t.db") as tl:
            event = tl.get("relos-signed")
            assert ("logistics" not in event.tags, "pact" in event.tags) == (True, True)
            assert () == event.actors
        assert_user_error(
            filled("amend", "relos-signed", "--reason", "r", "--remove-tag", "nope"), "nope"
        )

    def test_amend_keeps_or_drops_the_phrase(self, run: Any, tmp_path: Path) -> None:
        """A refining --when keeps the words as written; --drop-phrase forgets them."""
        run("init")
        run("add", "--id", "v", "--kind", "visit.state", "--when", "December 2025", "--title", "V")
        run("amend", "v", "--reason", "confirmed", "--when", "2025-12-04")
        assert "December 2025 (2025-12-04)" in run("show", "v").stdout
        run("amend", "v", "--reason", "words", "--when", "2025-12-05", "--drop-phrase")
        assert "December 2025" not in run("show", "v").stdout

    def test_new_anchor_rereads_a_refined_phrase(self, run: Any) -> None:
        """--anchor alone on a refined date reads its words again (not the shown text)."""
        run("init")
        run("add", "--id", "v", "--kind", "visit.state", "--when", "in early December",
            "--anchor", "2025-12-05", "--title", "V")  # fmt: skip
        run("amend", "v", "--reason", "confirmed", "--when", "2025-12-02")
        result = run("amend", "v", "--reason", "next year", "--anchor", "2026-12-05")
        assert result.exit_code == 0, result.output
        assert "dates:     2026-12-01 .. 2026-12-10" in run("show", "v").stdout

    def test_add_help_marks_required(self, run: Any) -> None:
        """add --help says which options are required."""
        out = " ".join(run("add", "--help").stdout.split())
        assert "--kind TEXT [required unless --json]" in out
        assert "--title TEXT [required unless --json]" in out

    def test_amend_by_prefix(self, filled: Any) -> None:
        """amend takes a unique id prefix and reports the new version."""
        result = filled("amend", "relos-s", "--reason", "typo", "--title", "RELOS signed!")
        assert result.stdout == "amended relos-signed (now version 2)\n"
        assert "RELOS signed!" in filled("show", "relos-signed").stdout

    def test_amend_stale_version(self, filled: Any) -> None:
        """--expected-version that is no longer current is one error line."""
        filled("amend", "relos-signed", "--reason", "a", "--title", "Two")
        result = filled(
            "amend", "relos-signed", "--reason", "b", "--title", "Three", "--expected-version", "1"
        )
        assert_user_error(result, "is at version 2, not the expected version 1")

    def test_amend_needs_reason(self, filled: Any) -> None:
        """amend without --reason is a usage error (exit 2) on one line."""
        assert_user_error(filled("amend", "relos-signed", "--title", "x"), "--reason", code=2)

    def test_retract(self, filled: Any) -> None:
        """retract hides the event from list, --include-retracted shows it marked."""
        assert (
            filled("retract", "visit", "--reason", "duplicate").stdout
            == "retracted visit-delhi (record 4)\n"
        )
        assert "Putin visits" not in filled("list").stdout
        assert "[retracted] Putin visits" in filled("list", "--include-retracted").stdout

    def test_retract_twice(self, filled: Any) -> None:
        """Retracting a retracted event is one error line."""
        filled("retract", "visit-delhi", "--reason", "x")
        assert_user_error(filled("retract", "visit-delhi", "--reason", "x"), "was retracted")


class TestList:
    def test_table(self, filled: Any) -> None:
        """list prints a header and one row per event in timeline order."""
        lines = filled("list").stdout.splitlines()
        assert lines[0].split() == ["DATE", "KIND", "MODALITY", "ACTORS", "TITLE", "ID"]
        assert [line.split()[-1] for line in lines[1:]] == [
            "relos-signed",
            "sco-2025",
            "visit-delhi",
        ]
        assert lines[1].split()[:4] == ["2025-02-18", "treaty.signed", "actual", "RUS,IND"]

    def test_as_of_local_time_names_the_zone(
        self, filled: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--as-of with a local time (no offset) says which zone it assumed."""
        monkeypatch.setenv("TZ", "Asia/Kolkata")
        time.tzset()
        try:
            result = filled("list", "--as-of", "2030-01-01 10:00")
        finally:
            monkeypatch.delenv("TZ")
            time.tzset()
        assert result.exit_code == 0, result.output
        assert (
            "--as-of '2030-01-01 10:00' read as local time: 2030-01-01T10:00:00+05:30 (IST)"
            in result.stderr
        )
        assert "--as-of" not in filled("list", "--as-of", "2").stderr

    def test_piped_output_is_never_cut(self, run: Any) -> None:
        """Off a terminal (a pipe, a file) long titles are shown whole."""
        run("init")
        title = "A very long title " * 12
        run("add", "--kind", "visit.state", "--when", "2025-12-04", "--title", title)
        assert title.strip() in run("list").stdout

    @pytest.mark.parametrize(
        ("args", "ids"),
        [
            (["--actor", "CHN"], ["sco-2025"]),
            (["--kind", "treaty.*"], ["relos-signed"]),
            (["--tag", "logistics"], ["relos-signed"]),
            (["--treaty", "RELOS"], ["relos-signed"]),
            (["--from", "2025-06", "--to", "2025-09"], ["sco-2025"]),
            (["--as-of", "1"], ["relos-signed"]),
            (["--as-of", "2"], ["relos-signed", "visit-delhi"]),
            (["--as-of", "2025-12-31T00:00:00Z"], []),
        ],
    )
    def test_filters(self, filled: Any, args: list[str], ids: list[str]) -> None:
        """Each filter flag narrows the table."""
        lines = filled("list", *args).stdout.splitlines()[1:]
        assert ids == [line.split()[-1] for line in lines]

    def test_empty(self, run: Any) -> None:
        """An empty timeline says so on stderr."""
        run("init")
        result = run("list")
        assert (result.stdout, result.stderr) == ("", "no events\n")

    def test_bad_filters(self, filled: Any) -> None:
        """A bad date or unknown kind in a filter is one error line."""
        assert_user_error(filled("list", "--from", "someday"), "someday")
        assert_user_error(filled("list", "--kind", "treaty.sined"), "did you mean")

    def test_every_shown_id_is_accepted_by_show(self, run: Any, tmp_path: Path) -> None:
        """Each ID in list names its own event for show; chosen ids are shown whole."""
        assert run("demo", "--db", "demo.db", db=None).exit_code == 0
        rows = run("list", db="demo.db").stdout.splitlines()[1:]
        shown = [row.split()[-1] for row in rows]
        full = []
        for short in shown:
            result = run("show", short, db="demo.db")
            assert result.exit_code == 0, (short, result.stderr)
            full.append(result.stdout.splitlines()[0].split()[-1])
        assert len(rows) == len(set(full))
        assert shown == full  # the sample's ids were chosen by people
        assert {"rus-prk-treaty-signed", "relos-negotiation"} <= set(shown)

    def test_generated_ids_are_shown_by_their_tail(self, run: Any, tmp_path: Path) -> None:
        """Events added together share their ids' start: list shows a short tail show accepts."""
        run("init")
        ids = [
            run(
                "add", "--kind", "meeting.summit", "--when", "2025", "--title", str(n)
            ).stdout.strip()
            for n in range(5)
        ]
        shorts = [line.split()[-1] for line in run("list").stdout.splitlines()[1:]]
        assert sorted(ids) == sorted(next(i for i in ids if i.endswith(short)) for short in shorts)
        assert all(6 <= len(short) < 10 for short in shorts)
        for short in shorts:
            shown = run("show", short).stdout.splitlines()[0].split()[-1]
            assert shown.endswith(short)
            assert run("history", short).exit_code == 0
        assert run("amend", shorts[0], "--reason", "r", "--title", "new").exit_code == 0
        assert run("retract", shorts[1], "--reason", "r").exit_code == 0

    @pytest.mark.parametrize(
        ("ids", "expected"),
        [
            (["abcdefghij"], {"abcdefghij": "abcdefghij"}),
            (["short"], {"short": "short"}),
            (
                ["rus-prk-treaty-signed", "rus-prk-treaty-in-force"],
                {
                    "rus-prk-treaty-signed": "rus-prk-treaty-signed",
                    "rus-prk-treaty-in-force": "rus-prk-treaty-in-force",
                },
            ),
            (
                [
                    "01a2350654077e42b650021935e8b0f0",
                    "01a2350654077d3a9d6bc383e7330d8f",
                    "01a2350654077d3a9d6bc383e7e30d8f",
                    "01a2350654077d3a9d6bc383e7e30d8f"[:-1] + "e",  # shares 'e30d8' only
                ],
                {
                    "01a2350654077e42b650021935e8b0f0": "e8b0f0",
                    "01a2350654077d3a9d6bc383e7330d8f": "330d8f",
                    "01a2350654077d3a9d6bc383e7e30d8f": "e30d8f",
                    "01a2350654077d3a9d6bc383e7e30d8e": "e30d8e",
                },
            ),
            # A tail that starts another id would read as that id's prefix: longer.
            (
                ["01a2350654077e42b650021935e8b0f0", "e8b0f0-chosen"],
                {"01a2350654077e42b650021935e8b0f0": "5e8b0f0", "e8b0f0-chosen": "e8b0f0-chosen"},
            ),
        ],
    )
    def test_short_ids(self, ids: list[str], expected: dict[str, str]) -> None:
        """short_ids: chosen ids whole; generated ones by their shortest unique tail (6 or more)."""
        assert expected == common.short_ids(ids)
        # Shortening only some ids (the rows shown) gives them the same forms.
        some = ids[::2]
        assert {i: expected[i] for i in some} == common.short_ids(ids, only=some)

    def test_torn_tail_is_a_warning(self, run: Any, tmp_path: Path) -> None:
        """A torn JSON Lines tail cut off on opening is one warning line; the command works."""
        assert run("init", db="x.jsonl").exit_code == 0
        assert run("add", *SUMMIT, db="x.jsonl").exit_code == 0
        with (tmp_path / "x.jsonl").open("a", encoding="utf-8") as f:
            f.write('{"seq": 2, "stream": "torn')
        result = run("list", db="x.jsonl")
        assert result.exit_code == 0
        assert "sco-2025" in result.stdout
        [line] = result.stderr.splitlines()
        assert line.startswith("warning: x.jsonl: cut off a torn last line")
        assert run("list", db="x.jsonl").stderr == ""

    def test_missing_log(self, run: Any) -> None:
        """Listing a log that does not exist is one error line."""
        assert_user_error(run("list"), "no timeline at 't.db'")


class TestShowHistory:
    def test_show(self, filled: Any) -> None:
        """show prints every field of one event."""
        out = filled("show", "relos").stdout
        assert "id:        relos-signed" in out
        assert "source:    https://example.org/relos" in out
        assert "version:   1 (current" in out

    def test_list_and_show_give_a_phrase_with_its_resolution(self, run: Any) -> None:
        """'over the summer' is listed and shown with the season it resolved to."""
        run("init")
        summer = ["--kind", "relations.shift", "--when", "over the summer", "--title", "S"]
        run("add", *summer, "--anchor", "2025-12-08", "--id", "s")
        assert "over the summer (summer 2025)  relations.shift" in run("list").stdout
        shown = run("show", "s").stdout
        assert "when:      over the summer (summer 2025)  (EDTF 2025-22)" in shown

    def test_list_cuts_no_column_when_piped(self, run: Any) -> None:
        """Output that is not a terminal is never cut to the terminal's width."""
        run("init")
        title = "A very long title " * 10
        run("add", "--kind", "relations.shift", "--when", "2025", "--title", title.strip())
        assert title.strip() in run("list").stdout

    def test_list_limit_shows_the_first_events(self, filled: Any) -> None:
        """list --limit N shows the first N events in timeline order; N must be positive."""
        whole = [line.split() for line in filled("list").stdout.splitlines()]
        first = [line.split() for line in filled("list", "--limit", "2").stdout.splitlines()]
        assert len(whole) > 3
        assert whole[:3] == first
        result = filled("list", "--limit", "0")
        assert result.exit_code != 0
        assert "--limit" in result.output

    def test_show_json(self, filled: Any) -> None:
        """show --json prints the event as JSON."""
        data = json.loads(filled("show", "sco", "--json").stdout)
        assert (data["id"], data["when"]["edtf"]) == ("sco-2025", "2025-08-31")

    def test_history(self, filled: Any) -> None:
        """history shows each record with what changed and why."""
        filled("amend", "sco-2025", "--reason", "moved", "--when", "2025-09-01")
        lines = filled("history", "sco").stdout.splitlines()
        assert len(lines) == 3
        assert "changed when: moved" in lines[2]

    @pytest.mark.parametrize("command", ["show", "history", "retract", "amend"])
    @pytest.mark.parametrize("given", ["", " "])
    def test_empty_id(self, run: Any, command: str, given: str) -> None:
        """An empty id is one error line, even when the log holds a single event."""
        run("init")
        run("add", *SUMMIT)
        extra = ["--reason", "x"] if command in {"retract", "amend"} else []
        assert_user_error(run(command, given, *extra), "the event id is empty")

    def test_end_of_an_id_is_accepted(self, filled: Any) -> None:
        """A unique end of an id names it; one that ends an id and starts another is ambiguous."""
        assert filled("show", "delhi").stdout.splitlines()[0].endswith("visit-delhi")
        filled("add", *SCO_LIKE)
        assert_user_error(filled("show", "sco"), "ambiguous")

    @pytest.mark.parametrize("command", ["show", "history", "retract", "amend"])
    def test_unknown_and_ambiguous_ids(self, filled: Any, command: str) -> None:
        """An unknown id or an ambiguous prefix is one error line."""
        extra = ["--reason", "x"] if command in {"retract", "amend"} else []
        assert_user_error(filled(command, "zzz", *extra), "no event with id 'zzz'")
        filled("add", *SIGNED[:-1], "relos-second")
        assert_user_error(filled(command, "relos-s", *extra), "ambiguous")


class TestImportExport:
    def test_export_to_file_and_stdout(self, filled: Any, tmp_path: Path) -> None:
        """export -o writes the file; without -o it writes to stdout."""
        result = filled("export", "csv", "-o", "out.csv", "--actor", "CHN")
        assert result.stderr == "exported 1 event to out.csv\n"
        assert "SCO summit" in (tmp_path / "out.csv").read_text(encoding="utf-8")
        assert "BEGIN:VCALENDAR" in filled("export", "ics").stdout

    def test_export_says_what_it_left_out(self, run: Any) -> None:
        """export names the events it skipped and the flag that includes them."""
        run("init")
        run("add", "--kind", "visit.state", "--when", "2025-12-04", "--title", "Exact")
        run("add", "--kind", "visit.state", "--when", "December 2025", "--title", "Fuzzy")
        result = run("export", "ics", "-o", "cal.ics")
        assert result.stderr == (
            "exported 1 of 2 events to cal.ics; skipped 1 with fuzzy dates "
            "(--fuzzy span to include)\n"
        )
        piped = run("export", "ics")
        assert "skipped 1 with fuzzy dates" in piped.stderr
        assert "BEGIN:VCALENDAR" in piped.stdout

    def test_empty_calendar_is_one_error_line(self, run: Any, tmp_path: Path) -> None:
        """An ICS export with no event left is one error line, and writes no file."""
        run("init")
        run("add", "--kind", "visit.state", "--when", "December 2025", "--title", "Fuzzy")
        result = run("export", "ics", "-o", "cal.ics")
        assert_user_error(result, "nothing to export")
        assert "1 with fuzzy dates (--fuzzy span to include)" in result.stderr
        assert not (tmp_path / "cal.ics").exists()

    def test_export_native_and_pair_options(self, filled: Any) -> None:
        """Exporter options work as --option k=v and as their own flags."""
        header = "Subject,Start Date,Start Time,End Date,End Time,All Day Event"
        assert filled("export", "csv", "--dialect", "google").stdout.startswith(header)
        assert filled("export", "csv", "-O", "dialect=google").stdout.startswith(header)

    @pytest.mark.parametrize(
        ("args", "text", "code"),
        [
            (["export", "nope"], "unknown exporter 'nope'; registered:", 1),
            (["export", "csv", "--dialect", "nope"], "dialect", 1),
            (["export", "csv", "--colour", "red"], "no such option for exporter csv: --colour", 2),
            (["export", "csv", "-O", "colour"], "is not KEY=VALUE", 2),
            (["export", "csv", "-O", "colour=red"], "colour", 1),
            (["export", "csv", "-o", "no/such/dir/x.csv"], "No such file or directory", 1),
            (["import", "nope", "x.csv"], "unknown importer 'nope'", 1),
            (["import", "csv", "missing.csv"], "missing.csv", 1),
            (["analyze", "nope"], "unknown analysis 'nope'", 1),
        ],
    )
    def test_user_mistakes(self, filled: Any, args: list[str], text: str, code: int) -> None:
        """Unknown plugins, options and files are one error line."""
        assert_user_error(filled(*args), text, code)

    def test_export_error_names_the_given_file(self, filled: Any, tmp_path: Path) -> None:
        """A file that cannot be written is named as given, not as its temporary .partial."""
        (tmp_path / "out.ics").mkdir()
        result = filled("export", "ics", "-o", "out.ics")
        assert_user_error(result, "cannot write out.ics: Is a directory")
        assert ".partial" not in result.stderr
        assert [] == list(tmp_path.glob("*.partial"))

    def test_round_trip(self, filled: Any, run: Any) -> None:
        """A CSV export imports into a new log with the same events."""
        filled("export", "csv", "-o", "all.csv")
        run("init", db="copy.db")
        assert (
            run("import", "csv", "all.csv", db="copy.db").stdout
            == "imported 3 events from all.csv\n"
        )
        assert filled("list").stdout == run("list", db="copy.db").stdout

    def test_malformed_import(self, filled: Any, tmp_path: Path) -> None:
        """Every bad row is one error line, then a summary; nothing is recorded, exit 1."""
        filled("export", "csv", "-o", "all.csv")
        text = (tmp_path / "all.csv").read_text(encoding="utf-8")
        for date in ("2025-08-31", "2025-02-18"):
            text = text.replace(date, "not-a-date")
        (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
        filled("init", db="new.db")
        result = filled("import", "csv", "bad.csv", db="new.db")
        assert 1 == result.exit_code
        lines = result.stderr.splitlines()
        assert 3 == len(lines), result.stderr
        assert all(ln.startswith("error: bad.csv: line ") for ln in lines[:2]), lines
        assert all(": when: " in ln for ln in lines[:2]), lines
        assert "error: bad.csv: 2 bad rows; nothing was recorded" == lines[2]
        assert "Traceback" not in result.output
        assert filled("list", db="new.db").stderr == "no events\n"

    def test_skip_invalid_warns(self, filled: Any, tmp_path: Path) -> None:
        """--skip-invalid records the good rows and prints one warning per skipped row."""
        filled("export", "csv", "-o", "all.csv")
        text = (tmp_path / "all.csv").read_text(encoding="utf-8")
        (tmp_path / "bad.csv").write_text(
            text.replace("2025-08-31", "not-a-date"), encoding="utf-8"
        )
        filled("init", db="new.db")
        result = filled("import", "csv", "bad.csv", "--skip-invalid", db="new.db")
        assert result.stdout == "imported 2 events from bad.csv\n"
        [line] = result.stderr.splitlines()
        assert line.startswith("warning: bad.csv: skipped line ")
        assert ": when: " in line

    def test_progress_bars(
        self, filled: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With a terminal, import, export and replay still work through the progress bars."""
        monkeypatch.setattr(common, "progress_wanted", lambda: True)
        assert "exported 3 events" in filled("export", "csv", "-o", "p.csv").stderr
        assert (
            "exported 1 event to q.csv"
            in filled("export", "csv", "-o", "q.csv", "--as-of", "1").stderr
        )
        filled("init", db="p.db")
        assert "imported 3 events" in filled("import", "csv", "p.csv", db="p.db").stdout
        assert "records:   3" in filled("replay", "--stats").stdout


class TestParseOptions:
    OPTIONS = (
        timeline.Option(name="limit", help="h", type=int),
        timeline.Option(name="min_weight", help="h", type=float),
        timeline.Option(name="all_day", help="h", type=bool),
    )

    @pytest.mark.parametrize(
        ("args", "text"),
        [
            (["--limit", "ten"], "option --limit: 'ten' is not an integer"),
            (["--min-weight=heavy"], "option --min-weight: 'heavy' is not a number"),
            (["--all-day=maybe"], "option --all-day: 'maybe' is not true or false"),
        ],
    )
    def test_bad_values(self, args: list[str], text: str) -> None:
        """A value of the wrong type is a usage error naming the flag and the type."""
        with pytest.raises(common.UsageProblem) as caught:
            common.parse_options("analysis x", self.OPTIONS, [], args)
        assert text == caught.value.message

    def test_values(self) -> None:
        """Flags and KEY=VALUE pairs convert to the option's type."""
        expected = {"limit": 3, "min_weight": 0.5, "all_day": False}
        actual = common.parse_options(
            "analysis x", self.OPTIONS, ["min_weight=0.5"], ["--limit", "3", "--no-all-day"]
        )
        assert expected == actual


class TestAnalyze:
    @pytest.mark.parametrize("fmt", ["table", "csv", "json"])
    def test_formats(self, filled: Any, fmt: str) -> None:
        """analyze prints a table, CSV or JSON."""
        result = filled("analyze", "lifecycle", "--format", fmt)
        assert result.exit_code == 0, result.output
        if fmt == "json":
            json.loads(result.stdout)
        else:
            assert "treaty" in result.stdout.splitlines()[0]

    def test_network_graphml(self, filled: Any, tmp_path: Path) -> None:
        """analyze network --format graphml writes GraphML to stdout or to -o FILE."""
        result = filled("analyze", "network", "--format", "graphml")
        assert result.exit_code == 0, result.output
        graph = nx.parse_graphml(result.stdout)
        assert {"RUS", "IND", "CHN"} == set(graph.nodes)
        assert 2 == graph.edges["IND", "RUS"]["events"]
        result = filled("analyze", "network", "--format", "graphml", "-o", "net.graphml")
        assert result.stderr == "wrote the network analysis as graphml to net.graphml\n"
        assert set(graph.edges) == set(nx.read_graphml(tmp_path / "net.graphml").edges)

    def test_output_file(self, filled: Any, tmp_path: Path) -> None:
        """-o writes the table, CSV or JSON to a file instead of standard output."""
        result = filled("analyze", "lifecycle", "--format", "json", "-o", "l.json")
        assert (result.exit_code, result.stdout) == (0, "")
        expected = json.loads(filled("analyze", "lifecycle", "--format", "json").stdout)
        assert expected == json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))

    def test_graphml_needs_a_graph(self, filled: Any) -> None:
        """--format graphml on an analysis without GraphML output is a usage error."""
        result = filled("analyze", "lifecycle", "--format", "graphml")
        assert_user_error(result, "analysis lifecycle has no graphml output", code=2)


class TestAdmin:
    def test_verify(self, filled: Any) -> None:
        """verify reports an intact log."""
        assert filled("verify").stdout.startswith("ok: 3 records, head hash ")

    def test_head_and_verify_expect(self, filled: Any, tmp_path: Path) -> None:
        """head prints SEQ:HASH; verify --expect finds a log cut back below it."""
        head = filled("head").stdout.strip()
        assert re.fullmatch(r"3:[0-9a-f]{64}", head)
        assert filled("verify", "--expect", head).exit_code == 0
        import sqlite3

        with sqlite3.connect(tmp_path / "t.db") as db:
            db.execute("drop trigger records_no_delete")
            db.execute("delete from records where seq = 3")
        assert filled("verify").exit_code == 0  # the chain alone cannot tell
        assert_user_error(filled("verify", "--expect", head), "bad record at seq 3: truncated")
        assert_user_error(filled("verify", "--expect", "3:xyz"), "expected SEQ:HASH")

    def test_cluster(self, filled: Any, tmp_path: Path) -> None:
        """cluster on/off/status keeps, drops and reports a SQLite log's clustered copy."""
        assert filled("cluster").stdout == "clustered copy: off\n"
        assert filled("cluster", "on").stdout == "clustered copy: on\n"
        assert filled("add", *SCO_LIKE).exit_code == 0  # kept up by every append
        assert filled("cluster", "status").stdout == "clustered copy: on\n"
        assert filled("verify").stdout.startswith("ok: 4 records")
        with timeline.open(tmp_path / "t.db") as tl:
            assert [e.id for e in tl.events()] == [e.id for e in tl.events(kind="*")]
        assert filled("cluster", "off").stdout == "clustered copy: off\n"
        assert_user_error(filled("cluster", "sideways"), "'sideways' is not one of", code=2)

    def test_cluster_on_a_json_lines_log(self, run: Any, tmp_path: Path) -> None:
        """A JSON Lines log keeps its copy among its caches; the log file is unchanged."""
        assert run("init", db="t.jsonl").exit_code == 0
        for flags in (SIGNED, VISIT, SUMMIT):
            assert run("add", *flags, db="t.jsonl").exit_code == 0
        before = (tmp_path / "t.jsonl").read_bytes()
        assert run("cluster", "on", db="t.jsonl").stdout == "clustered copy: on\n"
        assert (tmp_path / "t.jsonl").read_bytes() == before
        assert (tmp_path / "t.jsonl.snapshots" / "clustered.db").is_file()
        assert run("add", *SCO_LIKE, db="t.jsonl").exit_code == 0
        assert run("cluster", db="t.jsonl").stdout == "clustered copy: on\n"
        assert run("verify", db="t.jsonl").stdout.startswith("ok: 4 records")
        assert run("cluster", "off", db="t.jsonl").stdout == "clustered copy: off\n"
        assert not (tmp_path / "t.jsonl.snapshots" / "clustered.db").exists()

    def test_verify_a_log_that_cannot_be_opened(self, run: Any, tmp_path: Path) -> None:
        """verify names the first bad seq of a JSON Lines log that list cannot open."""
        assert run("init", db="t.jsonl").exit_code == 0
        for flags in (SIGNED, VISIT, SUMMIT):
            assert run("add", *flags, db="t.jsonl").exit_code == 0
        path = tmp_path / "t.jsonl"
        path.write_bytes(path.read_bytes().replace(b'"title":"Putin visits"', b'"title":7'))
        assert_user_error(run("list", db="t.jsonl"), "seq 2")
        assert_user_error(run("verify", db="t.jsonl"), "bad record at seq 2")

    def test_verify_tampered(self, filled: Any, tmp_path: Path) -> None:
        """A tampered log fails verify with one error line."""
        import sqlite3

        with sqlite3.connect(tmp_path / "t.db") as db:
            for (trigger,) in db.execute("select name from sqlite_master where type='trigger'"):
                db.execute(f"drop trigger {trigger}")  # the log refuses updates on purpose
            db.execute(
                "update records set line = cast(replace(cast(line as text), "
                "'SCO', 'XYZ') as blob) where seq = 3"
            )
        assert_user_error(filled("verify"), "bad record at seq 3")

    def test_replay(self, filled: Any) -> None:
        """replay --stats prints records, events, time and rate."""
        lines = filled("replay", "--stats").stdout.splitlines()
        assert [ln.split()[0] for ln in lines] == ["records:", "events:", "time:", "records/s:"]
        assert filled("replay").stdout == "replayed 3 records\n"

    def test_kinds(self, run: Any) -> None:
        """kinds lists the built-in kinds with their codes."""
        assert "treaty.signed" in run("kinds").stdout

    def test_plugins(self, run: Any) -> None:
        """plugins lists the first-party plugins as text and as JSON."""
        assert "ics" in run("plugins").stdout
        data = json.loads(run("plugins", "--json").stdout)
        assert [p["name"] for p in data] == [
            "analyses",
            "arrow",
            "csv",
            "eventdata",
            "html",
            "ics",
            "json",
            "sqlite",
        ]
        fields = {"name", "version", "source", "distribution", "entry_point", "hooks", "error"}
        assert fields == set(data[0])
        assert "csv = timeline_csv" == data[2]["entry_point"]

    def test_plugins_with_a_broken_plugin(self, run: Any) -> None:
        """plugins still runs when a plugin is broken, and shows its error."""

        class Broken:
            @hookimpl
            def timeline_register_exporters(self, register: Any) -> None:
                raise RuntimeError("broken on purpose")

        host = PluginHost(strict=True, load_entrypoints=False, env={})
        host.register(Broken(), "broken")
        result = run("plugins", "--json", host=host)
        assert result.exit_code == 0
        [info] = json.loads(result.stdout)
        assert "RuntimeError: broken on purpose" in info["error"]
        assert info["entry_point"] is None  # registered by hand
        result = run("export", "csv", host=host)
        assert_user_error(result, "broken on purpose")

    def test_registration_failure_is_a_warning_on_commands(self, run: Any) -> None:
        """A registration hook that raises is one warning line on any command (not strict)."""

        class Broken:
            @hookimpl
            def timeline_register_analyses(self, register: Any) -> None:
                raise RuntimeError("no analyses today")

        host = PluginHost(strict=False, load_entrypoints=False, env={})
        host.register(Broken(), "broken")
        assert run("init", host=host).exit_code == 0
        result = run("kinds", host=host)
        assert 0 == result.exit_code, result.output
        line = result.stderr.strip().splitlines()[0]
        assert line.startswith("warning: plugin 'broken': timeline_register_analyses raised")
        assert "RuntimeError: no analyses today" in line
        # The read-only commands load no plugin up front, so they do not see it.
        for command in ("list", "head"):
            quiet = run(command, host=host)
            assert 0 == quiet.exit_code, quiet.output
            assert "broken" not in quiet.stderr

    def test_strict_export_reports_a_broken_plugin(self, run: Any) -> None:
        """In strict mode every command that loads plugins stops at a broken plugin."""

        class Broken:
            @hookimpl
            def timeline_register_exporters(self, register: Any) -> None:
                raise RuntimeError("broken on purpose")

        host = PluginHost(strict=True, load_entrypoints=False, env={})
        host.register(Broken(), "broken")
        assert run("init", host=PluginHost(load_entrypoints=False, env={})).exit_code == 0
        for command in (["kinds"], ["analyze", "cadence"], ["verify"]):
            assert_user_error(run(*command, host=host), "broken on purpose")
        assert 0 == run("list", host=host).exit_code  # read-only: no plugin loaded

    def test_subscriber_failure_is_a_warning(self, run: Any) -> None:
        """A timeline_on_append subscriber that raises is one warning line; the event stays."""

        class Failing:
            @hookimpl
            def timeline_on_append(self, records: Any) -> None:
                raise RuntimeError("listener down")

        host = PluginHost(strict=False, load_entrypoints=False, env={})
        host.register(Failing(), "failing")
        assert run("init", host=host).exit_code == 0
        result = run("add", *SUMMIT, host=host)
        assert 0 == result.exit_code, result.output
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("warning: plugin 'failing': timeline_on_append raised")
        assert "listener down" in line
        assert "sco-2025" in run("list", host=host).stdout

    def test_plugin_command(self, run: Any) -> None:
        """A command added by a plugin runs like a built-in one and is in --help."""

        @click.command()
        def hello() -> None:
            """Say hello."""
            click.echo("hello from a plugin")

        class P:
            @hookimpl
            def timeline_register_commands(self, register: Any) -> None:
                register(hello)

        host = PluginHost(strict=True, load_entrypoints=False, env={})
        host.register(P(), "p")
        assert run("hello", host=host).stdout == "hello from a plugin\n"
        assert "Say hello." in run("--help", host=host).stdout

    def test_demo(self, run: Any, tmp_path: Path) -> None:
        """demo loads the sample into a fresh log and writes demo.ics and demo.csv."""
        for _ in range(2):  # fresh each run
            result = run("demo", "--db", str(tmp_path / "d" / "demo.db"), db=None)
            assert result.exit_code == 0, result.output
        assert "RELOS signed in Moscow" in result.stdout
        # Each file says what it holds and what it left out.
        ics_line = next(ln for ln in result.stderr.splitlines() if "demo.ics" in ln)
        assert ics_line.startswith("exported 12 of 27 events to ")
        assert "9 open-ended (a calendar cannot draw them)" in ics_line
        assert "3 with fuzzy dates (--fuzzy span to include)" in ics_line
        assert {"demo.db", "demo.ics", "demo.csv"} <= {p.name for p in (tmp_path / "d").iterdir()}
        with timeline.open(tmp_path / "d" / "demo.db") as tl:
            assert len(tl) == len(timeline.datasets.load("relos"))

    @pytest.mark.parametrize(
        ("args", "env", "made"),
        [
            (["--db", "g.db", "demo"], None, "g.db"),
            (["demo"], "e.db", "e.db"),
            (["demo"], None, "demo.db"),
            (["--db", "g.db", "demo", "--db", "own.db"], "e.db", "own.db"),
        ],
    )
    def test_demo_log_choice(
        self,
        run: Any,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        args: list[str],
        env: str | None,
        made: str,
    ) -> None:
        """demo's own --db wins, then the global --db or TIMELINE_DB, then demo.db."""
        if env is not None:
            monkeypatch.setenv("TIMELINE_DB", env)
        result = run(*args, db=None)
        assert result.exit_code == 0, result.output
        assert {made, made.replace(".db", ".ics")} <= {p.name for p in tmp_path.iterdir()}
        assert f"events in {made}" in result.stderr

    def test_demo_keeps_a_real_log(self, filled: Any, tmp_path: Path) -> None:
        """demo refuses to replace a log that is not an earlier demo (TIMELINE_DB may name it)."""
        assert_user_error(filled("demo"), "demo would replace 't.db', which is not an earlier demo")
        with timeline.open(tmp_path / "t.db") as tl:
            assert 3 == len(tl)
        (tmp_path / "junk.db").write_text("not a log", encoding="utf-8")
        assert_user_error(filled("demo", "--db", "junk.db"), "not an earlier demo")

    def test_demo_needs_sqlite_name(self, run: Any) -> None:
        """demo refuses a path that is not a SQLite file name."""
        assert_user_error(run("demo", "--db", "demo.txt", db=None), "should end in .db")

    @pytest.mark.parametrize("command", ["", *sorted(cli.commands)])
    def test_help_has_example(self, run: Any, command: str) -> None:
        """Every --help page shows its example verbatim, one command line per line."""
        result = run(*[c for c in [command] if c], "--help")
        assert result.exit_code == 0
        written = (cli.commands[command] if command else cli).help or ""
        examples = [ln.strip() for ln in written.splitlines() if ln.strip().startswith("timeline ")]
        assert any(command in ex.split() for ex in examples) or not command, examples
        shown = [ln.strip() for ln in result.stdout.splitlines()]
        assert "\\b" not in result.stdout
        assert "Example" in result.stdout
        for example in examples:
            assert example in shown, result.stdout

    def test_unknown_command(self, run: Any) -> None:
        """An unknown command is a one-line usage error (exit 2)."""
        assert_user_error(run("nosuch"), "no such command 'nosuch'", code=2)


def timeline_cmd(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m timeline`` in a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TIMELINE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestSubprocess:
    def test_session(self, tmp_path: Path) -> None:
        """A whole session through the real command: each command exits 0."""
        # Every command runs in-process above; here the main paths go through a real process.
        steps = [
            ["init"],
            ["add", *SIGNED],
            ["add", *SUMMIT],
            ["amend", "sco", "--reason", "moved", "--when", "2025-09-01"],
            ["list"],
            ["export", "csv", "-o", "out.csv"],
            ["verify"],
        ]
        for step in steps:
            result = timeline_cmd("--db", "s.db", *step, cwd=tmp_path)
            assert result.returncode == 0, (step, result.stderr)
        result = timeline_cmd("--db", "s2.db", "init", cwd=tmp_path)
        result = timeline_cmd("--db", "s2.db", "import", "csv", "out.csv", cwd=tmp_path)
        assert result.stdout == "imported 2 events from out.csv\n"

    @pytest.mark.parametrize(
        ("args", "text", "code"),
        [
            (["list"], "no timeline at 'timeline.db'", 1),
            (["--db", "x.db", "init", "--nope"], "no such option", 2),
            (["export", "nope"], "unknown exporter 'nope'", 1),
            (["--db", "bad.txt", "list"], "no timeline at 'bad.txt'", 1),
        ],
    )
    def test_mistakes(self, tmp_path: Path, args: list[str], text: str, code: int) -> None:
        """User mistakes print one error line and no traceback from the real command."""
        result = timeline_cmd(*args, cwd=tmp_path)
        assert code == result.returncode
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert text in result.stderr
        assert "Traceback" not in result.stderr + result.stdout

    def test_demo_and_bad_date(self, tmp_path: Path) -> None:
        """demo works in a subprocess; then a bad date is one error line."""
        result = timeline_cmd("demo", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "demo.ics").exists()
        result = timeline_cmd(
            "--db",
            "demo.db",
            "add",
            "--kind",
            "treaty.signed",
            "--when",
            "the 31st of Febtember",
            "--title",
            "x",
            cwd=tmp_path,
        )
        assert (result.returncode, len(result.stderr.strip().splitlines())) == (1, 1)

    def test_argument_not_utf8(self, tmp_path: Path) -> None:
        """A command-line argument that is not UTF-8 is one error line naming the field."""
        assert timeline_cmd("--db", "t.db", "init", cwd=tmp_path).returncode == 0
        env = {**os.environ}
        env.pop("TIMELINE_DB", None)
        result = subprocess.run(
            [
                *(sys.executable, "-m", "timeline", "--db", "t.db", "add"),
                *("--kind", "treaty.signed", "--when", "2025-01-01", "--title"),
                os.fsdecode(b"Caf\xe9"),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            errors="backslashreplace",
            timeout=60,
            check=False,
        )
        assert 1 == result.returncode
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: invalid event field 'title': got 'Caf\\udce9'")

    def test_plugin_exiting_at_import(self, tmp_path: Path) -> None:
        """A plugin calling sys.exit() at import is one warning; plugins still lists it."""
        site = tmp_path / "site"
        info = site / "timeline_exiting-0.1.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: timeline-exiting\nVersion: 0.1\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            "[timeline]\nexiting = timeline_exiting_mod\n", encoding="utf-8"
        )
        (site / "timeline_exiting_mod.py").write_text(
            "import sys\nsys.exit('no config')\n", encoding="utf-8"
        )
        env = {"PYTHONPATH": str(site), "TIMELINE_STRICT_PLUGINS": "0"}
        result = timeline_cmd("kinds", cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        assert ["failed to load: SystemExit: no config"] == [
            line.split("): ", 1)[1].split(" (see")[0] for line in result.stderr.strip().splitlines()
        ]
        result = timeline_cmd("plugins", "--json", cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
        exiting = [p for p in json.loads(result.stdout) if p["name"] == "exiting"]
        assert "SystemExit: no config" in exiting[0]["error"]

    def test_analyze_progress_bar_on_a_terminal(self, tmp_path: Path) -> None:
        """On a (pseudo-)terminal ``analyze`` draws its bar on stderr as it walks the records."""
        assert timeline_cmd("demo", "--db", "d.db", cwd=tmp_path).returncode == 0
        process, text = _on_a_terminal(tmp_path, "--db", "d.db", "analyze", "cadence")
        assert process.returncode == 0
        frames = re.findall(r"analyzing cadence +\[([#-]+)\] +(\d+)%", text)
        assert len(frames) >= 3, text
        assert (("-" * 36, "0"), ("#" * 36, "100")) == (frames[0], frames[-1])
        # The result goes to stdout, untouched by the bar.
        assert b"analyzing" not in process.stdout
        assert b"RUS" in process.stdout

    def test_export_progress_bar_on_a_terminal(self, tmp_path: Path) -> None:
        """On a (pseudo-)terminal the export draws its bar as the exporter walks the records."""
        assert timeline_cmd("demo", "--db", "d.db", cwd=tmp_path).returncode == 0
        process, text = _on_a_terminal(tmp_path, "--db", "d.db", "export", "csv", "-o", "x.csv")
        assert process.returncode == 0
        count = len(timeline.datasets.load("relos"))
        frames = re.findall(r"exporting csv +\[([#-]+)\] +(\d+)%", text)
        # Frames while the records are walked (the bar starts empty and ends full), not just
        # the end: click draws one per step that changes the line (20 for 19 records here).
        assert len(frames) >= 3, text
        assert (("-" * 36, "0"), ("#" * 36, "100")) == (frames[0], frames[-1])
        assert f"exported {count} events to x.csv" in text

    def test_verify_progress_bar_on_a_terminal(self, tmp_path: Path) -> None:
        """On a (pseudo-)terminal ``verify`` draws its bar as it checks the records."""
        assert timeline_cmd("demo", "--db", "d.db", cwd=tmp_path).returncode == 0
        process, text = _on_a_terminal(tmp_path, "--db", "d.db", "verify")
        assert process.returncode == 0
        frames = re.findall(r"verifying +\[([#-]+)\] +(\d+)%", text)
        assert len(frames) >= 3, text
        assert (("-" * 36, "0"), ("#" * 36, "100")) == (frames[0], frames[-1])
        records = timeline.open(tmp_path / "d.db").seq
        assert process.stdout.decode().startswith(f"ok: {records} records")

    def test_broken_plugin_is_a_warning(self, tmp_path: Path) -> None:
        """Without strict mode a broken plugin is one warning line; plugins shows its error."""
        site = tmp_path / "site"
        info = site / "timeline_broken-0.1.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: timeline-broken\nVersion: 0.1\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            "[timeline]\nbroken = timeline_broken_mod\n", encoding="utf-8"
        )
        (site / "timeline_broken_mod.py").write_text(
            "raise ImportError('needs numpy 9')\n", encoding="utf-8"
        )
        env = {"PYTHONPATH": str(site), "TIMELINE_STRICT_PLUGINS": "0"}
        result = timeline_cmd("kinds", cwd=tmp_path, env=env)
        assert result.returncode == 0
        assert result.stderr.strip().splitlines() == [
            "warning: plugin 'broken' (timeline-broken 0.1, entry point 'broken = "
            "timeline_broken_mod'): failed to load: ImportError: needs numpy 9 "
            "(see 'timeline plugins')"
        ]
        result = timeline_cmd(
            "plugins", "--json", cwd=tmp_path, env={**env, "TIMELINE_STRICT_PLUGINS": "1"}
        )
        assert result.returncode == 0, result.stderr
        broken = [p for p in json.loads(result.stdout) if p["name"] == "broken"]
        assert "ImportError: needs numpy 9" in broken[0]["error"]


def _on_a_terminal(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """Run ``timeline ARGS`` with stderr on a pseudo-terminal; return it and what it drew there."""
    import pty

    master, slave = pty.openpty()
    try:
        env = {**os.environ, "COLUMNS": "100"}
        env.pop("TIMELINE_DB", None)
        process = subprocess.run(
            [sys.executable, "-m", "timeline", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=60,
            check=False,
        )
        os.close(slave)
        slave = -1
        drawn = b""
        with contextlib.suppress(OSError):  # EIO once the terminal has nothing more
            while chunk := os.read(master, 65536):
                drawn += chunk
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    return process, drawn.decode("utf-8", "replace")
