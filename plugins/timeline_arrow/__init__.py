"""The ``parquet`` and ``arrow`` exporters and importers (the ``events/1`` table, issue 12).

``parquet`` writes one file, or a Hive-partitioned directory by year
(``when_year=2025/part-0.parquet``), zstd-compressed, with statistics;
``arrow`` writes an Arrow IPC file. Both stream in record batches, so memory
stays flat however large the timeline. The importers read both back. pyarrow
is needed: ``pip install 'geotimeline[arrow]'``. Registered through the
``timeline`` entry-point group (``arrow = "timeline_arrow"``).
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._exporters import ArrowExporter, ParquetExporter
from ._importers import ArrowImporter, ParquetImporter

__all__ = [
    "ArrowExporter",
    "ArrowImporter",
    "ParquetExporter",
    "ParquetImporter",
    "timeline_register_exporters",
    "timeline_register_importers",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``parquet`` and ``arrow`` exporters."""
    register(ParquetExporter())
    register(ArrowExporter())


@hookimpl
def timeline_register_importers(register: Callable[[timeline.Importer], None]) -> None:
    """Register the ``parquet`` and ``arrow`` importers."""
    register(ParquetImporter())
    register(ArrowImporter())
