"""The ``html`` exporter: one self-contained file that draws the timeline, offline."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import IO, Any

import attrs

import timeline
from timeline import parse_modalities

from ._items import COMFORTABLE_ITEMS, Drawn, timeline_data
from ._notebook import notebook_html
from ._page import page
from ._rows import GROUP_BY_OPTION, MODALITIES_OPTION

__all__ = ["HtmlExporter", "LargeTimelineWarning", "drawn_records", "warn_if_large"]


class LargeTimelineWarning(UserWarning):
    """The timeline has more items than the drawing engine handles comfortably."""


def warn_if_large(items: int, stacklevel: int = 3) -> None:
    """Warn when ``items`` is beyond what the engine draws comfortably (about 10k)."""
    if items > COMFORTABLE_ITEMS:
        warnings.warn(
            LargeTimelineWarning(
                f"{items} items is more than the {COMFORTABLE_ITEMS} the page pans and zooms "
                "comfortably; narrow it with the filters (kind, actor, treaty, between)"
            ),
            stacklevel=stacklevel,
        )


def drawn_records(
    view: Any, records: Iterable[timeline.Record], keep: frozenset[timeline.Modality]
) -> list[Drawn]:
    """Return the records' events to draw: those of the kept modalities, retractions marked."""
    drawn = []
    for record in records:
        event = record.event
        assert event is not None  # current records always carry the event
        if event.modality in keep:
            drawn.append(Drawn(event=event, retracted=view.is_retracted(event.id)))
    return drawn


@attrs.frozen(kw_only=True)
class HtmlExporter(timeline.Exporter):
    """Writes one HTML file that draws the events with vis-timeline, with no network access.

    The engine (vendored, checked against its manifest), the styles and the
    events (JSON, escaped) are all inline; the Content-Security-Policy forbids
    every fetch. Same log and options, same bytes.
    """

    name: str = "html"
    description: str = "Self-contained HTML timeline (vis-timeline inline, works offline)"
    suffix: str = ".html"
    media_type: str = "text/html"
    binary: bool = True
    options: tuple[timeline.Option, ...] = (
        timeline.Option(name="title", default="geotimeline", help="The page's title"),
        GROUP_BY_OPTION,
        MODALITIES_OPTION,
    )

    def notebook(self, source: Any) -> str:
        """Return ``source`` (events, an ``as_of`` view, a lifecycle result) as a notebook fragment.

        What ``tl.events(...)._repr_html_()`` and an ``as_of`` view's call in Jupyter.
        """
        return notebook_html(source)

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write the page to the binary ``stream``; return how many events it draws."""
        keep = parse_modalities(self.owner, options["modalities"])
        drawn = drawn_records(view, records, keep)
        data = timeline_data(drawn, group_by=options["group_by"], title=str(options["title"]))
        data["seq"] = view.seq
        warn_if_large(len(data["items"]), stacklevel=4)
        stream.write(page(data).encode("utf-8"))
        return len(drawn)
