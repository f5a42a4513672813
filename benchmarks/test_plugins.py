"""Plugin discovery: the first use of a fresh plugin host (entry points, built-ins, kinds)."""

from __future__ import annotations

from typing import Any

from conftest import describe
from timeline._plugins import PluginHost


class TestDiscovery:
    def test_first_use(self, benchmark: Any, rounds: int) -> None:
        """A new PluginHost's first call: load every plugin, then list kinds and exporters."""

        def setup() -> tuple[tuple[PluginHost], dict[str, Any]]:
            return (PluginHost(),), {}

        def first_use(host: PluginHost) -> int:
            kinds = host.kinds()
            exporters: dict[str, Any] = getattr(host, "exporters", dict)()
            return len(kinds) + len(exporters)

        describe(benchmark, "plugin discovery (first use)", 0, 1, role="info")
        found = benchmark.pedantic(first_use, setup=setup, rounds=max(rounds, 10))
        assert found >= 0
