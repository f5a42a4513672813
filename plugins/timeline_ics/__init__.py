"""The ``ics`` exporter plugin: RFC 5545 calendars for calendar programs.

Registered through the ``timeline`` entry-point group (``ics = "timeline_ics"``),
the same way a third-party plugin is. The date-to-calendar policy
(``calendar_span``) follows ``When.is_fuzzy``, like every other plugin.
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._exporter import PRODID, UID_DOMAIN, IcsExporter, event_description, event_uid
from ._spans import FUZZY_POLICIES, CalendarSpan, SpanKind, calendar_span, parse_modalities

__all__ = [
    "FUZZY_POLICIES",
    "PRODID",
    "UID_DOMAIN",
    "CalendarSpan",
    "IcsExporter",
    "SpanKind",
    "calendar_span",
    "event_description",
    "event_uid",
    "parse_modalities",
    "timeline_register_exporters",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``ics`` exporter."""
    register(IcsExporter())
