"""Commands that move events in and out: import, export, analyze."""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click

from .._errors import ImportFailed, InvalidOption, TimelineError
from .._exportreport import NothingToExport
from .._extensions import Analysis, Importer, ImportReport
from .._files import log_files, open_destination
from .._records import Record
from .._timeline import Timeline
from . import _common
from ._common import (
    ProgressReader,
    UsageProblem,
    file_size,
    filter_options,
    filters_from,
    one_line,
    open_db,
    os_message,
    parse_options,
    render_table,
    split_files,
    state,
)

__all__ = ["COMMANDS"]

_EXTRA = {"ignore_unknown_options": True, "allow_extra_args": True}
_OPTION = click.option(
    "--option",
    "-O",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An option of the plugin (repeatable); its own flags work too (--dialect google).",
)


@click.command(name="import", context_settings=_EXTRA)
@click.argument("format_name", metavar="FORMAT")
@click.argument("tokens", metavar="FILE...", nargs=-1)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Record the good rows and report the bad ones (default: all or nothing per file).",
)
@click.option(
    "--amend/--no-amend",
    default=None,
    help="Whether rows that changed since an earlier import amend their events "
    "(default: the importer's; ics amends, the others report them).",
)
@_OPTION
@click.pass_context
def import_(
    ctx: click.Context,
    format_name: str,
    tokens: tuple[str, ...],
    skip_invalid: bool,
    amend: bool | None,
    pairs: tuple[str, ...],
) -> None:
    """Import events from files with the importer called FORMAT (csv, jsonl, gdelt, ...).

    All or nothing per file: one bad row and nothing of that file is recorded,
    unless --skip-invalid. Each file is reported, then (for several) the total;
    the exit status is 1 if any file failed. Importing a file again changes
    nothing: its rows are counted as already present.

    \b
    Examples:
        timeline import csv events.csv --skip-invalid
        timeline import gdelt 20251205*.export.CSV.zip --actor IND --root-only
    """
    importer = state(ctx).plugins().importer(format_name)
    files, flags = split_files([*tokens, *ctx.args], importer.options)
    if not files:
        raise UsageProblem("give at least one FILE to import")
    options = parse_options(f"importer {format_name}", importer.options, pairs, flags)
    importer.check_options(options)  # a bad option is one error, not one per file
    tl = open_db(ctx)
    total = _Total()
    for path in files:
        try:
            report = _import(tl, importer, path, skip_invalid, amend, options)
        except InvalidOption:
            raise  # the options, not this file: the same for every file
        except ImportFailed as exc:
            for problem in exc.problems:
                click.echo(f"error: {path}: {problem}", err=True)
            count = len(exc.problems)
            rows = "1 bad row" if count == 1 else f"{count} bad rows"
            said = f"{path}: {rows}; nothing was recorded" if count else one_line(exc)
            click.echo(f"error: {said}", err=True)
            total.failed += 1
            continue
        except TimelineError as exc:
            click.echo(f"error: {one_line(exc)}", err=True)
            total.failed += 1
            continue
        except OSError as exc:
            click.echo(f"error: {os_message(exc)}", err=True)
            total.failed += 1
            continue
        for problem in report.problems:
            click.echo(f"warning: {path}: skipped {problem}", err=True)
        if report.changed:
            click.echo(f"warning: {path}: {_changed(report.changed)}", err=True)
        click.echo(f"imported {_counts(report)} from {path}")
        total.add(report)
    if len(files) > 1:
        failed = f"; {total.failed} of {len(files)} files failed" if total.failed else ""
        click.echo(f"total: imported {total.counts()} from {len(files)} files{failed}")
    if total.failed:
        ctx.exit(1)


class _Total:
    """What several files' imports did, added up."""

    def __init__(self) -> None:
        self.recorded = self.present = self.amended = self.changed = self.failed = 0

    def add(self, report: ImportReport) -> None:
        """Add one file's report."""
        self.recorded += report.recorded
        self.present += report.present
        self.amended += report.amended
        self.changed += len(report.changed)

    def counts(self) -> str:
        """Say what the imports did together (as ``_counts``)."""
        return _said(self.recorded, self.present, self.amended, self.changed)


def _counts(report: ImportReport) -> str:
    """Say what an import did: ``3 events (2 already present, 1 amended)``."""
    return _said(report.recorded, report.present, report.amended, len(report.changed))


def _said(recorded: int, present: int, amended: int, changed: int) -> str:
    """Say the counts of an import report, leaving out those that are zero."""
    events = "1 event" if recorded == 1 else f"{recorded} events"
    more = [
        f"{n} {what}"
        for n, what in (
            (present, "already present"),
            (amended, "amended"),
            (changed, "changed, left as they were"),
        )
        if n
    ]
    return f"{events} ({', '.join(more)})" if more else events


def _changed(ids: tuple[str, ...]) -> str:
    """Say which rows differ from the log's events and were left alone (the first ten)."""
    shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    rows = "1 row differs" if len(ids) == 1 else f"{len(ids)} rows differ"
    return (
        f"{rows} from the events already in the log, left as they were ({shown}); "
        "--amend amends them"
    )


def _import(
    tl: Timeline,
    importer: Importer,
    path: str,
    skip_invalid: bool,
    amend: bool | None,
    options: dict[str, Any],
) -> ImportReport:
    """Run the import, with a progress bar over the file's bytes on a terminal."""
    with contextlib.ExitStack() as stack:
        source: Any = path
        if _common.progress_wanted():
            mode = "rb" if importer.binary else "r"
            kwargs: dict[str, Any] = (
                {} if importer.binary else {"encoding": "utf-8-sig", "newline": ""}
            )
            stream = stack.enter_context(open(path, mode, **kwargs))
            bar = stack.enter_context(
                click.progressbar(length=file_size(path), label="importing", file=sys.stderr)
            )
            source = ProgressReader(stream, bar)
        return tl.import_file(importer, source, skip_invalid=skip_invalid, amend=amend, **options)


@click.command(context_settings=_EXTRA)
@click.argument("format_name", metavar="FORMAT")
@click.option("-o", "--output", metavar="FILE", help="Write here (default: standard output).")
@filter_options
@_OPTION
@click.pass_context
def export(
    ctx: click.Context,
    /,
    format_name: str,
    output: str | None,
    pairs: tuple[str, ...],
    **params: Any,
) -> None:
    """Export events with the exporter called FORMAT (ics, csv, json, ...).

    \b
    Examples:
        timeline export ics -o relos.ics --treaty RELOS
        timeline export csv --dialect google -o google.csv
    """
    exporter = state(ctx).plugins().exporter(format_name)
    options = {
        **filters_from(params),
        **parse_options(f"exporter {format_name}", exporter.options, pairs, ctx.args),
    }
    tl = open_db(ctx)
    dest: Any = output if output is not None else sys.stdout
    if output is None:
        sys.stdout.flush()
    with contextlib.ExitStack() as bars:

        def progress(records: Iterator[Record], count: int) -> Iterable[Record]:
            # Drawn while the exporter walks the records (a terminal only; not over stdout).
            bar = click.progressbar(
                records, length=count, label=f"exporting {format_name}", file=sys.stderr
            )
            return bars.enter_context(bar)

        wanted = _common.progress_wanted() and output is not None
        try:
            report = tl.export(exporter, dest, progress=progress if wanted else None, **options)
        except NothingToExport as empty:
            raise TimelineError(empty.describe(flags=True)) from None
    if output is None:
        sys.stdout.flush()
    # What was written and what was left out, on stderr (stdout may be the export);
    # an export to stdout says it only when it left something out.
    if output is not None or report.skipped:
        click.echo(report.describe(flags=True, dest=output), err=True)


@click.command(context_settings=_EXTRA)
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "graphml"]),
    default="table",
    show_default=True,
    help="How to print the result (graphml: analyses that draw a graph, such as network).",
)
@click.option("-o", "--output", metavar="FILE", help="Write here (default: standard output).")
@filter_options
@_OPTION
@click.pass_context
def analyze(
    ctx: click.Context,
    /,
    name: str,
    fmt: str,
    output: str | None,
    pairs: tuple[str, ...],
    **params: Any,
) -> None:
    """Run the analysis called NAME and print its result.

    See 'timeline plugins' for the analyses and their options.

    \b
    Examples:
        timeline analyze lifecycle --treaty RELOS --format json
        timeline analyze network --format graphml -o network.graphml
    """
    analysis = state(ctx).plugins().analysis(name)
    # Any analysis offering to_graphml(result, path_or_file) can be drawn, not only network.
    draw = getattr(analysis, "to_graphml", None)
    if fmt == "graphml" and draw is None:
        raise UsageProblem(f"analysis {name} has no graphml output (use table, csv or json)")
    options = {
        **filters_from(params),
        **parse_options(f"analysis {name}", analysis.options, pairs, ctx.args),
    }
    tl = open_db(ctx)
    with contextlib.ExitStack() as bars:

        def progress(records: Iterator[Record], count: int) -> Iterable[Record]:
            # Drawn while the analysis walks the records (a terminal only), as export's.
            bar = click.progressbar(
                records, length=count, label=f"analyzing {name}", file=sys.stderr
            )
            return bars.enter_context(bar)

        wanted = _common.progress_wanted()
        result = tl.analyze(analysis, progress=progress if wanted else None, **options)
    graphml = draw is not None and fmt == "graphml"
    with contextlib.ExitStack() as stack:
        # The same checks as an export's: never over the log, a FIFO written in place.
        out: Any = sys.stdout
        if output is not None:
            protect = log_files(tl.store.location)
            out = stack.enter_context(open_destination(output, graphml, protect))
        with tl.plugins.running(analysis):  # the plugin's own rendering may fail too
            if graphml:
                assert draw is not None
                draw(result, out)
            else:
                text = _render(analysis, result, fmt)
                if output is None:
                    click.echo(text)
                else:
                    out.write(text + "\n")
    if output is not None:
        click.echo(f"wrote the {name} analysis as {fmt} to {output}", err=True)


def _render(analysis: Analysis, result: Any, fmt: str) -> str:
    """Return an analysis result as a table, CSV or JSON text (without a final newline)."""
    if fmt == "json":
        return json.dumps(analysis.to_json(result), indent=2, ensure_ascii=False)
    header, rows = analysis.table(result)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().removesuffix("\n")
    return render_table(header, rows)


COMMANDS = [import_, export, analyze]
