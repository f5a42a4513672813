"""The ``search`` command: events whose texts hold words, best match first."""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

from typing import Any

import click

from ._common import (
    UsageProblem,
    filter_options,
    filters_from,
    open_db,
    render_table,
)

__all__ = ["COMMANDS"]


@click.command()
@click.argument("words", nargs=-1, required=True, metavar="TEXT...")
@filter_options
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, metavar="N",
    help="At most N events.",
)  # fmt: skip
@click.pass_context
def search(ctx: click.Context, /, words: tuple[str, ...], limit: int, **params: Any) -> None:
    """Find events by the words of their title, summary, location and sources, best first.

    Every word must be there, in any case and with or without accents; quote a
    phrase ('"naval base"'); OR, NOT and a prefix (port*) work too.

    \b
    Example:
        timeline search logistics agreement
        timeline search '"reciprocal exchange"' --actor IND --limit 5
    """
    filters = filters_from(params)
    as_of = filters.pop("as_of", None)
    if "text" in filters:
        raise UsageProblem("give the words once, as TEXT (not --text as well)", ctx)
    text = " ".join(words)
    tl = open_db(ctx)
    view: Any = tl if as_of is None else tl.as_of(as_of)
    hits = view.search(text, limit=limit, **filters)
    if not hits:
        click.echo("no events", err=True)
        return
    shown = [h.event.id for h in hits]
    shorts = tl.short_ids(shown)
    rows = [
        [
            shorts[h.event.id],
            h.event.when.described,
            f"[retracted] {h.event.title}" if h.retracted else h.event.title,
            " ".join(h.snippet.split()),
        ]
        for h in hits
    ]
    click.echo(render_table(["ID", "DATE", "TITLE", "MATCH"], rows, wrap=3))


COMMANDS = [search]
