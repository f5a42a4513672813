"""Benchmark configuration: workload sizes, cached logs, and the end-of-run ratio table.

Sizes come from ``--bench-sizes`` or ``$BENCH_SIZES`` (comma-separated record
counts, multiples of 1,000). Without either, and always under
``--benchmark-disable`` (``make test``), one tiny size runs so every case executes
once as a smoke test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

# The helper modules sit beside this file; --import-mode=importlib does not put
# this directory on sys.path by itself.
sys.path.insert(0, str(Path(__file__).parent))

import report
import workload

# The PostgreSQL cases' server (pgserver, or $GEOTIMELINE_TEST_PG).
from timeline.testing._postgres import postgres_server  # noqa: F401

#: The smoke-test size: large enough for a snapshot plus a 1,000-record tail.
TINY = 2000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bench-sizes",
        default=None,
        help="comma-separated workload sizes in records (default $BENCH_SIZES, else 2000)",
    )
    parser.addoption(
        "--bench-rounds", type=int, default=3, help="timed rounds per case (best one is used)"
    )


def _disabled(config: pytest.Config) -> bool:
    return bool(config.getoption("benchmark_disable", False))


def sizes(config: pytest.Config) -> list[int]:
    """Return the workload sizes this run measures."""
    if _disabled(config):
        return [TINY]
    text = config.getoption("--bench-sizes") or os.environ.get("BENCH_SIZES") or str(TINY)
    return sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "n" in metafunc.fixturenames:
        metafunc.parametrize("n", sizes(metafunc.config), ids=lambda n: f"{n:_}", scope="session")


@pytest.fixture(scope="session")
def rounds(request: pytest.FixtureRequest) -> int:
    """Timed rounds per case (1 when benchmarks are disabled)."""
    return 1 if _disabled(request.config) else int(request.config.getoption("--bench-rounds"))


@pytest.fixture(scope="session")
def largest(request: pytest.FixtureRequest) -> int:
    """The largest selected size (the range query runs on it)."""
    return max(sizes(request.config))


@pytest.fixture(scope="session")
def paths(n: int) -> workload.Paths:
    """The cached logs of the workload of size ``n`` (built on first use)."""
    return workload.build(n)


def describe(
    benchmark: Any, case: str, n: int, events: int, role: str = "ours", **extra: Any
) -> None:
    """Label a benchmark for the ratio table (see ``report.py``)."""
    benchmark.extra_info.update(case=case, n=n, events=events, role=role, **extra)


_failed: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # A case whose checks failed measured something wrong: keep it out of the table.
    if report.failed:
        _failed.add(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None or _disabled(config):
        return
    benches = [
        b
        for b in session.benchmarks
        if b and b.extra_info.get("case") and not any(b.fullname.endswith(f) for f in _failed)
    ]
    if not benches:
        return
    text = report.render(benches)
    terminalreporter.write_sep("=", "geotimeline benchmark ratios")
    terminalreporter.write_line(text)
    out = workload.CACHE / "latest.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    terminalreporter.write_line(f"(also written to {out})")
