"""Tests for the network analysis (plugins/timeline_analyses/network.py)."""

from __future__ import annotations

import io
import sys

import pytest

import timeline
from timeline.testing import AnalysisContract
from timeline_analyses.network import DEFAULT_WEIGHTS, Network, NetworkResult, parse_weights

NETWORK = Network()


def ev(id_: str, kind: str, when: str, actors: object) -> dict:
    return {"id": id_, "kind": kind, "when": when, "title": id_, "actors": actors}


def stats(result: NetworkResult, period: str = "all") -> dict[str, tuple]:
    piece = next(s for s in result.slices if s.period == period)
    return {a.actor: (a.degree, a.strength, a.events, a.imprecise) for a in piece.actors}


def ties(result: NetworkResult, period: str = "all") -> dict[tuple[str, str], tuple]:
    piece = next(s for s in result.slices if s.period == period)
    return {(t.source, t.target): (t.weight, t.events, t.imprecise) for t in piece.ties}


@pytest.fixture
def small(memory_timeline):
    memory_timeline.record_many(
        [
            ev("sign", "treaty.signed", "2024-06-19", ["RUS", "PRK"]),
            ev("visit", "visit.state", "2024-06-20", ["RUS", "VNM"]),
            ev("talks", "meeting.summit", "2025-03-01", ["RUS", "VNM", "CHN"]),
            ev("alone", "document.published", "2025-12-04", ["USA"]),
            ev("fuzzy", "meeting.summit", "2024", ["RUS", "CHN"]),
        ]
    )
    return memory_timeline


class TestNetworkContract(AnalysisContract):
    def make_analysis(self) -> timeline.Analysis:
        return Network()


class TestTies:
    def test_default_weights(self, small):
        """treaty.* weighs 3, visit.* 2, others 1; degree and strength follow."""
        result = NETWORK.analyze(small)
        assert {
            ("PRK", "RUS"): (3.0, 1, 0),
            ("RUS", "VNM"): (3.0, 2, 0),
            ("CHN", "RUS"): (2.0, 2, 0),
            ("CHN", "VNM"): (1.0, 1, 0),
        } == ties(result)
        assert {
            "RUS": (3, 8.0, 4, 0),
            "VNM": (2, 4.0, 2, 0),
            "PRK": (1, 3.0, 1, 0),
            "CHN": (2, 3.0, 2, 0),
            "USA": (0, 0.0, 1, 0),
        } == stats(result)

    def test_weights_option_as_string(self, small):
        """'meeting.*=5' overrides the default for summits; the defaults still apply."""
        result = NETWORK.analyze(small, weights="meeting.*=5")
        assert (10.0, 2, 0) == ties(result)[("CHN", "RUS")]
        assert (3.0, 1, 0) == ties(result)[("PRK", "RUS")]

    def test_weights_option_as_mapping(self, small):
        """An exact kind beats a pattern."""
        result = NETWORK.analyze(small, weights={"visit.state": 0.5, "visit.*": 9})
        assert (1.5, 2, 0) == ties(result)[("RUS", "VNM")]

    @pytest.mark.parametrize("bad", ["treaty.*", "treaty.*=x", "a=1=2", "=3", "x=-1", "", 7])
    def test_bad_weights_are_refused(self, small, bad):
        """A malformed weights option raises InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match="weights"):
            NETWORK.analyze(small, weights=bad)

    def test_parse_weights_keeps_defaults(self):
        """Parsing adds to the documented defaults."""
        assert {**DEFAULT_WEIGHTS, "x.y": 2.5} == parse_weights(" x.y = 2.5 ")


class TestDates:
    def test_window_marks_events_only_possibly_inside(self, small):
        """With between=June 2024, the event dated '2024' counts but is marked imprecise."""
        result = NETWORK.analyze(small, between=("2024-06", "2024-06"))
        assert {
            ("PRK", "RUS"): (3.0, 1, 0),
            ("RUS", "VNM"): (2.0, 1, 0),
            ("CHN", "RUS"): (1.0, 1, 1),
        } == ties(result)
        assert (3, 6.0, 3, 1) == stats(result)["RUS"]

    def test_yearly_slices(self, small):
        """by_year gives one slice per year; '2024' is within 2024, so not imprecise."""
        result = NETWORK.analyze(small, by_year=True)
        assert ["2024", "2025"] == [s.period for s in result.slices]
        assert {
            ("CHN", "RUS"): (1.0, 1, 0),
            ("PRK", "RUS"): (3.0, 1, 0),
            ("RUS", "VNM"): (2.0, 1, 0),
        } == ties(result, "2024")
        assert (1.0, 1, 0) == ties(result, "2025")[("CHN", "RUS")]

    def test_event_spanning_years_counts_in_its_first_year(self, memory_timeline):
        """'2023-11/2024-02' counts in 2023, marked imprecise; an open start is unplaced."""
        memory_timeline.record_many(
            [
                ev("span", "meeting.summit", "2023-11/2024-02", ["RUS", "IND"]),
                ev("open", "meeting.summit", "../2024", ["RUS", "IND"]),
            ]
        )
        result = NETWORK.analyze(memory_timeline, by_year=True)
        assert ["2023"] == [s.period for s in result.slices]
        assert (1.0, 1, 1) == ties(result, "2023")[("IND", "RUS")]
        assert ("open",) == result.unplaced

    def test_retracted_and_hypothetical_events_do_not_count(self, small):
        """A retracted event and a hypothetical one add no tie."""
        small.retract("sign", reason="duplicate")
        small.record(
            **ev("maybe", "exercise.joint", "2025-01-01", ["RUS", "IND"]), modality="hypothetical"
        )
        result = NETWORK.analyze(small, include_retracted=True)
        assert ("PRK", "RUS") not in ties(result)
        assert ("IND", "RUS") not in ties(result)

    def test_as_of_and_actor_filter(self, small):
        """as_of drops later events; the actor filter keeps that actor's events."""
        assert () == NETWORK.analyze(small, as_of=0).slices[0].ties
        assert {
            ("CHN", "RUS"): (2.0, 2, 0),
            ("CHN", "VNM"): (1.0, 1, 0),
            ("RUS", "VNM"): (1.0, 1, 0),
        } == ties(NETWORK.analyze(small, actor="CHN"))


class TestOutput:
    def test_table_lists_partners(self, small):
        """One row per actor, with weighted partners."""
        header, rows = NETWORK.table(NETWORK.analyze(small))
        assert [
            "period",
            "actor",
            "degree",
            "strength",
            "events",
            "imprecise",
            "partners",
        ] == header
        assert ["all", "RUS", 3, 8, 4, 0, "PRK=3, VNM=3, CHN=2"] == rows[0]

    def test_graphml_round_trips(self, small, tmp_path):
        """GraphML written to a path reads back with networkx, weights included."""
        nx = pytest.importorskip("networkx")
        path = tmp_path / "net.graphml"
        NETWORK.to_graphml(NETWORK.analyze(small), path)
        graph = nx.read_graphml(path)
        assert 3.0 == graph.edges["RUS", "PRK"]["weight"]
        assert 8.0 == graph.nodes["RUS"]["strength"]

    def test_graphml_yearly_is_a_multigraph(self, small):
        """Yearly slices give one edge per year, tagged with its period."""
        nx = pytest.importorskip("networkx")
        stream = io.StringIO()
        NETWORK.to_graphml(NETWORK.analyze(small, by_year=True), stream)
        graph = nx.parse_graphml(stream.getvalue(), force_multigraph=True)
        periods = [
            data["period"] for _, other, data in graph.edges("CHN", data=True) if other == "RUS"
        ]
        assert ["2024", "2025"] == sorted(periods)

    def test_graphml_to_binary_file(self, small):
        """A binary file object gets UTF-8 GraphML."""
        pytest.importorskip("networkx")
        stream = io.BytesIO()
        NETWORK.to_graphml(NETWORK.analyze(small), stream)
        assert b"<graphml" in stream.getvalue()

    def test_graphml_without_networkx(self, small, monkeypatch):
        """Without networkx, a TimelineError names the extra to install."""
        monkeypatch.setitem(sys.modules, "networkx", None)
        with pytest.raises(timeline.TimelineError, match=r"geotimeline\[graph\]"):
            NETWORK.to_graphml(NETWORK.analyze(small), io.StringIO())
