"""The ``sqlite`` exporter: a flat SQLite database that Datasette and sqlite-utils browse as is.

``timeline export sqlite -o events.db`` then ``datasette events.db``: one row
per current event (lists as JSON), an actors table to facet on, a full-text
index on titles, summaries and source titles, and the raw log. No pyarrow
needed. Registered through the ``timeline`` entry-point group
(``sqlite = "timeline_sqlite"``).
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._exporter import SqliteExporter

__all__ = ["SqliteExporter", "timeline_register_exporters"]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``sqlite`` exporter."""
    register(SqliteExporter())
