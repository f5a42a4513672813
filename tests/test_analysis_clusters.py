"""Tests for the clusters analysis (plugins/timeline_analyses/clusters.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import strategies

import timeline
from timeline.testing import AnalysisContract
from timeline_analyses.clusters import Clusters, ClustersResult

D = dt.date
CLUSTERS = Clusters()


def ev(id_: str, when: str, actors: object = ("RUS",), **fields: object) -> dict:
    return {
        "id": id_,
        "kind": "meeting.summit",
        "when": when,
        "title": id_,
        "actors": actors,
        **fields,
    }


def shape(result: ClustersResult) -> list[tuple[tuple[str, ...], list[str], list[str]]]:
    """Each cluster as (actors, definite ids, possible ids)."""
    return [
        (c.actors, [m.event_id for m in c.definite], [m.event_id for m in c.possible])
        for c in result.clusters
    ]


@pytest.fixture
def june(memory_timeline):
    """The June 2024 pattern: three Russian events on consecutive days, and fuzzy neighbours."""
    memory_timeline.record_many(
        [
            ev("prk", "2024-06-19", ["RUS", "PRK"]),
            ev("vnm", "2024-06-20", ["RUS", "VNM"]),
            ev("relos", "2024-06-21", ["RUS", "IND"]),
            ev("month", "June 2024"),
            ev("late", "2024-06-30"),
            ev("july", "2024-07-15"),
            ev("since", "since 2022"),
        ]
    )
    return memory_timeline


class TestClustersContract(AnalysisContract):
    def make_analysis(self) -> timeline.Analysis:
        return Clusters()


class TestMembership:
    def test_consecutive_days_cluster_around_the_shared_actor(self, june):
        """prk, vnm, relos are definite; 'June 2024' is possible; 2024-06-30 is 9 days off."""
        result = CLUSTERS.analyze(june)
        assert [(("RUS",), ["prk", "vnm", "relos"], ["month"])] == shape(result)
        cluster = result.clusters[0]
        assert (D(2024, 6, 19), D(2024, 6, 21)) == (cluster.start, cluster.end)
        assert (False, True) == (cluster.possible[0].exact, cluster.definite[0].exact)
        assert ("since",) == result.skipped

    def test_exact_follows_when_is_exact(self, memory_timeline):
        """A span of known days (4-5 December) is exact; one uncertain day is not."""
        memory_timeline.record_many(
            [ev("visit", "2025-12-04/2025-12-05"), ev("council", "2025-12-08?/2025-12-10?")]
        )
        [cluster] = CLUSTERS.analyze(memory_timeline).clusters
        assert {"visit": True, "council": False} == {m.event_id: m.exact for m in cluster.members}

    def test_wider_window_links_more(self, june):
        """With days=9, 2024-06-30 joins the chain and 2024-07-15 stays out."""
        result = CLUSTERS.analyze(june, days=9)
        assert [(("RUS",), ["prk", "vnm", "relos", "late"], ["month"])] == shape(result)

    def test_single_linkage_chains(self, memory_timeline):
        """1, 6 and 11 January chain with days=5 although 1 and 11 are 10 days apart."""
        memory_timeline.record_many(
            [ev("x", "2024-01-01"), ev("y", "2024-01-06"), ev("z", "2024-01-11")]
        )
        assert [(("RUS",), ["x", "y", "z"], [])] == shape(CLUSTERS.analyze(memory_timeline, days=5))
        assert [] == shape(CLUSTERS.analyze(memory_timeline, days=4))

    def test_fuzzy_date_definitely_inside(self, memory_timeline):
        """'early December' (1-10) is within 7 days of 4 December on every reading."""
        memory_timeline.record_many([ev("early", "early December 2025"), ev("visit", "2025-12-04")])
        assert [(("RUS",), ["early", "visit"], [])] == shape(CLUSTERS.analyze(memory_timeline))

    def test_fuzzy_date_only_possibly_inside(self, memory_timeline):
        """With days=4, 'early December' (1-10) is only possibly near 4-5 December."""
        memory_timeline.record_many(
            [ev("early", "early December 2025"), ev("d4", "2025-12-04"), ev("d5", "2025-12-05")]
        )
        assert [(("RUS",), ["d4", "d5"], ["early"])] == shape(
            CLUSTERS.analyze(memory_timeline, days=4)
        )

    def test_possible_members_do_not_bridge(self, memory_timeline):
        """Two pairs a month apart stay two clusters, though 'March 2024' may touch both."""
        memory_timeline.record_many(
            [
                ev("a1", "2024-03-01"),
                ev("a2", "2024-03-02"),
                ev("m", "March 2024"),
                ev("b1", "2024-03-30"),
                ev("b2", "2024-03-31"),
            ]
        )
        assert [(("RUS",), ["a1", "a2"], ["m"]), (("RUS",), ["b1", "b2"], ["m"])] == shape(
            CLUSTERS.analyze(memory_timeline)
        )

    def test_same_events_for_two_actors_merge(self, memory_timeline):
        """A chain shared by RUS and IND is one cluster naming both actors."""
        memory_timeline.record_many(
            [ev("a", "2025-12-02", ["RUS", "IND"]), ev("b", "2025-12-04", ["IND", "RUS"])]
        )
        assert [(("IND", "RUS"), ["a", "b"], [])] == shape(CLUSTERS.analyze(memory_timeline))

    def test_min_size(self, june):
        """min_size=4 leaves out the three-event chain."""
        assert [] == shape(CLUSTERS.analyze(june, min_size=4))


class TestViews:
    def test_retraction_breaks_a_chain(self, memory_timeline):
        """Retracting the middle link leaves two events 10 days apart: no cluster."""
        memory_timeline.record_many(
            [ev("x", "2024-01-01"), ev("y", "2024-01-06"), ev("z", "2024-01-11")]
        )
        memory_timeline.retract("y", reason="never happened")
        assert [] == shape(CLUSTERS.analyze(memory_timeline, include_retracted=True))

    def test_as_of_shows_the_earlier_chain(self, june):
        """as_of before the extra event shows the chain without it; as_of=0 shows none."""
        june.record(**ev("extra", "2024-06-22"))
        assert ["prk", "vnm", "relos"] == shape(CLUSTERS.analyze(june, as_of=june.seq - 1))[0][1]
        assert ["prk", "vnm", "relos", "extra"] == shape(CLUSTERS.analyze(june))[0][1]
        assert [] == shape(CLUSTERS.analyze(june, as_of=0))

    def test_hypothetical_events_do_not_link(self, memory_timeline):
        """A hypothetical event is no link."""
        memory_timeline.record_many(
            [ev("x", "2024-01-01"), ev("h", "2024-01-02", modality="hypothetical")]
        )
        assert [] == shape(CLUSTERS.analyze(memory_timeline))

    def test_filters(self, june):
        """The kind filter leaves no event; the between filter keeps June's."""
        assert [] == shape(CLUSTERS.analyze(june, kind="treaty.*"))
        assert [(("RUS",), ["prk", "vnm", "relos"], ["month"])] == shape(
            CLUSTERS.analyze(june, between=("2024-06-01", "2024-06-30"))
        )


class TestOptionsAndOutput:
    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"days": -1}, "days"),
            ({"days": "seven"}, "days"),
            ({"min_size": 1}, "min_size"),
            ({"days": True}, "days"),
        ],
    )
    def test_bad_options(self, june, options, match):
        """Bad option values raise InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match=match):
            CLUSTERS.analyze(june, **options)

    def test_table(self, june):
        """One row per member, clusters numbered from 1."""
        header, rows = CLUSTERS.table(CLUSTERS.analyze(june))
        assert ["cluster", "actors", "date", "membership", "kind", "title"] == header
        assert [1, "RUS", "June 2024", "possible", "meeting.summit", "month"] == rows[-1]


class TestSampleDataset:
    def test_june_2024_cluster_around_russia(self):
        """The RUS-PRK treaty, the Hanoi visit and statement and the RELOS draft: one cluster."""
        result = CLUSTERS.analyze(timeline.datasets.load("relos"))
        june = next(c for c in result.clusters if c.start == D(2024, 6, 19))
        assert ("RUS",) == june.actors
        assert [
            "rus-prk-treaty-signed",
            "putin-vietnam-visit-2024",
            "rus-vnm-joint-statement",
            "relos-draft-approved",
        ] == [m.event_id for m in june.definite]
        assert {"relos-negotiation", "pro-bri-faction-upswing"} == {
            m.event_id for m in june.possible
        }
        assert ("india-bridges-russia-us", "us-policy-since-2022", "new-detente") == result.skipped


def _reference(
    view, days: int, min_size: int
) -> list[tuple[tuple[str, ...], list[str], list[str]]]:
    """The clusters brute force: every pair of an actor's events compared (the old algorithm)."""
    from timeline_analyses._common import counted_events, gap_range

    by_actor: dict[str, list[timeline.Event]] = {}
    for event in counted_events(view, view.filter()):
        if not event.when.is_open:
            for country in event.countries:
                by_actor.setdefault(country, []).append(event)

    def bounds(e: timeline.Event) -> tuple[dt.date, dt.date]:
        return e.when.earliest, e.when.latest

    def ordered(events: list[timeline.Event]) -> list[str]:
        return [e.id for e in sorted(events, key=lambda e: (e.when.sort_key, e.id))]

    found: dict[frozenset[str], tuple[list[str], list[timeline.Event], dict[str, Any]]] = {}
    for actor in sorted(by_actor):
        events = sorted(by_actor[actor], key=lambda e: (e.when.earliest, e.when.sort_key))
        parent = list(range(len(events)))

        def root(i: int, parent: list[int] = parent) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        for i, first in enumerate(events):
            for j in range(i + 1, len(events)):
                if gap_range(bounds(first), bounds(events[j]))[1] <= days:
                    parent[root(j)] = root(i)
        groups: dict[int, list[timeline.Event]] = {}
        for i, event in enumerate(events):
            groups.setdefault(root(i), []).append(event)
        for chain in groups.values():
            if len(chain) < min_size:
                continue
            ids = {e.id for e in chain}
            actors, _, possible = found.setdefault(frozenset(ids), ([], chain, {}))
            actors.append(actor)
            possible.update(
                (o.id, o)
                for o in events
                if o.id not in ids
                and any(gap_range(bounds(o), bounds(e))[0] <= days for e in chain)
            )
    clusters = [
        (
            min(e.when.earliest for e in chain),
            max(e.when.latest for e in chain),
            tuple(actors),
            ordered(chain),
            ordered(list(possible.values())),
        )
        for actors, chain, possible in found.values()
    ]
    clusters.sort(key=lambda c: (c[0], c[1], c[2]))
    return [(actors, definite, possible) for _, _, actors, definite, possible in clusters]


class TestAgainstBruteForce:
    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        dates=st.lists(strategies.crowded_dates(), min_size=1, max_size=25),
        actor_sets=st.lists(
            st.lists(st.sampled_from(["RUS", "IND", "CHN"]), min_size=1, max_size=2, unique=True),
            min_size=25,
            max_size=25,
        ),
        days=st.integers(min_value=0, max_value=12),
        min_size=st.integers(min_value=2, max_value=4),
    )
    def test_same_clusters_as_comparing_every_pair(
        self, timeline_factory, dates, actor_sets, days, min_size
    ):
        """The sweep finds exactly the chains and possible members the quadratic scan finds."""
        tl = timeline_factory()
        tl.record_many([ev(f"e{n:02d}", when, actor_sets[n]) for n, when in enumerate(dates)])
        result = tl.analyze("clusters", days=days, min_size=min_size)
        assert shape(result) == _reference(tl, days, min_size)
        for cluster in result.clusters:
            definite = cluster.definite
            assert cluster.start == min(m.earliest for m in definite)
            assert cluster.end == max(m.latest for m in definite)
