"""What plugins provide: exporters, importers and analyses (attrs-defined base classes).

A plugin subclasses one of these, gives it a ``name``, a one-line
``description`` and its ``options``, implements the one abstract method, and
registers an instance from its ``timeline_register_*`` hook.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar, cast

import attrs
import msgspec

from ._booleans import parse_bool
from ._errors import InvalidOption
from ._eventfilter import EventFilter
from ._exportreport import ExportReport, as_export_report
from ._model import Event, Modality
from ._reading import FILTER_NAMES, TimelineReader, TimelineWriter
from ._records import Record

__all__ = [
    "Analysis",
    "Exporter",
    "ImportProblem",
    "ImportReport",
    "Importer",
    "Option",
    "parse_modalities",
]


#: What an exporter overriding export() should do instead.
_DECLARE = "declare its attributes (includes_retracted, binary, options) instead"

#: Set while a plugin's deprecated override runs: the base method it calls through
#: ``super()`` comes back to the timeline, which must not dispatch to the override again.
_DELEGATED: contextvars.ContextVar[bool] = contextvars.ContextVar("delegated", default=False)


def overridden(extension: object, base: type, method: str) -> bool:
    """Whether ``extension`` overrides ``base.method`` (deprecated) and the override must run."""
    return getattr(type(extension), method) is not getattr(base, method) and not _DELEGATED.get()


@contextlib.contextmanager
def delegating(extension: _Extension, base: type, method: str, instead: str) -> Iterator[None]:
    """Run a deprecated override once: warn, and let its ``super()`` call do the real work."""
    warnings.warn(
        f"{extension.owner}: overriding {base.__name__}.{method}() is deprecated; {instead}",
        DeprecationWarning,
        stacklevel=5,
    )
    token = _DELEGATED.set(True)
    try:
        yield
    finally:
        _DELEGATED.reset(token)


@attrs.frozen(kw_only=True)
class Option:
    """One option an exporter, importer or analysis takes (shown by the CLI)."""

    name: str
    """The keyword name (``all_day_spans``); the CLI flag is ``--all-day-spans``."""
    help: str
    """One line saying what it does."""
    default: Any = None
    """The value when not given."""
    type: type = str
    """``str``, ``int``, ``float`` or ``bool`` (a flag)."""
    choices: tuple[str, ...] | None = None
    """The allowed values, when there is a fixed set."""


@attrs.frozen(kw_only=True)
class _Extension:
    name: str
    """The name users pick it by (``ics``)."""
    description: str
    """One line saying what it does."""
    options: tuple[Option, ...] = ()
    """The options it takes beyond the common filters."""

    #: What it is, in errors and in the plugin host (``exporter``, ``importer``, ``analysis``).
    role: ClassVar[str] = "extension"

    @property
    def owner(self) -> str:
        """What errors call it: ``exporter 'csv'``, ``importer 'jsonl'``, ``analysis 'cadence'``."""
        return f"{self.role} {self.name!r}"

    def check_options(self, given: dict[str, Any]) -> dict[str, Any]:
        """Return ``given`` with defaults filled in and values converted to their ``Option.type``.

        ``bool`` options take True/False or the words of ``parse_bool`` (true/false,
        yes/no, on/off, y/n, 1/0; any case); ``int`` and ``float`` options take numbers
        or numeric strings. ``None`` stands for the default.

        Raises:
            InvalidOption: an option is unknown, has a value of the wrong type, or a
                value outside its choices (the error names the option and the value).
        """
        known = {o.name: o for o in self.options}
        unknown = sorted(set(given) - set(known))
        if unknown:
            takes = ", ".join(sorted(known)) or "none"
            raise InvalidOption(
                self.owner,
                unknown[0],
                given[unknown[0]],
                f"one of its options ({takes}) or a filter ({', '.join(FILTER_NAMES)})",
            )
        out = {name: opt.default for name, opt in known.items()}
        for name, value in given.items():
            if value is None:
                continue
            opt = known[name]
            converted = _convert(self.owner, opt, value)
            if opt.choices is not None and converted not in opt.choices:
                raise InvalidOption(
                    self.owner, name, value, f"one of {', '.join(map(str, opt.choices))}"
                )
            out[name] = converted
        return out


def _convert(owner: str, opt: Option, value: Any) -> Any:
    """Return ``value`` as ``opt.type`` (bool, int, float); other types pass unchanged.

    Raises:
        InvalidOption: the value cannot be read as that type.
    """
    if opt.type is bool:
        flag = parse_bool(value)
        if flag is None:
            raise InvalidOption(owner, opt.name, value, "true or false (or yes/no, on/off, 1/0)")
        return flag
    if opt.type is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
        raise InvalidOption(owner, opt.name, value, "an integer")
    if opt.type is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return float(value.strip())
        raise InvalidOption(owner, opt.name, value, "a number")
    return value


def parse_modalities(
    owner: str, value: object, *, all_but: Iterable[Modality] = ()
) -> frozenset[Modality]:
    """Read a ``modalities`` option: a comma-separated string or an iterable of names.

    Args:
        owner: what takes the option, for the error (``exporter 'ics'``).
        value: ``"actual,planned"``, ``["actual", "planned"]`` or ``"all"``.
        all_but: modalities ``"all"`` leaves out; only naming them keeps them
            (calendars pass ``HYPOTHETICAL``: a possibility is never a date to keep).

    Returns:
        The modalities to keep.

    Raises:
        InvalidOption: a name is not a modality, or none is given.
    """
    names: Iterable[object]
    if isinstance(value, str):
        names = value.split(",") if value.strip() else []
    elif isinstance(value, Iterable):
        names = value
    else:
        names = [value]
    choices = [m.value for m in Modality]
    out: set[Modality] = set()
    for name in names:
        text = name.value if isinstance(name, Modality) else str(name).strip().lower()
        if text == "all":
            out.update(set(Modality) - set(all_but))
        elif text in choices:
            out.add(Modality(text))
        else:
            raise InvalidOption(owner, "modalities", value, f"'all' or modalities among {choices}")
    if not out:
        raise InvalidOption(owner, "modalities", value, f"at least one of {choices}")
    return frozenset(out)


#: Wraps the records an export walks, given them and their count (a progress bar).
Progress = Callable[[Iterator[Record], int], Iterable[Record]]


class _Matches:
    """The records an export writes: iterable (lazily, in timeline order) and sized.

    With ``wrap`` (a progress bar), each walk goes through ``wrap(records, count)``;
    ``len()`` walks the matches unwrapped.
    """

    def __init__(
        self,
        walk: Callable[[], Iterator[Record]],
        wrap: Progress | None = None,
        query: tuple[Any, Any] | None = None,
    ) -> None:
        self._walk = walk
        self._wrap = wrap
        self._len: int | None = None
        self._query = query

    @property
    def query(self) -> tuple[Any, Any] | None:
        """``(view, where)`` when the records are that view's query and no progress wraps them.

        Writers that read a query in bulk (the Arrow tables) then skip the walk.
        """
        return self._query if self._wrap is None else None

    def __iter__(self) -> Iterator[Record]:
        if self._wrap is None:
            return self._walk()
        return iter(self._wrap(self._walk(), len(self)))

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self._walk())
        return self._len

    def __bool__(self) -> bool:
        return next(self._walk(), None) is not None


@attrs.frozen(kw_only=True)
class Exporter(_Extension):
    """Writes events to a file: subclass it and implement ``write``."""

    role: ClassVar[str] = "exporter"

    suffix: str = ""
    """The usual file suffix, with the dot (``.ics``)."""
    media_type: str = "application/octet-stream"
    """The MIME type of the output."""
    binary: bool = False
    """Whether ``write`` gets a binary stream (else text, UTF-8, no newline translation)."""
    includes_retracted: bool = False
    """The default of the ``include_retracted`` filter for this format (True for ics: a
    retraction reaches subscribers as a cancellation)."""

    def includes_retracted_for(self, options: dict[str, Any]) -> bool:
        """Return the ``include_retracted`` default for these (checked) options.

        ``includes_retracted`` unless a subclass decides by option (an exporter whose
        ``table=records`` writes the log itself, retractions and all).
        """
        return self.includes_retracted

    def writes_directory(self, options: dict[str, Any]) -> bool:
        """Return whether these (checked) options write a directory (``write_directory``).

        False by default: the export is one file or stream, written by ``write``.
        """
        return False

    def write_directory(
        self, view: TimelineReader, records: Iterable[Record], path: Path, **options: Any
    ) -> int | ExportReport:
        """Write ``records`` as a directory at ``path`` (it must not exist); return the count.

        Called instead of ``write`` when ``writes_directory(options)`` is true.
        """
        raise NotImplementedError

    def export(
        self, timeline: TimelineReader, dest: str | os.PathLike[str] | IO[Any], **options: Any
    ) -> ExportReport:
        """Write the timeline's matching events to a path or file object; say what it did.

        The same as ``timeline.export(self, dest, **options)``: takes the common
        filters (``actor``, ``kind``, ``tag``, ``treaty``, ``between``,
        ``include_retracted``), ``as_of`` (a seq or a recorded time) and the
        exporter's own options. Subclasses declare attributes (``binary``,
        ``includes_retracted``, ``options``) instead of overriding this
        (overriding it is deprecated).

        Returns:
            The events written, and those left out with why (``ExportReport``).
        """
        if overridden(self, Exporter, "export"):  # reached through super() from an override
            with delegating(self, Exporter, "export", _DECLARE):
                return as_export_report(cast("Any", timeline).export(self, dest, **options))
        return as_export_report(cast("Any", timeline).export(self, dest, **options))

    def write(
        self,
        view: TimelineReader,
        records: Iterable[Record],
        stream: IO[Any],
        **options: Any,
    ) -> int | ExportReport:
        """Write ``records`` (timeline order) to ``stream``; return how many were written.

        ``records`` is walked lazily, one record at a time, so an export's memory
        does not grow with the timeline: write each record as it comes.
        ``len(records)`` works but walks the matches once more. ``view`` is the
        timeline the records come from (``as_of`` applied): ask it about retractions or
        history, or its ``store`` for the raw records. An exporter that leaves some
        records out returns an ``ExportReport`` saying why (``SkipTally`` counts
        them); a plain count means it wrote them all.
        """
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class ImportProblem:
    """A bad row in an imported file."""

    line: int
    """The line (or row) number in the file, from 1."""
    field: str
    """The field at fault (``when``), or ``row`` for the whole row."""
    reason: str
    """Why it was refused."""

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did: every row read is counted once, in one of these."""

    recorded: int
    """How many new events were recorded."""
    present: int = 0
    """How many rows were events already in the log with the same content (left alone:
    importing a file again changes nothing)."""
    amended: int = 0
    """How many rows amended an event of the log (an updated row, from an importer that
    ``amends``, such as ``ics``)."""
    changed: tuple[str, ...] = ()
    """The ids of the rows that are events of the log with other content, left as the log
    has them (an importer that does not amend, or a retracted event)."""
    problems: tuple[ImportProblem, ...] = ()
    """The rows that were skipped (only with ``skip_invalid``)."""


@attrs.frozen(kw_only=True)
class Importer(_Extension):
    """Reads events from a file: subclass it and implement ``read``."""

    role: ClassVar[str] = "importer"

    suffix: str = ""
    """The usual file suffix, with the dot (``.csv``)."""
    binary: bool = False
    """Whether ``read`` gets a binary stream (else text, UTF-8)."""
    reads_directories: bool = False
    """Whether ``read`` may be given a directory (a ``pathlib.Path``) instead of a stream,
    when the source is one (a Hive-partitioned Parquet dataset)."""
    amends: bool = False
    """Whether a row whose id is an event of the log with other content amends it (True
    for a calendar: re-importing an updated one amends its events), or is reported in
    ``ImportReport.changed`` and left as the log has it (False, the default)."""

    def unchanged(self, present: Event, row: Event) -> bool:
        """Return whether a row says nothing new about an event already in the log.

        Such a row is counted in ``ImportReport.present``. This default compares every
        field; an importer whose rows carry where they were read (a file name, a row
        number) leaves that out, so the same row from another file is the same event.
        """
        return present == row

    def import_into(
        self,
        timeline: TimelineWriter,
        source: str | os.PathLike[str] | IO[Any],
        *,
        skip_invalid: bool = False,
        **options: Any,
    ) -> ImportReport:
        """Record the file's events into ``timeline`` in one append.

        The same as ``timeline.import_file(self, source, ...)``, where the policy
        lives: all or nothing by default (with any bad row nothing is recorded and
        ``ImportFailed`` lists every problem); ``skip_invalid=True`` records the
        good rows and reports the bad ones. A row whose id is an event of the log
        is counted as present (the same content), amended or changed (see
        ``amends``), never recorded twice; a row repeating an earlier row's id is
        a bad row, field ``id``.

        Raises:
            ImportFailed: a row is bad and ``skip_invalid`` is false.
            TimelineError: the file cannot be opened.
        """
        if overridden(self, Importer, "import_into"):  # through super() from an override
            with delegating(self, Importer, "import_into", "implement read() only"):
                report = timeline.import_file(self, source, skip_invalid=skip_invalid, **options)
        else:
            report = timeline.import_file(self, source, skip_invalid=skip_invalid, **options)
        assert isinstance(report, ImportReport)
        return report

    def read(
        self, stream: IO[Any], **options: Any
    ) -> Iterable[tuple[int, Event | dict[str, Any] | ImportProblem]]:
        """Yield ``(line, event_or_fields_or_problem)`` for every row of the file."""
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class Analysis(_Extension):
    """Answers a question about a timeline: subclass it and implement ``run``."""

    role: ClassVar[str] = "analysis"

    def analyze(self, timeline: TimelineReader, **options: Any) -> Any:
        """Run on a timeline with the common filters, ``as_of`` and own options.

        The same as ``timeline.analyze(self, **options)``.
        """
        if overridden(self, Analysis, "analyze"):  # reached through super() from an override
            with delegating(self, Analysis, "analyze", "implement run() only"):
                return cast("Any", timeline).analyze(self, **options)
        return cast("Any", timeline).analyze(self, **options)

    def run(self, view: TimelineReader, where: EventFilter, **options: Any) -> Any:
        """Compute the result (attrs objects) for the events passing ``where``."""
        raise NotImplementedError

    def table(self, result: Any) -> tuple[list[str], list[list[Any]]]:
        """Return the result as a header and rows (for the terminal table and CSV)."""
        raise NotImplementedError

    def to_json(self, result: Any) -> Any:
        """Return the result as JSON-compatible data."""
        return msgspec.to_builtins(result)
