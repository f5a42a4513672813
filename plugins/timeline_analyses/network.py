"""The ``network`` analysis: actor-actor ties from taking part in the same events."""

from __future__ import annotations

import datetime as dt
import fnmatch
import io
import itertools
import os
from collections.abc import Iterable, Mapping
from typing import IO, Any, cast

import attrs

import timeline

from ._common import TableResult, counted_events, fields_of, row_of, surely_within

__all__ = ["DEFAULT_WEIGHTS", "ActorStats", "Network", "NetworkResult", "NetworkSlice", "Tie"]

#: The weight of a tie per shared event, by kind pattern; any other kind weighs 1.
DEFAULT_WEIGHTS: Mapping[str, float] = {"treaty.*": 3.0, "visit.*": 2.0, "*": 1.0}
_EXPECTED_WEIGHTS = "kind=weight pairs such as 'treaty.*=3,visit.*=2' (weights >= 0)"


@attrs.frozen(kw_only=True)
class Tie:
    """Two actors who took part in the same events."""

    source: str
    """One country code (the smaller of the two)."""
    target: str
    """The other country code."""
    weight: float
    """The sum of the kind weights of their shared events."""
    events: int
    """How many events they share."""
    imprecise: int
    """How many of those events lie in this slice only on some readings of their dates."""
    event_ids: tuple[str, ...]
    """The shared events' ids, in timeline order."""


@attrs.frozen(kw_only=True)
class ActorStats:
    """One actor's place in the network."""

    actor: str
    """The country code."""
    degree: int
    """How many other actors it has ties with."""
    strength: float
    """The sum of its ties' weights."""
    events: int
    """How many events of the slice it takes part in (with or without others)."""
    imprecise: int
    """How many of those lie in this slice only on some readings of their dates."""


@attrs.frozen(kw_only=True)
class NetworkSlice:
    """The network over one period."""

    period: str
    """``all`` (the whole window) or a year (``2024``)."""
    start: dt.date | None
    """First day of the period (``None``: unbounded)."""
    end: dt.date | None
    """Last day of the period (``None``: unbounded)."""
    actors: tuple[ActorStats, ...]
    """Every actor of the period's events, strongest first."""
    ties: tuple[Tie, ...]
    """Every tie, heaviest first."""


@attrs.frozen(kw_only=True)
class NetworkResult(TableResult):
    """What ``network`` returns; ``to_arrow()`` / ``to_pandas()`` give one row per edge."""

    weights: dict[str, float]
    """The kind weights used (defaults merged with the ``weights`` option)."""
    by_year: bool
    """Whether the result is sliced by year."""
    slices: tuple[NetworkSlice, ...]
    """One slice (``all``), or one per year with events, oldest first."""
    unplaced: tuple[str, ...]
    """Ids of events left out of yearly slices because their date has an open start."""

    def table_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Return the columns and rows of ``to_arrow``: one per tie (edge) and slice."""
        rows = [row_of(t, period=s.period) for s in self.slices for t in s.ties]
        return ["period", *fields_of(Tie)], rows


def parse_weights(value: object) -> dict[str, float]:
    """Return the default weights updated with ``value``.

    Args:
        value: ``None``, a mapping of kind pattern to weight, or a string
            ``"treaty.*=3,visit.state=2.5"``.

    Returns:
        Kind pattern to weight, defaults included.

    Raises:
        InvalidOption: the value is malformed or a weight is negative or not a number.

    """
    weights = dict(DEFAULT_WEIGHTS)
    if value is None:
        return weights
    pairs: Iterable[tuple[object, object]]
    if isinstance(value, str):
        items = [p.strip() for p in value.split(",") if p.strip()]
        if not items or any(p.count("=") != 1 for p in items):
            raise timeline.InvalidOption("analysis 'network'", "weights", value, _EXPECTED_WEIGHTS)
        pairs = [tuple(p.split("=")) for p in items]  # type: ignore[misc]
    elif isinstance(value, Mapping):
        pairs = value.items()
    else:
        raise timeline.InvalidOption("analysis 'network'", "weights", value, _EXPECTED_WEIGHTS)
    for pattern, weight in pairs:
        try:
            number = float(weight)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = -1.0
        if not isinstance(pattern, str) or not pattern.strip() or not number >= 0:
            raise timeline.InvalidOption("analysis 'network'", "weights", value, _EXPECTED_WEIGHTS)
        weights[pattern.strip()] = number
    return weights


def weight_of(kind: str, weights: Mapping[str, float]) -> float:
    """Return the weight of one event of ``kind``: the exact kind, else the longest pattern.

    Args:
        kind: the event's kind.
        weights: kind pattern to weight.

    Returns:
        The weight; 1 when nothing matches.

    """
    if kind in weights:
        return weights[kind]
    matching = [p for p in weights if fnmatch.fnmatchcase(kind, p)]
    if not matching:
        return 1.0
    # The most specific pattern wins: "visit.*" before "*".
    return weights[max(matching, key=lambda p: (len(p.replace("*", "")), p))]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class _TieSums:
    """What a slice counts of one tie: its weight, its imprecise events, their ids."""

    __slots__ = ("ids", "imprecise", "weight")

    def __init__(self) -> None:
        self.weight = 0.0
        self.imprecise = 0
        self.ids: list[str] = []


class _Slice:
    """One network slice being counted: running sums per tie and per actor, and ids.

    No Event is kept (a million of them held to the end made every collector pass
    walk them all). The weights are added in timeline order, so each tie's sum is
    the one ``sum()`` over its events gives.
    """

    def __init__(
        self, start: dt.date | None, end: dt.date | None, weights: Mapping[str, float]
    ) -> None:
        self.start, self.end, self.weights = start, end, weights
        self.ties: dict[tuple[str, str], _TieSums] = {}
        #: An actor: [events, imprecise events].
        self.seen: dict[str, list[int]] = {}
        #: A kind's weight, found once (fnmatch per pattern).
        self.by_kind: dict[str, float] = {}

    def add(self, event: timeline.Event) -> None:
        """Count one event."""
        unsure = not surely_within(event.when, self.start, self.end)
        kind = event.kind
        weight = self.by_kind.get(kind)
        if weight is None:
            weight = self.by_kind[kind] = weight_of(kind, self.weights)
        countries = sorted(event.countries)
        seen, ties = self.seen, self.ties
        for country in countries:
            counts = seen.get(country)
            if counts is None:
                counts = seen[country] = [0, 0]
            counts[0] += 1
            counts[1] += unsure
        for pair in itertools.combinations(countries, 2):
            tie = ties.get(pair)
            if tie is None:
                tie = ties[pair] = _TieSums()
            tie.weight += weight
            tie.imprecise += unsure
            tie.ids.append(event.id)

    def result(self, period: str) -> NetworkSlice:
        """Return the slice's ties and actors, strongest first."""
        tie_list = [
            Tie(
                source=a,
                target=b,
                weight=sums.weight,
                events=len(sums.ids),
                imprecise=sums.imprecise,
                event_ids=tuple(sums.ids),
            )
            for (a, b), sums in self.ties.items()
        ]
        tie_list.sort(key=lambda t: (-t.weight, t.source, t.target))
        # Each actor's degree and strength in one pass over the ties, summed in their order.
        degree: dict[str, int] = {}
        strength: dict[str, float] = {}
        for tie in tie_list:
            for end_ in (tie.source, tie.target):
                degree[end_] = degree.get(end_, 0) + 1
                strength[end_] = strength.get(end_, 0.0) + tie.weight
        actors = [
            ActorStats(
                actor=actor,
                degree=degree.get(actor, 0),
                strength=strength.get(actor, 0.0),
                events=mine[0],
                imprecise=mine[1],
            )
            for actor, mine in self.seen.items()
        ]
        actors.sort(key=lambda a: (-a.strength, a.actor))
        return NetworkSlice(
            period=period,
            start=self.start,
            end=self.end,
            actors=tuple(actors),
            ties=tuple(tie_list),
        )


def _clip(low: dt.date | None, high: dt.date | None, year: int) -> tuple[dt.date, dt.date]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return max(first, low or first), min(last, high or last)


def _network(
    view: timeline.TimelineReader,
    where: timeline.EventFilter,
    weights: dict[str, float],
    by_year: bool,
) -> NetworkResult:
    events = counted_events(view, where)
    if not by_year:
        whole = _Slice(where.start, where.end, weights)
        for event in events:
            whole.add(event)
        return NetworkResult(
            weights=weights, by_year=False, unplaced=(), slices=(whole.result("all"),)
        )
    # An event spanning years counts in its earliest year (marked imprecise).
    years: dict[int, _Slice] = {}
    unplaced = []
    for event in events:
        if event.when.earliest == dt.date.min:
            unplaced.append(event.id)
            continue
        year = max(event.when.earliest, where.start or dt.date.min).year
        counted = years.get(year)
        if counted is None:
            counted = years[year] = _Slice(*_clip(where.start, where.end, year), weights)
        counted.add(event)
    slices = tuple(years[year].result(str(year)) for year in sorted(years))
    return NetworkResult(weights=weights, by_year=True, slices=slices, unplaced=tuple(unplaced))


@attrs.frozen(kw_only=True)
class Network(timeline.Analysis):
    """Actor-actor ties from co-participation in events, weighted by kind."""

    name: str = "network"
    description: str = "Actor network: ties from shared events, weighted by kind; degree, strength"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="weights",
            help="kind=weight pairs, e.g. 'treaty.*=3,visit.*=2' (defaults: treaty.*=3, "
            "visit.*=2, others 1)",
        ),
        timeline.Option(
            name="by_year", help="one network per calendar year", default=False, type=bool
        ),
    )

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> NetworkResult:
        """Build the network of the filtered events (``between`` sets the window).

        Args:
            view: the timeline or an ``as_of`` view.
            where: the validated common filters.
            **options: ``weights`` (string or mapping) and ``by_year`` (bool).

        Returns:
            A ``NetworkResult``.

        Raises:
            InvalidOption: ``weights`` is malformed.

        """
        return _network(
            view, where, parse_weights(options.get("weights")), bool(options.get("by_year"))
        )

    def table(self, result: NetworkResult) -> tuple[list[str], list[list[Any]]]:
        """Return one row per actor and period: degree, strength and partners."""
        header = ["period", "actor", "degree", "strength", "events", "imprecise", "partners"]
        rows: list[list[Any]] = []
        for piece in result.slices:
            for a in piece.actors:
                partners = ", ".join(
                    f"{t.target if t.source == a.actor else t.source}={_number(t.weight)}"
                    for t in piece.ties
                    if a.actor in (t.source, t.target)
                )
                rows.append(
                    [
                        piece.period,
                        a.actor,
                        a.degree,
                        _number(a.strength),
                        a.events,
                        a.imprecise,
                        partners,
                    ]
                )
        return header, rows

    def to_graphml(self, result: NetworkResult, dest: str | os.PathLike[str] | IO[Any]) -> None:
        """Write the network as GraphML (needs networkx: ``pip install 'geotimeline[graph]'``).

        One slice gives a graph whose nodes carry degree, strength and events and
        whose edges carry weight, events and imprecise. Yearly slices give a
        multigraph with one edge per year (edge attribute ``period``).

        Args:
            result: a ``NetworkResult``.
            dest: a path, or a text or binary file object.

        Raises:
            TimelineError: networkx is not installed.

        """
        try:
            import networkx as nx
        except ImportError:
            raise timeline.TimelineError(
                "GraphML output needs networkx, which is not installed: "
                "pip install 'geotimeline[graph]'"
            ) from None
        graph = nx.MultiGraph() if len(result.slices) > 1 else nx.Graph()
        for piece in result.slices:
            for a in piece.actors:
                if len(result.slices) > 1:
                    graph.add_node(a.actor)
                else:
                    graph.add_node(a.actor, degree=a.degree, strength=a.strength, events=a.events)
            for t in piece.ties:
                graph.add_edge(
                    t.source,
                    t.target,
                    period=piece.period,
                    weight=t.weight,
                    events=t.events,
                    imprecise=t.imprecise,
                )
        if isinstance(dest, (str, os.PathLike)):
            nx.write_graphml(graph, os.fspath(dest))
        elif isinstance(cast(object, dest), io.TextIOBase):
            dest.write("\n".join(nx.generate_graphml(graph)) + "\n")
        else:
            nx.write_graphml(graph, dest)
