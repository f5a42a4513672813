"""The ``ics`` exporter: RFC 5545 calendars written through the ``icalendar`` library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

import attrs
import icalendar
from icalendar.prop import vCategory

import timeline
from timeline import (
    FUZZY_POLICIES,
    ExportReport,
    Modality,
    NothingToExport,
    SkipTally,
    SpanKind,
    calendar_description,
    calendar_skip,
    calendar_spans,
    calendar_zone,
    parse_modalities,
)

__all__ = ["PRODID", "UID_DOMAIN", "IcsExporter", "event_uid"]

#: The PRODID of every calendar written (no version in it: exports stay byte-identical
#: across releases unless the output itself changes).
PRODID = "-//geotimeline//timeline_ics//EN"
#: The right-hand side of every UID (``<event id>@geotimeline``).
UID_DOMAIN = "geotimeline"

_FOOTER = b"END:VCALENDAR\r\n"
#: Statuses by modality; a retracted event is always CANCELLED.
_STATUS = {
    timeline.Modality.ACTUAL: "CONFIRMED",
    timeline.Modality.PLANNED: "TENTATIVE",
    timeline.Modality.HYPOTHETICAL: "TENTATIVE",
    timeline.Modality.REPORTED: "TENTATIVE",
    # "X did not happen": subscribed calendars should not show it as happening.
    timeline.Modality.NEGATED: "CANCELLED",
}


#: RFC 5545 TEXT excludes control characters (§3.3.11: CONTROL, US-ASCII 0x00-0x08,
#: 0x0A-0x1F and 0x7F; line breaks are escaped instead); strict parsers reject a whole
#: calendar for one. The C1 controls (U+0080-U+009F) go too. TAB is allowed (WSP).
_CONTROLS = dict.fromkeys(
    [c for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n\r"]
)


class _Text(icalendar.vText):
    r"""A TEXT value escaped by RFC 5545 §3.3.11 exactly, without control characters.

    icalendar (7.3) turns a literal ``\N`` in the text into a line break
    before escaping, so ``Moscow\New Delhi`` would read back as two lines.
    This escapes the backslash first and nothing else, which every parser
    reads back as the original text. Control characters other than TAB and
    line breaks (which are escaped) are removed.
    """

    def to_ical(self) -> bytes:
        text = (
            str(self)
            .translate(_CONTROLS)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\n", "\\n")
        )
        return text.encode("utf-8")  # RFC 5545 §3.1.4: UTF-8


def _categories(values: Sequence[str]) -> vCategory:
    categories = vCategory([])
    # A comma inside one category is escaped; the commas between them are not.
    categories.cats = [_Text(v) for v in values]
    return categories


def event_uid(event_id: str, domain: str = UID_DOMAIN) -> str:
    """Return the UID of an event: the same on every export and every machine.

    Args:
        event_id: the event's id.
        domain: the right-hand side; give each log its own (``uid_domain``) so two
            logs with the same event id do not clash in one calendar.
    """
    return f"{event_id}@{domain}"


def _uid_domain(value: object) -> str:
    text = str(value).strip()
    if not text or any(c.isspace() or c in "@,;:\\" for c in text):
        raise timeline.InvalidOption(
            "exporter 'ics'", "uid_domain", value, "a domain such as 'relos.example.org'"
        )
    return text


@attrs.frozen(kw_only=True)
class _Look:
    """How this export writes events: the UID domain and the length of an instant."""

    domain: str
    """The right-hand side of UIDs."""
    instant: dt.timedelta
    """The DURATION of a timed instant."""


def _minutes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise timeline.InvalidOption(
            "exporter 'ics'", "instant_minutes", value, "a whole number of minutes, 0 or more"
        )
    return value


@attrs.frozen(kw_only=True)
class IcsExporter(timeline.Exporter):
    """Writes an RFC 5545 calendar, one VEVENT per event, streamed event by event.

    Retracted events are included as ``STATUS:CANCELLED`` unless the
    ``include_retracted=False`` filter is given, so subscribed calendars drop them.
    """

    name: str = "ics"
    description: str = "iCalendar (RFC 5545) file for calendar programs"
    suffix: str = ".ics"
    media_type: str = "text/calendar"
    binary: bool = True
    includes_retracted: bool = True
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="calendar_name",
            default="geotimeline",
            help="The calendar's name (NAME and X-WR-CALNAME)",
        ),
        timeline.Option(
            name="fuzzy",
            default="skip",
            choices=FUZZY_POLICIES,
            help="Dates coarser than a day: skip them, or span all their days",
        ),
        timeline.Option(
            name="uid_domain",
            default=UID_DOMAIN,
            help="The right-hand side of every UID (<event id>@DOMAIN); one per log",
        ),
        timeline.Option(
            name="instant_minutes",
            default=0,
            type=int,
            help="Length of a timed instant (its DURATION), in minutes",
        ),
        timeline.Option(
            name="modalities",
            default="actual",
            help="Comma-separated modalities to include ('all' for every one but "
            "hypothetical, which is kept only when named)",
        ),
    )

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> ExportReport:
        """Write the calendar to the binary ``stream``; report the VEVENTs and what was left out.

        Raises:
            NothingToExport: no VEVENT would be written (RFC 5545 forbids an empty
                calendar); nothing reaches ``stream``.
        """
        # Hypothetical events are never on a calendar unless named explicitly.
        keep = parse_modalities(self.owner, options["modalities"], all_but=(Modality.HYPOTHETICAL,))
        span_fuzzy = options["fuzzy"] == "span"
        look = _Look(
            domain=_uid_domain(options["uid_domain"]),
            instant=dt.timedelta(minutes=_minutes(options["instant_minutes"])),
        )
        tally = SkipTally()
        zones: set[str] = set()
        for record in records:
            event = record.event
            assert event is not None  # current records always carry the event
            why = calendar_skip(event, keep, span_fuzzy)
            vevent = None if why else self._vevent(view, record, event, span_fuzzy, look)
            if vevent is None:
                tally.skip(*(why or ("that cannot be drawn", None)))
                continue
            if not tally.count:  # the header waits for the first event: no empty calendar
                stream.write(self._header(str(options["calendar_name"]), str(view.head())))
            zone = calendar_zone(event.when)
            if zone is not None and zone.key not in zones:
                # Each zone's VTIMEZONE once, before the first event that uses it.
                zones.add(zone.key)
                stream.write(icalendar.Timezone.from_tzinfo(zone).to_ical())
            stream.write(vevent.to_ical())
            tally.written()
        report = tally.report()
        if not report.written:
            raise NothingToExport(self.owner, report)
        stream.write(_FOOTER)
        return report

    @staticmethod
    def _header(name: str, head: str) -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("name", _Text(name))
        calendar.add("x-wr-calname", _Text(name))
        # The log head (SEQ:HASH) the calendar was made from: `timeline verify
        # --expect` shows later whether the log still holds it.
        calendar.add("x-geotimeline-head", _Text(head))
        # Stream: the calendar's own lines, then each VEVENT, then the footer.
        whole = bytes(calendar.to_ical())
        assert whole.endswith(_FOOTER)
        return whole[: -len(_FOOTER)]

    @staticmethod
    def _vevent(
        view: timeline.TimelineReader,
        record: timeline.Record,
        event: timeline.Event,
        span_fuzzy: bool,
        look: _Look,
    ) -> icalendar.Event | None:
        spans = calendar_spans(event.when)
        if not spans or (spans[0].kind is SpanKind.FUZZY and not span_fuzzy):
            return None
        span = spans[0]
        retracted = view.is_retracted(event.id)
        history = view.history(event.id) if retracted or record.version > 1 else [record]
        # The retraction is the event's last revision: its time and version.
        last = history[-1] if retracted else record
        modified = last.recorded_at.astimezone(dt.timezone.utc)
        vevent = icalendar.Event()
        vevent.add("uid", event_uid(event.id, look.domain))
        vevent.add("dtstamp", modified)
        vevent.add("created", history[0].recorded_at.astimezone(dt.timezone.utc))
        vevent.add("last-modified", modified)
        vevent.add("sequence", last.version - 1)
        fuzzy = span.kind is SpanKind.FUZZY
        vevent.add("summary", _Text(("≈ " if fuzzy else "") + event.title))
        if span.kind is SpanKind.TIMED:
            assert span.start is not None
            zone = calendar_zone(event.when)
            # In the zone it was given in (with its VTIMEZONE), else in UTC.
            start = span.start if zone is None else span.start.astimezone(zone)
            vevent.add("dtstart", start)
            if span.end is not None and span.end > span.start:
                vevent.add("dtend", span.end if zone is None else span.end.astimezone(zone))
            else:  # an instant: say how long it is drawn, rather than leave it to clients
                vevent.add("duration", look.instant)
        else:
            vevent.add("dtstart", span.first_day)
            vevent.add("dtend", span.end_exclusive)
            # The other candidates of a set, each as long as the first (RFC 5545 RDATE).
            for other in spans[1:]:
                vevent.add("rdate", other.first_day)
        if fuzzy:
            vevent.add("transp", "TRANSPARENT")
        vevent.add("status", "CANCELLED" if retracted else _STATUS[event.modality])
        vevent.add("categories", _categories([event.kind, *event.tags]))
        vevent.add("description", _Text(calendar_description(event, fuzzy)))
        if event.location:
            vevent.add("location", _Text(event.location))
        url = next((s.url for s in event.sources if s.url is not None), None)
        if url is not None:
            vevent.add("url", url)
        vevent.add("x-geotimeline-edtf", _Text(event.when.edtf))
        vevent.add("x-geotimeline-precision", _Text(event.when.precision.value))
        return vevent
