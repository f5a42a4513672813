"""The ``csv`` exporter and importer plugin.

The ``full`` dialect writes every field and is read back by the ``csv``
importer; the ``google`` and ``outlook`` dialects write calendar import files.
Registered through the ``timeline`` entry-point group (``csv = "timeline_csv"``).
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._cells import (
    FORMULA_TRIGGERS,
    FULL_COLUMNS,
    REQUIRED_COLUMNS,
    event_cells,
    guard,
    unguard,
)
from ._exporter import DIALECTS, GOOGLE_COLUMNS, OUTLOOK_COLUMNS, CsvExporter
from ._importer import CsvImporter

__all__ = [
    "DIALECTS",
    "FORMULA_TRIGGERS",
    "FULL_COLUMNS",
    "GOOGLE_COLUMNS",
    "OUTLOOK_COLUMNS",
    "REQUIRED_COLUMNS",
    "CsvExporter",
    "CsvImporter",
    "event_cells",
    "guard",
    "timeline_register_exporters",
    "timeline_register_importers",
    "unguard",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``csv`` exporter."""
    register(CsvExporter())


@hookimpl
def timeline_register_importers(register: Callable[[timeline.Importer], None]) -> None:
    """Register the ``csv`` importer."""
    register(CsvImporter())
