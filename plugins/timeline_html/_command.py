# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstring must not be a raw string.

"""``timeline view``: write the html export to a file and open it in the system browser."""

from __future__ import annotations

import os
import tempfile
import warnings
import webbrowser
from pathlib import Path
from typing import Any

import click

import timeline

from ._rows import DEFAULT_MODALITIES, GROUP_BY

__all__ = ["view"]


def _log_path(ctx: click.Context) -> str:
    """Return the log the user chose with ``timeline --db`` (or ``TIMELINE_DB``)."""
    db = ctx.find_root().params.get("db") or os.environ.get("TIMELINE_DB") or timeline.DEFAULT_PATH
    return str(db)


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    out = {k: params[k] for k in ("actor", "kind", "tag", "treaty") if params[k] is not None}
    if params["start"] is not None or params["end"] is not None:
        out["between"] = (params["start"], params["end"])
    if params["include_retracted"]:
        out["include_retracted"] = True
    as_of = params["as_of"]
    if as_of is not None:
        out["as_of"] = int(as_of) if as_of.strip().isdigit() else as_of.strip()
    return out


@click.command(name="view")
@click.option("--actor", help="Only events with this actor (country code, e.g. IND).")
@click.option("--kind", help="Only this kind; wildcards work (treaty.*).")
@click.option("--tag", help="Only events with this tag.")
@click.option("--treaty", help="Only events of this agreement (e.g. RELOS).")
@click.option("--from", "start", metavar="DATE", help="Only events on or after DATE.")
@click.option("--to", "end", metavar="DATE", help="Only events on or before DATE.")
@click.option("--include-retracted", is_flag=True, help="Also draw retracted events (struck).")
@click.option("--as-of", metavar="SEQ|TIME", help="As the log knew it then.")
@click.option(
    "--group-by",
    type=click.Choice(GROUP_BY),
    default="treaty",
    show_default=True,
    help="Rows: treaty (a treaty's life cycle on one row), kind, actor or none.",
)
@click.option(
    "--modalities",
    default=DEFAULT_MODALITIES,
    show_default=True,
    help="Comma-separated modalities to draw ('all' adds hypothetical and negated).",
)
@click.option("--title", default="geotimeline", show_default=True, help="The page's title.")
@click.option("-o", "--output", metavar="FILE", help="Write the page here (default: a temp file).")
@click.option("--no-open", is_flag=True, help="Write the page and print its path only.")
@click.pass_context
def view(
    ctx: click.Context,
    /,
    group_by: str,
    modalities: str,
    title: str,
    output: str | None,
    no_open: bool,
    **params: Any,
) -> None:
    """Draw the timeline in the system browser (a self-contained HTML page, offline).

    \b
    Examples:
        timeline view --treaty RELOS
        timeline view --group-by actor -o relos.html --no-open
    """
    db = _log_path(ctx)
    if db != ":memory:" and not Path(db).exists():
        raise timeline.TimelineError(f"no timeline at {db!r}; create one with 'timeline init'")
    if output is None:
        fd, output = tempfile.mkstemp(prefix="geotimeline-", suffix=".html")
        os.close(fd)
    options = {**_filters(params), "group_by": group_by, "modalities": modalities, "title": title}
    with warnings.catch_warnings(record=True) as caught, timeline.open(db) as tl:
        warnings.simplefilter("always")
        count = tl.export("html", output, **options).written
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)
    click.echo(f"drew {count} events in {output}", err=True)
    if not no_open and not webbrowser.open(Path(output).resolve().as_uri()):
        click.echo(f"warning: no browser could be opened; open {output} yourself", err=True)
