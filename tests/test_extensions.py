"""The extension base classes (src/timeline/_extensions.py): destinations, options, imports."""

# The team writes ``assert expected == actual`` (style.md), which SIM300 calls Yoda.

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import attrs
import pytest

import timeline
from timeline.testing import FixedClock

VENV_BIN = Path(sys.executable).parent
VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "Визит в Нью-Дели, 4-5 December",
    "actors": ["RUS", "IND"],
}


def make_timeline(*events: Any) -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    if events:
        tl.record_many(list(events))
    return tl


@attrs.frozen(kw_only=True)
class ChunkExporter(timeline.Exporter):
    """A binary exporter writing its text in small byte chunks (splitting characters)."""

    name: str = "chunks"
    description: str = "test exporter"
    binary: bool = True

    def write(
        self, view: Any, records: Sequence[timeline.Record], stream: IO[Any], **options: Any
    ) -> int:
        for record in records:
            assert record.event is not None
            data = (record.event.title + "\n").encode("utf-8")
            for i in range(0, len(data), 3):
                stream.write(data[i : i + 3])
        return len(records)


@attrs.frozen(kw_only=True)
class FailingExporter(timeline.Exporter):
    """A text exporter that fails half way."""

    name: str = "failing"
    description: str = "test exporter"

    def write(
        self, view: Any, records: Sequence[timeline.Record], stream: IO[Any], **options: Any
    ) -> int:
        stream.write("half")
        raise timeline.TimelineError("broken half way")


class TestBinaryExporterOnTextStream:
    def test_string_io(self):
        """``tl.export("ics", io.StringIO())`` writes the calendar as text."""
        dest = io.StringIO()
        assert 1 == make_timeline(VISIT).export("ics", dest).written
        text = dest.getvalue()
        assert text.startswith("BEGIN:VCALENDAR\r\n")
        assert "Визит в Нью-Дели" in text

    def test_split_characters_are_decoded(self):
        """Multi-byte characters split across writes reach a StringIO whole."""
        dest = io.StringIO()
        assert 1 == ChunkExporter().export(make_timeline(VISIT), dest).written
        assert VISIT["title"] + "\n" == dest.getvalue()

    def test_text_wrapper_writes_to_its_buffer_in_order(self):
        """On a TextIOWrapper the bytes go to its buffer, after text written before."""
        raw = io.BytesIO()
        wrapper = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        wrapper.write("before\n")
        assert 1 == make_timeline(VISIT).export("jsonl", wrapper).written
        wrapper.write("after\n")
        wrapper.flush()
        lines = raw.getvalue().decode("utf-8").splitlines()
        assert ("before", "after") == (lines[0], lines[-1])
        assert '"stream":"visit-2025"' in lines[1]

    def test_text_wrapper_over_unbuffered_raw(self, tmp_path):
        """A text layer over a raw FileIO (as with PYTHONUNBUFFERED) takes the bytes too."""
        path = tmp_path / "out.ics"
        with io.FileIO(path, "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)  # type: ignore[type-var]
            assert 1 == make_timeline(VISIT).export("ics", text).written
            text.detach()
        assert path.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


class TestTextExporterOnBinaryStream:
    def test_bytes_io(self):
        """A CSV export to a BytesIO is UTF-8 bytes, and the BytesIO stays open."""
        dest = io.BytesIO()
        assert 1 == make_timeline(VISIT).export("csv", dest).written
        assert not dest.closed
        assert VISIT["title"] in dest.getvalue().decode("utf-8")


class TestPaths:
    def test_error_names_the_users_path(self, tmp_path):
        """A path that cannot be written is a TimelineError naming it, not its .partial."""
        target = tmp_path / "missing" / "x.ics"
        with pytest.raises(timeline.TimelineError, match="cannot write") as info:
            make_timeline(VISIT).export("ics", target)
        assert f"cannot write {target}: No such file or directory" == str(info.value)

    def test_failed_export_leaves_no_file(self, tmp_path):
        """An exporter failing half way leaves neither the file nor its .partial."""
        target = tmp_path / "x.txt"
        with pytest.raises(timeline.TimelineError, match="half way"):
            FailingExporter().export(make_timeline(VISIT), target)
        assert [] == os.listdir(tmp_path)


class TestCliToStdout:
    @pytest.fixture
    def db(self, tmp_path: Path) -> Path:
        path = tmp_path / "x.db"
        with timeline.open(path) as tl:
            tl.record_many([VISIT])
        return path

    @pytest.mark.parametrize(
        ("fmt", "start"), [("ics", b"BEGIN:VCALENDAR\r\n"), ("jsonl", b'{"seq":1,')]
    )
    def test_unbuffered_stdout(self, db, fmt, start):
        """With PYTHONUNBUFFERED=1, ``timeline export FMT`` to stdout writes the bytes."""
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        done = subprocess.run(
            [str(VENV_BIN / "timeline"), "--db", str(db), "export", fmt],
            capture_output=True,
            env=env,
            check=False,
            timeout=60,
        )
        assert (0, b"") == (done.returncode, done.stderr)
        assert done.stdout.startswith(start)
        assert "Визит".encode() in done.stdout


@attrs.frozen(kw_only=True)
class Typed(timeline.Analysis):
    """An analysis with one option of each type."""

    name: str = "typed"
    description: str = "test analysis"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(name="flag", help="a bool", default=False, type=bool),
        timeline.Option(name="count", help="an int", default=3, type=int),
        timeline.Option(name="ratio", help="a float", default=0.5, type=float),
        timeline.Option(name="mode", help="a choice", default="a", choices=("a", "b")),
        timeline.Option(name="anything", help="a str (not enforced)", default=None),
    )


class TestCheckOptions:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            (True, True),
            (False, False),
            ("true", True),
            ("FALSE", False),
            ("Yes", True),
            ("no", False),
            ("1", True),
            ("0", False),
        ],
    )
    def test_bool(self, given, expected):
        """A bool option takes True/False and true/false, yes/no, 1/0 in any case."""
        assert expected is Typed().check_options({"flag": given})["flag"]

    @pytest.mark.parametrize(
        ("name", "given", "expected"),
        [
            ("count", 7, 7),
            ("count", "7", 7),
            ("count", " 12 ", 12),
            ("count", 4.0, 4),
            ("ratio", 2, 2.0),
            ("ratio", "2.5", 2.5),
            ("ratio", 0.25, 0.25),
        ],
    )
    def test_numbers(self, name, given, expected):
        """int and float options take numbers and numeric strings."""
        value = Typed().check_options({name: given})[name]
        assert (expected, type(expected)) == (value, type(value))

    def test_defaults_filled_in(self):
        """Options not given (or given as None) take their defaults."""
        assert {"flag": False, "count": 3, "ratio": 0.5, "mode": "a", "anything": None} == (
            Typed().check_options({"count": None})
        )

    def test_other_types_pass_unchanged(self):
        """A str option's value is passed as given (lists and mappings included)."""
        assert ["x", "y"] == Typed().check_options({"anything": ["x", "y"]})["anything"]

    @pytest.mark.parametrize(
        ("name", "given", "expected"),
        [
            ("flag", "false-ish", "true or false (or yes/no, on/off, 1/0)"),
            ("flag", 1, "true or false (or yes/no, on/off, 1/0)"),
            ("count", "seven", "an integer"),
            ("count", 2.5, "an integer"),
            ("count", True, "an integer"),
            ("ratio", "half", "a number"),
            ("ratio", False, "a number"),
            ("mode", "c", "one of a, b"),
        ],
    )
    def test_bad_value(self, name, given, expected):
        """A value of the wrong type is an InvalidOption naming the option, value and type."""
        with pytest.raises(timeline.InvalidOption) as info:
            Typed().check_options({name: given})
        error = info.value
        assert ("analysis 'typed'", name, given, expected) == (
            error.owner,
            error.option,
            error.value,
            error.expected,
        )
        assert f"analysis 'typed': option {name!r}: got {given!r}" in str(error)

    def test_unknown_option(self):
        """An unknown option is an InvalidOption listing the options and filters."""
        with pytest.raises(timeline.InvalidOption, match="option 'colour'") as info:
            Typed().check_options({"colour": "red"})
        assert "anything, count, flag, mode, ratio" in info.value.expected

    def test_owner_names_the_kind(self):
        """Errors say whether an exporter, importer or analysis took the option."""
        assert ("exporter 'chunks'", "analysis 'typed'") == (ChunkExporter().owner, Typed().owner)

    def test_guard_formulas_false_string_is_false(self):
        """``guard_formulas="false"`` turns the CSV guard off (it used to be truthy)."""
        risky = dict(VISIT, title="=1+1")
        dest = io.StringIO()
        make_timeline(risky).export("csv", dest, guard_formulas="false")
        assert ",=1+1," in dest.getvalue()


def jsonl_file(tmp_path: Path, *events: dict[str, Any]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


DUMA = {"id": "duma", "kind": "treaty.ratified", "when": "2025-12-02", "title": "Duma"}
COUNCIL = {"id": "council", "kind": "treaty.domestic_approval", "when": "2025-12-08?"}


class TestImportIds:
    def test_all_or_nothing_reports_repeats_with_lines(self, tmp_path):
        """An id repeated within the file fails the import, naming both lines."""
        tl = make_timeline(DUMA)
        council = dict(COUNCIL, title="Council")
        path = jsonl_file(tmp_path, dict(DUMA, title="again"), council, council)
        with pytest.raises(timeline.ImportFailed) as info:
            tl.import_file("jsonl", path)
        assert ["line 3: id: repeats line 2"] == [str(p) for p in info.value.problems]
        assert ["duma"] == [e.id for e in tl.events()]

    def test_changed_row_reported_and_left_alone(self, tmp_path):
        """A row for an event of the log with other content is reported, not recorded."""
        tl = make_timeline(DUMA)
        council = dict(COUNCIL, title="Council")
        path = jsonl_file(tmp_path, dict(DUMA, title="again"), council, council)
        report = tl.import_file("jsonl", path, skip_invalid=True)
        assert (1, 0, ("duma",), [3]) == (
            report.recorded,
            report.present,
            report.changed,
            [p.line for p in report.problems],
        )
        assert ["duma", "council"] == [e.id for e in tl.events()]
        assert ("Duma", 1) == (tl.get("duma").title, tl.version("duma"))

    def test_reimport_is_a_no_op(self, tmp_path):
        """The same file twice: the second import counts every row present; the head stays."""
        tl = make_timeline()
        path = jsonl_file(tmp_path, DUMA, dict(COUNCIL, title="Council"))
        assert 2 == tl.import_file("jsonl", path).recorded
        head = tl.head()
        assert timeline.ImportReport(recorded=0, present=2) == tl.import_file("jsonl", path)
        assert head == tl.head()

    def test_amend_true_amends_changed_rows(self, tmp_path):
        """amend=True: an updated row amends its event (the reason names the file)."""
        tl = make_timeline(DUMA)
        path = jsonl_file(tmp_path, dict(DUMA, title="Duma votes"))
        report = tl.import_file("jsonl", path, amend=True)
        assert (0, 1) == (report.recorded, report.amended)
        assert ("Duma votes", 2) == (tl.get("duma").title, tl.version("duma"))
        [_, amendment] = tl.history("duma")
        assert ("title",) == amendment.payload.changes
        assert f"re-imported from {path}" == amendment.payload.reason
        assert tl.verify().ok

    def test_retracted_event_stays_retracted(self, tmp_path):
        """A retracted event's row is never revived: present if the same, else changed."""
        tl = make_timeline(DUMA)
        tl.retract("duma", reason="wrong")
        head = tl.head()
        assert 1 == tl.import_file("jsonl", jsonl_file(tmp_path, DUMA)).present
        other = jsonl_file(tmp_path, dict(DUMA, title="again"))
        assert ("duma",) == tl.import_file("jsonl", other, amend=True).changed
        assert (head, True) == (tl.head(), tl.is_retracted("duma"))


class TestStreamedRecords:
    def test_write_gets_a_lazy_sized_iterable(self) -> None:
        """write() gets records lazily in timeline order (no list), and len() still works."""
        import attrs

        import timeline

        seen: dict[str, object] = {}

        @attrs.frozen(kw_only=True)
        class Probe(timeline.Exporter):
            name: str = "probe"
            description: str = "records what write() gets"

            def write(self, timeline, records, stream, **options):  # type: ignore[no-untyped-def]
                seen["is_list"] = isinstance(records, list)
                seen["len"] = len(records)
                seen["titles"] = [r.event.title for r in records]
                return seen["len"]  # type: ignore[return-value]

        tl = timeline.datasets.load("relos")
        tl.events()  # the order index exists: the export walks it
        import io

        assert 27 == Probe().export(tl, io.StringIO()).written
        assert seen["is_list"] is False
        assert [e.title for e in tl.events()] == seen["titles"]
