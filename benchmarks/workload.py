"""Deterministic benchmark workloads: the same seed gives the same log, byte for byte.

A workload of ``n`` records is a list of operations (record batches, amendments,
retractions) replayed through the public API. The clock is deterministic too, so
two builds of the same ``(n, seed)`` give identical records and hashes.

Built logs are cached under ``benchmarks/.cache/`` (override with
``BENCH_CACHE``), keyed by size and seed:

- ``log-{n}-{seed}.db``: the SQLite log, no snapshot.
- ``snap-{n}-{seed}.db``: the same records, with a snapshot saved 1,000 records
  before the end (the reopen case).
- ``log-{n}-{seed}.jsonl``: the same records as a JSON Lines log.
- ``flat-{n}-{seed}.jsonl``: each record flattened to one small JSON object (the
  fields the peer and the floors store); see ``flatten``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

import timeline

SEED = 20250218
#: Records per chunk: one ``record_many`` batch then its amendments and retractions.
CHUNK = 1000
#: Of each chunk: 5% amendments, 1% retractions, the rest new events.
AMENDS_PER_CHUNK = 50
RETRACTS_PER_CHUNK = 10
#: The reopen case: a snapshot this many records before the end of the log.
TAIL = 1000

CACHE = Path(os.environ.get("BENCH_CACHE") or Path(__file__).parent / ".cache")

KINDS = [k.name for k in timeline.BUILTIN_KINDS]
COUNTRY_POOL = [
    "RUS",
    "IND",
    "CHN",
    "USA",
    "FRA",
    "DEU",
    "GBR",
    "JPN",
    "BRA",
    "ZAF",
    "TUR",
    "IRN",
    "SAU",
    "ARE",
    "EGY",
    "NGA",
    "KEN",
    "ETH",
    "PAK",
    "IDN",
    "VNM",
    "KOR",
    "PRK",
    "AUS",
    "CAN",
    "MEX",
    "ARG",
    "UKR",
    "POL",
    "ISR",
    "QAT",
    "KAZ",
    "UZB",
    "MNG",
    "NOR",
    "SWE",
    "FIN",
    "ITA",
    "ESP",
    "GRC",
]
TAG_POOL = [
    "energy",
    "defence",
    "trade",
    "finance",
    "nuclear",
    "arms-control",
    "maritime",
    "space",
    "climate",
    "migration",
    "sanctions",
    "health",
]
WORDS = [
    "agreement",
    "cooperation",
    "defence",
    "treaty",
    "summit",
    "minister",
    "visit",
    "framework",
    "protocol",
    "signed",
    "capital",
    "maritime",
    "boundary",
    "customs",
    "energy",
    "pipeline",
    "talks",
    "delegation",
    "parliament",
    "ratification",
    "joint",
    "exercise",
    "naval",
    "strategic",
    "partnership",
    "security",
    "council",
    "memorandum",
    "understanding",
    "trade",
    "investment",
    "nuclear",
    "reactor",
    "grain",
    "corridor",
    "sanctions",
    "relief",
    "ceasefire",
    "monitoring",
    "mission",
    "border",
    "demarcation",
    "the",
    "of",
    "and",
    "on",
    "for",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    text = " ".join(words)[:length].strip()
    return text[0].upper() + text[1:]


def _when(rng: random.Random) -> str:
    """Return a date in one of the precisions a real timeline holds, with realistic odds."""
    year = rng.randint(1950, 2024)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    roll = rng.random()
    if roll < 0.45:
        return f"{year}-{month:02d}-{day:02d}"
    if roll < 0.65:
        return f"{year}-{month:02d}"
    if roll < 0.75:
        part = rng.choice(["early", "mid", "late"])
        return f"{part} {MONTHS[month - 1]} {year}"
    if roll < 0.85:
        return str(year)
    if roll < 0.95:
        if rng.random() < 0.7:  # a few months: found through the date index
            end_year, end_month = year + (month + 3) // 12, (month + 3) % 12 + 1
            return f"{year}-{month:02d}/{end_year}-{end_month:02d}"
        return f"{year}/{year + rng.randint(2, 6)}"  # years long: the index's side list
    hour, offset = rng.randint(0, 23), rng.choice(["+00:00", "+03:00", "-05:00", "+05:30"])
    return f"{year}-{month:02d}-{day:02d}T{hour:02d}:{rng.randint(0, 59):02d}:00{offset}"


def make_event(rng: random.Random) -> dict[str, Any]:
    """Return the fields of one realistic event, for ``Timeline.record_many``."""
    event_id = f"{rng.getrandbits(128):032x}"
    kind = rng.choice(KINDS)
    return {
        "id": event_id,
        "kind": kind,
        "when": _when(rng),
        "title": _text(rng, 60),
        "summary": _text(rng, 200),
        "actors": rng.sample(COUNTRY_POOL, rng.choice((2, 2, 3))),
        "sources": [f"https://example.org/{kind.replace('.', '/')}/{event_id[:16]}"],
        "tags": rng.sample(TAG_POOL, 2),
    }


#: One operation: ("record", [fields...]), ("amend", id, {changes}) or ("retract", id).
Op = tuple[Any, ...]


def operations(n: int, seed: int = SEED) -> list[Op]:
    """Return the operations that build a log of ``n`` records (a multiple of ``CHUNK``).

    Each chunk of 1,000 records is 940 new events in one batch, then 50 amendments
    and 10 retractions of random earlier live events.
    """
    return list(iter_operations(n, seed))


def iter_operations(n: int, seed: int = SEED) -> Iterator[Op]:
    """Yield the operations of ``operations(n, seed)`` one at a time (for logs too big to list)."""
    if n % CHUNK:
        raise ValueError(f"sizes are multiples of {CHUNK}, not {n}")
    rng = random.Random(seed)
    live: list[str] = []
    for _ in range(n // CHUNK):
        batch = [make_event(rng) for _ in range(CHUNK - AMENDS_PER_CHUNK - RETRACTS_PER_CHUNK)]
        yield ("record", batch)
        live.extend(e["id"] for e in batch)
        for _ in range(AMENDS_PER_CHUNK):
            target = rng.choice(live)
            if rng.random() < 0.5:
                yield ("amend", target, {"summary": _text(rng, 200)})
            else:
                yield ("amend", target, {"title": _text(rng, 60)})
        for _ in range(RETRACTS_PER_CHUNK):
            at = rng.randrange(len(live))
            live[at], live[-1] = live[-1], live[at]
            yield ("retract", live.pop(), {})


def streamed(n: int, seed: int = SEED, log: Callable[[str], None] = print) -> Path:
    """Build (or find in the cache) a SQLite log of ``n`` records, streaming its operations.

    Only the log is written (no peer files, no snapshot), so a 10M-record log is built
    in constant memory; the same operations as ``build``'s, so ``live_events`` holds.
    """
    built = paths(n, seed).sqlite
    if built.exists():
        return built  # the same operations, already built with the peer's files
    path = CACHE / f"streamed-{n}-{seed}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.db")
    for extra in ("", "-wal", "-shm"):
        Path(f"{tmp}{extra}").unlink(missing_ok=True)
    import time

    started = time.perf_counter()
    with timeline.open(tmp, clock=Clock(), snapshot_every=0) as tl:
        apply(tl, iter_operations(n, seed))
    # Closed, so the WAL is folded in: renamed, not copied (a 10M-record log is ~20 GB).
    os.replace(tmp, path)
    for extra in ("-wal", "-shm"):
        Path(f"{tmp}{extra}").unlink(missing_ok=True)
    log(f"[bench] built streamed log n={n:,} in {time.perf_counter() - started:.1f}s")
    return path


def live_events(n: int) -> int:
    """Return how many live (not retracted) events a log of ``n`` records holds."""
    return n // CHUNK * (CHUNK - AMENDS_PER_CHUNK - 2 * RETRACTS_PER_CHUNK)


def op_records(op: Op) -> int:
    """Return how many log records an operation appends."""
    return len(op[1]) if op[0] == "record" else 1


class Clock:
    """A deterministic clock: 1 ms after 2025-01-01 per call, from ``step``."""

    START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)

    def __init__(self, step: int = 0) -> None:
        self.step = step

    def __call__(self) -> dt.datetime:
        self.step += 1
        return self.START + dt.timedelta(milliseconds=self.step)


def apply(tl: timeline.Timeline, ops: Iterable[Op]) -> None:
    """Replay operations into a timeline through its public API."""
    for op in ops:
        if op[0] == "record":
            tl.record_many(op[1])
        elif op[0] == "amend":
            tl.amend(op[1], reason="benchmark correction", **op[2])
        else:
            tl.retract(op[1], reason="benchmark retraction")


def split_tail(ops: list[Op], tail: int = TAIL) -> tuple[list[Op], list[Op]]:
    """Split operations so the second part appends the last ``tail`` records."""
    total = sum(op_records(op) for op in ops)
    count = 0
    for i, op in enumerate(ops):
        if count >= total - tail:
            return ops[:i], ops[i:]
        count += op_records(op)
    return ops, []


class Paths(msgspec.Struct, frozen=True):
    """The cached files of one workload."""

    n: int
    seed: int
    sqlite: Path
    snapshot: Path
    jsonl: Path
    flat: Path


def paths(n: int, seed: int = SEED) -> Paths:
    """Return where the cached files of workload ``(n, seed)`` live."""
    return Paths(
        n,
        seed,
        CACHE / f"log-{n}-{seed}.db",
        CACHE / f"snap-{n}-{seed}.db",
        CACHE / f"log-{n}-{seed}.jsonl",
        CACHE / f"flat-{n}-{seed}.jsonl",
    )


def _readable(p: Paths) -> bool:
    """Return whether this library version still opens the cached logs (the format may change)."""
    try:
        for path in (p.sqlite, p.snapshot):
            timeline.SqliteStore(path).close()
    except timeline.TimelineError:
        return False
    return True


def _snapshot_again(path: Path, log: Callable[[str], None]) -> None:
    """Take the snapshot of a cached log again where the state's snapshot version changed.

    The log stays as built (a snapshot and then its tail); only the snapshot, at the
    same seq, is written in the current format, which costs one replay, not a rebuild.
    """
    import sqlite3

    from timeline._projection import CurrentState
    from timeline._snapshot import bind

    with sqlite3.connect(path) as db:
        versions = dict(db.execute("SELECT version, seq FROM snapshots WHERE name = 'current'"))
    db.close()
    if not versions or CurrentState.version in versions:
        return
    seq = max(versions.values())
    log(f"[bench] {path.name}: taking its snapshot at seq {seq:,} again (state version changed)")
    store = timeline.SqliteStore(path)
    try:
        state = CurrentState(store)
        state.fold(store.read_hot(until=seq))
        data = bind(seq, store.record_hash(seq) or "", *state.body())
        store.save_snapshot(CurrentState.name, CurrentState.version, seq, data)
    finally:
        store.close()


def _copy_db(src: Path, dest: Path) -> None:
    # Through SQLite's backup API, so the WAL is folded in and the copy is consistent.
    import sqlite3

    dest.unlink(missing_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dest) as b:
        a.backup(b)
    a.close()
    b.close()


def build(n: int, seed: int = SEED, log: Callable[[str], None] = print) -> Paths:
    """Build (or find in the cache) every file of workload ``(n, seed)``."""
    p = paths(n, seed)
    if all(f.exists() for f in (p.sqlite, p.snapshot, p.jsonl, p.flat)):
        if _readable(p):
            _snapshot_again(p.snapshot, log)
            _hot_again(p.jsonl, log)
            return p
        log(f"[bench] cached logs of n={n:,} are in an older log format: rebuilding")
        clear(n, seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    import time

    started = time.perf_counter()
    head, tail = split_tail(operations(n, seed))
    tmp_log, tmp_snap = p.sqlite.with_suffix(".tmp.db"), p.snapshot.with_suffix(".tmp.db")
    for f in (tmp_log, tmp_snap):
        for extra in ("", "-wal", "-shm"):
            Path(f"{f}{extra}").unlink(missing_ok=True)
    clock = Clock()
    with timeline.open(tmp_log, clock=clock, snapshot_every=0) as tl:
        apply(tl, head)
    step = clock.step
    _copy_db(tmp_log, tmp_snap)
    with timeline.open(tmp_snap, clock=Clock(step), snapshot_every=0) as tl:
        tl.snapshot()
        apply(tl, tail)
    with timeline.open(tmp_log, clock=Clock(step), snapshot_every=0) as tl:
        apply(tl, tail)
        _write_jsonl(tl, p.jsonl)
        _write_flat(tl, p.flat)
    _copy_db(tmp_log, p.sqlite)
    _copy_db(tmp_snap, p.snapshot)
    for f in (tmp_log, tmp_snap):
        for extra in ("", "-wal", "-shm"):
            Path(f"{f}{extra}").unlink(missing_ok=True)
    log(f"[bench] built workload n={n:,} seed={seed} in {time.perf_counter() - started:.1f}s")
    return p


def _write_jsonl(tl: timeline.Timeline, dest: Path) -> None:
    # The same records as a JSON Lines log. A JsonlStore line is exactly a RawRecord
    # encoded in field order (the payload bytes embedded as stored), so the copy is
    # checked below by opening it and walking its hash chain, not trusted.
    tmp = dest.with_suffix(".tmp.jsonl")
    encode = msgspec.json.encode
    with tmp.open("wb") as f:
        for raw in tl.store.read_raw():
            f.write(encode(raw) + b"\n")
    with timeline.open(tmp, snapshot_every=0) as copy:
        report = copy.verify()
        if not report.ok or copy.seq != tl.seq or len(copy) != len(tl):
            raise RuntimeError(f"the JSON Lines copy of {tl.store.location} differs: {report}")
    lock = Path(f"{tmp}.lock")
    lock.unlink(missing_ok=True)
    tmp.replace(dest)
    # Opening the copy wrote its hot file (as the store keeps one beside every log it
    # writes): the lines are the same bytes, so it moves with them.
    kept = Path(f"{dest}.snapshots")
    shutil.rmtree(kept, ignore_errors=True)
    if Path(f"{tmp}.snapshots").exists():
        Path(f"{tmp}.snapshots").replace(kept)


def _hot_again(path: Path, log: Callable[[str], None]) -> None:
    """Give a cached JSON Lines log the hot file the store keeps beside it, if it has none."""
    if Path(f"{path}.snapshots", "hot").exists():
        return
    log(f"[bench] {path.name}: writing its hot file (one replay from the lines)")
    with timeline.open(path, snapshot_every=0) as tl:
        len(tl)


class Flat(msgspec.Struct, gc=False):
    """One record flattened to the fields the peer and the floors store."""

    seq: int
    stream: str
    version: int
    type: str
    kind: str = ""
    when: str = ""
    earliest: str = ""
    latest: str = ""
    title: str = ""
    summary: str = ""
    actors: list[str] = []
    sources: list[str] = []
    tags: list[str] = []
    reason: str = ""


def flatten(record: timeline.Record) -> Flat:
    """Return the flat form of a record: the content without nested objects."""
    event = record.event
    reason = record.payload.reason or ""
    if event is None:
        return Flat(record.seq, record.stream, record.version, record.type.value, reason=reason)
    return Flat(
        record.seq,
        record.stream,
        record.version,
        record.type.value,
        kind=event.kind,
        when=event.when.edtf,
        earliest=event.when.earliest.isoformat(),
        latest=event.when.latest.isoformat(),
        title=event.title,
        summary=event.summary,
        actors=[a.country for a in event.actors],
        sources=[s.url for s in event.sources],
        tags=list(event.tags),
        reason=reason,
    )


def _write_flat(tl: timeline.Timeline, dest: Path) -> None:
    tmp = dest.with_suffix(".tmp")
    encode = msgspec.json.encode
    with tmp.open("wb") as f:
        for record in tl.store.read():
            f.write(encode(flatten(record)) + b"\n")
    tmp.replace(dest)


def flat_lines(p: Paths) -> list[bytes]:
    """Return the flat records of a workload as JSON lines (no newline)."""
    return p.flat.read_bytes().splitlines()


def flat_dicts(p: Paths) -> Iterator[dict[str, Any]]:
    """Yield the flat records of a workload as dicts."""
    decode = msgspec.json.decode
    for line in flat_lines(p):
        yield decode(line)


def clear(n: int, seed: int = SEED) -> None:
    """Remove the cached files of a workload."""
    p = paths(n, seed)
    for f in (p.sqlite, p.snapshot, p.jsonl, p.flat):
        f.unlink(missing_ok=True)
    for f in CACHE.glob(f"*-{n}-{seed}.sqlite"):
        f.unlink()  # the peer's and the floor's copies
    shutil.rmtree(f"{p.jsonl}.snapshots", ignore_errors=True)


def kept_arrow(p: Paths, log: Callable[[str], None] = print) -> Path:
    """Return a copy of the SQLite log whose Arrow table was kept before a 1,000-event tail.

    Built once and cached: the copy's ``tl.events().to_arrow()`` keeps the table
    (``docs/analytics.md``, "The kept table"), then 1,000 more events are recorded,
    dated like the workload's (so most fall into ties of kept events). Rebuilt when
    this version no longer reads the kept table (its format changed).
    """
    import random

    dest = CACHE / f"kept-{p.n}-{p.seed}.db"
    if dest.exists() and _reads_kept(dest):
        return dest
    import time

    started = time.perf_counter()
    tmp = dest.with_suffix(".tmp.db")
    _copy_db(p.sqlite, tmp)
    with timeline.open(tmp, clock=Clock(10**9), snapshot_every=0) as tl:
        tl.events().to_arrow()
        rng = random.Random(SEED + 1)
        tl.record_many([make_event(rng) for _ in range(TAIL)])
    _copy_db(tmp, dest)
    for extra in ("", "-wal", "-shm"):
        Path(f"{tmp}{extra}").unlink(missing_ok=True)
    took = time.perf_counter() - started
    log(f"[bench] kept the Arrow table of n={p.n:,}, then a 1k tail, in {took:.1f}s")
    return dest


def _reads_kept(path: Path) -> bool:
    """Return whether this version reads the kept Arrow table of a cached log."""
    from timeline._arrow import events_schema
    from timeline._keptarrow import ArrowKeeping
    from timeline._results import log_point

    try:
        with timeline.open(path, snapshot_every=0) as tl:
            schema = events_schema(log_point(tl))
            return ArrowKeeping().load(tl.store, len(tl), schema) is not None
    except timeline.TimelineError:
        return False


def clustered_store(p: Paths, kind: str = "sqlite", log: Callable[[str], None] = print) -> Path:
    """Return a copy of the log (``kind``: sqlite or jsonl) that keeps the clustered copy.

    Built once from the cached log and cached; its copy is made by the store itself
    (``cluster=True``). A JSON Lines log is copied with its caches (the hot file), as
    the plain side reads it.
    """
    import shutil
    import time

    suffix = "sqlite" if kind == "sqlite" else "jsonl"
    dest = CACHE / f"clustered-store-{p.n}-{p.seed}.{suffix}"
    if dest.exists():
        return dest
    started = time.perf_counter()
    tmp = dest.with_suffix(f".tmp.{suffix}")
    tmp.unlink(missing_ok=True)
    if kind == "sqlite":
        shutil.copyfile(p.sqlite, tmp)
        timeline.SqliteStore(tmp, cluster=True).close()
    else:
        caches = Path(f"{tmp}.snapshots")
        shutil.rmtree(caches, ignore_errors=True)
        shutil.copyfile(p.jsonl, tmp)
        if Path(f"{p.jsonl}.snapshots").is_dir():
            shutil.copytree(f"{p.jsonl}.snapshots", caches)
        timeline.JsonlStore(tmp, cluster=True).close()
        shutil.rmtree(f"{dest}.snapshots", ignore_errors=True)
        caches.rename(f"{dest}.snapshots")
    tmp.replace(dest)
    Path(f"{tmp}.lock").unlink(missing_ok=True)
    log(
        f"[bench] kept the clustered copy of the {kind} log of n={p.n:,}"
        f" in {time.perf_counter() - started:.1f}s"
    )
    return dest


#: Room between two neighbours' keys in the clustered copy, where new events go.
CLUSTER_GAP = 1 << 20


def clustered(p: Paths, log: Callable[[str], None] = print) -> Path:
    """Return a copy of every live event, clustered in exact timeline order (a design probe).

    Not a store: the measure of the one design that lifts a walk past the floor of a
    log kept in seq order. An SQLite table keyed by the event's place in timeline
    order (``key``: its position times ``CLUSTER_GAP``, big-endian, so new events fit
    between two) holds the event as msgpack, so a walk is one sequential scan that
    decodes each event once, with no fetch by seq and no tie to sort. Built once from
    a walk of the SQLite log and cached.
    """
    import sqlite3
    import time

    dest = CACHE / f"clustered-{p.n}-{p.seed}.sqlite"
    if dest.exists():
        return dest
    started = time.perf_counter()
    tmp = dest.with_suffix(".tmp.sqlite")
    tmp.unlink(missing_ok=True)
    encode = msgspec.msgpack.Encoder().encode
    with timeline.open(p.sqlite, snapshot_every=0) as tl, sqlite3.connect(tmp) as db:
        db.execute("CREATE TABLE events (key BLOB PRIMARY KEY, event BLOB NOT NULL) WITHOUT ROWID")
        rows = (
            (((i + 1) * CLUSTER_GAP).to_bytes(8, "big"), encode(e))
            for i, e in enumerate(tl.events())
        )
        db.executemany("INSERT INTO events VALUES (?, ?)", rows)
    db.close()
    tmp.replace(dest)
    log(f"[bench] clustered the live events of n={p.n:,} in {time.perf_counter() - started:.1f}s")
    return dest
