"""Where a log file's caches live: ``<file>.snapshots/``, kept out of version control.

A JSON Lines log is meant to be committed and diffed; the snapshots, the hot file,
the line offsets and the search index beside it are caches rebuilt from it when
missing. The directory is made with a ``.gitignore`` that ignores everything in it,
so ``git add .`` takes the log and not its caches.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

__all__ = ["cache_dir", "made_cache_dir"]

_GITIGNORE = (
    "# geotimeline's caches of the log beside this directory (rebuilt from it when missing)\n*\n"
)


def cache_dir(location: str) -> Path:
    """Return the directory of a log file's caches (not created)."""
    return Path(location + ".snapshots")


def made_cache_dir(directory: Path) -> Path:
    """Make a log file's cache directory (``cache_dir``) with its ``.gitignore``, if missing.

    Returns:
        The directory.

    Raises:
        OSError: it cannot be made.
    """
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a cache without it still works
            (directory / ".gitignore").write_text(_GITIGNORE)
    return directory
