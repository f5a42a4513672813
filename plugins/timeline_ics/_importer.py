"""The ``ics`` importer: calendars from other tools (RFC 5545 VEVENTs) into events.

Ids are stable, from each VEVENT's ``UID``: a UID this library wrote
(``<id>@geotimeline``) gives the event's own id back; any other UID gives
``ics-<UID>``, or, when the UID has characters an id cannot hold (``@``,
spaces), ``ics-<UID with those as '-'>-<12 hex digits of its SHA-256>``. So
the same calendar imported again names the same events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from typing import IO, Any

import attrs
import icalendar

import timeline

from ._exporter import UID_DOMAIN

__all__ = ["IcsImporter", "event_id_of_uid"]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_NOT_ID = re.compile(r"[^A-Za-z0-9_.:-]+")
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)+$")
_BEGIN = re.compile(rb"^BEGIN:VEVENT\r?$", re.MULTILINE | re.IGNORECASE)
Row = tuple[int, "timeline.Event | dict[str, Any] | timeline.ImportProblem"]


def event_id_of_uid(uid: str) -> str:
    """Return the event id a VEVENT's UID stands for (the same for the same UID)."""
    own = uid.removesuffix(f"@{UID_DOMAIN}")
    if own != uid and _ID.match(own):
        return own
    if _ID.match(f"ics-{uid}"):
        return f"ics-{uid}"
    # Characters an id cannot hold become '-'; a hash of the UID keeps two UIDs apart.
    readable = _NOT_ID.sub("-", uid)[:80].strip("-")
    return f"ics-{readable}-{hashlib.sha256(uid.encode('utf-8')).hexdigest()[:12]}"


def _moment(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("a floating time (no time zone): give it a TZID or a UTC 'Z'")
    if value.utcoffset() == dt.timedelta(0):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="seconds")


def _when(vevent: Any) -> str:
    edtf = vevent.get("X-GEOTIMELINE-EDTF")
    if edtf is not None:
        return str(edtf)
    start = vevent.decoded("DTSTART")
    end = vevent.decoded("DTEND") if "DTEND" in vevent else None
    if isinstance(start, dt.datetime):
        first = _moment(start)
        if not isinstance(end, dt.datetime) or end == start:
            return first
        return f"{first}/{_moment(end)}"
    # All-day: DTEND is exclusive (the day after the last).
    last = start if end is None else max(start, end - dt.timedelta(days=1))
    return start.isoformat() if last == start else f"{start.isoformat()}/{last.isoformat()}"


def _text(vevent: Any, name: str) -> str:
    value = vevent.get(name)
    return "" if value is None else str(value).strip()


def _categories(vevent: Any) -> list[str]:
    value = vevent.get("CATEGORIES")
    if value is None:
        return []
    groups = value if isinstance(value, list) else [value]
    return [str(c).strip() for g in groups for c in g.cats if str(c).strip()]


def _fields(vevent: Any, kind: str | None, line: int) -> dict[str, Any] | timeline.ImportProblem:
    uid = _text(vevent, "UID")
    if not uid:
        return timeline.ImportProblem(line=line, field="UID", reason="missing; ids come from it")
    try:
        when = _when(vevent)
    except (KeyError, ValueError) as exc:
        return timeline.ImportProblem(line=line, field="DTSTART", reason=str(exc) or "missing")
    categories = _categories(vevent)
    if categories and _KIND.match(categories[0]):
        kind, tags = categories[0], categories[1:]
    else:
        tags = categories
    if kind is None:
        return timeline.ImportProblem(
            line=line, field="CATEGORIES", reason="no kind (first category); give --kind"
        )
    description = timeline.read_calendar_description(_text(vevent, "DESCRIPTION"))
    fields: dict[str, Any] = {
        "id": event_id_of_uid(uid),
        "kind": kind,
        "when": when,
        "title": _text(vevent, "SUMMARY"),
        "summary": description.summary,
        "location": _text(vevent, "LOCATION") or None,
        "sources": list(description.urls) or ([_text(vevent, "URL")] if "URL" in vevent else []),
        "tags": tags,
    }
    status = _text(vevent, "STATUS").upper()
    if status == "CANCELLED":
        fields["modality"] = timeline.Modality.NEGATED
    elif description.modality is not None:
        fields["modality"] = description.modality
    elif status == "TENTATIVE":
        fields["modality"] = timeline.Modality.PLANNED
    return fields


@attrs.frozen(kw_only=True)
class IcsImporter(timeline.Importer):
    """Reads an iCalendar file: one event per VEVENT, ids from UIDs.

    ``SUMMARY`` is the title, ``DESCRIPTION`` the summary (with the modality
    and source URLs this library's export adds), ``LOCATION``, ``URL``;
    ``CATEGORIES`` give the kind (the first, when it is a kind name) and tags;
    ``STATUS:CANCELLED`` is modality ``negated``, ``TENTATIVE`` ``planned``.
    All-day events keep their days (``DTEND`` is exclusive); timed ones keep
    their offset. Line numbers are those of each ``BEGIN:VEVENT``. Importing an
    updated calendar again amends the events whose VEVENT changed (``amends``).
    """

    name: str = "ics"
    description: str = "iCalendar (RFC 5545) files from calendar programs"
    suffix: str = ".ics"
    binary: bool = True
    amends: bool = True
    options: tuple[timeline.Option, ...] = (
        timeline.Option(name="kind", help="The kind of events whose categories name none"),
    )

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, fields or problem)`` for every VEVENT of the calendar."""
        data = stream.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        lines = [data.count(b"\n", 0, m.start()) + 1 for m in _BEGIN.finditer(data)]
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except (ValueError, IndexError, KeyError) as exc:
            yield (
                1,
                timeline.ImportProblem(
                    line=1, field="file", reason=f"not an iCalendar file ({exc})"
                ),
            )
            return
        for i, vevent in enumerate(calendar.walk("VEVENT")):
            line = lines[i] if i < len(lines) else 1
            yield line, _fields(vevent, options.get("kind"), line)
