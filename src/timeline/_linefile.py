"""Finding a JSON Lines log's lines in its bytes, without reading the file through.

Line ``n`` of a well-formed log holds seq ``n`` and starts with ``{"seq":n,``, so a
line's seq is read without decoding it, the lines of a tail are found backwards from
the end, a seq's line by bisecting byte offsets, and the lines of known offsets by one
``pread`` each. The store (``_jsonl``) keeps the lock, the head and the bookmarks.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from ._errors import InvalidRecord

__all__ = ["line_from", "lines_before", "offset_of", "read_at", "seq_of"]


def seq_of(line: bytes) -> int:
    """Return the seq a stored line starts with.

    Raises:
        ValueError: the line does not start as a record's does.
    """
    # Every line we write starts with {"seq":N, so the position is read without
    # decoding the line: skipping to a snapshot's tail stays cheap.
    return int(line[7 : line.index(b",", 7)])


def lines_before(f: BinaryIO, end: int, *, torn: bool = False) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, line)`` for the lines ending before ``end``, last first.

    ``end`` is just after a newline; with ``torn`` it is the file's end after a
    torn line, and the one thing yielded is where that torn line starts.
    """
    pos, buf, chunk = end, b"", 4096
    while pos > 0 or buf:
        if pos > 0:
            start = max(0, pos - chunk)
            f.seek(start)
            buf = f.read(pos - start) + buf
            pos, chunk = start, min(chunk * 2, 1 << 20)
        if torn:
            at = buf.rfind(b"\n")
            if at >= 0 or pos == 0:
                yield pos + at + 1, buf[at + 1 :]
                return
            continue
        while buf:
            at = buf.rfind(b"\n", 0, len(buf) - 1)
            if at < 0 and pos > 0:
                break  # the line starts before pos: read further back
            yield pos + at + 1, buf[at + 1 : -1]
            buf = buf[: at + 1]


def _line_after(f: BinaryIO, offset: int) -> tuple[int, bytes]:
    """Return where the first line starting at or after ``offset`` starts, and its bytes."""
    f.seek(max(offset - 1, 0))
    if offset > 0:
        f.readline()  # the rest of the line holding offset - 1: its newline at least
    return f.tell(), f.readline()


def line_from(f: BinaryIO, offset: int) -> bytes | None:
    """Return the first complete line starting at or after ``offset``, or None."""
    line = _line_after(f, offset)[1]
    return line if line.endswith(b"\n") else None


def offset_of(path: Path, seq: int, low: int) -> int | None:
    """Return where the line of ``seq`` starts, by bisection from byte ``low`` (a line start).

    None if it is not found so (no such line, or a line that is not a record on the
    way: the caller then reads the lines in turn).
    """
    with path.open("rb") as f:
        high = f.seek(0, os.SEEK_END)
        try:
            # Lines starting before low hold smaller seqs; the first at or after high
            # holds seq or a later one (or there is none).
            while low < high:
                start, line = _line_after(f, (low + high) // 2)
                if not line.endswith(b"\n") or seq_of(line) >= seq:
                    high = (low + high) // 2
                else:
                    low = start + len(line)
            start, line = _line_after(f, low)
            found = seq_of(line) if line.endswith(b"\n") else None
        except ValueError:
            return None
    return start if found == seq else None


def read_at(
    location: str, starts: array[int], seqs: Sequence[int], where: Callable[[int], str]
) -> list[bytes]:
    """Return the lines of ``seqs`` read at ``starts``, stopping at one that is not there.

    One ``pread`` of a line's exact bytes where the next line's start gives its
    length (a seek and a buffered readline per line took about 1 us more).

    Args:
        location: the log file.
        starts: where line ``n`` starts, at ``starts[n - 1]``.
        seqs: the lines wanted, in the order wanted.
        where: names a seq's record in an error.

    Raises:
        InvalidRecord: a seq is past the lines ``starts`` knows.
    """
    lines = []
    known = len(starts)
    fd = os.open(location, os.O_RDONLY)
    try:
        pread = os.pread
        for seq in seqs:
            if not 0 < seq <= known:
                raise InvalidRecord(where(seq), "not in the log")
            start = starts[seq - 1]
            if seq < known:
                # With its newline: a line that is not followed by one there is not
                # where the offsets say (the file changed since they were learnt).
                line = pread(fd, starts[seq] - start, start)
                if not line.endswith(b"\n"):
                    break
                line = line[:-1]
            else:
                line = b""
                while not line.endswith(b"\n"):
                    more = pread(fd, 1 << 16, start + len(line))
                    if not more:
                        break
                    line += more
                    cut = line.find(b"\n")
                    if cut >= 0:
                        line = line[: cut + 1]
                line = line.removesuffix(b"\n")
            if not line.startswith(b'{"seq":%d,' % seq):
                break
            lines.append(line)
    finally:
        os.close(fd)
    return lines
