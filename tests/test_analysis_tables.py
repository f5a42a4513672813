"""Every analysis result reads as a table: to_arrow() and to_pandas() (issue 12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import timeline

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")


@pytest.fixture(scope="module")
def relos() -> timeline.Timeline:
    return timeline.datasets.load("relos")


def _rows(name: str, result: Any) -> int:
    if name == "cadence":
        return len(result.counts)
    if name == "clusters":
        return sum(len(c.members) for c in result.clusters)
    if name == "lifecycle":
        return sum(len(a.steps) for a in result.agreements)
    return sum(len(s.ties) for s in result.slices)


ANALYSES = {
    "cadence": ("actor", "period", "count", "burst", "event_ids"),
    "clusters": ("cluster", "cluster_actors", "event_id", "membership", "countries"),
    "lifecycle": ("treaty", "event_id", "stage", "since_previous", "since_signature"),
    "network": ("period", "source", "target", "weight", "event_ids"),
}


class TestTables:
    @pytest.mark.parametrize("name", sorted(ANALYSES))
    def test_one_row_per_item(self, relos: timeline.Timeline, name: str) -> None:
        """Counts, memberships, steps and edges: one row each, with the documented columns."""
        result = relos.analyze(name)
        table = result.to_arrow()
        assert _rows(name, result) == table.num_rows > 0
        assert set(ANALYSES[name]) <= set(table.column_names)
        assert table.num_rows == len(result.to_pandas())

    def test_lifecycle_durations_are_structs(self, relos: timeline.Timeline) -> None:
        """A step's time since the previous one is a struct of min and max days."""
        table = relos.analyze("lifecycle").to_arrow()
        spans = [s for s in table.column("since_previous").to_pylist() if s is not None]
        assert spans
        assert {"min_days", "max_days", "exact"} == set(spans[0])
        assert all(s["min_days"] <= s["max_days"] for s in spans)

    def test_network_edges_match_ties(self, relos: timeline.Timeline) -> None:
        """The network table's edges are the result's ties, weights included."""
        result = relos.analyze("network")
        edges = result.to_arrow().select(["source", "target", "weight"]).to_pylist()
        ties = [
            {"source": t.source, "target": t.target, "weight": t.weight}
            for s in result.slices
            for t in s.ties
        ]
        assert ties == edges

    def test_open_bounds_are_nulls(self) -> None:
        """An open-ended date's bound is null in a result table, never 0001-01-01/9999-12-31."""
        tl = timeline.open(":memory:")
        tl.record(kind="treaty.signed", when="2024-06", title="A", treaty="T", actors=["RUS"])
        tl.record(kind="treaty.ratified", when="since 2025", title="B", treaty="T", actors=["RUS"])
        latest = tl.analyze("lifecycle").to_arrow().column("latest").to_pylist()
        assert None in latest
        assert dt.date.max not in latest

    def test_empty_result_keeps_its_columns(self) -> None:
        """An empty result is an empty table with the same columns."""
        table = timeline.open(":memory:").analyze("cadence").to_arrow()
        assert (0, "actor") == (table.num_rows, table.column_names[0])
