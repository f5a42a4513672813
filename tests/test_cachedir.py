"""A log file's caches (``_cachedir``): beside it, and out of version control."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import timeline
from timeline._cachedir import cache_dir, made_cache_dir


def test_the_directory_is_made_once_with_its_gitignore(tmp_path: Path) -> None:
    directory = cache_dir(str(tmp_path / "log.jsonl"))
    assert directory == tmp_path / "log.jsonl.snapshots"
    assert not directory.exists()
    assert made_cache_dir(directory) == directory
    assert (directory / ".gitignore").read_text().splitlines()[-1] == "*"
    (directory / ".gitignore").write_text("kept as the user left it\n")
    made_cache_dir(directory)
    assert (directory / ".gitignore").read_text() == "kept as the user left it\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="no git on this machine")
def test_git_sees_the_log_and_not_its_caches(tmp_path: Path) -> None:
    """``git add .`` in a repository holding a JSON Lines log takes the log, not the caches."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    log = tmp_path / "relos.jsonl"
    with timeline.open(log) as tl:
        tl.record(kind="visit.state", when="2025-12-04", title="A visit", actors=["IND"])
        tl.snapshot()
        assert len(tl.search("visit")) == 1  # the search index, beside the log too
    assert (cache_dir(str(log)) / "hot").exists()
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    untracked = sorted(line[3:] for line in status if line)
    assert untracked == ["relos.jsonl", "relos.jsonl.lock"]
