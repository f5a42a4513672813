"""The four first-party analyses (lifecycle, network, cadence, clusters) on the whole workload.

Each case opens the workload's SQLite log with its snapshot once (not timed) and
times one ``tl.analyze(name)`` over every live event, with the analysis's
default options. Issue 9's target: each analysis on a 1M-record log within 30 s.
"""

from __future__ import annotations

from typing import Any

import pytest

import timeline
import workload
from conftest import describe

ANALYSES = ("lifecycle", "network", "cadence", "clusters")

_open: dict[int, timeline.Timeline] = {}


def _timeline(paths: workload.Paths) -> timeline.Timeline:
    """The workload's log, opened once per size for every analysis."""
    if paths.n not in _open:
        _open[paths.n] = timeline.open(paths.snapshot)
    return _open[paths.n]


@pytest.mark.parametrize("name", ANALYSES)
class TestAnalyses:
    def test_analyze(
        self, benchmark: Any, n: int, paths: workload.Paths, rounds: int, name: str
    ) -> None:
        """tl.analyze(name) over every live event."""
        tl = _timeline(paths)
        describe(benchmark, f"analyze {name}", n, workload.live_events(n), role="info")
        result = benchmark.pedantic(
            tl.analyze, args=(name,), rounds=1 if n >= 1_000_000 else rounds
        )
        assert result is not None
