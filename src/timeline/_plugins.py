"""Plugin host (placeholder until the pluggy manager lands): no plugins, built-ins only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._codec import Upcaster
from ._errors import UnknownPlugin
from ._kinds import Kind
from ._records import Record

__all__ = ["PluginHost", "default_host"]


class PluginHost:
    """The typed facade through which the timeline reaches its plugins."""

    has_append_subscribers = False

    def kinds(self) -> list[Kind]:
        """Return the kinds plugins register."""
        return []

    def upcasters(self) -> list[Upcaster]:
        """Return the upcasters plugins register."""
        return []

    def on_append(self, records: Sequence[Record]) -> None:
        """Tell subscribers about appended records."""

    def exporter(self, name: str) -> Any:
        """Return the exporter called ``name``."""
        raise UnknownPlugin("exporter", name, [])

    def importer(self, name: str) -> Any:
        """Return the importer called ``name``."""
        raise UnknownPlugin("importer", name, [])

    def analysis(self, name: str) -> Any:
        """Return the analysis called ``name``."""
        raise UnknownPlugin("analysis", name, [])


_default: PluginHost | None = None


def default_host() -> PluginHost:
    """Return the process-wide plugin host, created on first use."""
    global _default  # noqa: PLW0603 - one lazily built default, like llm's load_plugins
    if _default is None:
        _default = PluginHost()
    return _default
