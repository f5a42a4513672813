"""The files exports write and imports read: never over the log, FIFOs and devices as streams.

An export to a path writes a temporary file beside the target and renames it
at the end, so a failed export leaves no half file; but only a regular file
(or a new one) is replaced that way. A FIFO, a character or block device is
written as a stream, in place; a symlink is followed and its target replaced
(the link stays); anything else (a directory, a socket) is refused, and so is
any path that is the open log itself or one of its companion files (reached
directly, through a symlink or through a hard link).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import stat
from collections.abc import Iterator
from typing import IO, Any, cast

from ._errors import ImportFailed, InvalidRecord, TimelineError
from ._extensions import ImportProblem

__all__ = ["log_files", "open_destination", "open_source", "source_name"]

#: The files beside a log that belong to it (SQLite's journals, the JSON Lines lock).
_COMPANIONS = ("-wal", "-shm", "-journal", ".lock")


def log_files(location: str) -> tuple[str, ...]:
    """Return the log at ``location`` and its companion files (none for ``:memory:``)."""
    if not location or location == ":memory:":
        return ()
    return (location, *(location + suffix for suffix in _COMPANIONS))


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


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _cannot(path: str, reason: str) -> TimelineError:
    return TimelineError(f"cannot write {path}: {reason}")


def _check_target(path: str, protect: tuple[str, ...]) -> os.stat_result | None:
    """Return what ``path`` is now (None when it does not exist), refusing a protected file.

    Raises:
        TimelineError: the path is the open log (or a companion file), or is neither a
            regular file, a FIFO nor a device.
    """
    try:
        found = os.stat(path)  # follows symlinks: the file that would be written
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot(path, exc.strerror or str(exc)) from None
    here = (found.st_dev, found.st_ino)
    for other in protect:
        if _identity(other) == here:
            what = "" if other == protect[0] else f" ({other})"
            raise _cannot(
                path,
                f"it is the timeline log {protect[0]}{what} being exported; "
                "write the export somewhere else",
            )
    mode = found.st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        reason = "Is a directory" if stat.S_ISDIR(mode) else "not a regular file, FIFO or device"
        raise _cannot(path, reason)
    return found


@contextlib.contextmanager
def _open_path(path: str, binary: bool, protect: tuple[str, ...]) -> Iterator[IO[Any]]:
    found = _check_target(path, protect)
    mode = "wb" if binary else "w"
    kwargs: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
    if found is not None and not stat.S_ISREG(found.st_mode):
        # A FIFO or a device: written in place as a stream, never replaced by a file.
        try:
            with open(path, mode, **kwargs) as stream:
                yield stream
        except OSError as exc:
            raise _cannot(path, exc.strerror or str(exc)) from None
        return
    # A regular file (or none yet): write beside it, then rename. A symlink is
    # followed, so the link stays and its target gets the export.
    target = os.path.realpath(path) if os.path.islink(path) else path
    tmp = f"{target}.partial"
    try:
        # A stale temporary file, or a link someone left in its place (to the log, say),
        # is unlinked, never written through; the new one is created exclusively.
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, mode, **kwargs) as f:
            yield f
        os.replace(tmp, target)
    except OSError as exc:
        # Name the file the user gave, not the temporary one beside it.
        raise _cannot(path, exc.strerror or str(exc)) from None
    finally:
        with contextlib.suppress(OSError):
            os.remove(tmp)


def _is_text(stream: object) -> bool:
    return isinstance(stream, io.TextIOBase)


def _is_binary(stream: object) -> bool:
    return isinstance(stream, (io.RawIOBase, io.BufferedIOBase))


@contextlib.contextmanager
def open_destination(
    dest: str | os.PathLike[str] | IO[Any], binary: bool, protect: tuple[str, ...] = ()
) -> Iterator[IO[Any]]:
    """Give an exporter a stream of the kind it writes (bytes or text) onto ``dest``.

    A path is checked and written as the module docstring says. A binary
    exporter on a text stream writes to the stream's binary layer (``buffer``,
    after flushing the text layer), or through a decoding adapter when it has
    none (``io.StringIO``); a text exporter on a binary stream writes through a
    UTF-8 ``TextIOWrapper`` that is detached afterwards, leaving ``dest`` open.

    Args:
        dest: a path or an open file object.
        binary: whether the exporter writes bytes.
        protect: files never to write: the open log first, then its companions.

    Raises:
        TimelineError: the path is protected, not a file that can be written, or the
            write failed (the message names the path).
    """
    if isinstance(dest, (str, os.PathLike)):
        with _open_path(os.fspath(dest), binary, protect) as f:
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


def source_name(source: str | os.PathLike[str] | IO[Any]) -> str:
    """Return what errors call an import source: its path, or the stream's name."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _first_bad_line(path: str) -> ImportProblem | None:
    """Find the first line of a file that is not UTF-8 (a character never spans lines)."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = (
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                    "save the file as UTF-8"
                )
                return ImportProblem(line=number, field="row", reason=reason)
    return None


@contextlib.contextmanager
def open_source(source: str | os.PathLike[str] | IO[Any], binary: bool) -> Iterator[IO[Any]]:
    """Open an import source for an importer's ``read`` (text: UTF-8, a BOM skipped).

    Raises:
        TimelineError: the file cannot be opened or read.
        ImportFailed: a text file is not UTF-8 (the problem names the first bad line).
    """
    name = source_name(source)
    try:
        ctx: contextlib.AbstractContextManager[IO[Any]]
        if not isinstance(source, (str, os.PathLike)):
            ctx = contextlib.nullcontext(source)
        elif binary:
            ctx = open(source, "rb")  # noqa: SIM115 - closed by the with below
        else:
            # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
            ctx = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115
        with ctx as stream:
            yield stream
    except OSError as exc:
        raise TimelineError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        problem = None
        if isinstance(source, (str, os.PathLike)):
            with contextlib.suppress(OSError):
                problem = _first_bad_line(os.fspath(source))
        if problem is None:  # a stream: its lines cannot be read again
            reason = f"not UTF-8 text ({exc.reason}); nothing was recorded"
            raise InvalidRecord(name, reason) from None
        raise ImportFailed(name, [problem]) from None
