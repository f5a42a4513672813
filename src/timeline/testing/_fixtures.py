"""Pytest fixtures for testing timeline plugins: an isolated host and in-memory timelines."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pytest

from .._model import Event
from .._plugins import PluginHost
from .._store import MemoryStore
from .._timeline import Timeline

__all__ = [
    "FIXED_EPOCH",
    "FixedClock",
    "first_party_host",
    "memory_timeline",
    "plugin_host",
    "register_plugin",
    "timeline_factory",
]

#: When a ``FixedClock`` starts by default.
FIXED_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

#: ``register_plugin(plugin, name=None, host=None)``: a context manager yielding the name.
RegisterPlugin = Callable[..., contextlib.AbstractContextManager[str]]
#: ``timeline_factory(events=(), *, plugins=None, clock=None)`` returning a ``Timeline``.
TimelineFactory = Callable[..., Timeline]


class FixedClock:
    """A deterministic clock: each call returns the previous time plus ``step``.

    Args:
        start: the first time returned (aware).
        step: how far each call moves on.

    """

    def __init__(
        self, start: dt.datetime = FIXED_EPOCH, step: dt.timedelta = dt.timedelta(seconds=1)
    ) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> dt.datetime:
        now = self.now
        self.now = now + self.step
        return now


def first_party_host(*, strict: bool = True, env: Mapping[str, str] | None = None) -> PluginHost:
    """Return a plugin host with geotimeline's own plugins only, ignoring the user's settings.

    Args:
        strict: raise on a broken plugin (the default in tests).
        env: plugin environment variables (``TIMELINE_LOAD_PLUGINS`` ...); none when omitted.

    """
    return PluginHost(strict=strict, env=dict(env or {}), distributions={"geotimeline"})


@pytest.fixture
def plugin_host() -> PluginHost:
    """Return an isolated, strict plugin host with the first-party plugins only."""
    return first_party_host()


@pytest.fixture
def register_plugin(plugin_host: PluginHost) -> RegisterPlugin:
    """Return a context manager that registers a plugin for the ``with`` block.

    ``with register_plugin(MyPlugin(), name="mine"): ...`` registers on the
    ``plugin_host`` fixture (or on ``host=``) and unregisters on the way out.
    """

    @contextlib.contextmanager
    def register(
        plugin: object, name: str | None = None, host: PluginHost | None = None
    ) -> Iterator[str]:
        target = plugin_host if host is None else host
        registered = target.register(plugin, name)
        try:
            yield registered
        finally:
            target.unregister(registered)

    return register


@pytest.fixture
def timeline_factory(plugin_host: PluginHost) -> Iterator[TimelineFactory]:
    """Return a function building in-memory timelines with a fixed clock (closed afterwards).

    ``timeline_factory(events=(), *, plugins=None, clock=None)``: ``events`` are
    ``Event`` objects or field dicts recorded in one append; ``plugins`` defaults
    to the ``plugin_host`` fixture, ``clock`` to a new ``FixedClock``.
    """
    made: list[Timeline] = []

    def make(
        events: Iterable[Event | Mapping[str, Any]] = (),
        *,
        plugins: PluginHost | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> Timeline:
        tl = Timeline(
            MemoryStore(),
            clock=clock or FixedClock(),
            plugins=plugin_host if plugins is None else plugins,
            snapshot_every=0,
        )
        made.append(tl)
        batch = list(events)
        if batch:
            tl.record_many(batch)
        return tl

    yield make
    for tl in made:
        tl.close()


@pytest.fixture
def memory_timeline(timeline_factory: TimelineFactory) -> Timeline:
    """Return an empty in-memory timeline on the ``plugin_host`` host, with a fixed clock."""
    return timeline_factory()
