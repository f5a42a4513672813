"""What plugins provide: exporters, importers and analyses (attrs-defined base classes).

A plugin subclasses one of these, gives it a ``name``, a one-line
``description`` and its ``options``, implements the one abstract method, and
registers an instance from its ``timeline_register_*`` hook.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, cast

import attrs
import msgspec

from ._errors import ImportFailed, InvalidEvent, InvalidOption, TimelineError, UnknownEvent
from ._exportreport import ExportReport
from ._model import Event, Modality
from ._records import Record

if TYPE_CHECKING:
    from ._timeline import _Reader

__all__ = [
    "Analysis",
    "Exporter",
    "ImportProblem",
    "ImportReport",
    "Importer",
    "Option",
    "parse_modalities",
]

#: The filters every exporter and analysis accepts, as passed to ``Timeline.filter``.
FILTER_NAMES: tuple[str, ...] = ("actor", "kind", "tag", "treaty", "between", "include_retracted")


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


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    filters = {k: options.pop(k) for k in FILTER_NAMES if k in options}
    return filters, options


def _view(timeline: _Reader, as_of: Any) -> _Reader:
    if as_of is None:
        return timeline
    as_of_method = getattr(timeline, "as_of", None)
    if as_of_method is None:
        raise TimelineError("as_of applies to a timeline, not to a view that is already as_of")
    return as_of_method(as_of)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class _Extension:
    name: str
    """The name users pick it by (``ics``)."""
    description: str
    """One line saying what it does."""
    options: tuple[Option, ...] = ()
    """The options it takes beyond the common filters."""

    @property
    def owner(self) -> str:
        """What errors call it: ``exporter 'csv'``, ``importer 'jsonl'``, ``analysis 'cadence'``."""
        kind = (
            "exporter"
            if isinstance(self, Exporter)
            else "importer"
            if isinstance(self, Importer)
            else "analysis"
        )
        return f"{kind} {self.name!r}"

    def check_options(self, given: dict[str, Any]) -> dict[str, Any]:
        """Return ``given`` with defaults filled in and values converted to their ``Option.type``.

        ``bool`` options take True/False or the strings true/false, yes/no, 1/0 (any
        case); ``int`` and ``float`` options take numbers or numeric strings. ``None``
        stands for the default.

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


_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def _convert(owner: str, opt: Option, value: Any) -> Any:
    """Return ``value`` as ``opt.type`` (bool, int, float); other types pass unchanged.

    Raises:
        InvalidOption: the value cannot be read as that type.
    """
    if opt.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidOption(owner, opt.name, value, "true or false (or yes/no, 1/0)")
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


class _DecodingWriter(io.RawIOBase):
    """A binary sink over a text stream: decodes each UTF-8 chunk and writes the text on.

    For text streams without a binary layer (``io.StringIO``). Each write goes
    straight through (nothing is held back but a UTF-8 character split across
    two writes), so the export still streams.
    """

    def __init__(self, text: IO[str]) -> None:
        super().__init__()
        self._text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        text = self._decoder.decode(chunk)
        if text:
            self._text.write(text)
        return len(chunk)

    def finish(self) -> None:
        """Write out what the decoder still holds (fails on a truncated character)."""
        text = self._decoder.decode(b"", final=True)
        if text:
            self._text.write(text)


def _is_text(stream: object) -> bool:
    return isinstance(stream, io.TextIOBase)


def _is_binary(stream: object) -> bool:
    return isinstance(stream, (io.RawIOBase, io.BufferedIOBase))


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


class _Matches:
    """The records an export writes: iterable (lazily, in timeline order) and sized."""

    def __init__(self, walk: Callable[[], Iterator[Record]]) -> None:
        self._walk = walk
        self._len: int | None = None

    def __iter__(self) -> Iterator[Record]:
        return self._walk()

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self._walk())
        return self._len

    def __bool__(self) -> bool:
        return next(self._walk(), None) is not None


@contextlib.contextmanager
def _open_path(path: str, binary: bool) -> Iterator[IO[Any]]:
    # Write beside the target, then rename: a failed export leaves no half file.
    tmp = f"{path}.partial"
    mode = "wb" if binary else "w"
    kwargs: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
        os.replace(tmp, path)
    except OSError as exc:
        # Name the file the user gave, not the temporary one beside it.
        raise TimelineError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.remove(tmp)


@contextlib.contextmanager
def _open_dest(dest: str | os.PathLike[str] | IO[Any], binary: bool) -> Iterator[IO[Any]]:
    """Give the exporter a stream of the kind it writes (bytes or text) onto ``dest``.

    A path is written through a temporary file renamed at the end. A binary
    exporter on a text stream writes to the stream's binary layer (``buffer``,
    after flushing the text layer), or through a decoding adapter when it has
    none (``io.StringIO``); a text exporter on a binary stream writes through a
    UTF-8 ``TextIOWrapper`` that is detached afterwards, leaving ``dest`` open.

    Raises:
        TimelineError: the path cannot be written (the message names the path).
    """
    if isinstance(dest, (str, os.PathLike)):
        with _open_path(os.fspath(dest), binary) as f:
            yield f
    elif binary and _is_text(dest):
        buffer = getattr(dest, "buffer", None)
        if buffer is not None:
            # Text already written must come first; and with PYTHONUNBUFFERED the
            # buffer is a raw FileIO (not a BufferedIOBase), which is fine too.
            dest.flush()
            yield cast("IO[Any]", buffer)
            buffer.flush()
        else:
            adapter = _DecodingWriter(dest)
            yield cast("IO[Any]", adapter)
            adapter.finish()
    elif not binary and _is_binary(dest):
        wrapper = io.TextIOWrapper(
            cast("IO[bytes]", dest), encoding="utf-8", newline="", write_through=True
        )
        try:
            yield wrapper
            wrapper.flush()
        finally:
            # Detach so that dropping the wrapper does not close the caller's stream.
            wrapper.detach()
    else:
        yield dest


@attrs.frozen(kw_only=True)
class Exporter(_Extension):
    """Writes events to a file: subclass it and implement ``write``."""

    suffix: str = ""
    """The usual file suffix, with the dot (``.ics``)."""
    media_type: str = "application/octet-stream"
    """The MIME type of the output."""
    binary: bool = False
    """Whether ``write`` gets a binary stream (else text, UTF-8, no newline translation)."""

    def export(
        self, timeline: _Reader, dest: str | os.PathLike[str] | IO[Any], **options: Any
    ) -> ExportReport:
        """Write the timeline's matching events to a path or file object; say what it did.

        Takes the common filters (``actor``, ``kind``, ``tag``, ``treaty``,
        ``between``, ``include_retracted``), ``as_of`` (a seq or a recorded time)
        and the exporter's own options.

        Returns:
            The events written, and those left out with why (``ExportReport``).
        """
        as_of = options.pop("as_of", None)
        filters, own = _split(options)
        settings = self.check_options(own)
        view = _view(timeline, as_of)
        where = view.filter(**filters)
        records = _Matches(lambda: view.iter_records(where))
        with _open_dest(dest, self.binary) as stream:
            done = self.write(view, records, stream, **settings)
        if isinstance(done, ExportReport):
            return done
        return ExportReport(written=int(done), matched=int(done))

    def write(
        self, timeline: _Reader, records: Iterable[Record], stream: IO[Any], **options: Any
    ) -> int | ExportReport:
        """Write ``records`` (timeline order) to ``stream``; return how many were written.

        ``records`` is walked lazily, one record at a time, so an export's memory
        does not grow with the timeline: write each record as it comes.
        ``len(records)`` works but walks the matches once more. An exporter that
        leaves some records out returns an ``ExportReport`` saying why
        (``SkipTally`` counts them); a plain count means it wrote them all.
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
    """What an import did."""

    recorded: int
    """How many events were recorded."""
    problems: tuple[ImportProblem, ...] = ()
    """The rows that were skipped (only with ``skip_invalid``)."""


def _id_clash(timeline: Any, event_id: str, first_line: dict[str, int]) -> str | None:
    """Say why ``event_id`` cannot be recorded from this row, or None if it is free.

    An id is taken by a live or retracted event of the log (retracted ids stay
    taken: the log keeps their records) or by an earlier row of the same file.
    """
    if event_id in first_line:
        return f"repeats line {first_line[event_id]}"
    if event_id in timeline:
        return "already used by an event in the log"
    try:
        timeline.is_retracted(event_id)
    except UnknownEvent:
        return None
    return "already used by an event in the log (retracted)"


@attrs.frozen(kw_only=True)
class Importer(_Extension):
    """Reads events from a file: subclass it and implement ``read``."""

    suffix: str = ""
    """The usual file suffix, with the dot (``.csv``)."""
    binary: bool = False
    """Whether ``read`` gets a binary stream (else text, UTF-8)."""

    def import_into(
        self,
        timeline: Any,
        source: str | os.PathLike[str] | IO[Any],
        *,
        skip_invalid: bool = False,
        **options: Any,
    ) -> ImportReport:
        """Record the file's events into ``timeline`` in one append.

        All or nothing by default: with any bad row, nothing is recorded and
        ``ImportFailed`` lists every problem. ``skip_invalid=True`` records the
        good rows and reports the bad ones. A row whose id is already used (by an
        event of the log, retracted ones included, or by an earlier row) is a bad
        row, field ``id``.

        Raises:
            ImportFailed: a row is bad and ``skip_invalid`` is false.
            TimelineError: the file cannot be opened.
        """
        settings = self.check_options(options)
        name = (
            os.fspath(source)
            if isinstance(source, (str, os.PathLike))
            else getattr(source, "name", "<stream>")
        )
        events: list[Event] = []
        problems: list[ImportProblem] = []
        try:
            ctx: contextlib.AbstractContextManager[IO[Any]]
            if not isinstance(source, (str, os.PathLike)):
                ctx = contextlib.nullcontext(source)
            elif self.binary:
                ctx = open(source, "rb")  # noqa: SIM115 - closed by the with below
            else:
                # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
                ctx = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115
            with ctx as stream:
                first_line: dict[str, int] = {}
                for line, item in self.read(stream, **settings):
                    if isinstance(item, ImportProblem):
                        problems.append(item)
                        continue
                    try:
                        event = timeline._coerce(item)
                    except InvalidEvent as exc:
                        problems.append(
                            ImportProblem(
                                line=line,
                                field=exc.field,
                                reason=f"got {exc.value!r}, expected {exc.expected}",
                            )
                        )
                        continue
                    clash = _id_clash(timeline, event.id, first_line)
                    if clash is not None:
                        problems.append(ImportProblem(line=line, field="id", reason=clash))
                        continue
                    first_line[event.id] = line
                    events.append(event)
        except OSError as exc:
            raise TimelineError(f"cannot read {name}: {exc.strerror or exc}") from None
        if problems and not skip_invalid:
            raise ImportFailed(str(name), problems)
        if events:
            timeline.record_many(events)
        return ImportReport(recorded=len(events), problems=tuple(problems))

    def read(
        self, stream: IO[Any], **options: Any
    ) -> Iterable[tuple[int, Event | dict[str, Any] | ImportProblem]]:
        """Yield ``(line, event_or_fields_or_problem)`` for every row of the file."""
        raise NotImplementedError


@attrs.frozen(kw_only=True)
class Analysis(_Extension):
    """Answers a question about a timeline: subclass it and implement ``run``."""

    def analyze(self, timeline: _Reader, **options: Any) -> Any:
        """Run on a timeline with the common filters, ``as_of`` and own options."""
        as_of = options.pop("as_of", None)
        filters, own = _split(options)
        view = _view(timeline, as_of)
        return self.run(view, view.filter(**filters), **self.check_options(own))

    def run(self, timeline: _Reader, where: Any, **options: Any) -> Any:
        """Compute the result (attrs objects) for the events passing ``where``."""
        raise NotImplementedError

    def table(self, result: Any) -> tuple[list[str], list[list[Any]]]:
        """Return the result as a header and rows (for the terminal table and CSV)."""
        raise NotImplementedError

    def to_json(self, result: Any) -> Any:
        """Return the result as JSON-compatible data."""
        return msgspec.to_builtins(result)
