"""Finding a JSON Lines log's lines in its bytes (``_linefile``)."""

from __future__ import annotations

import io
import tempfile
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline
from timeline._linefile import line_from, lines_before, offset_of, read_at, seq_of


@given(
    st.lists(st.binary(max_size=5000).map(lambda b: b.replace(b"\n", b"")), max_size=8),
    st.binary(max_size=300),
)
def test_lines_before_walks_back_exactly(lines: list[bytes], torn: bytes) -> None:
    """The backwards line walk repair uses gives every line, last first, at its offset."""
    data = b"".join(line + b"\n" for line in lines)
    offsets = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
    walked = list(lines_before(io.BytesIO(data), len(data)))
    assert list(zip(offsets, lines, strict=True))[::-1] == walked
    tail = data + torn.replace(b"\n", b"") + b"x"
    assert [(len(data), tail[len(data) :])] == list(
        lines_before(io.BytesIO(tail), len(tail), torn=True)
    )


def _records(n: int) -> bytes:
    return b"".join(b'{"seq":%d,"x":"%s"}\n' % (s, b"y" * (s % 7)) for s in range(1, n + 1))


@given(st.integers(1, 300), st.data())
def test_offset_of_finds_every_seq_and_no_other(n: int, data: st.DataObject) -> None:
    content = _records(n)
    starts = [0, *(i + 1 for i, b in enumerate(content) if b == 10)][:-1]
    seq = data.draw(st.integers(1, n + 2))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "log.jsonl")
        path.write_bytes(content)
        found = offset_of(path, seq, 0)
    assert found == (starts[seq - 1] if seq <= n else None)


def test_line_from_and_seq_of() -> None:
    content = _records(3) + b'{"seq":4,"torn'
    f = io.BytesIO(content)
    assert line_from(f, 0) == b'{"seq":1,"x":"y"}\n'
    assert line_from(f, 1) == b'{"seq":2,"x":"yy"}\n'  # the line after the one holding byte 0
    assert line_from(f, len(_records(3))) is None  # the torn last line is no line
    assert seq_of(b'{"seq":42,"stream":"a"}') == 42
    with pytest.raises(ValueError, match="not found"):
        seq_of(b"not a record")


def test_read_at_stops_where_the_offsets_are_wrong(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    content = _records(5)
    path.write_bytes(content)
    starts = array("q", [0, *(i + 1 for i, b in enumerate(content) if b == 10)][:-1])
    where = lambda seq: f"log seq {seq}"  # noqa: E731
    assert read_at(str(path), starts, [3, 1, 5], where) == [
        b'{"seq":3,"x":"yyy"}',
        b'{"seq":1,"x":"y"}',
        b'{"seq":5,"x":"yyyyy"}',
    ]
    shifted = array("q", [s + 1 for s in starts])
    assert read_at(str(path), shifted, [2], where) == []  # not a line there: the caller relearns
    with pytest.raises(timeline.InvalidRecord, match="log seq 6"):
        read_at(str(path), starts, [6], where)
