"""The ``clusters`` analysis: chains of events within N days of each other sharing an actor."""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Iterable
from typing import Any, NamedTuple

import attrs

import timeline

from ._common import TableResult, counted_events, fields_of, row_of

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


class _Fact(NamedTuple):
    """What clusters keeps of an event instead of the ``Event`` (a tuple: small and quick)."""

    id: str
    earliest: int
    """First possible day, as a day ordinal."""
    latest: int
    """Last possible day, as a day ordinal."""
    kind: str
    title: str
    date: str
    exact: bool
    countries: tuple[str, ...]
    first_day: dt.date
    """``earliest`` as a date (kept: a member shows it)."""
    last_day: dt.date
    """``latest`` as a date."""


def _fact(event: timeline.Event) -> _Fact:
    when = event.when
    first, last = when.earliest, when.latest
    return _Fact(
        event.id,
        first.toordinal(),
        last.toordinal(),
        event.kind,
        event.title,
        when.display,
        when.is_exact,
        event.countries,
        first,
        last,
    )


def _member(fact: _Fact, membership: str) -> Member:
    return Member(
        event_id=fact.id,
        kind=fact.kind,
        title=fact.title,
        date=fact.date,
        earliest=fact.first_day,
        latest=fact.last_day,
        exact=fact.exact,
        membership=membership,
        countries=fact.countries,
    )


def _chains(spans: dict[tuple[int, int], list[int]], days: int) -> list[list[int]]:
    """Group events by single linkage on definite links; return the groups of two or more.

    Two spans ``a <= b`` (by first day) are definitely linked when both
    ``b.latest - a.earliest`` and ``a.latest - b.earliest`` are at most ``days``
    (``gap_range``'s most days), so ``b.earliest`` lies within ``days`` of
    ``a.earliest``: a sweep over the distinct spans, sorted by first day, only
    looks that far ahead. Events with the same bounds share one node, linked
    to each other when their span is at most ``days`` long. The work grows
    with the events plus the distinct spans times those ``days`` ahead, never
    with the square of the events. Groups come in the order of their first
    event by first day, then timeline order.
    """
    keys = sorted(spans)
    parent = list(range(len(keys)))
    linked = [high - low <= days for low, high in keys]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (low, high) in enumerate(keys):
        if high - low > 2 * days:  # its own ends are farther apart than any link allows
            continue
        for j in range(i + 1, len(keys)):
            other_low, other_high = keys[j]
            if other_low - low > days:
                break
            if other_high - low <= days and high - other_low <= days:
                linked[i] = linked[j] = True
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        if linked[i]:
            groups.setdefault(root(i), []).extend(spans[key])
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _reach(chain: list[int], facts: list[_Fact], days: int) -> list[tuple[int, int]]:
    """Return the days within ``days`` of some chain member, as merged ``(first, last)`` runs."""
    runs = sorted((facts[i].earliest - days, facts[i].latest + days) for i in chain)
    merged = [runs[0]]
    for low, high in runs[1:]:
        if low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def _possible(
    chains: list[list[int]],
    spans: dict[tuple[int, int], list[int]],
    facts: list[_Fact],
    days: int,
) -> list[list[int]]:
    """Return, per chain, the other events some reading puts within ``days`` of a member.

    An event is that close to a member when its bounds overlap the member's
    bounds widened by ``days`` on each side (``gap_range``'s fewest days). One
    sweep over every chain's widened runs, by first day, against the distinct
    spans by first day: the spans starting inside a run are a bisected range,
    the ones starting before it and still open are kept in a heap by last day.
    """
    keys = sorted(spans)
    lows = [low for low, _ in keys]
    runs = sorted(
        (low, high, n) for n, chain in enumerate(chains) for low, high in _reach(chain, facts, days)
    )
    found: list[set[int]] = [set() for _ in chains]
    started = 0
    open_: dict[int, None] = {}  # spans started before the run's first day, still open
    ends: list[tuple[int, int]] = []
    for low, high, n in runs:
        while started < len(keys) and lows[started] < low:
            open_[started] = None
            heapq.heappush(ends, (keys[started][1], started))
            started += 1
        while ends and ends[0][0] < low:
            del open_[heapq.heappop(ends)[1]]
        found[n].update(open_)
        found[n].update(range(bisect.bisect_left(lows, low), bisect.bisect_right(lows, high)))
    out = []
    for chain, near in zip(chains, found, strict=True):
        members = set(chain)
        out.append([i for k in near for i in spans[keys[k]] if i not in members])
    return out


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
    facts: list[_Fact] = []
    # Per actor, its events (positions in facts, in timeline order) by their date bounds.
    by_actor: dict[str, dict[tuple[int, int], list[int]]] = {}
    skipped = []
    for event in counted_events(view, where):
        if event.when.is_open:
            skipped.append(event.id)
            continue
        fact = _fact(event)
        bounds = (fact.earliest, fact.latest)
        for country in fact.countries:
            by_actor.setdefault(country, {}).setdefault(bounds, []).append(len(facts))
        facts.append(fact)
    found: dict[frozenset[str], tuple[list[str], list[int], set[int]]] = {}
    for actor in sorted(by_actor):
        spans = by_actor[actor]
        chains = [c for c in _chains(spans, days) if len(c) >= min_size]
        for chain, near in zip(chains, _possible(chains, spans, facts, days), strict=True):
            key = frozenset(facts[i].id for i in chain)
            actors, _, possible = found.setdefault(key, ([], chain, set()))
            actors.append(actor)
            possible.update(near)
    # An event is a member of several clusters (of several actors, possible in many):
    # one Member value per event and membership, shared by them.
    definite: dict[int, Member] = {}
    maybe: dict[int, Member] = {}

    def members(rows: Iterable[int], made: dict[int, Member], membership: str) -> list[Member]:
        out = []
        for i in rows:
            value = made.get(i)
            if value is None:
                value = made[i] = _member(facts[i], membership)
            out.append(value)
        return out

    clusters = [
        Cluster(
            actors=tuple(actors),
            start=dt.date.fromordinal(min(facts[i].earliest for i in chain)),
            end=dt.date.fromordinal(max(facts[i].latest for i in chain)),
            members=tuple(
                members(chain, definite, DEFINITE) + members(sorted(possible), maybe, POSSIBLE)
            ),
        )
        for actors, chain, possible in found.values()
    ]
    clusters.sort(key=lambda c: (c.start, c.end, c.actors))
    return ClustersResult(
        days=days, min_size=min_size, clusters=tuple(clusters), skipped=tuple(skipped)
    )
