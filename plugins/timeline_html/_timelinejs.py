"""The ``timelinejs`` exporter: Knight Lab's TimelineJS 3 JSON, dates with only the parts known.

TimelineJS fills a missing month or day with 1 but *displays* a date by its
finest part given, so ``{"year": 2025, "month": 12}`` reads "December 2025".
Each date therefore carries only the parts its precision has; fuzzy dates
get a ``display_date`` (the phrase, or an EDTF-style text with ``~``/``?``).
TimelineJS needs a start date: an open start (``../2024-06``) cannot be
placed, so it is left out and listed under ``geotimeline.skipped``.
"""

from __future__ import annotations

import datetime as dt
import html
import warnings
from collections.abc import Iterable
from typing import IO, Any

import attrs
import msgspec

import timeline
from timeline import Precision, parse_modalities

from ._rows import GROUP_BY_OPTION, MODALITIES_OPTION, kind_family, source_label

__all__ = ["STORY_SLIDES", "TimelineJsExporter", "TooManySlidesWarning", "date_parts"]

#: TimelineJS is built for stories of 12-20 slides; beyond this many it is slow to use.
STORY_SLIDES = 50
_SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
# Life-cycle kinds that open and close a treaty's era.
_ERA_START = frozenset({"treaty.signed"})
_ERA_END = frozenset({"treaty.entered_into_force", "treaty.terminated", "treaty.withdrawn"})
_encoder = msgspec.json.Encoder(order="sorted")


class TooManySlidesWarning(UserWarning):
    """More slides than a TimelineJS story handles well."""


def _qualified(text: str, when: timeline.When) -> str:
    return text + ("~" if when.approximate else "") + ("?" if when.uncertain else "")


def date_parts(when: timeline.When) -> dict[str, int]:
    """Return a TimelineJS date object with only the parts ``when``'s precision has.

    Timed dates are in UTC (TimelineJS builds them in the viewer's local time,
    so the slide's ``display_date`` says the UTC time too).
    """
    if when.start is not None:
        start = when.start.astimezone(dt.timezone.utc)
        return {
            "year": start.year,
            "month": start.month,
            "day": start.day,
            "hour": start.hour,
            "minute": start.minute,
        }
    day = when.earliest
    if when.precision is Precision.DAY:
        return {"year": day.year, "month": day.month, "day": day.day}
    if when.precision in (Precision.PART_OF_MONTH, Precision.MONTH, Precision.SEASON):
        return {"year": day.year, "month": day.month}
    if when.precision is Precision.YEAR:
        return {"year": day.year}
    # Other spans (decades, year parts): the first day, as exactly as it is known.
    return {"year": day.year, "month": day.month, "day": day.day}


def _side(text: str) -> timeline.When | None:
    """Read one side of an EDTF interval; None for an open or unknown side."""
    if text in ("", ".."):
        return None
    try:
        return timeline.When.parse(text)
    except timeline.InvalidDate:
        return None


def _human(when: timeline.When) -> str:
    """Return a date as TimelineJS would show its parts, plus the EDTF qualifiers."""
    if when.precision is Precision.SEASON:
        season = _SEASONS.get(int(when.edtf.rstrip("~?%")[5:7]), "Season")
        return _qualified(f"{season} {when.earliest.year}", when)
    return _qualified(when.edtf.rstrip("~?%"), when)


def _timed_text(when: timeline.When) -> str:
    """Return ``2025-12-05 04:30 UTC (10:00 UTC+05:30)``: UTC, then the time as recorded."""
    assert when.start is not None
    utc = when.start.astimezone(dt.timezone.utc)
    # isoformat, not strftime: "%Y" does not pad years below 1000 to four digits.
    text = f"{utc.date().isoformat()} {utc:%H:%M}"
    if when.end is not None and when.end > when.start:
        end = when.end.astimezone(dt.timezone.utc)
        day = "" if end.date() == utc.date() else f"{end.date().isoformat()} "
        text += f" - {day}{end:%H:%M}"
    text += " UTC"
    if when.start.utcoffset():
        local = when.start.strftime("%H:%M")
        text += f" ({local} {dt.timezone(when.start.utcoffset() or dt.timedelta()).tzname(None)})"
    return text


@attrs.frozen(kw_only=True)
class _Dates:
    start: dict[str, int]
    end: dict[str, int] | None
    display: str | None


def _dates(when: timeline.When) -> _Dates | None:
    """Return the slide's dates, or None when TimelineJS cannot place it.

    It cannot place an open start, nor a day beyond 0001-9999 (``-0999``, ``Y170000002``),
    whose ``earliest`` / ``latest`` are only the nearest days a ``date`` holds.
    """
    if when.start is not None:
        end = None
        if when.end is not None and when.end > when.start:
            end = date_parts(timeline.When.coerce(when.end))
        return _Dates(start=date_parts(when), end=end, display=_timed_text(when))
    if when.earliest == dt.date.min or when.beyond_date_range:
        return None
    if when.precision is Precision.INTERVAL and "/" in when.edtf:
        first_text, last_text = when.edtf.split("/", 1)
        first, last = _side(first_text), _side(last_text)
        if first is None:
            return None
        if last is None:  # open end: "since 2022"
            return _Dates(
                start=date_parts(first), end=None, display=when.phrase or f"since {_human(first)}"
            )
        display = None
        if when.is_fuzzy:
            display = when.phrase or f"{_human(first)} - {_human(last)}"
        end = date_parts(last)
        return _Dates(start=date_parts(first), end=end, display=display)
    if when.precision is Precision.INTERVAL:  # a decade, a year part: from first to last day
        last_day = when.latest
        return _Dates(
            start=date_parts(when),
            end={"year": last_day.year, "month": last_day.month, "day": last_day.day},
            display=when.display,
        )
    # A part of a month or a season needs words; a qualified date needs its ~ or ?.
    needs_words = when.precision in (Precision.PART_OF_MONTH, Precision.SEASON)
    display = None
    if needs_words or when.approximate or when.uncertain:
        display = when.phrase or _human(when)
    return _Dates(start=date_parts(when), end=None, display=display)


def _group(event: timeline.Event, group_by: str) -> str | None:
    if group_by == "none":
        return None
    if group_by == "actor":
        return event.countries[0] if event.countries else None
    if group_by == "treaty" and event.treaty is not None:
        return event.treaty
    return kind_family(event.kind)


def _text(event: timeline.Event) -> str:
    parts = [f"<p>{html.escape(event.summary)}</p>"] if event.summary else []
    when = event.when
    parts.append(
        f"<p>Date: {html.escape(when.display)} (EDTF {html.escape(when.edtf)}, "
        f"{html.escape(when.precision.value)})</p>"
    )
    if event.sources:
        links = ", ".join(
            f'<a href="{html.escape(s.url)}" rel="noopener noreferrer" target="_blank">'
            f"{html.escape(source_label(s))}</a>"
            if s.url is not None
            else html.escape(f"{source_label(s)} ({s.reference})")
            for s in event.sources
        )
        parts.append(f"<p>Sources: {links}</p>")
    return "".join(parts)


def _slide(event: timeline.Event, dates: _Dates, group_by: str, retracted: bool) -> dict[str, Any]:
    prefix = "" if event.modality is timeline.Modality.ACTUAL else f"[{event.modality.value}] "
    if retracted:
        prefix = "[retracted] " + prefix
    slide: dict[str, Any] = {
        "unique_id": event.id,
        "start_date": dates.start,
        "text": {"headline": html.escape(prefix + event.title), "text": _text(event)},
        "autolink": False,
    }
    if dates.end is not None:
        slide["end_date"] = dates.end
    if dates.display is not None:
        slide["display_date"] = dates.display
    group = _group(event, group_by)
    if group is not None:
        slide["group"] = group
    return slide


def _eras(events: list[timeline.Event]) -> list[dict[str, Any]]:
    """One era per treaty with a signature and an entry into force or end, between the two."""
    eras = []
    for treaty in sorted({e.treaty for e in events if e.treaty is not None}):
        steps = [e for e in events if e.treaty == treaty]
        starts = [e for e in steps if e.kind in _ERA_START and not e.when.is_open]
        ends = [e for e in steps if e.kind in _ERA_END and not e.when.is_open]
        if not starts or not ends:
            continue
        first = min(starts, key=lambda e: e.when.earliest)
        last = max(ends, key=lambda e: e.when.latest)
        eras.append(
            {
                "start_date": date_parts(first.when),
                "end_date": date_parts(last.when),
                "text": {"headline": html.escape(treaty)},
            }
        )
    return eras


@attrs.frozen(kw_only=True)
class TimelineJsExporter(timeline.Exporter):
    """Writes a TimelineJS 3 JSON file (Knight Lab) for a journalist's TimelineJS page.

    No ``media`` (every TimelineJS media type fetches from a third party);
    headlines and texts are HTML-escaped, sources are links in the text.
    """

    name: str = "timelinejs"
    description: str = "TimelineJS 3 JSON (Knight Lab) for storytelling timelines"
    suffix: str = ".json"
    media_type: str = "application/json"
    binary: bool = True
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="title", default=None, help="A title slide's headline (none when omitted)"
        ),
        GROUP_BY_OPTION,
        MODALITIES_OPTION,
    )

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write the JSON to the binary ``stream``; return how many slides it holds."""
        keep = parse_modalities(self.owner, options["modalities"])
        events, slides, skipped = [], [], []
        for record in records:
            event = record.event
            assert event is not None  # current records always carry the event
            if event.modality not in keep:
                continue
            dates = _dates(event.when)
            if dates is None:
                skipped.append(
                    {
                        "unique_id": event.id,
                        "date": event.when.display,
                        "reason": "an open start has no date TimelineJS can place",
                    }
                )
                continue
            events.append(event)
            retracted = bool(view.is_retracted(event.id))
            slides.append(_slide(event, dates, options["group_by"], retracted))
        slides.sort(key=lambda s: (_sort_key(s["start_date"]), s["unique_id"]))
        doc: dict[str, Any] = {"scale": "human", "events": slides}
        if options["title"]:
            doc["title"] = {"text": {"headline": html.escape(str(options["title"]))}}
        eras = _eras(events)
        if eras:
            doc["eras"] = eras
        # TimelineJS reads the keys it knows; this one says what could not be placed.
        doc["geotimeline"] = {"seq": view.seq, "skipped": skipped}
        if len(slides) > STORY_SLIDES:
            warnings.warn(
                TooManySlidesWarning(
                    f"{len(slides)} slides: TimelineJS is built for stories of 12-20; narrow "
                    "it with the filters, or use the html exporter for large timelines"
                ),
                stacklevel=3,
            )
        stream.write(_encoder.encode(doc) + b"\n")
        return len(slides)


def _sort_key(parts: dict[str, int]) -> tuple[int, ...]:
    return tuple(parts.get(k, 0) for k in ("year", "month", "day", "hour", "minute"))
