"""What the four analyses share: day arithmetic on date bounds and the events they count.

Every analysis works on a date's strict bounds (``When.earliest`` and
``When.latest``, both inclusive), never on a single stand-in day: "December
2025" is any day from 1 to 31 December, not 1 December.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import msgspec

import timeline

__all__ = [
    "SKIPPED_MODALITIES",
    "Span",
    "TableResult",
    "counted_events",
    "fields_of",
    "gap_range",
    "row_of",
    "surely_within",
]

#: Events with these modalities did not happen: no analysis counts them.
SKIPPED_MODALITIES = frozenset({timeline.Modality.HYPOTHETICAL, timeline.Modality.NEGATED})


@attrs.frozen(kw_only=True)
class Span:
    """The time from one date to another, as a range of whole days."""

    min_days: int
    """The fewest days it can be (the later date's earliest day minus the earlier's latest)."""
    max_days: int
    """The most days it can be (the later date's latest day minus the earlier's earliest)."""
    exact: bool
    """Whether both dates are known to the day, so ``min_days == max_days`` is certain.

    The days come from ``timeline.days_between`` on the two dates' bounds."""

    def __str__(self) -> str:
        if self.min_days == self.max_days:
            text = f"{self.min_days} days"
        else:
            text = f"{self.min_days} to {self.max_days} days"
        return text if self.exact else f"{text} (imprecise)"


class TableResult:
    """An analysis result that reads as one table: ``to_arrow()`` and ``to_pandas()``.

    Subclasses say which rows (``table_rows``); nested values become struct
    and list columns, and open date bounds nulls. pyarrow is needed
    (``pip install 'geotimeline[arrow]'``).
    """

    __slots__ = ()

    def table_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Return the column names and the rows (dicts) of the result's table."""
        raise NotImplementedError

    def to_arrow(self) -> Any:
        """Return the result as a ``pyarrow.Table``.

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        columns, rows = self.table_rows()
        return timeline.rows_table(rows, columns)

    def to_pandas(self) -> Any:
        """Return the result as a ``pandas.DataFrame`` (through Arrow).

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        return timeline.pandas_from_arrow(self.to_arrow())


def fields_of(cls: type) -> list[str]:
    """Return the attrs field names of ``cls``, in order (the columns of its rows)."""
    return [f.name for f in attrs.fields(cls)]


def row_of(item: Any, **context: Any) -> dict[str, Any]:
    """Return ``item``'s fields as a dict, after the ``context`` columns."""
    return {**context, **{f.name: getattr(item, f.name) for f in attrs.fields(type(item))}}


def surely_within(when: timeline.When, start: dt.date | None, end: dt.date | None) -> bool:
    """Return whether a date lies in the window ``start..end`` on every reading of it.

    Args:
        when: the date.
        start: the window's first day (``None``: unbounded).
        end: the window's last day (``None``: unbounded).

    Returns:
        True if its bounds are inside the window and, when the window is bounded,
        it carries no ``~``/``?`` qualifier (a circa date may spill over).

    """
    if start is None and end is None:
        return True
    return when.within(start, end) and not when.approximate and not when.uncertain


def gap_range(first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date]) -> tuple[int, int]:
    """Return the fewest and most days between any day of one span and any day of the other.

    Order does not matter; overlapping spans have a fewest of 0.

    Args:
        first: inclusive ``(earliest, latest)`` bounds.
        second: inclusive ``(earliest, latest)`` bounds.

    Returns:
        ``(min_gap, max_gap)``, both >= 0.

    """
    low = max(0, (second[0] - first[1]).days, (first[0] - second[1]).days)
    high = max((second[1] - first[0]).days, (first[1] - second[0]).days)
    return low, high


def counted_events(
    view: timeline.TimelineReader, where: timeline.EventFilter
) -> Iterator[timeline.Event]:
    """Yield the events an analysis counts, in timeline order, without a list.

    Reads the view's current-state projection (never the log), one record at a
    time (``iter_records``), so an analysis that keeps only a few fields of
    each event keeps no ``Event`` alive. Retracted
    events never count, whatever ``include_retracted`` says, and neither do
    hypothetical or negated ones.

    Args:
        view: a timeline or an ``as_of`` view.
        where: the validated filters.

    Yields:
        The matching live events whose modality says they happened (or are planned).

    """
    live = msgspec.structs.replace(where, include_retracted=False)
    for record in view.iter_records(live):
        event = record.event
        if event is not None and event.modality not in SKIPPED_MODALITIES:
            yield event
