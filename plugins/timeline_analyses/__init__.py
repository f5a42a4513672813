"""First-party analyses: treaty life cycles, actor networks, cadence and clusters.

Registered through the ``timeline_register_analyses`` hook; run them with
``tl.analyze("lifecycle", treaty="RELOS")`` or ``timeline analyze lifecycle``.
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from .lifecycle import Lifecycle
from .network import Network

__all__ = ["ANALYSES", "timeline_register_analyses"]

#: One instance of each analysis this package provides.
ANALYSES: tuple[timeline.Analysis, ...] = (Lifecycle(), Network())


@hookimpl
def timeline_register_analyses(register: Callable[[timeline.Analysis], None]) -> None:
    """Register the four analyses."""
    for analysis in ANALYSES:
        register(analysis)
