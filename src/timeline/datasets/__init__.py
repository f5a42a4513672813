"""Sample datasets, recorded through the public API (``timeline.datasets.load("relos")``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .._errors import UnknownPlugin
from .._store import MemoryStore
from .._timeline import Timeline
from . import _relos

__all__ = ["load", "names"]

_DATASETS: dict[str, tuple[str, Callable[[Timeline], None]]] = {
    "relos": (_relos.DESCRIPTION, _relos.record_into),
}

# Recording times of the sample: fixed, so its log, hashes and exports are the
# same on every machine (the sample tells the story of when facts were learnt).
_SAMPLE_EPOCH = dt.datetime(2025, 12, 16, 9, 0, tzinfo=dt.timezone.utc)


def names() -> list[str]:
    """Return the names of the available datasets."""
    return sorted(_DATASETS)


def describe(name: str) -> str:
    """Return a one-line description of a dataset.

    Raises:
        UnknownPlugin: there is no dataset of that name.
    """
    return _lookup(name)[0]


def _lookup(name: str) -> tuple[str, Callable[[Timeline], None]]:
    try:
        return _DATASETS[name]
    except KeyError:
        raise UnknownPlugin("dataset", name, names()) from None


def sample_clock(start: dt.datetime = _SAMPLE_EPOCH) -> Callable[[], dt.datetime]:
    """Return a clock that ticks one second per call from ``start`` (deterministic logs)."""
    state = {"now": start - dt.timedelta(seconds=1)}

    def clock() -> dt.datetime:
        state["now"] += dt.timedelta(seconds=1)
        return state["now"]

    return clock


def load(name: str, into: Timeline | None = None) -> Timeline:
    """Record a dataset's events and return the timeline holding them.

    Args:
        name: a name from ``names()``.
        into: an existing timeline to record into; a new in-memory one (with a
            deterministic clock) when omitted.

    Raises:
        UnknownPlugin: there is no dataset of that name.
    """
    _, record_into = _lookup(name)
    tl = into if into is not None else Timeline(MemoryStore(), clock=sample_clock())
    record_into(tl)
    return tl
