"""Commands about the log and the installation: verify, head, replay, plugins, kinds, demo."""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from .._errors import PluginError, TimelineError
from .._logfile import verify_log
from .._plugins import PluginHost
from .._projection import CurrentState
from .._timeline import open_timeline
from . import _common
from ._common import (
    EVENT_HEADER,
    TITLE_COLUMN,
    CliState,
    describe_options,
    event_rows,
    open_db,
    render_table,
    state,
)

__all__ = ["COMMANDS"]


@click.command()
@click.option(
    "--expect",
    metavar="SEQ:HASH",
    help="A head printed by 'timeline head' earlier: the log must still contain it.",
)
@click.pass_context
def verify(ctx: click.Context, /, expect: str | None) -> None:
    """Check the hash chain: is the log exactly what was appended.

    Exits with status 1 and names the first bad record when it is not. Works on
    a log too damaged to open. With --expect, a log cut back or with its last
    records rewritten (which leaves a valid chain) is reported too.

    \b
    Example:
        timeline verify --expect 21:24b4c756...
    """
    with contextlib.ExitStack() as bars:

        def progress(rows: Iterator[Any], count: int) -> Iterable[Any]:
            # On a terminal only: a million records take about 13 s.
            bar = click.progressbar(rows, length=count, label="verifying", file=sys.stderr)
            return bars.enter_context(bar)

        wanted = _common.progress_wanted()
        report = verify_log(state(ctx).db, expect=expect, progress=progress if wanted else None)
    for repair in report.repairs:
        click.echo(f"warning: {repair}", err=True)
    if not report.ok:
        raise TimelineError(str(report))
    click.echo(str(report))


@click.command()
@click.pass_context
def head(ctx: click.Context) -> None:
    """Print the log's head as SEQ:HASH, to publish or commit.

    Anyone holding it can later run 'timeline verify --expect SEQ:HASH' to see
    that the log still contains that record unchanged (not truncated, not rewritten).

    \b
    Example:
        timeline head
    """
    click.echo(str(open_db(ctx).head()))


@click.command()
@click.option("--stats", is_flag=True, help="Print records, events, time and records/s.")
@click.pass_context
def replay(ctx: click.Context, /, stats: bool) -> None:
    """Rebuild the current state from the whole log (as opening a log does).

    \b
    Example:
        timeline replay --stats
    """
    tl = open_db(ctx)
    head = tl.store.head()
    projection = CurrentState()
    started = time.perf_counter()
    if _common.progress_wanted():
        with click.progressbar(
            tl.store.read(), length=head, label="replaying", file=sys.stderr
        ) as records:
            for record in records:
                projection.apply(record)
    else:
        tl.replay(projection)
    elapsed = time.perf_counter() - started
    if not stats:
        click.echo(f"replayed {projection.seq} records")
        return
    rate = projection.seq / elapsed if elapsed > 0 else float("inf")
    click.echo(f"records:   {projection.seq}")
    click.echo(f"events:    {len(projection)} current, {projection.retracted_count} retracted")
    click.echo(f"time:      {elapsed:.3f} s")
    click.echo(f"records/s: {rate:,.0f}")


def _listing_host(st: CliState) -> tuple[PluginHost, list[dict[str, Any]]]:
    host = st.plugins()
    try:
        return host, host.plugins_info()
    except PluginError:
        # Strict mode stops at the first broken plugin; the listing must still show them all.
        relaxed = host.relaxed()
        return relaxed, relaxed.plugins_info()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON listing.")
@click.pass_context
def plugins(ctx: click.Context, /, as_json: bool) -> None:
    """List the installed plugins, where they come from, their hooks and errors.

    Works even when a plugin is broken: it is listed with its error.

    \b
    Example:
        timeline plugins --json
    """
    host, info = _listing_host(state(ctx))
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    rows = [
        [
            p["name"],
            p["version"] or "",
            p["source"],
            p["distribution"] or "",
            ", ".join(h.removeprefix("timeline_") for h in p["hooks"]),
        ]
        for p in info
    ]
    click.echo(render_table(["NAME", "VERSION", "SOURCE", "DISTRIBUTION", "HOOKS"], rows, wrap=4))
    for p in info:
        if p["error"]:
            click.echo(f"error in plugin {p['name']}: {p['error']}")
    for what, found in (
        ("exporter", host.exporters()),
        ("importer", host.importers()),
        ("analysis", host.analyses()),
    ):
        for name, ext in sorted(found.items()):
            owner = host.owner(what, name)
            click.echo(f"\n{what} {name} ({owner}): {ext.description}")
            for line in describe_options(ext.options):
                click.echo(f"    {line}")


@click.command()
@click.pass_context
def kinds(ctx: click.Context) -> None:
    """List the event kinds this timeline accepts, with their CAMEO and PLOVER codes.

    \b
    Example:
        timeline kinds
    """
    tl = open_timeline(":memory:", plugins=state(ctx).plugins())
    rows = [
        [
            k.name,
            "/".join(c for c in (k.cameo, k.cameo_host) if c),  # a visit: 042/043
            " ".join(p for p in (k.plover, k.plover_mode and f"mode={k.plover_mode}") if p),
            ",".join(k.plover_context),
            k.description,
        ]
        for k in tl.kinds
    ]
    header = ["KIND", "CAMEO", "PLOVER", "CONTEXT", "DESCRIPTION"]
    click.echo(render_table(header, rows, wrap=4))


def _remove_log(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        p.unlink(missing_ok=True)


def _demo_path(ctx: click.Context, given: str | None) -> Path:
    """Return the demo log: demo's own --db, else the global --db / TIMELINE_DB, else demo.db."""
    if given is not None:
        return Path(given)
    source = ctx.find_root().get_parameter_source("db")
    chosen = source in {ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT}
    return Path(state(ctx).db if chosen else "demo.db")


def _check_replaceable(path: Path, sample_ids: set[str]) -> None:
    """Refuse to replace a log that holds anything but the sample (it may be the user's).

    Raises:
        TimelineError: the file exists and is not an earlier demo (or an empty log).

    """
    if not path.exists():
        return
    try:
        with open_timeline(path) as old:
            ids = {r.stream for r in old.records(include_retracted=True)}
    except TimelineError:
        ids = {"?"}  # not a readable log: not ours to delete
    if not ids <= sample_ids:
        raise TimelineError(
            f"demo would replace {str(path)!r}, which is not an earlier demo; "
            "give demo a new file with --db"
        )


@click.command()
@click.option(
    "--db",
    "db_path",
    default=None,
    show_default="the global --db or TIMELINE_DB, else demo.db",
    metavar="PATH",
    help="The SQLite file to create (replaced if it holds an earlier demo).",
)
@click.pass_context
def demo(ctx: click.Context, /, db_path: str | None) -> None:
    """Load the sample RELOS dataset, export demo.ics and demo.csv, print the timeline.

    The files are written beside the database; the database is made afresh each run
    (a file that holds anything but the sample is never replaced).

    \b
    Example:
        timeline demo --db samples/demo.db
    """
    try:
        from .. import datasets
    except ImportError:  # pragma: no cover - only while the datasets package is missing
        raise TimelineError("the sample datasets are not installed") from None
    st = state(ctx)
    path = _demo_path(ctx, db_path)
    if path.suffix.lower() not in {".db", ".sqlite", ".sqlite3"}:
        raise TimelineError(f"demo writes a SQLite file: {str(path)!r} should end in .db")
    sample_ids = {e.id for e in datasets.load("relos").events(include_retracted=True)}
    _check_replaceable(path, sample_ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_log(path)
    host = st.plugins()
    clock = st.clock or datasets.sample_clock()
    tl = ctx.with_resource(open_timeline(path, clock=clock, plugins=host))
    datasets.load("relos", into=tl)
    written = []
    for fmt, suffix in (("ics", ".ics"), ("csv", ".csv")):
        target = path.with_suffix(suffix)
        report = tl.export(fmt, target)
        written.append(report.describe(flags=True, dest=str(target)))
    records = tl.records(tl.filter())
    click.echo(render_table(EVENT_HEADER, event_rows(tl, records, log=tl), wrap=TITLE_COLUMN))
    click.echo(f"\n{len(tl)} events in {path}", err=True)
    for line in written:
        click.echo(line, err=True)


@click.command()
@click.argument("setting", type=click.Choice(["on", "off", "status"]), default="status")
@click.pass_context
def cluster(ctx: click.Context, /, setting: str) -> None:
    """Keep (on) or drop (off) a log's copy of its events in timeline order.

    With the copy, a walk of every event in Python ('for e in tl.events()',
    an export of the whole log) scans it instead of reading each record: about
    twice as fast on a large log. Each append then also writes the copy (an
    import takes two to three times as long) and the log needs about a third
    more disk (a JSON Lines log keeps the copy among its caches, in
    <file>.snapshots/clustered.db). 'status' prints "on", "off", or "stale" (left behind by a writer
    that did not keep it; 'cluster on' brings it up to date).

    \b
    Example:
        timeline cluster on
    """
    tl = open_db(ctx)
    store = tl.store
    if setting != "status":
        store.keep_clustered(setting == "on")
    click.echo(f"clustered copy: {store.clustered}")


COMMANDS = [verify, head, replay, plugins, kinds, demo, cluster]
