"""The store front door: locations to stores, built-ins and plugins through one hook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import timeline
from timeline import MemoryStore, PluginError, StoreType, hookimpl
from timeline._plugins import PluginHost
from timeline._store_registry import builtin_store_types, is_url, open_store, store_types


def manual_host() -> PluginHost:
    return PluginHost(strict=True, load_entrypoints=False, env={})


class TestBuiltins:
    def test_builtins_claim_the_documented_locations(self) -> None:
        """The four built-in stores register their schemes, suffixes and names."""
        found = {key: t.name for key, t in builtin_store_types().items()}
        assert {
            ":memory:": "memory",
            ".db": "sqlite",
            ".sqlite": "sqlite",
            ".sqlite3": "sqlite",
            ".jsonl": "jsonl",
            "postgresql://": "postgresql",
            "postgres://": "postgresql",
        } == found

    @pytest.mark.parametrize(
        ("name", "store"),
        [("log.db", timeline.SqliteStore), ("LOG.JSONL", timeline.JsonlStore)],
    )
    def test_suffix_picks_the_store(self, tmp_path: Path, name: str, store: type) -> None:
        """A path opens the store its suffix names, whatever its case."""
        opened = open_store(str(tmp_path / name))
        assert isinstance(opened, store)
        opened.close()

    def test_memory(self) -> None:
        """':memory:' opens a memory store."""
        assert isinstance(open_store(":memory:"), MemoryStore)

    def test_unknown_suffix_lists_known_ones(self) -> None:
        """A suffix no store opens is an error listing every scheme and suffix."""
        with pytest.raises(timeline.TimelineError, match="cannot tell the store") as info:
            open_store("notes.txt", manual_host())
        for key in (".db", ".jsonl", "postgresql://", ":memory:"):
            assert key in str(info.value)

    def test_is_url(self) -> None:
        """scheme://... is a URL; paths, even with colons, are not."""
        assert is_url("postgresql://x/y")
        assert is_url("postgresql://")
        assert not is_url("C:/logs/x.db")
        assert not is_url("relative/x.db")


class DictStore(MemoryStore):
    """A stand-in third-party store: a memory store that remembers its location."""

    def __init__(self, location: str) -> None:
        super().__init__()
        self.location = location


class TestHook:
    def test_hook_timeline_register_stores(self) -> None:
        """A plugin's store opens its URL scheme through timeline.open."""

        class P:
            @hookimpl
            def timeline_register_stores(self, register: Any) -> None:
                register(StoreType("dict", DictStore, schemes=("dict",), suffixes=(".dict",)))

        host = manual_host()
        host.register(P(), "p")
        with timeline.open("dict://team/log", plugins=host) as tl:
            assert isinstance(tl.store, DictStore)
            assert "dict://team/log" == tl.store.location
        assert isinstance(open_store("x.dict", host), DictStore)
        assert "dict" == store_types(host)["dict://"].name

    def test_a_taken_suffix_is_refused(self) -> None:
        """A plugin cannot take over a built-in store's suffix."""

        class P:
            @hookimpl
            def timeline_register_stores(self, register: Any) -> None:
                register(StoreType("mine", DictStore, suffixes=(".db",)))

        host = manual_host()
        host.register(P(), "p")
        with pytest.raises(PluginError, match=r"'\.db' is claimed by both store 'sqlite'"):
            store_types(host)

    @pytest.mark.parametrize(
        ("store_type", "problem"),
        [
            (StoreType("Bad Name", DictStore, schemes=("x",)), "lower-case word"),
            (StoreType("x", DictStore, schemes=("X+Y",)), "not a lower-case scheme"),
            (StoreType("x", DictStore, suffixes=("db",)), "not a lower-case scheme or '.suffix'"),
            (StoreType("x", DictStore), "opens no scheme"),
            (StoreType("x", "not callable", schemes=("x",)), "not callable"),  # type: ignore[arg-type]
        ],
    )
    def test_invalid_registrations(self, store_type: StoreType, problem: str) -> None:
        """Bad names, schemes, suffixes and factories are refused, naming the problem."""

        class P:
            @hookimpl
            def timeline_register_stores(self, register: Any) -> None:
                register(store_type)

        host = manual_host()
        host.register(P(), "p")
        with pytest.raises(PluginError, match=problem):
            host.stores()


class TestBackendFactories:
    def test_a_factory_may_return_just_a_backend(self) -> None:
        """A plugin store that is only a backend gets the record layer put over it."""
        from timeline._memory import MemoryBackend

        class P:
            @hookimpl
            def timeline_register_stores(self, register: Any) -> None:
                register(StoreType("bare", lambda location: MemoryBackend(), schemes=("bare",)))

        host = manual_host()
        host.register(P(), "p")
        with timeline.open("bare://x", plugins=host) as tl:
            assert type(tl.store) is timeline.Store
            assert isinstance(tl.store.backend, MemoryBackend)
            tl.record(kind="treaty.signed", when="2025-02-18", title="a", actors=["RUS"])
            assert tl.verify().ok

    def test_a_factory_returning_something_else_is_refused(self) -> None:
        """A factory that returns neither a Store nor a Backend is a PluginError naming it."""

        class P:
            @hookimpl
            def timeline_register_stores(self, register: Any) -> None:
                register(StoreType("odd", lambda location: object(), schemes=("odd",)))

        host = manual_host()
        host.register(P(), "p")
        with pytest.raises(PluginError, match=r"store 'odd' opened 'odd://x' as .*not a timeline"):
            open_store("odd://x", host)
