"""The ``csv`` exporter: the full-fidelity dialect and the Google and Outlook calendar dialects."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

import timeline
from timeline import (
    FUZZY_POLICIES,
    ExportReport,
    Modality,
    SkipTally,
    SpanKind,
    calendar_description,
    calendar_skip,
    calendar_spans,
    calendar_zone,
    parse_modalities,
)

from ._cells import FULL_COLUMNS, event_cells, guard

__all__ = ["DIALECTS", "GOOGLE_COLUMNS", "OUTLOOK_COLUMNS", "CsvExporter"]

#: Google Calendar's import columns, exactly (support.google.com/calendar/answer/37118).
GOOGLE_COLUMNS: tuple[str, ...] = (
    "Subject",
    "Start Date",
    "Start Time",
    "End Date",
    "End Time",
    "All Day Event",
    "Description",
    "Location",
    "Private",
)
#: Outlook's calendar CSV columns, as Outlook itself writes them (note "All day event").
OUTLOOK_COLUMNS: tuple[str, ...] = (
    "Subject",
    "Start Date",
    "Start Time",
    "End Date",
    "End Time",
    "All day event",
    "Reminder on/off",
    "Reminder Date",
    "Reminder Time",
    "Meeting Organizer",
    "Required Attendees",
    "Optional Attendees",
    "Meeting Resources",
    "Billing Information",
    "Categories",
    "Description",
    "Location",
    "Mileage",
    "Priority",
    "Private",
    "Sensitivity",
    "Show time as",
)
#: The dialects, by name.
DIALECTS: tuple[str, ...] = ("full", "google", "outlook")


def _us_date(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def _us_time(moment: dt.datetime, seconds: bool) -> str:
    # Written by hand: strftime's %p follows the locale.
    hour = moment.hour % 12 or 12
    tail = f":{moment.second:02d}" if seconds else ""
    return f"{hour}:{moment.minute:02d}{tail} {'AM' if moment.hour < 12 else 'PM'}"


def _zone(value: object) -> dt.tzinfo | None:
    """Read the ``tz`` option: None (each event's own zone), ``UTC`` or an IANA zone name."""
    if value is None or value == "":
        return None
    name = str(value).strip()
    if name.upper() == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise timeline.InvalidOption(
            "exporter 'csv'", "tz", value, "an IANA zone name such as 'Asia/Kolkata', or UTC"
        ) from None


def _local(moment: dt.datetime, when: timeline.When, zone: dt.tzinfo | None) -> dt.datetime:
    """The wall-clock time calendar imports read: in ``zone``, else the event's own zone."""
    if zone is not None:
        return moment.astimezone(zone)
    own = calendar_zone(when) or (when.start.tzinfo if when.start is not None else None)
    return moment.astimezone(own)


#: Outlook's "Show time as": 0 free, 1 tentative, 2 busy.
_SHOW_FREE, _SHOW_TENTATIVE, _SHOW_BUSY = "0", "1", "2"


@attrs.frozen(kw_only=True)
class _CalendarRow:
    show_as: str
    subject: str
    start_date: str
    start_time: str
    end_date: str
    end_time: str
    all_day: str
    description: str
    location: str
    categories: str


def _calendar_rows(
    event: timeline.Event, span_fuzzy: bool, seconds: bool, zone: dt.tzinfo | None
) -> list[_CalendarRow]:
    # A set is one row per candidate (calendar_spans); any other date, one row.
    spans = calendar_spans(event.when)
    if spans and spans[0].kind is SpanKind.FUZZY and not span_fuzzy:
        return []
    return [_calendar_row(event, span, seconds, zone) for span in spans]


def _calendar_row(
    event: timeline.Event, span: timeline.CalendarSpan, seconds: bool, zone: dt.tzinfo | None
) -> _CalendarRow:
    fuzzy = span.kind is SpanKind.FUZZY
    if span.kind is SpanKind.TIMED:
        assert span.start is not None
        # Google and Outlook read times as local: write them in the chosen zone.
        start = _local(span.start, event.when, zone)
        # A calendar row always has an end: an instant ends when it starts.
        end = start if span.end is None else _local(span.end, event.when, zone)
        dates = (
            _us_date(start.date()),
            _us_time(start, seconds),
            _us_date(end.date()),
            _us_time(end, seconds),
            "False",
        )
    else:
        # Calendar CSV end dates are the last day itself (inclusive), unlike ICS DTEND.
        dates = (_us_date(span.first_day), "", _us_date(span.last_day), "", "True")
    # As the ICS: a fuzzy span does not block time; a not-yet-actual event is tentative.
    if fuzzy:
        show_as = _SHOW_FREE
    elif event.modality is timeline.Modality.ACTUAL:
        show_as = _SHOW_BUSY
    else:
        show_as = _SHOW_TENTATIVE
    return _CalendarRow(
        show_as=show_as,
        subject=("≈ " if fuzzy else "") + event.title,
        start_date=dates[0],
        start_time=dates[1],
        end_date=dates[2],
        end_time=dates[3],
        all_day=dates[4],
        description=calendar_description(event, fuzzy),
        location=event.location or "",
        categories="; ".join([event.kind, *event.tags]),
    )


def _google(row: _CalendarRow, cell: Callable[[str], str]) -> list[str]:
    return [
        cell(row.subject),
        row.start_date,
        row.start_time,
        row.end_date,
        row.end_time,
        row.all_day,
        cell(row.description),
        cell(row.location),
        "False",
    ]


def _outlook(row: _CalendarRow, cell: Callable[[str], str]) -> list[str]:
    return [
        cell(row.subject),
        row.start_date,
        row.start_time,
        row.end_date,
        row.end_time,
        row.all_day,
        "False",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        cell(row.categories),
        cell(row.description),
        cell(row.location),
        "",
        "Normal",
        "False",
        "Normal",
        row.show_as,
    ]


@attrs.frozen(kw_only=True)
class CsvExporter(timeline.Exporter):
    """Writes CSV (RFC 4180, UTF-8), one row per event, streamed row by row.

    Dialects: ``full`` (every field; the ``csv`` importer reads it back),
    ``google`` and ``outlook`` (calendar import files: all-day rows with
    MM/DD/YYYY dates and inclusive end dates; timed events in UTC).
    """

    name: str = "csv"
    description: str = "CSV: every field (full), or Google / Outlook calendar import files"
    suffix: str = ".csv"
    media_type: str = "text/csv"
    binary: bool = False
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="dialect",
            default="full",
            choices=DIALECTS,
            help="full (every field, re-importable), google or outlook",
        ),
        timeline.Option(
            name="guard_formulas",
            default=True,
            type=bool,
            help="Prefix ' to text cells a spreadsheet would run as formulas",
        ),
        timeline.Option(
            name="fuzzy",
            default="skip",
            choices=FUZZY_POLICIES,
            help="Calendar dialects: skip dates coarser than a day, or span them",
        ),
        timeline.Option(
            name="tz",
            default=None,
            help="Calendar dialects: the zone timed events are written in (an IANA name or "
            "UTC; default each event's own zone), since Google and Outlook read times as local",
        ),
        timeline.Option(
            name="modalities",
            default=None,
            help="Comma-separated modalities to include (default: all for full, "
            "actual for google/outlook)",
        ),
    )

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> ExportReport:
        """Write the rows to the text ``stream``; report the events written and those left out.

        A date set on a calendar is one row per candidate, and still one event written.
        """
        dialect = options["dialect"]
        modalities = options["modalities"]
        if modalities is None:
            modalities = "all" if dialect == "full" else "actual"
        # A calendar import (google, outlook) never gets hypothetical events unless named.
        calendar = () if dialect == "full" else (Modality.HYPOTHETICAL,)
        keep = parse_modalities(self.owner, modalities, all_but=calendar)
        # "\r\n" row ends (RFC 4180); every cell with a quote, comma or line break is quoted.
        writer = csv.writer(stream, lineterminator="\r\n")
        guarded = bool(options["guard_formulas"])
        tally = SkipTally()
        if dialect == "full":
            writer.writerow(FULL_COLUMNS)
            for record in records:
                event = record.event
                assert event is not None
                if event.modality in keep:
                    cells = event_cells(event)
                    writer.writerow(
                        [guard(c, reversible=True) for c in cells] if guarded else cells
                    )
                    tally.written()
                else:
                    tally.skip(event.modality.value, ("modalities", "all"))
            return tally.report()

        def cell(text: str) -> str:
            return guard(text) if guarded else text

        header, layout = (
            (GOOGLE_COLUMNS, _google) if dialect == "google" else (OUTLOOK_COLUMNS, _outlook)
        )
        writer.writerow(header)
        span_fuzzy = options["fuzzy"] == "span"
        zone = _zone(options["tz"])
        for record in records:
            event = record.event
            assert event is not None
            why = calendar_skip(event, keep, span_fuzzy)
            rows = (
                []
                if why
                else _calendar_rows(event, span_fuzzy, seconds=dialect == "outlook", zone=zone)
            )
            if not rows:
                tally.skip(*(why or ("that cannot be drawn", None)))
                continue
            for row in rows:
                writer.writerow(layout(row, cell))
            tally.written()
        return tally.report()
