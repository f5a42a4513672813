"""What the calendar dialects need from an event: its days or instants, its text, its modality.

Computed from ``timeline.When`` directly (``is_exact``, ``start``, ``earliest``,
``latest``), the one fuzziness rule every plugin follows; this plugin imports
no other plugin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

import timeline

__all__ = ["FUZZY_POLICIES", "RowDates", "description", "parse_modalities", "row_dates"]

#: The values of the ``fuzzy`` option: leave fuzzy events out, or show them as all-day spans.
FUZZY_POLICIES: tuple[str, ...] = ("skip", "span")


@attrs.frozen(kw_only=True)
class RowDates:
    """The calendar form of one event's date: UTC instants, or inclusive all-day bounds."""

    fuzzy: bool
    """Whether the date is fuzzy (``When.is_fuzzy``): drawn only with ``fuzzy="span"``."""
    first_day: dt.date
    """The first day (all-day rows)."""
    last_day: dt.date
    """The last day, inclusive (calendar CSV end dates are inclusive)."""
    start: dt.datetime | None = None
    """The start instant in UTC (timed rows only)."""
    end: dt.datetime | None = None
    """The end instant in UTC (timed rows only; the start again for an instant)."""


def row_dates(when: timeline.When) -> RowDates | None:
    """Return how ``when`` goes into a calendar row, or None for an open-ended date.

    Timed dates (``when.start`` set) give UTC instants; exact dates
    (``when.is_exact``) give their days; fuzzy ones span ``earliest..latest``.
    """
    if when.start is not None:
        start = when.start.astimezone(dt.timezone.utc)
        end = start if when.end is None else when.end.astimezone(dt.timezone.utc)
        return RowDates(
            fuzzy=False, first_day=start.date(), last_day=end.date(), start=start, end=end
        )
    if when.is_open:
        return None
    return RowDates(fuzzy=when.is_fuzzy, first_day=when.earliest, last_day=when.latest)


def description(event: timeline.Event, fuzzy: bool) -> str:
    """Return the Description cell: summary, date (with its EDTF when fuzzy), modality, sources."""
    lines = [event.summary] if event.summary else []
    date = f"Date: {event.when.display}"
    if fuzzy and event.when.display != event.when.edtf:
        date += f" ({event.when.edtf})"
    lines.append(date)
    if event.modality is not timeline.Modality.ACTUAL:
        lines.append(f"Modality: {event.modality.value}")
    if event.sources:
        lines.append("Sources:")
        for source in event.sources:
            label = " - ".join(p for p in (source.publisher, source.title) if p)
            lines.append(f"- {label}: {source.url}" if label else f"- {source.url}")
    return "\n".join(lines)


def parse_modalities(owner: str, value: object) -> frozenset[timeline.Modality]:
    """Read a ``modalities`` option: a comma-separated string or an iterable of names.

    Args:
        owner: what takes the option, for the error (``exporter 'csv'``).
        value: ``"actual,planned"``, ``["actual", "planned"]`` or ``"all"``.

    Returns:
        The modalities to keep.

    Raises:
        InvalidOption: a name is not a modality, or none is given.

    """
    names: Iterable[object]
    if isinstance(value, str):
        names = value.split(",") if value.strip() else []
    elif isinstance(value, Iterable):
        names = value
    else:
        names = [value]
    choices = [m.value for m in timeline.Modality]
    out: set[timeline.Modality] = set()
    for name in names:
        text = name.value if isinstance(name, timeline.Modality) else str(name).strip().lower()
        if text == "all":
            out.update(timeline.Modality)
        elif text in choices:
            out.add(timeline.Modality(text))
        else:
            expected = f"'all' or modalities among {choices}"
            raise timeline.InvalidOption(owner, "modalities", value, expected)
    if not out:
        raise timeline.InvalidOption(owner, "modalities", value, f"at least one of {choices}")
    return frozenset(out)
