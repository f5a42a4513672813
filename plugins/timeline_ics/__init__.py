"""The ``ics`` exporter and importer plugin: RFC 5545 calendars to and from calendar programs.

Registered through the ``timeline`` entry-point group (``ics = "timeline_ics"``),
the same way a third-party plugin is. How dates and text go onto the calendar is
the core's one policy (``timeline.calendar_span``, ``timeline.calendar_description``),
shared with the CSV calendar dialects.
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._exporter import PRODID, UID_DOMAIN, IcsExporter, event_uid
from ._importer import IcsImporter, event_id_of_uid

__all__ = [
    "PRODID",
    "UID_DOMAIN",
    "IcsExporter",
    "IcsImporter",
    "event_id_of_uid",
    "event_uid",
    "timeline_register_exporters",
    "timeline_register_importers",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``ics`` exporter."""
    register(IcsExporter())


@hookimpl
def timeline_register_importers(register: Callable[[timeline.Importer], None]) -> None:
    """Register the ``ics`` importer."""
    register(IcsImporter())
