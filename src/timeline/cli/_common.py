"""What every command shares: the state, opening the log, ids, filters, options, tables."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import attrs
import click

from .._booleans import parse_bool
from .._errors import TimelineError, UnknownEvent
from .._extensions import Option
from .._idindex import IdIndex, short_forms
from .._plugins import PluginHost, default_host
from .._reading import FILTERS
from .._records import Record
from .._store import Clock
from .._store_registry import is_url
from .._timeline import DEFAULT_PATH, Timeline, open_timeline

__all__ = [
    "CliState",
    "UserError",
    "filter_options",
    "open_db",
    "parse_options",
    "progress_wanted",
    "render_table",
    "resolve_id",
]

F = TypeVar("F", bound=Callable[..., Any])


@attrs.define
class CliState:
    """What the ``timeline`` group hands its commands (``obj=`` injects one in tests).

    Args:
        host: the plugin host; the process-wide default when None.
        clock: the timeline clock; the wall clock when None.
        db: the log path (set from ``--db`` / ``TIMELINE_DB``).

    """

    host: PluginHost | None = None
    clock: Clock | None = None
    db: str = DEFAULT_PATH

    def plugins(self) -> PluginHost:
        """Return the plugin host the commands use."""
        if self.host is None:
            self.host = default_host()
        return self.host


class UserError(click.ClickException):
    """A mistake of the user's: shown as one ``error: ...`` line, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one line to stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


def one_line(exc: BaseException) -> str:
    """Return an error's message on one line (its type's name when it has none)."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(part.strip() for part in text.splitlines())


def os_message(exc: OSError) -> str:
    """Return what an ``OSError`` says, with the file it names first."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


class UsageProblem(click.UsageError):
    """A usage error shown as one line with a pointer to ``--help`` (exit status 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one line to stderr."""
        hint = ""
        if self.ctx is not None:
            hint = f" (see '{self.ctx.command_path} --help')"
        message = self.format_message().rstrip(".")
        click.echo(f"error: {message[:1].lower()}{message[1:]}{hint}", err=True)


def state(ctx: click.Context) -> CliState:
    """Return the ``CliState`` of a command's context."""
    return ctx.find_object(CliState) or ctx.ensure_object(CliState)


def open_db(ctx: click.Context, /, *, create: bool = False) -> Timeline:
    """Open the log named by ``--db``; it is closed when the command ends.

    Each repair the store made on opening is printed as one ``warning:`` line.

    Raises:
        TimelineError: the log does not exist and ``create`` is false.

    """
    st = state(ctx)
    # A URL (postgresql://...) names a server's log; opening it creates the schema.
    if not create and st.db != ":memory:" and not is_url(st.db) and not Path(st.db).exists():
        raise TimelineError(
            f"no timeline at {st.db!r}; create one with 'timeline --db {st.db} init'"
        )
    tl = ctx.with_resource(open_timeline(st.db, clock=st.clock, plugins=st.plugins()))
    # A repair (a torn JSON Lines tail cut off) changed the file: the user must hear of it.
    for repair in tl.repairs:
        click.echo(f"warning: {repair}", err=True)
    return tl


def resolve_id(tl: Timeline, given: str) -> str:
    """Return the event id that ``given`` is, or is the unique start or end of.

    The short form ``list`` shows (``short_ids``: a generated id's tail) is the
    end of exactly one id; a unique start of an id is accepted too.

    Raises:
        UnknownEvent: no event id starts or ends with ``given``.
        TimelineError: ``given`` is empty, or more than one id starts or ends with it.

    """
    if not given.strip():
        # Every id starts with "": without this a one-event log would pick that event.
        raise TimelineError("the event id is empty: give an id, or the short id 'list' shows")
    try:
        tl.version(given)
        return given
    except UnknownEvent:
        pass
    # From the read model's ids: no event is decoded, no list of every id is built.
    matches = tl.ids_matching(given)
    if not matches:
        raise UnknownEvent(given)
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise TimelineError(f"event id {given!r} is ambiguous: it matches {shown}")
    return matches[0]


def filter_options(func: F) -> F:
    """Add the filter flags of ``FILTERS`` (``--actor --kind --tag --treaty --from --to ...``)."""
    options = []
    for name, spec in FILTERS.items():
        flag = f"--{name.replace('_', '-')}"
        if name == "between":  # one filter, two flags
            options += [
                click.option(
                    "--from", "start", metavar="DATE", help="Only events on or after DATE."
                ),
                click.option("--to", "end", metavar="DATE", help="Only events on or before DATE."),
            ]
        else:
            options.append(
                click.option(flag, is_flag=spec.flag, multiple=spec.many, help=spec.help)
            )
    options.append(
        click.option(
            "--as-of",
            metavar="SEQ|TIME",
            help="As the log knew it then: a record number or a recorded time (a time "
            "without offset is local time; the zone assumed is shown).",
        )
    )
    for option in reversed(options):
        func = option(func)
    return func


def filters_from(params: dict[str, Any]) -> dict[str, Any]:
    """Pop the filter flags from a command's parameters into ``Timeline.filter`` keywords."""
    out: dict[str, Any] = {}
    for name in FILTERS:
        if name == "between":
            start, end = params.pop("start", None), params.pop("end", None)
            if start is not None or end is not None:
                out["between"] = (start, end)
            continue
        value = params.pop(name, None)
        if value is not None and value is not False and value != ():
            out[name] = value
    if out.pop("within", False):
        # --within makes the --from/--to window "certainly in" instead of "possibly in".
        out["within"] = out.pop("between", (None, None))
    as_of = params.pop("as_of", None)
    if as_of is not None:
        text = as_of.strip()
        out["as_of"] = int(text) if text.isdigit() else as_of_time(text)
    return out


def as_of_time(text: str) -> str | dt.datetime:
    """Read an ``--as-of`` time; a local time without offset is read in this machine's zone.

    The zone assumed is said on stderr, once: ``--as-of '2025-12-16 10:00' read as local
    time: 2025-12-16T10:00:00+01:00 (CET)``. Other text (a date, a time with an offset
    or zone) is passed on as it is.
    """
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None or ":" not in text:
        return text
    local = moment.astimezone()  # the system's zone and its offset on that day
    click.echo(
        f"--as-of {text!r} read as local time: {local.isoformat()} ({local.tzname()})",
        err=True,
    )
    return local


_EXPECTED = {int: "an integer", float: "a number"}


def _convert(option: Option | None, name: str, value: str) -> Any:
    kind = str if option is None else option.type
    flag = f"--{name.replace('_', '-')}"
    if kind is bool:
        parsed = parse_bool(value)
        if parsed is None:
            raise UsageProblem(f"option {flag}: {value!r} is not true or false")
        return parsed
    if kind in _EXPECTED:
        try:
            return kind(value)
        except ValueError:
            raise UsageProblem(f"option {flag}: {value!r} is not {_EXPECTED[kind]}") from None
    return value


def parse_options(
    what: str, options: Sequence[Option], pairs: Sequence[str], extra: Sequence[str]
) -> dict[str, Any]:
    """Turn ``--option key=value`` pairs and native ``--key value`` flags into keywords.

    Unknown keys given with ``--option`` are passed on, so the exporter's own
    check names them; unknown native flags are a usage error here. A text flag
    given twice is joined with a comma (``--actor RUS --actor IND``).

    Raises:
        UsageProblem: a pair has no ``=``, a value has the wrong type, or a flag is unknown.

    """
    known = {o.name: o for o in options}
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageProblem(f"--option {pair!r} is not KEY=VALUE")
        key, value = pair.split("=", 1)
        key = key.strip().replace("-", "_")
        out[key] = _convert(known.get(key), key, value)
    args = list(extra)
    while args:
        arg = args.pop(0)
        if not arg.startswith("--") or len(arg) < 3:
            raise UsageProblem(f"unexpected argument {arg!r}")
        name, eq, value = arg[2:].partition("=")
        key = name.replace("-", "_")
        negated = known.get(key[3:]) if key.startswith("no_") and key not in known else None
        if negated is not None and negated.type is bool and not eq:
            out[key[3:]] = False
            continue
        option = known.get(key)
        if option is None:
            flags = ", ".join(f"--{n.replace('_', '-')}" for n in known) or "none"
            raise UsageProblem(
                f"no such option for {what}: {arg.split('=')[0]} (it takes: {flags})"
            )
        if option.type is bool and not eq:
            out[key] = True
            continue
        if not eq:
            if not args:
                raise UsageProblem(f"option {arg} needs a value")
            value = args.pop(0)
        if option.type is str and isinstance(out.get(key), str):
            # A repeated text flag adds up: --actor RUS --actor IND is actor="RUS,IND".
            out[key] = f"{out[key]},{value}"
            continue
        out[key] = _convert(option, key, value)
    return out


def split_files(tokens: Sequence[str], options: Sequence[Option]) -> tuple[list[str], list[str]]:
    """Split what follows a command's fixed arguments into files and a plugin's own flags.

    ``timeline import gdelt a.zip --actor IND b.zip --root-only``: a token
    starting with ``--`` is a flag, and the token after a flag that takes a value
    (not a bool, no ``=``) is its value; every other token is a file. Unknown
    flags are kept as flags, so ``parse_options`` names them.

    Returns:
        The files, in order, and the flag tokens (for ``parse_options``).
    """
    known = {o.name: o for o in options}
    files: list[str] = []
    flags: list[str] = []
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        if not token.startswith("--") or len(token) < 3:
            files.append(token)
            continue
        flags.append(token)
        name, eq, _ = token[2:].partition("=")
        option = known.get(name.replace("-", "_"))
        if option is not None and option.type is not bool and not eq and rest:
            flags.append(rest.pop(0))
    return files, flags


def describe_options(options: Sequence[Option]) -> list[str]:
    """Return one help line per option (for ``timeline plugins`` and errors)."""
    lines = []
    for o in options:
        flag = f"--{o.name.replace('_', '-')}"
        if o.type is not bool:
            flag += f" {o.type.__name__.upper()}"
        extra = f" [default: {o.default}]" if o.default not in (None, False, "") else ""
        choices = f" ({'|'.join(o.choices)})" if o.choices else ""
        lines.append(f"{flag}{choices}: {o.help}{extra}")
    return lines


def render_table(header: Sequence[str], rows: Sequence[Sequence[Any]], *, wrap: int = -1) -> str:
    """Return rows as aligned plain-text columns; column ``wrap`` is cut to fit the terminal.

    Only on a terminal: piped or redirected output (``list | grep``) is never cut.
    """
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in header]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    if wrap >= 0 and header and sys.stdout.isatty():
        width = shutil.get_terminal_size((120, 24)).columns
        others = sum(w + 2 for i, w in enumerate(widths) if i != wrap % len(widths))
        room = max(20, width - others)
        if widths[wrap] > room:
            widths[wrap] = room
            for row in cells:
                if len(row[wrap]) > room:
                    row[wrap] = row[wrap][: room - 1] + "…"
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def short_ids(
    ids: Iterable[str], *, least: int = 6, only: Iterable[str] | None = None
) -> dict[str, str]:
    """Return the short form of ``only`` (default: every id) among ``ids`` (``short_forms``)."""
    every = list(ids)
    return short_forms(
        every if only is None else only, IdIndex.of(every), lambda: every, least=least
    )


def event_rows(
    tl: Any, records: Sequence[Record], *, log: Timeline, retracted: bool = True
) -> list[list[str]]:
    """Return the ``list`` table rows (date, kind, modality, actors, title, id) of records.

    Args:
        tl: the timeline (or ``as_of`` view) the records come from.
        records: the records to show.
        log: the open log: each short id shown is unique among its ids, so
            ``timeline show SHORT`` accepts it.
        retracted: whether some records may be of retracted events (marked so);
            false spares reading which events are (a query without
            ``include_retracted``: 30 ms of ``list`` on a 1M-event log).

    Returns:
        One row per record that holds an event.

    """
    shorts = log.short_ids([r.stream for r in records])
    rows = []
    for record in records:
        event = record.event
        if event is None:
            continue
        title = event.title
        if retracted and tl.is_retracted(record.stream):
            title = f"[retracted] {title}"
        rows.append(
            [
                event.when.described,
                event.kind,
                event.modality.value,
                ",".join(a.country for a in event.actors),
                title,
                shorts[event.id],
            ]
        )
    return rows


EVENT_HEADER = ["DATE", "KIND", "MODALITY", "ACTORS", "TITLE", "ID"]
#: The ``list`` column cut to fit a terminal.
TITLE_COLUMN = EVENT_HEADER.index("TITLE")


def progress_wanted() -> bool:
    """Whether to draw progress bars: only when stderr is a terminal."""
    return sys.stderr.isatty()


class ProgressReader:
    """Wraps an open file so reading it advances a progress bar (by characters or bytes)."""

    def __init__(self, stream: IO[Any], bar: Any) -> None:
        self._stream = stream
        self._bar = bar
        self.name = getattr(stream, "name", "<stream>")

    def _tick(self, data: Any) -> Any:
        self._bar.update(len(data))
        return data

    def read(self, size: int = -1) -> Any:
        """Read like the wrapped file."""
        return self._tick(self._stream.read(size))

    def readline(self, size: int = -1) -> Any:
        """Read a line like the wrapped file."""
        return self._tick(self._stream.readline(size))

    def __iter__(self) -> ProgressReader:
        return self

    def __next__(self) -> Any:
        return self._tick(next(self._stream))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def file_size(path: str) -> int:
    """Return a file's size in bytes (0 when it cannot be read)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
