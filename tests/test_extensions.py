"""The extension base classes (src/timeline/_extensions.py): destinations, options, imports."""

# The team writes ``assert expected == actual`` (style.md), which SIM300 calls Yoda.

from __future__ import annotations

import io
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
        assert 1 == make_timeline(VISIT).export("ics", dest)
        text = dest.getvalue()
        assert text.startswith("BEGIN:VCALENDAR\r\n")
        assert "Визит в Нью-Дели" in text

    def test_split_characters_are_decoded(self):
        """Multi-byte characters split across writes reach a StringIO whole."""
        dest = io.StringIO()
        assert 1 == ChunkExporter().export(make_timeline(VISIT), dest)
        assert VISIT["title"] + "\n" == dest.getvalue()

    def test_text_wrapper_writes_to_its_buffer_in_order(self):
        """On a TextIOWrapper the bytes go to its buffer, after text written before."""
        raw = io.BytesIO()
        wrapper = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        wrapper.write("before\n")
        assert 1 == make_timeline(VISIT).export("jsonl", wrapper)
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
            assert 1 == make_timeline(VISIT).export("ics", text)
            text.detach()
        assert path.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


class TestTextExporterOnBinaryStream:
    def test_bytes_io(self):
        """A CSV export to a BytesIO is UTF-8 bytes, and the BytesIO stays open."""
        dest = io.BytesIO()
        assert 1 == make_timeline(VISIT).export("csv", dest)
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
