"""The ``cadence`` analysis: events per actor per period, with bursts flagged."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import attrs

import timeline

from ._common import TableResult, counted_events, fields_of, row_of, surely_within

__all__ = ["PERIODS", "Cadence", "CadenceResult", "PeriodCount", "baseline", "period_of"]

#: The period lengths ``cadence`` counts by.
PERIODS = ("month", "quarter", "year")


@attrs.frozen(kw_only=True)
class PeriodCount:
    """How many events one actor took part in during one period."""

    actor: str
    """The country code."""
    period: str
    """``2024-06`` (month), ``2024-Q2`` (quarter) or ``2024`` (year)."""
    start: dt.date
    """The period's first day."""
    end: dt.date
    """The period's last day."""
    count: int
    """Events placed in this period (see ``imprecise``)."""
    imprecise: int
    """How many of them may fall outside it: their dates span several periods (they are
    counted in the earliest one) or carry a ``~``/``?`` qualifier."""
    burst: bool
    """Whether ``count >= min_count`` and ``count > baseline_mean + sigma * baseline_stdev``."""
    baseline_mean: float
    """The mean count of the actor's other non-empty periods (0 if there are none)."""
    baseline_stdev: float
    """Their population standard deviation (0 if there are fewer than two)."""
    event_ids: tuple[str, ...]
    """The events counted, in timeline order."""


@attrs.frozen(kw_only=True)
class CadenceResult(TableResult):
    """What ``cadence`` returns; ``to_arrow()`` / ``to_pandas()`` give one row per count."""

    period: str
    """``month``, ``quarter`` or ``year``."""
    min_count: int
    """The fewest events a burst needs."""
    sigma: float
    """How many standard deviations above the baseline mean a burst must be."""
    counts: tuple[PeriodCount, ...]
    """One entry per actor and non-empty period, by actor then period."""
    unplaced: tuple[str, ...]
    """Ids of events not counted because their date has an open start (``../2024``)."""

    def table_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Return the columns and rows of ``to_arrow``: one per actor and period."""
        return fields_of(PeriodCount), [row_of(c) for c in self.counts]

    def bursts(self) -> tuple[PeriodCount, ...]:
        """Return the periods flagged as bursts."""
        return tuple(c for c in self.counts if c.burst)


def period_of(day: dt.date, period: str) -> tuple[str, dt.date, dt.date]:
    """Return the label, first day and last day of the period holding ``day``.

    Args:
        day: any day.
        period: ``month``, ``quarter`` or ``year``.

    Returns:
        ``("2024-06", 2024-06-01, 2024-06-30)`` for a month, ``("2024-Q2", ...)``
        for a quarter, ``("2024", ...)`` for a year.

    Raises:
        InvalidOption: ``period`` is none of these.

    """
    if period == "year":
        return str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if period == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        label = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        months = 3
    elif period == "month":
        first_month, label, months = day.month, f"{day.year}-{day.month:02d}", 1
    else:
        raise timeline.InvalidOption("analysis 'cadence'", "period", period, f"one of {PERIODS}")
    start = dt.date(day.year, first_month, 1)
    last_month = first_month + months - 1
    # The last day of the period's last month (no "first day after": December 9999 has none).
    end = dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return label, start, end


def baseline(counts: Sequence[int]) -> dict[int, tuple[float, float]]:
    """Return, per distinct count, the mean and population deviation of the other counts.

    What ``statistics.fmean`` and ``statistics.pstdev`` give for the other cells (the
    mean exactly; the deviation within a rounding), from integer sums taken once: an
    actor's cells cost O(cells), not O(cells x distinct counts) as with ``statistics``.

    Args:
        counts: an actor's cell counts.

    Returns:
        ``{count: (mean, stdev)}``; 0.0 for what fewer than one (mean) or two (stdev)
        other cells lack.
    """
    others = len(counts) - 1
    if others < 1:
        return dict.fromkeys(counts, (0.0, 0.0))
    total, squares = sum(counts), sum(c * c for c in counts)
    out = {}
    for count in set(counts):
        rest = total - count
        mean = rest / others
        # The variance is (n * sum of squares - sum^2) / n^2, exactly, in integers.
        spread = others * (squares - count * count) - rest * rest
        out[count] = (mean, math.sqrt(spread / (others * others)) if others > 1 else 0.0)
    return out


@attrs.frozen(kw_only=True)
class Cadence(timeline.Analysis):
    """Events per actor per period, with bursts against the actor's own baseline."""

    name: str = "cadence"
    description: str = "Events per actor per month, quarter or year, with bursts flagged"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="period", help="count per month, quarter or year", default="month", choices=PERIODS
        ),
        timeline.Option(
            name="min_count", help="the fewest events a burst needs", default=3, type=int
        ),
        timeline.Option(
            name="sigma",
            help="standard deviations above the actor's baseline",
            default=2.0,
            type=float,
        ),
    )

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> CadenceResult:
        """Count the filtered events per actor and period and flag bursts.

        An event whose date spans several periods is counted once, in the period
        of its earliest day (or of the ``between`` window's first day, if later),
        and marked imprecise there.

        Args:
            view: the timeline or an ``as_of`` view.
            where: the validated common filters.
            **options: ``period``, ``min_count`` and ``sigma``.

        Returns:
            A ``CadenceResult``.

        Raises:
            InvalidOption: an option has a bad value.

        """
        period = options.get("period", "month")
        min_count, sigma = options.get("min_count", 3), options.get("sigma", 2.0)
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise _bad_option("min_count", min_count, "an integer >= 1")
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not sigma >= 0:
            raise _bad_option("sigma", sigma, "a number >= 0")
        cells: dict[tuple[str, str], tuple[dt.date, dt.date, list[str], int]] = {}
        unplaced = []
        periods: dict[dt.date, tuple[str, dt.date, dt.date]] = {}  # days repeat: once each
        for event in counted_events(view, where):
            first = max(event.when.earliest, where.start or dt.date.min)
            if first == dt.date.min:
                unplaced.append(event.id)
                continue
            found = periods.get(first)
            if found is None:
                found = periods[first] = period_of(first, period)
            label, start, end = found
            spills = not surely_within(event.when, start, end)
            for actor in event.countries:
                cell = cells.get((actor, label))
                if cell is None:
                    cells[(actor, label)] = (start, end, [event.id], int(spills))
                else:
                    cell[2].append(event.id)
                    if spills:
                        cells[(actor, label)] = (start, end, cell[2], cell[3] + 1)
        by_actor: dict[str, list[tuple[str, dt.date, dt.date, list[str], int]]] = {}
        for (actor, label), (start, end, ids, imprecise) in sorted(
            cells.items(), key=lambda item: (item[0][0], item[1][0])
        ):
            by_actor.setdefault(actor, []).append((label, start, end, ids, imprecise))
        counts = []
        threshold = float(sigma)
        for actor, actor_cells in by_actor.items():
            sizes = [len(cell[3]) for cell in actor_cells]
            baselines = baseline(sizes)
            for (label, start, end, ids, imprecise), size in zip(actor_cells, sizes, strict=True):
                mean, stdev = baselines[size]
                counts.append(
                    PeriodCount(
                        actor=actor,
                        period=label,
                        start=start,
                        end=end,
                        count=size,
                        imprecise=imprecise,
                        burst=size >= min_count and size > mean + threshold * stdev,
                        baseline_mean=mean,
                        baseline_stdev=stdev,
                        event_ids=tuple(ids),
                    )
                )
        return CadenceResult(
            period=period,
            min_count=min_count,
            sigma=float(sigma),
            counts=tuple(counts),
            unplaced=tuple(unplaced),
        )

    def table(self, result: CadenceResult) -> tuple[list[str], list[list[Any]]]:
        """Return one row per actor and non-empty period."""
        header = [
            "actor",
            "period",
            "events",
            "imprecise",
            "burst",
            "baseline mean",
            "baseline stdev",
        ]
        rows: list[list[Any]] = [
            [
                c.actor,
                c.period,
                c.count,
                c.imprecise,
                "burst" if c.burst else "",
                round(c.baseline_mean, 2),
                round(c.baseline_stdev, 2),
            ]
            for c in result.counts
        ]
        return header, rows


def _bad_option(option: str, value: object, expected: str) -> timeline.InvalidOption:
    return timeline.InvalidOption("analysis 'cadence'", option, value, expected)
