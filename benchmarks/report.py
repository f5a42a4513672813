"""The end-of-run table: each case's rate, its ratio to the peer and to the floor, the targets.

Rates are events per second from the *best* round (``stats.min``) of each case in
this run, so every ratio compares numbers measured side by side. Each benchmark
carries its labels in ``extra_info`` (see ``conftest.describe``): ``case``, ``n``
(the log size; 0 when the case does not depend on it), ``events`` (per round),
``role`` and the names of the cases it is compared with (``vs_peer``,
``vs_floor``, ``vs_floor_store``, ``vs_self``).
"""

from __future__ import annotations

import contextlib
import platform
import sqlite3
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

MB_LIMIT = 1536


def _paired_target(case: str) -> tuple[str, float]:
    """Return the target of a paired case (issue 9's against the peer, else the typed floor)."""
    if "paired with the peer" not in case:
        return "≥1.0x typed floor", 1.0
    sqlite = " sqlite" in case
    if case.startswith("replay to a queryable state"):
        return ("≥15x peer", 15.0) if sqlite else ("≥10x peer", 10.0)
    return ("≥5x peer", 5.0) if sqlite else ("≥4x peer", 4.0)


def _rate(bench: Any) -> float:
    return float(bench.extra_info["events"]) / float(bench.stats.min)


def _fmt_rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:,.0f}"


def _fmt_x(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:,.0f}x"


def _fmt_n(n: int) -> str:
    return "-" if not n else f"{n:,}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _target(
    case: str, n: int, ratio_peer: float | None, ratio_floor: float | None, rate: float
) -> tuple[str, str]:
    if case in {"replay sqlite", "replay jsonl"} and n >= 100_000:
        ok = (ratio_peer or 0) >= 10 and (ratio_floor or 0) >= 1.0
        return "≥10x peer, ≥1.0x typed floor", "yes" if ok else "NO"
    if case.startswith("append batched sqlite"):
        return "≥200,000/s", "yes" if rate >= 200_000 else "NO"
    if case == "import gdelt day, 1 country, sqlite":
        # Rates are rows read per second: under 10 s for 100,000 rows is 10,000 rows/s.
        return "< 10 s per 100k rows", ("yes" if rate >= 10_000 else "NO") if n >= 100_000 else ""
    if case == "parse+map gdelt":
        return "≥100,000 rows/s", "yes" if rate >= 100_000 else "NO"
    if case == "parse+map icews":
        return "1M rows < 30 s", "yes" if rate >= 1_000_000 / 30 else "NO"
    arrow = case in {"events to arrow", "events to arrow, kept table + 1k tail"}
    if arrow and n >= 1_000_000:
        return "< 3 s (1M)", "yes" if rate >= n / 3 else "NO"
    if arrow and n >= 100_000:
        return "≥5x json_normalize (100k)", "yes" if (ratio_peer or 0) >= 5 else "NO"
    if case.startswith("duckdb country-by-month") and n >= 1_000_000:
        return "< 1 s (1M)", "yes" if rate >= n else "NO"
    return "", ""


def versions() -> str:
    """Return the interpreter, libraries and machine this run used."""
    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    for dist in ("geotimeline", "msgspec", "attrs", "eventsourcing", "orjson", "pytest-benchmark"):
        with contextlib.suppress(PackageNotFoundError):
            parts.append(f"{dist} {version(dist)}")
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts.append(f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu})")
    return "; ".join(parts)


def render(benches: list[Any]) -> str:
    """Return the ratio table (Markdown) for the benchmarks of one run."""
    by_case: dict[tuple[str, int], Any] = {}
    for b in benches:
        by_case[(b.extra_info["case"], int(b.extra_info["n"]))] = b

    def rate_of(case: str | None, n: int) -> float | None:
        if case is None:
            return None
        bench = by_case.get((case, n))
        return None if bench is None else _rate(bench)

    ordered = sorted(benches, key=lambda b: (b.extra_info["case"], b.extra_info["n"]))
    out = [
        f"Machine and versions: {versions()}",
        "",
        "Rates are events/s from the best round; ratios are ours ÷ theirs from this run.",
        "",
    ]

    rows = []
    for b in ordered:
        info = b.extra_info
        if info["role"] != "ours" or info.get("vs_self"):
            continue  # vs_self cases are compared by time in the next table
        n, rate = int(info["n"]), _rate(b)
        peer, floor = rate_of(info.get("vs_peer"), n), rate_of(info.get("vs_floor"), n)
        store_floor = rate_of(info.get("vs_floor_store"), n)
        rp = rate / peer if peer else None
        rf = rate / floor if floor else None
        rs = rate / store_floor if store_floor else None
        target, ok = _target(info["case"], n, rp, rf, rate)
        rows.append(
            [
                info["case"],
                _fmt_n(n),
                _fmt_rate(rate),
                _fmt_rate(peer),
                _fmt_x(rp),
                _fmt_rate(floor),
                _fmt_x(rf),
                _fmt_x(rs),
                target,
                ok,
            ]
        )
    out += _table(
        [
            "case",
            "N",
            "ours ev/s",
            "peer ev/s",
            "x peer",
            "floor ev/s",
            "x floor",
            "x store floor",
            "target",
            "met",
        ],
        rows,
    )

    rows = []
    for b in ordered:
        info = b.extra_info
        other = info.get("vs_self")
        if not other or (other, int(info["n"])) not in by_case:
            continue
        base = by_case[(other, int(info["n"]))]
        speedup = float(base.stats.min) / float(b.stats.min)
        if info["case"].startswith("reopen"):
            target = "≥100x (1M)"
            ok = ("yes" if speedup >= 100 else "NO") if int(info["n"]) >= 1_000_000 else ""
        elif "first" in info["case"] or not info["case"].startswith("range query"):
            target, ok = "", ""  # issue 5's "100x a scan" is the range query's target alone
        else:
            target, ok = "≥100x", "yes" if speedup >= 100 else "NO"
        rows.append(
            [
                info["case"],
                _fmt_n(int(info["n"])),
                f"{b.stats.min * 1000:,.3f} ms",
                other,
                f"{base.stats.min * 1000:,.3f} ms",
                _fmt_x(speedup),
                target,
                ok,
            ]
        )
    if rows:
        out += [
            "",
            *_table(
                ["case", "N", "time", "compared with", "its time", "speed-up", "target", "met"],
                rows,
            ),
        ]

    rows = []
    for b in ordered:
        info = b.extra_info
        if info["role"] == "paired" and "ratio_median" in info:
            median, ratios = info["ratio_median"], info["ratios"]
            n = int(info["n"])
            target, need = _paired_target(str(info["case"]))
            ok = ("yes" if median >= need else "NO") if n >= 100_000 else ""
            rows.append(
                [
                    info["case"],
                    _fmt_n(n),
                    str(info["pairs"]),
                    _fmt_x(median),
                    f"{_fmt_x(ratios[0])} - {_fmt_x(ratios[-1])}",
                    target,
                    ok,
                ]
            )
    if rows:
        out += [
            "",
            *_table(
                ["case", "N", "pairs", "x (median)", "range", "target", "met"],
                rows,
            ),
        ]

    rows = []
    for b in ordered:
        info = b.extra_info
        if info["role"] == "memory" and "peak_mb" in info and "base_mb" in info:
            n = int(info["n"])
            ok = ("yes" if info["peak_mb"] < MB_LIMIT else "NO") if n >= 1_000_000 else ""
            rows.append(
                [
                    info["case"],
                    _fmt_n(n),
                    f"{info['peak_mb']:,.0f} MB",
                    f"{info['base_mb']:,.0f} MB",
                    "< 1,536 MB (1M)",
                    ok,
                ]
            )
    if rows:
        out += ["", *_table(["case", "N", "peak RSS", "after import", "target", "met"], rows)]

    rows = []
    exports: dict[str, dict[int, float]] = {}
    for b in ordered:
        info = b.extra_info
        own = info.get("export_mb", info.get("import_mb"))
        if own is not None:
            exports.setdefault(info["case"], {})[int(info["n"])] = own
            rows.append(
                [
                    info["case"],
                    _fmt_n(int(info["n"])),
                    f"{own:,.1f} MB",
                    f"{info['peak_mb']:,.0f} MB",
                ]
            )
    if rows:
        out += [
            "",
            *_table(["case", "N", "export's / import's own RSS growth", "process peak"], rows),
        ]
        for case, per_n in exports.items():
            if 100_000 in per_n and 1_000_000 in per_n:
                a, c = per_n[100_000], per_n[1_000_000]
                constant = abs(c - a) <= 0.1 * max(a, c, 1e-9) or max(a, c) < 5
                out.append(
                    f"{case}: 100k {a:.1f} MB vs 1M {c:.1f} MB: "
                    f"{'constant (within 10%)' if constant else 'NOT constant'}"
                )

    rows = []
    for b in ordered:
        info = b.extra_info
        if info["role"] in {"peer", "floor", "baseline", "info"}:
            rows.append(
                [
                    info["case"],
                    info["role"],
                    _fmt_n(int(info["n"])),
                    _fmt_rate(_rate(b)),
                    f"{b.stats.min * 1000:,.2f} ms",
                ]
            )
    if rows:
        out += ["", *_table(["reference case", "role", "N", "ev/s", "best time"], rows)]
    out += ["", "Command: " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else ""]
    return "\n".join(out)
