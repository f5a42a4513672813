"""A log file on disk: choosing its store from the path, and checking it without replaying it."""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from ._codec import Upcaster
from ._errors import CorruptLog, TimelineError
from ._jsonl import JsonlStore
from ._sqlite import SqliteStore
from ._store import MemoryStore, Store
from ._verify import LogHead, VerifyReport, verify_store

__all__ = ["open_store", "verify_log"]


def open_store(location: str, *, inspect: bool = False) -> Store:
    """Open (or create) the store a path names.

    ``.db`` / ``.sqlite`` / ``.sqlite3`` → SQLite, ``.jsonl`` → JSON Lines,
    ``":memory:"`` → in memory.

    Args:
        location: the path, or ``":memory:"``.
        inspect: open a JSON Lines file to inspect it only (no repair, no check
            of its last line): see ``JsonlStore``.

    Raises:
        TimelineError: the suffix names no store.
        CorruptLog: the file is not a timeline log.
    """
    if location == ":memory:":
        return MemoryStore()
    suffix = Path(location).suffix.lower()
    if suffix in {".db", ".sqlite", ".sqlite3"}:
        return SqliteStore(location)
    if suffix == ".jsonl":
        return JsonlStore(location, inspect=inspect)
    raise TimelineError(
        f"cannot tell the store from {location!r}: use a .db or .sqlite file (SQLite), "
        "a .jsonl file (JSON Lines) or ':memory:'"
    )


def verify_log(
    path: str | os.PathLike[str], *, expect: LogHead | str | None = None
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

    Raises:
        TimelineError: there is no file at ``path``, or its suffix names no store.
        InvalidRecord: ``expect`` is not a head.
    """
    location = os.fspath(path)
    head = None if expect is None else LogHead.coerce(expect)
    if location != ":memory:" and not Path(location).is_file():
        raise TimelineError(f"no timeline at {location!r}: nothing to verify")
    try:
        store = open_store(location, inspect=True)
    except CorruptLog as exc:
        return VerifyReport(ok=False, checked=0, reason=f"unreadable: {exc}")

    def plugin_upcasters() -> list[Upcaster]:
        from ._plugins import default_host  # the plugin host imports the timeline

        return default_host().upcasters()

    store.codec.find_more = plugin_upcasters
    try:
        report = verify_store(store, head)
    finally:
        store.close()
    return attrs.evolve(report, repairs=tuple(store.repairs))
