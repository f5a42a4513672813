"""timeline-hello: a plain-text agenda exporter and a ``meeting.bilateral`` kind.

A complete geotimeline plugin: one module, two hooks, one entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

import attrs

import timeline
from timeline.hookspecs import hookimpl

__all__ = [
    "BILATERAL",
    "AgendaExporter",
    "timeline_register_exporters",
    "timeline_register_kinds",
]

#: The kind this plugin adds; events of this kind can be recorded once it is installed.
BILATERAL = timeline.Kind(
    name="meeting.bilateral",
    description="Two leaders or ministers meet one to one",
    cameo="040",
    plover="CONSULT",
)


@attrs.frozen(kw_only=True)
class AgendaExporter(timeline.Exporter):
    """Writes one line per event: date, title and actors, under a heading."""

    name: str = "hello"
    description: str = "A plain-text agenda: one line per event"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(name="heading", help="The first line of the agenda", default="Agenda"),
    )
    suffix: str = ".txt"
    media_type: str = "text/plain"

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[str],
        **options: Any,
    ) -> int:
        """Write the heading, then one line per event in timeline order."""
        stream.write(f"{options['heading']}\n")
        for record in records:
            event = record.event
            assert event is not None  # current records always carry their event
            actors = ", ".join(a.country for a in event.actors)
            stream.write(f"{event.when.display:<12}  {event.title}  [{actors}]\n")
        return len(records)


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``hello`` agenda exporter."""
    register(AgendaExporter())


@hookimpl
def timeline_register_kinds(register: Callable[[timeline.Kind], None]) -> None:
    """Register the ``meeting.bilateral`` kind."""
    register(BILATERAL)
