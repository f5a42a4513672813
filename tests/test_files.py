"""Where exports write and imports read (timeline._files): never over the log, FIFOs in place."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import timeline
from timeline.cli import CliState, cli
from timeline.testing import FixedClock

VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "Визит в Нью-Дели",
    "actors": ["RUS", "IND"],
}
SUFFIXES = [".db", ".jsonl"]


def make_log(path: Path) -> bytes:
    """Write a one-event log at ``path`` and return its bytes."""
    with timeline.open(path) as tl:
        tl.record(**VISIT)
    return path.read_bytes()


def assert_intact(path: Path, before: bytes) -> None:
    """The log at ``path`` is byte for byte what it was, and still opens and verifies."""
    assert before == path.read_bytes()
    with timeline.open(path) as tl:
        assert (1, True) == (len(tl), tl.verify().ok)


class TestNeverOverTheLog:
    @pytest.mark.parametrize("suffix", SUFFIXES)
    @pytest.mark.parametrize("fmt", ["csv", "json", "ics", "jsonl"])
    def test_the_log_itself(self, tmp_path: Path, suffix: str, fmt: str) -> None:
        """Exporting to the open log's own path is refused; the log is untouched."""
        log = tmp_path / f"x{suffix}"
        before = make_log(log)
        with timeline.open(log) as tl, pytest.raises(timeline.TimelineError) as info:
            tl.export(fmt, log)
        assert f"cannot write {log}: it is the timeline log {log}" in str(info.value)
        assert_intact(log, before)
        assert [log.name] == [p.name for p in tmp_path.iterdir() if p.suffix == suffix]

    @pytest.mark.parametrize("suffix", SUFFIXES)
    @pytest.mark.parametrize("link", ["symlink", "hardlink"])
    def test_through_a_link(self, tmp_path: Path, suffix: str, link: str) -> None:
        """A symlink or a hard link to the log is the log too."""
        log = tmp_path / f"x{suffix}"
        before = make_log(log)
        alias = tmp_path / "export.csv"
        if link == "symlink":
            alias.symlink_to(log)
        else:
            os.link(log, alias)
        with timeline.open(log) as tl, pytest.raises(timeline.TimelineError, match="timeline log"):
            tl.export("csv", alias)
        assert_intact(log, before)

    def test_a_companion_file(self, tmp_path: Path) -> None:
        """The JSON Lines lock file belongs to the log: refused as well."""
        log = tmp_path / "x.jsonl"
        make_log(log)
        lock = Path(f"{log}.lock")
        assert lock.exists()
        with timeline.open(log) as tl, pytest.raises(timeline.TimelineError) as info:
            tl.export("csv", lock)
        assert f"it is the timeline log {log} ({lock})" in str(info.value)

    @pytest.mark.parametrize("link", ["symlink", "hardlink"])
    def test_a_link_in_place_of_the_temporary_file(self, tmp_path: Path, link: str) -> None:
        """A link to the log where the export's .partial goes is unlinked, not written."""
        log = tmp_path / "x.db"
        before = make_log(log)
        partial = tmp_path / "out.csv.partial"
        if link == "symlink":
            partial.symlink_to(log)
        else:
            os.link(log, partial)
        with timeline.open(log) as tl:
            assert 1 == tl.export("csv", tmp_path / "out.csv").written
        assert_intact(log, before)
        assert VISIT["title"] in (tmp_path / "out.csv").read_text(encoding="utf-8")
        assert not partial.exists()

    def test_an_as_of_view(self, tmp_path: Path) -> None:
        """An export of an as_of view (and with as_of=) is refused on the log too."""
        log = tmp_path / "x.db"
        before = make_log(log)
        with timeline.open(log) as tl:
            for export in (
                lambda: tl.as_of(1).export("csv", log),
                lambda: tl.export("csv", log, as_of=1),
            ):
                with pytest.raises(timeline.TimelineError, match="timeline log"):
                    export()
        assert_intact(log, before)

    @pytest.mark.parametrize("suffix", SUFFIXES)
    @pytest.mark.parametrize(
        "args", [["export", "csv", "-o"], ["analyze", "cadence", "--format", "csv", "-o"]]
    )
    def test_cli(self, tmp_path: Path, suffix: str, args: list[str], plugin_host: Any) -> None:
        """``timeline --db x.db export csv -o x.db`` is one error line; the log is untouched."""
        log = tmp_path / f"x{suffix}"
        before = make_log(log)
        obj = CliState(host=plugin_host, clock=FixedClock())
        result = CliRunner().invoke(cli, ["--db", str(log), *args, str(log)], obj=obj)
        assert 1 == result.exit_code, result.output
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error: cannot write {log}: it is the timeline log")
        assert_intact(log, before)


class TestNotRegularFiles:
    def test_fifo_is_written_in_place(self, tmp_path: Path) -> None:
        """A FIFO gets the export as a stream and stays a FIFO."""
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
        reader.start()
        with timeline.open(tmp_path / "x.db") as tl:
            tl.record(**VISIT)
            assert 1 == tl.export("ics", fifo).written
        reader.join(timeout=30)
        assert 1 == len(got)
        assert got[0].startswith(b"BEGIN:VCALENDAR\r\n")
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert ["pipe", "x.db"] == sorted(p.name for p in tmp_path.iterdir())

    def test_device_is_written_in_place(self, tmp_path: Path) -> None:
        """A character device (a pseudo-terminal here) is written, never replaced."""
        master, slave = os.openpty()
        try:
            device = os.ttyname(slave)
            with timeline.open(tmp_path / "x.db") as tl:
                tl.record(**VISIT)
                assert 1 == tl.export("json", device).written
            assert b'"visit-2025"' in os.read(master, 65536)
            assert stat.S_ISCHR(os.stat(device).st_mode)
        finally:
            os.close(slave)
            os.close(master)

    def test_socket_is_refused(self, tmp_path: Path) -> None:
        """A socket is neither a file nor a stream one can open: refused, left in place."""
        path = tmp_path / "sock"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(path))
            with (
                timeline.open(tmp_path / "x.db") as tl,
                pytest.raises(timeline.TimelineError, match="not a regular file"),
            ):
                tl.export("csv", path)
            assert stat.S_ISSOCK(os.stat(path).st_mode)
        finally:
            server.close()

    def test_symlink_is_followed_and_kept(self, tmp_path: Path) -> None:
        """An export through a symlink replaces its target; the link stays a link."""
        target = tmp_path / "real.csv"
        target.write_text("old\n", encoding="utf-8")
        link = tmp_path / "link.csv"
        link.symlink_to(target)
        with timeline.open(tmp_path / "x.db") as tl:
            tl.record(**VISIT)
            assert 1 == tl.export("csv", link).written
        assert link.is_symlink()
        assert VISIT["title"] in target.read_text(encoding="utf-8")


class TestNotUtf8Import:
    def test_names_the_first_bad_line(self, tmp_path: Path) -> None:
        """A CSV file that is not UTF-8 is an ImportFailed naming the line, not a traceback."""
        path = tmp_path / "latin1.csv"
        path.write_bytes(
            b"kind,when,title\r\nvisit.state,2025-12-04,ok\r\n"
            b"visit.state,2025-12-05,Caf\xe9 talks\r\n"
        )
        tl = timeline.Timeline(timeline.MemoryStore(), snapshot_every=0)
        with pytest.raises(timeline.ImportFailed) as info:
            tl.import_file("csv", path)
        [problem] = info.value.problems
        assert (3, "row") == (problem.line, problem.field)
        assert "not UTF-8 text (byte 0xe9 at column 27)" in problem.reason
        assert 0 == len(tl)

    def test_a_stream(self) -> None:
        """A text stream that fails to decode is an InvalidRecord naming it."""
        import io

        raw = io.BytesIO(b"kind,when,title\nvisit.state,2025-12-04,Caf\xe9\n")
        raw.name = "upload.csv"
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        tl = timeline.Timeline(timeline.MemoryStore(), snapshot_every=0)
        with pytest.raises(timeline.InvalidRecord, match=r"upload\.csv: not UTF-8 text"):
            tl.import_file("csv", text)

    def test_cli(self, tmp_path: Path, plugin_host: Any) -> None:
        """The CLI prints the bad line as one error line (then the summary)."""
        path = tmp_path / "latin1.csv"
        path.write_bytes(b"kind,when,title\nvisit.state,2025-12-04,Caf\xe9\n")
        log = tmp_path / "x.db"
        make_log(log)
        obj = CliState(host=plugin_host, clock=FixedClock())
        result = CliRunner().invoke(cli, ["--db", str(log), "import", "csv", str(path)], obj=obj)
        assert 1 == result.exit_code
        assert "Traceback" not in result.output
        assert f"error: {path}: line 2: row: not UTF-8 text" in result.stderr
