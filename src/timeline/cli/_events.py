"""Commands that write and read events: init, add, amend, retract, restore, list, show, history."""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import msgspec

from .._errors import InvalidDate, InvalidEvent, InvalidEventDate, TimelineError
from .._model import Modality
from .._records import RecordType
from .._store_registry import is_url
from .._when import When
from ._common import (
    EVENT_HEADER,
    TITLE_COLUMN,
    event_rows,
    filter_options,
    filters_from,
    open_db,
    render_table,
    resolve_id,
    state,
)

__all__ = ["COMMANDS"]


def _event_fields(
    kind: str | None,
    when: str | None,
    title: str | None,
    actors: Sequence[str],
    sources: Sequence[str],
    tags: Sequence[str],
    treaty: str | None,
    summary: str | None,
    modality: str | None,
    location: str | None,
    anchor: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": kind,
        "when": when,
        "title": title,
        "treaty": treaty,
        "summary": summary,
        "modality": modality,
        "location": location,
    }
    out = {k: v for k, v in fields.items() if v is not None}
    for name, values in (("actors", actors), ("sources", sources), ("tags", tags)):
        if values:
            out[name] = list(values)
    if anchor is not None and when is not None:
        out["when"] = _anchored(when, anchor)
    return out


def _anchored(when: object, anchor: object) -> object:
    """Read a date given as text against ``anchor``; any other value is returned as is.

    Raises:
        TimelineError: the anchor is not a single day.
        InvalidEventDate: the date cannot be read.

    """
    try:
        day = When.coerce(anchor)
    except InvalidDate as exc:
        raise TimelineError(f"invalid anchor {anchor!r}: {exc.reason}") from None
    if day.earliest != day.latest or day.is_open:
        raise TimelineError(f"invalid anchor {anchor!r}: an anchor must be a single day")
    if not isinstance(when, str):
        return when
    try:
        return When.parse(when, anchor=day.earliest)
    except InvalidDate as exc:
        raise InvalidEventDate(when, exc.reason) from None


def _event_flags(*, required: bool) -> Callable[[Any], Any]:
    """The event field flags; ``required`` marks --kind, --when and --title (for add)."""
    need = "[required unless --json] " if required else ""
    flags = [
        click.option("--kind", help=f"{need}The kind, e.g. treaty.signed (see 'timeline kinds')."),
        click.option(
            "--when", help=f"{need}The date: 2025-02-18, 2025-12, 'early December 2025'..."
        ),
        click.option("--title", help=f"{need}A one-line title."),
        click.option("--actor", "actors", multiple=True, help="A country code; repeat for more."),
        click.option("--source", "sources", multiple=True, help="A source URL; repeat for more."),
        click.option("--tag", "tags", multiple=True, help="A tag; repeat for more."),
        click.option("--treaty", help="The agreement it belongs to (e.g. RELOS)."),
        click.option("--summary", help="A longer description."),
        click.option(
            "--modality",
            type=click.Choice([m.value for m in Modality]),
            help="Whether it happened (default: actual), is planned, reported or denied (negated).",
        ),
        click.option("--location", help="Where it happened."),
        click.option(
            "--anchor",
            metavar="DATE",
            help="The day relative dates are read against ('over the weekend', '4-6 June'), "
            "usually the source's publication date: 2024-06-23.",
        ),
    ]

    def decorate(func: Any) -> Any:
        for flag in reversed(flags):
            func = flag(func)
        return func

    return decorate


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create an empty timeline log (SQLite by default).

    \b
    Example:
        timeline --db relos.db init
    """
    st = state(ctx)
    url = is_url(st.db)
    existed = not url and st.db != ":memory:" and Path(st.db).exists()
    tl = open_db(ctx, create=True)
    where = tl.store.location if url else st.db  # a URL is shown without its password
    if existed or (url and tl.seq):
        click.echo(f"{where} already holds a timeline ({len(tl)} events)")
    else:
        click.echo(f"created an empty timeline in {where}")


@click.command()
@_event_flags(required=True)
@click.option("--id", "event_id", help="Give the event this id (default: a random one).")
@click.option(
    "--json",
    "json_file",
    metavar="FILE",
    help="Read the event (an object) or events (a list) from a JSON file ('-' for stdin).",
)
@click.pass_context
def add(
    ctx: click.Context,
    /,
    event_id: str | None,
    json_file: str | None,
    **flags: Any,
) -> None:
    """Record a new event (or several from a JSON file) and print its id.

    \b
    Example:
        timeline add --kind treaty.signed --when 2025-02-18 \\
            --title "RELOS signed" --actor RUS --actor IND \\
            --source https://example.org/relos --treaty RELOS
    """
    anchor = flags.pop("anchor")
    fields = _event_fields(**flags, anchor=anchor)
    tl = open_db(ctx)
    if json_file is not None:
        if fields or event_id:
            raise TimelineError("give the event with --json or with flags, not both")
        items, is_list = _read_json(json_file, anchor)
        try:
            recorded = tl.record_many(items)
        except TimelineError as exc:
            raise TimelineError(_json_problem(json_file, is_list, exc)) from None
        for event in recorded:
            click.echo(event.id)
        return
    for name in ("kind", "when", "title"):
        if name not in fields:
            raise InvalidEvent(name, None, f"a value (--{name} is required)")
    if event_id is not None:
        fields["id"] = event_id
    click.echo(tl.record(**fields).id)


def _read_json(path: str, anchor: str | None = None) -> tuple[list[Any], bool]:
    """Return the event objects of a JSON file ('-': stdin) and whether it held a list.

    An object's ``"anchor"`` (else ``anchor``, from ``--anchor``) is the day its
    relative ``"when"`` is read against.

    Raises:
        TimelineError: the file is not JSON, not an event object or a list of them,
            or an empty list.

    """
    name = _json_name(path)
    text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineError(f"{name}: not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, list):
        if not isinstance(data, dict):
            raise TimelineError(f"{name}: expected an event object or a list of event objects")
        _check_required(name, data)
        return [_json_event(name, data, anchor)], False
    if not data:
        # Most often a filter upstream that matched nothing: say so rather than succeed silently.
        raise TimelineError(f"{name}: the list holds no events, so there is nothing to add")
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise TimelineError(f"{name}[{i}]: expected an event object, got {item!r}")
        _check_required(f"{name}[{i}]", item)
    return [_json_event(f"{name}[{i}]", item, anchor) for i, item in enumerate(data)], True


def _json_event(where: str, item: dict[str, Any], anchor: str | None) -> dict[str, Any]:
    """Return the event object with its ``when`` read against its anchor, if it has one."""
    item = dict(item)
    own = item.pop("anchor", None)
    if own is None and anchor is None:
        return item
    try:
        item["when"] = _anchored(item["when"], own if own is not None else anchor)
    except TimelineError as exc:
        raise TimelineError(f"{where}: {exc}") from None
    return item


_REQUIRED = ("kind", "when", "title")


def _check_required(where: str, item: dict[str, Any]) -> None:
    # Checked here so the message says which field is missing, and where, in plain words.
    missing = [field for field in _REQUIRED if field not in item]
    if missing:
        raise TimelineError(
            f"{where}: missing {' and '.join(repr(m) for m in missing)} "
            f"(every event needs {', '.join(_REQUIRED[:-1])} and {_REQUIRED[-1]})"
        )


def _json_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


_EVENT_AT = re.compile(r"\bevent (\d+): ")


def _json_problem(path: str, is_list: bool, exc: TimelineError) -> str:
    """Return the error about an event of a JSON file, naming the file and the list index.

    ``record_many`` names the bad event by its position ("event 1: ..."); the user
    knows it as an item of their file, so the position moves to the front as ``[1]``.
    """
    message = " ".join(str(exc).split())
    found = _EVENT_AT.search(message)
    where = _json_name(path)
    if found is not None:
        message = message[: found.start()] + message[found.end() :]
        if is_list:
            where += f"[{found.group(1)}]"
    return f"{where}: {message}"


@click.command()
@click.argument("event_id", metavar="ID")
@click.option("--reason", required=True, help="Why it changes (kept in the log).")
@click.option(
    "--expected-version",
    type=int,
    metavar="N",
    help="Refuse unless the event is still at version N (see 'timeline history').",
)
@_event_flags(required=False)
@click.option("--add-tag", "add_tags", multiple=True, help="Add a tag, keeping the others.")
@click.option("--remove-tag", "remove_tags", multiple=True, help="Remove a tag.")
@click.option("--clear-actors", is_flag=True, help="Remove every actor (or give new --actor).")
@click.option(
    "--drop-phrase",
    is_flag=True,
    help="With --when: forget the date's words as written (kept by default when the new "
    "date refines them).",
)
@click.pass_context
def amend(
    ctx: click.Context,
    /,
    event_id: str,
    reason: str,
    expected_version: int | None,
    add_tags: tuple[str, ...],
    remove_tags: tuple[str, ...],
    clear_actors: bool,
    drop_phrase: bool,
    **flags: Any,
) -> None:
    """Correct an event: record a new version with the changed fields.

    Repeated flags (--actor, --source, --tag) replace the whole list; --add-tag and
    --remove-tag change the tags one by one. A new --when inside what the old date's
    phrase says ("in early December" -> 2025-12-02) keeps the phrase.

    \b
    Example:
        timeline amend 3f2a --reason "Duma vote confirmed" --when 2025-12-02
        timeline amend 3f2a --reason "retagged" --add-tag logistics --remove-tag misc
    """
    changes = _event_fields(**flags)
    tl = open_db(ctx)
    full = resolve_id(tl, event_id)
    if flags["anchor"] is not None and flags["when"] is None:
        # A new anchor alone reads the date as written again, against that day.
        old = tl.get(full).when
        written = old.phrase if old.phrase is not None else old.edtf
        changes["when"] = _anchored(written, flags["anchor"])
    if add_tags or remove_tags:
        if "tags" in changes:
            raise TimelineError("give either --tag (the whole list) or --add-tag/--remove-tag")
        current = tl.get(full).tags
        drop = {t.strip().lower() for t in remove_tags}
        missing = sorted(drop - set(current))
        if missing:
            raise TimelineError(f"--remove-tag {missing[0]!r}: the event has no such tag")
        changes["tags"] = [t for t in current if t not in drop] + list(add_tags)
    if clear_actors and "actors" not in changes:
        changes["actors"] = []
    event = tl.amend(
        full,
        reason=reason,
        expected_version=expected_version,
        keep_phrase=not drop_phrase,
        **changes,
    )
    click.echo(f"amended {event.id} (now version {tl.version(event.id)})")


@click.command()
@click.argument("event_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is withdrawn (kept in the log).")
@click.option("--expected-version", type=int, metavar="N", help="Refuse unless at version N.")
@click.pass_context
def retract(
    ctx: click.Context, /, event_id: str, reason: str, expected_version: int | None
) -> None:
    """Retract an event: hidden from now on, kept in the log and in --as-of views.

    \b
    Example:
        timeline retract 3f2a --reason "duplicate of 9c1e"
    """
    tl = open_db(ctx)
    full = resolve_id(tl, event_id)
    record = tl.retract(full, reason=reason, expected_version=expected_version)
    click.echo(f"retracted {full} (record {record.seq})")


@click.command()
@click.argument("event_id", metavar="ID")
@click.option("--reason", required=True, help="Why the retraction is undone (kept in the log).")
@click.option(
    "--expected-version", type=int, metavar="N", help="Refuse unless at version N (the retraction)."
)
@click.pass_context
def restore(
    ctx: click.Context, /, event_id: str, reason: str, expected_version: int | None
) -> None:
    """Undo a retraction: the event is back as it was, by a new record (history shows both).

    \b
    Example:
        timeline restore 3f2a --reason "retracted by mistake: not a duplicate"
    """
    tl = open_db(ctx)
    full = resolve_id(tl, event_id)
    tl.restore(full, reason=reason, expected_version=expected_version)
    click.echo(f"restored {full} (now version {tl.version(full)})")


@click.command(name="list")
@filter_options
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Only the first N events.")
@click.pass_context
def list_(ctx: click.Context, /, limit: int | None, **params: Any) -> None:
    """Show the events in timeline order as a table.

    \b
    Example:
        timeline list --actor IND --kind 'treaty.*' --from 2025 --to 2025-12
        timeline list --limit 20
    """
    filters = filters_from(params)
    as_of = filters.pop("as_of", None)
    tl = open_db(ctx)
    view: Any = tl if as_of is None else tl.as_of(as_of)
    # The records are decoded as they are walked: the first N cost N, not the log.
    where = view.filter(**filters)
    records = list(itertools.islice(view.iter_records(where), limit))
    if not records:
        click.echo("no events", err=True)
        return
    rows = event_rows(view, records, log=tl, retracted=where.include_retracted)
    click.echo(render_table(EVENT_HEADER, rows, wrap=TITLE_COLUMN))


def _show_lines(tl: Any, full: str) -> list[str]:
    record = tl.record_of(full, include_retracted=True)
    event = record.event
    data = msgspec.to_builtins(event)
    status = "retracted" if tl.is_retracted(full) else "current"
    lines = [
        f"id:        {event.id}",
        f"kind:      {event.kind}",
        f"when:      {event.when.described}"
        + (f"  (EDTF {event.when.edtf})" if event.when.edtf not in event.when.described else ""),
        f"dates:     {event.when.earliest} .. {event.when.latest}",
        f"title:     {event.title}",
    ]
    if event.summary:
        lines.append(f"summary:   {event.summary}")
    if event.actors:
        lines.append(f"actors:    {', '.join(str(a) for a in event.actors)}")
    for key in ("location", "treaty"):
        if data[key]:
            lines.append(f"{key + ':':<10} {data[key]}")
    if event.tags:
        lines.append(f"tags:      {', '.join(event.tags)}")
    lines.append(f"modality:  {data['modality']}")
    for source in event.sources:
        lines.append(f"source:    {source.reference}")
    if event.related:
        lines.append(f"related:   {', '.join(event.related)}")
    if event.attributes:
        lines.append(f"attributes: {json.dumps(event.attributes, sort_keys=True)}")
    lines.append(
        f"version:   {tl.version(full)} ({status}; last recorded "
        f"{record.recorded_at.isoformat()}, record {record.seq})"
    )
    return lines


@click.command()
@click.argument("event_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the event as JSON.")
@click.pass_context
def show(ctx: click.Context, /, event_id: str, as_json: bool) -> None:
    """Show every field of one event (the id may be the short id 'list' shows).

    \b
    Example:
        timeline show 3f2a
    """
    tl = open_db(ctx)
    full = resolve_id(tl, event_id)
    if as_json:
        event = tl.record_of(full, include_retracted=True).event
        click.echo(json.dumps(msgspec.to_builtins(event), indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(_show_lines(tl, full)))


@click.command()
@click.argument("event_id", metavar="ID")
@click.pass_context
def history(ctx: click.Context, /, event_id: str) -> None:
    """Show every record about an event: recorded, amended (what and why), retracted.

    \b
    Example:
        timeline history 3f2a
    """
    tl = open_db(ctx)
    full = resolve_id(tl, event_id)
    rows = []
    previous = None
    for record in tl.history(full):
        payload = record.payload
        # A restore is the amendment that follows a retraction (Timeline.restore).
        restored = record.type is RecordType.AMENDED and previous is RecordType.RETRACTED
        previous = record.type
        detail = ""
        if payload.changes:
            detail = f"changed {', '.join(payload.changes)}"
        if payload.reason:
            detail = f"{detail}: {payload.reason}" if detail else payload.reason
        if not detail and record.event is not None:
            detail = record.event.title
        rows.append(
            [
                record.version,
                "restored" if restored else record.type.value,
                record.recorded_at.isoformat(timespec="seconds"),
                record.seq,
                detail,
            ]
        )
    click.echo(render_table(["VERSION", "TYPE", "RECORDED", "SEQ", "DETAIL"], rows, wrap=4))


COMMANDS = [init, add, amend, retract, restore, list_, show, history]
