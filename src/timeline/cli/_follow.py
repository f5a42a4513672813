"""``timeline follow``: print records as they are committed (tail -f for the timeline)."""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

import sys

import click
import msgspec

from .._records import Record
from ._common import open_db

__all__ = ["COMMANDS"]


def _line(record: Record) -> str:
    event = record.event
    if event is None:
        detail = f"{record.payload.reason or ''}"
    else:
        actors = ",".join(a.country for a in event.actors)
        detail = f"{event.when.display}  {event.kind}  {actors}  {event.title}"
    at = record.recorded_at.isoformat(timespec="seconds")
    return f"{record.seq}  {at}  {record.type.value}  {record.stream}  {detail}".rstrip()


@click.command()
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=None,
    metavar="SEQ",
    help="Start after this seq (0: the whole log); default: only records from now on.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop after this many seconds without a new record (default: never).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@click.pass_context
def follow(ctx: click.Context, /, after: int | None, timeout: float | None, as_json: bool) -> None:
    """Print records as they are committed, by this or any other writer (Ctrl-C stops).

    Every record is printed once, in seq order; restart with --after SEQ to
    resume where a previous follow stopped.

    \b
    Examples:
        timeline --db postgresql://analyst@db/newsroom follow
        timeline follow --after 0 --json --timeout 60
    """
    tl = open_db(ctx)
    out = sys.stdout
    try:
        for record in tl.follow(after=after, timeout=timeout):
            out.write(msgspec.json.encode(record).decode() if as_json else _line(record))
            out.write("\n")
            out.flush()
    except KeyboardInterrupt:
        return


COMMANDS = [follow]
