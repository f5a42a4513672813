"""ICS and CSV export of the whole timeline (100k events), and the export's own memory.

Skipped, with the reason, while the exporter plugins are not importable.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from typing import Any

import pytest

import timeline
import workload
from conftest import describe
from test_replay import run_fresh

FORMATS = {"ics": "timeline_ics", "csv": "timeline_csv", "parquet": "timeline_arrow"}
#: Exports are timed up to this size; memory is measured at every size.
TIMED_UP_TO = 100_000

_tmp = tempfile.TemporaryDirectory(prefix="geotimeline-bench-export-")


def _require(fmt: str, tl: timeline.Timeline | None = None) -> None:
    module = FORMATS[fmt]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"the {fmt} exporter plugin ({module}) is not importable yet: {exc}")
    if tl is not None:
        try:
            tl.plugins.exporter(fmt)
        except timeline.UnknownPlugin as exc:
            pytest.skip(f"{module} imports but no {fmt!r} exporter is registered: {exc}")


_open: dict[int, timeline.Timeline] = {}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
class TestExport:
    def test_export(
        self, benchmark: Any, n: int, paths: workload.Paths, rounds: int, fmt: str
    ) -> None:
        """tl.export(fmt, path) of every live event."""
        _require(fmt)
        if n > TIMED_UP_TO and benchmark.enabled:
            pytest.skip(f"exports are timed up to {TIMED_UP_TO:,} events")
        if n not in _open:
            _open.clear()
            _open[n] = timeline.Timeline(timeline.SqliteStore(paths.sqlite), snapshot_every=0)
        tl = _open[n]
        _require(fmt, tl)
        dest = Path(_tmp.name) / f"out.{fmt}"
        describe(benchmark, f"export {fmt}", n, len(tl), role="ours")
        written = benchmark.pedantic(tl.export, args=(fmt, dest), rounds=rounds).written
        # ICS leaves out events too fuzzy for a calendar entry; rates count live events.
        assert 0 < written <= len(tl)
        benchmark.extra_info["written"] = written

    def test_export_peak_rss(self, benchmark: Any, n: int, paths: workload.Paths, fmt: str) -> None:
        """Memory the export itself takes (sampled RSS peak during export minus before)."""
        _require(fmt)
        result: dict[str, Any] = {}
        dest = str(Path(_tmp.name) / f"mem.{fmt}")

        def run() -> None:
            result.update(run_fresh(_EXPORT_RSS_SCRIPT, str(paths.sqlite), fmt, dest))

        describe(benchmark, f"export {fmt} memory", n, n, role="memory")
        benchmark.pedantic(run, rounds=1)
        benchmark.extra_info.update(
            export_mb=result["export_kb"] / 1024, peak_mb=result["peak_kb"] / 1024
        )
        assert result["written"] > 0


_EXPORT_RSS_SCRIPT = """
import gc, json, sys, threading, time
import psutil
import timeline
proc = psutil.Process()
tl = timeline.Timeline(timeline.SqliteStore(sys.argv[1]), snapshot_every=0)
tl.events()  # build the indexes outside the measured region
gc.collect()
before = proc.memory_info().rss
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss)
        time.sleep(0.002)
t = threading.Thread(target=sample, daemon=True)
t.start()
written = tl.export(sys.argv[2], sys.argv[3]).written
done.set()
t.join()
peak[0] = max(peak[0], proc.memory_info().rss)
print(json.dumps({"written": written, "export_kb": (peak[0] - before) // 1024,
                  "peak_kb": peak[0] // 1024}))
"""
