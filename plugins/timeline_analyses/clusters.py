"""The ``clusters`` analysis: chains of events within N days of each other sharing an actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

import timeline

from ._common import TableResult, counted_events, fields_of, gap_range, row_of

__all__ = ["Cluster", "Clusters", "ClustersResult", "Member"]

DEFINITE = "definite"
POSSIBLE = "possible"


@attrs.frozen(kw_only=True)
class Member:
    """One event in a cluster."""

    event_id: str
    """The event's id."""
    kind: str
    """The event's kind."""
    title: str
    """The event's title."""
    date: str
    """The date as recorded (phrase or EDTF)."""
    earliest: dt.date
    """First possible day."""
    latest: dt.date
    """Last possible day."""
    exact: bool
    """Whether the date is exact (``When.is_exact``: a known day or instant, or a span of
    known days)."""
    membership: str
    """``definite``: within ``days`` of another definite member on every reading of both
    dates; ``possible``: only some readings of its (imprecise) date put it that close."""
    countries: tuple[str, ...]
    """The event's actors' country codes."""


@attrs.frozen(kw_only=True)
class Cluster:
    """A chain of events, each within ``days`` of the next, sharing an actor."""

    actors: tuple[str, ...]
    """The actors the chain runs through (every definite member has them)."""
    start: dt.date
    """First possible day of the definite members."""
    end: dt.date
    """Last possible day of the definite members."""
    members: tuple[Member, ...]
    """Definite members in timeline order, then possible members in timeline order."""

    @property
    def definite(self) -> tuple[Member, ...]:
        """The definite members."""
        return tuple(m for m in self.members if m.membership == DEFINITE)

    @property
    def possible(self) -> tuple[Member, ...]:
        """The possible members."""
        return tuple(m for m in self.members if m.membership == POSSIBLE)


@attrs.frozen(kw_only=True)
class ClustersResult(TableResult):
    """What ``clusters`` returns; ``to_arrow()`` / ``to_pandas()`` give one row per membership."""

    days: int
    """The largest gap, in days, between linked events."""
    min_size: int
    """The fewest definite members a cluster has."""
    clusters: tuple[Cluster, ...]
    """The clusters, by first day, then actors."""
    skipped: tuple[str, ...]
    """Ids of events left out because their date is open-ended (``since 2022``)."""

    def table_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Return the columns and rows of ``to_arrow``: one per cluster member."""
        context = ["cluster", "cluster_actors", "cluster_start", "cluster_end"]
        rows = [
            row_of(m, cluster=i, cluster_actors=c.actors, cluster_start=c.start, cluster_end=c.end)
            for i, c in enumerate(self.clusters)
            for m in c.members
        ]
        return context + fields_of(Member), rows


def _bounds(event: timeline.Event) -> tuple[dt.date, dt.date]:
    return event.when.earliest, event.when.latest


def _member(event: timeline.Event, membership: str) -> Member:
    return Member(
        event_id=event.id,
        kind=event.kind,
        title=event.title,
        date=event.when.display,
        earliest=event.when.earliest,
        latest=event.when.latest,
        exact=event.when.is_exact,
        membership=membership,
        countries=event.countries,
    )


def _chains(events: list[timeline.Event], days: int) -> list[list[timeline.Event]]:
    """Group events (sorted by earliest day) by single linkage on definite links."""
    parent = list(range(len(events)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, first in enumerate(events):
        for j in range(i + 1, len(events)):
            second = events[j]
            # Sorted by earliest day: once even the fewest days exceed the window,
            # every later event is farther still.
            if (second.when.earliest - first.when.latest).days > days:
                break
            if gap_range(_bounds(first), _bounds(second))[1] <= days:
                parent[root(j)] = root(i)
    groups: dict[int, list[timeline.Event]] = {}
    for i, event in enumerate(events):
        groups.setdefault(root(i), []).append(event)
    return list(groups.values())


def _possible(
    chain: list[timeline.Event], others: list[timeline.Event], days: int
) -> list[timeline.Event]:
    ids = {e.id for e in chain}
    return [
        o
        for o in others
        if o.id not in ids and any(gap_range(_bounds(o), _bounds(e))[0] <= days for e in chain)
    ]


@attrs.frozen(kw_only=True)
class Clusters(timeline.Analysis):
    """Chains of events within N days of each other that share an actor."""

    name: str = "clusters"
    description: str = "Chains of events within N days of each other that share an actor"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(
            name="days", help="the largest gap in days between linked events", default=7, type=int
        ),
        timeline.Option(
            name="min_size", help="the fewest definite events a cluster has", default=2, type=int
        ),
    )

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> ClustersResult:
        """Find, per actor, chains of events within ``days`` of each other.

        Two events are linked when every reading of both dates puts them at most
        ``days`` apart; chains are built from these links (single linkage). An
        event that only some readings put that close to a chain member is
        added as a ``possible`` member, without extending the chain.

        Args:
            view: the timeline or an ``as_of`` view.
            where: the validated common filters.
            **options: ``days`` and ``min_size``.

        Returns:
            A ``ClustersResult``.

        Raises:
            InvalidOption: ``days`` or ``min_size`` is not a suitable integer.

        """
        return _clusters(view, where, options.get("days", 7), options.get("min_size", 2))

    def table(self, result: ClustersResult) -> tuple[list[str], list[list[Any]]]:
        """Return one row per cluster member (clusters numbered from 1)."""
        header = ["cluster", "actors", "date", "membership", "kind", "title"]
        rows: list[list[Any]] = [
            [n, " ".join(c.actors), m.date, m.membership, m.kind, m.title]
            for n, c in enumerate(result.clusters, start=1)
            for m in c.members
        ]
        return header, rows


def _clusters(
    view: timeline.TimelineReader, where: timeline.EventFilter, days: Any, min_size: Any
) -> ClustersResult:
    for name, value, low in (("days", days, 0), ("min_size", min_size, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise timeline.InvalidOption("analysis 'clusters'", name, value, f"an integer >= {low}")
    by_actor: dict[str, list[timeline.Event]] = {}
    skipped = []
    for event in counted_events(view, where):
        if not event.when.is_bounded:
            skipped.append(event.id)
            continue
        for country in event.countries:
            by_actor.setdefault(country, []).append(event)
    found: dict[frozenset[str], tuple[list[str], list[timeline.Event], dict[str, Any]]] = {}
    for actor in sorted(by_actor):
        events = sorted(by_actor[actor], key=lambda e: (e.when.earliest, e.when.sort_key))
        for chain in _chains(events, days):
            if len(chain) < min_size:
                continue
            key = frozenset(e.id for e in chain)
            actors, _, possible = found.setdefault(key, ([], chain, {}))
            actors.append(actor)
            possible.update((e.id, e) for e in _possible(chain, events, days))
    clusters = [
        Cluster(
            actors=tuple(actors),
            start=min(e.when.earliest for e in chain),
            end=max(e.when.latest for e in chain),
            members=tuple(
                [_member(e, DEFINITE) for e in _ordered(chain)]
                + [_member(e, POSSIBLE) for e in _ordered(list(possible.values()))]
            ),
        )
        for actors, chain, possible in found.values()
    ]
    clusters.sort(key=lambda c: (c.start, c.end, c.actors))
    return ClustersResult(
        days=days, min_size=min_size, clusters=tuple(clusters), skipped=tuple(skipped)
    )


def _ordered(events: list[timeline.Event]) -> list[timeline.Event]:
    return sorted(events, key=lambda e: (e.when.sort_key, e.id))
