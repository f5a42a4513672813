"""A log on disk: checking it without replaying it."""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from ._codec import Upcaster
from ._errors import CorruptLog, TimelineError
from ._jsonl import JsonlStore
from ._store import Store
from ._store_registry import is_url, open_store
from ._verify import LogHead, VerifyProgress, VerifyReport, verify_store

__all__ = ["verify_log"]


def _inspected(location: str) -> Store:
    """Open the store a location names, a JSON Lines file for inspection only (no repair)."""
    if Path(location).suffix.lower() == ".jsonl":
        return JsonlStore(location, inspect=True)
    return open_store(location)


def verify_log(
    path: str | os.PathLike[str],
    *,
    expect: LogHead | str | None = None,
    progress: VerifyProgress | None = None,
) -> VerifyReport:
    """Check the log at ``path`` without opening a timeline on it.

    Unlike ``timeline.open(path).verify()`` this needs no replay, so it reports on
    a log that cannot be opened: the report names the first bad seq. It changes
    nothing: what opening the log would repair (the tail a crash left) is listed
    in the report's ``repairs``, and an append cut short is reported as bad.

    Args:
        path: the log file (its suffix names the store).
        expect: a head published earlier (``SEQ:HASH`` or a ``LogHead``): the log
            must still hold that record, else it was truncated or rewritten.
        progress: ``progress(rows, count)`` wraps the records as they are checked and
            yields them on (the CLI's progress bar; ``count`` is how many the log holds).

    Raises:
        TimelineError: there is no file at ``path``, or its suffix names no store.
        InvalidRecord: ``expect`` is not a head.
    """
    location = os.fspath(path)
    head = None if expect is None else LogHead.coerce(expect)
    if not is_url(location) and location != ":memory:" and not Path(location).is_file():
        raise TimelineError(f"no timeline at {location!r}: nothing to verify")
    try:
        store = _inspected(location)
    except CorruptLog as exc:
        return VerifyReport(ok=False, checked=0, reason=f"unreadable: {exc}")

    def plugin_upcasters() -> list[Upcaster]:
        from ._plugins import default_host  # the plugin host imports the timeline

        return default_host().upcasters()

    store.codec.find_more = plugin_upcasters
    try:
        report = verify_store(store, head, progress)
    finally:
        store.close()
    return attrs.evolve(report, repairs=tuple(store.repairs))
