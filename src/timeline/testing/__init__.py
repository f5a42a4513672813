"""Test support for timeline plugins: a pytest plugin with fixtures and contract tests.

Opt in from a test module or conftest with ``pytest_plugins = ["timeline.testing"]``
(it is not auto-loaded). Fixtures: ``plugin_host`` (an isolated, strict host
with the first-party plugins only), ``register_plugin`` (a context manager that
registers a plugin for one block), ``timeline_factory`` and ``memory_timeline``
(in-memory timelines with a fixed clock), ``postgres_server`` and
``postgres_url`` (a real PostgreSQL server, and a log schema per test, dropped
after). Contract bases: ``ExporterContract``,
``ImporterContract``, ``AnalysisContract``, and ``StoreContract`` and
``BackendContract`` for stores and their byte-level backends.

.. versionadded:: 0.1
"""

from __future__ import annotations

from ._backends import BackendContract, append_pending, append_pending_batches
from ._contracts import SAMPLE_EVENTS, AnalysisContract, ExporterContract, ImporterContract
from ._fixtures import (
    FIXED_EPOCH,
    FixedClock,
    first_party_host,
    memory_timeline,
    plugin_host,
    register_plugin,
    timeline_factory,
)
from ._postgres import postgres_server, postgres_url
from ._stores import StoreContract

__all__ = [
    "FIXED_EPOCH",
    "SAMPLE_EVENTS",
    "AnalysisContract",
    "BackendContract",
    "ExporterContract",
    "FixedClock",
    "ImporterContract",
    "StoreContract",
    "append_pending",
    "append_pending_batches",
    "first_party_host",
    "memory_timeline",
    "plugin_host",
    "postgres_server",
    "postgres_url",
    "register_plugin",
    "timeline_factory",
]
