"""First-party analyses: treaty life cycles, actor networks, cadence and clusters.

Registered through the ``timeline_register_analyses`` hook; run them with
``tl.analyze("lifecycle", treaty="RELOS")`` or ``timeline analyze lifecycle``.
Their options, output fields and date rules are described in ``docs/analyses.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._common import Span
from .cadence import Cadence, CadenceResult, PeriodCount
from .clusters import Cluster, Clusters, ClustersResult, Member
from .lifecycle import Agreement, Claim, Lifecycle, LifecycleResult, PartyStatus, Step
from .network import ActorStats, Network, NetworkResult, NetworkSlice, Tie

__all__ = [
    "ANALYSES",
    "ActorStats",
    "Agreement",
    "Cadence",
    "CadenceResult",
    "Claim",
    "Cluster",
    "Clusters",
    "ClustersResult",
    "Lifecycle",
    "LifecycleResult",
    "Member",
    "Network",
    "NetworkResult",
    "NetworkSlice",
    "PartyStatus",
    "PeriodCount",
    "Span",
    "Step",
    "Tie",
    "timeline_register_analyses",
]

#: One instance of each analysis this package provides.
ANALYSES: tuple[timeline.Analysis, ...] = (Lifecycle(), Network(), Cadence(), Clusters())


@hookimpl
def timeline_register_analyses(register: Callable[[timeline.Analysis], None]) -> None:
    """Register the four analyses: lifecycle, network, cadence and clusters."""
    for analysis in ANALYSES:
        register(analysis)
