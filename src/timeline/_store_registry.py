"""The store front door: which store opens a location (a URL scheme or a path suffix).

Stores are registered through the ``timeline_register_stores`` hook, the
built-in ones too (the functions below implement it), so a third-party package
adds a store exactly as geotimeline adds its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from ._backend import Backend
from ._errors import PluginError, TimelineError
from ._store import MemoryStore, Store
from ._storetype import StoreType
from .hookspecs import hookimpl


class StoreSource(Protocol):
    """Where stores beyond the built-in ones come from (a plugin host)."""

    def stores(self) -> list[StoreType]:
        """Return the store types the plugins register."""


__all__ = ["StoreSource", "StoreType", "builtin_store_types", "is_url", "open_store", "store_types"]

#: ``scheme://...``: a location that names its store by URL scheme.
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*\Z")
_SUFFIX = re.compile(r"\.[a-z0-9]+\Z")


def _memory(location: str) -> Store:
    return MemoryStore()


def _sqlite(location: str) -> Store:
    from ._sqlite import SqliteStore

    return SqliteStore(location)


def _jsonl(location: str) -> Store:
    from ._jsonl import JsonlStore

    return JsonlStore(location)


def _postgres(location: str) -> Store:
    from ._postgres import PostgresStore

    return PostgresStore(location)


@hookimpl
def timeline_register_stores(register: Callable[[StoreType], None]) -> None:
    """Register the built-in stores (geotimeline's own implementation of the hook)."""
    register(StoreType("memory", _memory, names=(":memory:",)))
    register(StoreType("sqlite", _sqlite, suffixes=(".db", ".sqlite", ".sqlite3")))
    register(StoreType("jsonl", _jsonl, suffixes=(".jsonl",)))
    register(StoreType("postgresql", _postgres, schemes=("postgresql", "postgres")))


def _collect(
    register_hooks: Iterable[Callable[[Callable[[StoreType], None]], None]],
) -> dict[str, StoreType]:
    found: dict[str, StoreType] = {}

    def register(store_type: StoreType) -> None:
        if not isinstance(store_type, StoreType):
            raise PluginError(f"expected a timeline StoreType, got {store_type!r}")
        problem = store_type.problem()
        if problem:
            raise PluginError(problem)
        _claim(found, store_type)

    for hook in register_hooks:
        hook(register)
    return found


def _claim(found: dict[str, StoreType], store_type: StoreType) -> None:
    for key in store_type.claims():
        other = found.get(key)
        if other is not None and other != store_type:
            raise PluginError(
                f"{key!r} is claimed by both store {other.name!r} and store {store_type.name!r}"
            )
        found[key] = store_type


_builtin: dict[str, StoreType] | None = None


def builtin_store_types() -> dict[str, StoreType]:
    """Return the built-in stores by the location key they claim (``.db``, ``postgresql://``)."""
    global _builtin
    if _builtin is None:
        _builtin = _collect([timeline_register_stores])
    return dict(_builtin)


def store_types(plugins: StoreSource | None) -> dict[str, StoreType]:
    """Return every store by location key: the built-in ones and those plugins register.

    Raises:
        PluginError: a plugin registers an invalid store, or claims a taken key.
    """
    found = builtin_store_types()
    if plugins is not None:
        for store_type in plugins.stores():
            _claim(found, store_type)
    return found


def is_url(location: str) -> bool:
    """Return whether a location is a URL (``scheme://...``) rather than a path."""
    return _URL.match(location) is not None


def _key(location: str) -> str:
    url = _URL.match(location)
    if url is not None:
        return f"{url.group(1).lower()}://"
    if location.startswith(":") and location.endswith(":"):
        return location
    return Path(location).suffix.lower()


def open_store(
    location: str, plugins: StoreSource | Callable[[], StoreSource] | None = None
) -> Store:
    """Open the store a location names: by URL scheme, exact name or path suffix.

    The built-in stores are found without loading plugins; a location none of
    them opens asks the plugins' ``timeline_register_stores`` hooks (of
    ``plugins``: a host, or a function returning one, called only then).

    A store whose factory returns a ``Backend`` alone gets the record layer
    (``Store``) put over it.

    Raises:
        TimelineError: no registered store opens the location (the message lists
            those that are), or the store refuses it.
        PluginError: the factory returned neither a ``Store`` nor a ``Backend``.
    """
    key = _key(location)
    known = builtin_store_types()
    found = known.get(key)
    if found is None:
        if plugins is not None and not hasattr(plugins, "stores"):
            plugins = plugins()
        known = store_types(plugins)
        found = known.get(key)
    if found is None:
        shown = ", ".join(sorted(known))
        what = f"the URL scheme {key!r}" if key.endswith("://") else f"the suffix {key!r}"
        raise TimelineError(
            f"cannot tell the store from {location!r}: no store opens {what}; known: {shown}"
        )
    opened: object = found.factory(location)  # plugins are not type-checked
    if isinstance(opened, Store):
        return opened
    if isinstance(opened, Backend):
        return Store(opened)
    raise PluginError(
        f"store {found.name!r} opened {location!r} as {opened!r}, not a timeline Store or Backend"
    )
