"""The ``json`` and ``jsonl`` exporters and the ``jsonl`` importer plugin.

``json`` writes the current events as one document; ``jsonl`` writes the raw
log records; the ``jsonl`` importer reads events, one object per line, and also
reads both exports back (of a ``jsonl`` export, each event's latest version).
Registered through the ``timeline`` entry-point group (``json = "timeline_json"``).
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._exporters import JsonExporter, JsonlExporter, event_object
from ._importer import JsonlImporter

__all__ = [
    "JsonExporter",
    "JsonlExporter",
    "JsonlImporter",
    "event_object",
    "timeline_register_exporters",
    "timeline_register_importers",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``json`` and ``jsonl`` exporters."""
    register(JsonExporter())
    register(JsonlExporter())


@hookimpl
def timeline_register_importers(register: Callable[[timeline.Importer], None]) -> None:
    """Register the ``jsonl`` importer."""
    register(JsonlImporter())
