"""The JSON Lines store's hot file: each record's hot row and line length, beside the log.

A JSON Lines log keeps its records as text, so a replay with no snapshot used to
scan and parse every line to fold its hot row (7.8-8.3 us a record on the 100k
benchmark log, where SQLite reads its packed column in about 1.2). The hot file
keeps what SQLite keeps in its ``hot`` column, for the same records, in blocks
appended after each append's lines: a replay reads it instead of the log, and
learns where every line starts from the lengths it holds.

It is a cache, never the truth. Each block carries the seq range it covers, the
hash of its last record and a digest of its bytes; a reader keeps the blocks that
continue each other from seq 1, whose digests hold, and whose last record's hash is
the log's at that seq (the chain then vouches for every record before it). Whatever
is past that (a torn block, a log cut back or replaced, another log's file) is not
read: the record layer decodes those records from their lines, and the store
writes their blocks again. ``verify()`` checks every kept row against its line.

Block layout: a header ``<4sQIIQ16s`` (magic ``GTH2``, first seq, count, payload
bytes, the log offset of its first line, BLAKE2b-128 of the payload), the payload,
msgpack ``[last hash, terms, streams, line lengths, rows]``, and the block's own
length (uint32) so a reader of a tail walks back from the end. ``terms`` are the
block's own ``[field, value]`` pairs (term ``n`` is ``terms[n - 1]``, 0 is none),
``line lengths`` little-endian uint32 (newline included) and ``rows`` ``HOT_WIDTH``
little-endian int32 per record, whose term columns number the block's terms.
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import msgspec

from ._backend import KEEP_HOT_ROWS, StoredRow
from ._cachedir import made_cache_dir
from ._columns import FIELDS, HOT_WIDTH, NO_FIELDS, HotBatch, Vocabulary

__all__ = ["HotFile", "KeptHot"]

_MAGIC = b"GTH2"
# A block ends with its own length, so a reader of a log's tail walks back from the
# file's end instead of through every block (a log written an event at a time has one
# per append until a whole read compacts them).
_HEADER = struct.Struct("<4sQIIQ16s")
_TRAILER = struct.Struct("<I")
#: The term columns of a hot row (after its version): kind, actors, tags, treaty, modality.
_TERM_COLUMNS = (1, 5, 6, 7, 8)
#: Records per block at most (what the record layer offers ``keep_hot`` at a time).
BLOCK_ROWS = KEEP_HOT_ROWS
#: Rows per batch handed to the fold, as SQLite's replay reads them.
BATCH_ROWS = 2048
_SWAP = sys.byteorder != "little"
_encoder = msgspec.msgpack.Encoder()
_Payload = tuple[str, list[tuple[str, Any]], list[str], bytes, bytes]
_payload = msgspec.msgpack.Decoder(_Payload)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@attrs.frozen
class KeptHot:
    """What a hot file vouches for, of the seqs a reader asked for."""

    end: int
    """The last seq whose row it holds (0: none)."""
    size: int
    """The bytes of the file up to the end of the block holding ``end`` (a writer adds
    after them, cutting off whatever the log does not vouch for)."""
    file_size: int
    """The file's size when it was read."""
    line_end: int
    """The log's byte offset just after that seq's line (0: none)."""
    lengths: array[int] | None
    """When the rows start at seq 1, each line's length, newline included."""
    batches: list[HotBatch]
    """The rows asked for, numbered by the reader's vocabulary, in batches of ``BATCH_ROWS``."""
    compacted: bytes | None = None
    """The same rows in fewer, larger blocks, when a whole read found many small ones
    (a log written an event at a time): the file to put in its place."""


@attrs.frozen
class _Head:
    """One block's header, and where the block lies in the file."""

    start: int
    first: int
    count: int
    size: int
    line_at: int
    digest: bytes

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    @property
    def end(self) -> int:
        return self.start + _HEADER.size + self.size + _TRAILER.size


class HotFile:
    """A log's hot file (``<log>.snapshots/hot``): read, checked, appended, cut.

    Args:
        path: the file; missing means nothing is kept yet.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    # -- reading -----------------------------------------------------------------------

    @staticmethod
    def _head(f: BinaryIO, at: int, size: int) -> _Head | None:
        """Return the header of a block starting at ``at`` if its frame is whole, else None."""
        if at < 0 or at + _HEADER.size + _TRAILER.size > size:
            return None
        f.seek(at)
        magic, first, count, length, line_at, digest = _HEADER.unpack(f.read(_HEADER.size))
        head = _Head(at, first, count, length, line_at, digest)
        if magic != _MAGIC or not count or first < 1 or head.end > size:
            return None
        f.seek(head.end - _TRAILER.size)
        if _TRAILER.unpack(f.read(_TRAILER.size))[0] != head.end - at:
            return None
        return head

    def _forward(self, f: BinaryIO, size: int) -> list[_Head]:
        """Return the whole blocks that continue each other from seq 1."""
        heads: list[_Head] = []
        at, expected = 0, 1
        while (head := self._head(f, at, size)) is not None and head.first == expected:
            heads.append(head)
            at, expected = head.end, head.last + 1
        return heads

    def _back(self, f: BinaryIO, size: int, after: int) -> list[_Head] | None:
        """Return the blocks from the one holding ``after + 1`` to the end, walking back.

        None when the file does not end with whole blocks that reach back that far
        (a torn last block): the caller then reads forward from the start.
        """
        heads: list[_Head] = []
        end = size
        while end > 0:
            f.seek(end - _TRAILER.size)
            (length,) = _TRAILER.unpack(f.read(_TRAILER.size))
            head = self._head(f, end - length, size)
            if head is None or head.end != end or (heads and head.last + 1 != heads[-1].first):
                return None
            heads.append(head)
            if head.first <= after + 1:
                break
            end = head.start
        heads.reverse()
        return heads if not heads or heads[0].first <= after + 1 else None

    def _vouched(
        self, hash_at: Callable[[int, int, int], str | None], after: int, until: int | None
    ) -> tuple[list[tuple[_Head, _Payload]], list[array[int]], int]:
        """Return the vouched blocks holding seqs ``after..until``, their line lengths, the size.

        Whole blocks only, that continue each other, whose digest and shape hold, up to
        the last whose last record the log holds where the lengths say (``hash_at``).
        """
        try:
            f = self.path.open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return [], [], 0
        with f:
            size = f.seek(0, os.SEEK_END)
            heads = (self._back(f, size, after) if after > 0 else None) or self._forward(f, size)
            wanted = [h for h in heads if h.last > after and (until is None or h.first <= until)]
            blocks: list[tuple[_Head, _Payload]] = []
            for head in wanted:
                f.seek(head.start + _HEADER.size)
                data = f.read(head.size)
                if _digest(data) != head.digest:
                    break
                try:
                    payload = _payload.decode(data)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    break
                _, _, streams, line_lengths, rows = payload
                count = head.count
                if (
                    len(streams) != count
                    or len(line_lengths) != 4 * count
                    or len(rows) != 4 * HOT_WIDTH * count
                ):
                    break
                blocks.append((head, payload))
        sizes = [_lengths(payload[3]) for _, payload in blocks]

        def vouched(n: int) -> bool:
            head, payload = blocks[n - 1]
            lengths = sizes[n - 1]
            offset = head.line_at + sum(lengths[:-1])
            return hash_at(head.last, offset, lengths[-1]) == payload[0]

        # The chain: if the log holds a block's last record, it holds every one before it,
        # so the blocks kept are a prefix, found by bisection (one line read per probe).
        lo, hi = 0, len(blocks)
        if hi and not vouched(hi):
            hi -= 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if vouched(mid):
                    lo = mid
                else:
                    hi = mid - 1
        else:
            lo = hi
        return blocks[:lo], sizes[:lo], size

    def read(
        self,
        vocabulary: Vocabulary,
        hash_at: Callable[[int, int, int], str | None],
        after: int = 0,
        until: int | None = None,
    ) -> KeptHot:
        """Return the rows of seqs ``after < seq <= until`` the log vouches for, from the first.

        Args:
            vocabulary: numbers the terms of the rows returned.
            hash_at: given a seq, the byte offset its line starts at and the line's
                length, returns the stored hash of the log's record there (None if the
                log holds no such line there).
            after: the rows wanted start after this seq.
            until: and end at this one (None: the end).
        """
        kept, sizes, size = self._vouched(hash_at, after, until)
        if not kept:
            return KeptHot(0, 0, size, 0, None, [])
        last_head = kept[-1][0]
        line_end = last_head.line_at + sum(sizes[-1])
        lengths = None
        if kept[0][0].first == 1:
            lengths = array("I")
            for part in sizes:
                lengths.extend(part)
        per_block = [
            list(_batches(head, payload, vocabulary, after, until)) for head, payload in kept
        ]
        batches = _coalesced([batch for part in per_block for batch in part])
        compacted = None
        if after <= 0 and until is None and len(kept) > 8 + 2 * (last_head.last // BLOCK_ROWS):
            compacted = _compacted(kept, per_block, sizes, vocabulary)
        return KeptHot(last_head.last, last_head.end, size, line_end, lengths, batches, compacted)

    def versions(
        self, hash_at: Callable[[int, int, int], str | None]
    ) -> tuple[int, int, dict[str, int]]:
        """Return the last seq vouched for, the log offset after its line, every stream's version.

        What a writer checks appends against, up to that seq. Reads the streams and the
        versions column only: no term is looked at.
        """
        kept, sizes, _ = self._vouched(hash_at, 0, None)
        versions: dict[str, int] = {}
        for _, payload in kept:
            hot = array("i")
            hot.frombytes(payload[4])
            if _SWAP:
                hot.byteswap()
            versions.update(zip(payload[2], hot[0::HOT_WIDTH], strict=True))
        if not kept:
            return 0, 0, versions
        last_head = kept[-1][0]
        return last_head.last, last_head.line_at + sum(sizes[-1]), versions

    def end(self) -> tuple[int, int, int]:
        """Return the last seq covered, the bytes that cover it, and the log offset after it.

        The offset is where the log's line after that seq starts. Reads the last
        block's header and payload only (what a writer needs to know whether its rows
        follow); the blocks themselves are checked when read.
        """
        try:
            f = self.path.open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return 0, 0, 0
        with f:
            size = f.seek(0, os.SEEK_END)
            heads = self._back(f, size, 1 << 62)
            if heads is None:
                heads = self._forward(f, size)
            if not heads:
                return 0, 0, 0
            last = heads[-1]
            f.seek(last.start + _HEADER.size)
            try:
                payload = _payload.decode(f.read(last.size))
            except (msgspec.DecodeError, msgspec.ValidationError):
                return 0, 0, 0  # a damaged last block: the writer starts the file again
            return last.last, last.end, last.line_at + sum(_lengths(payload[3]))

    # -- writing -----------------------------------------------------------------------

    def append(self, blocks: Sequence[bytes], after: int) -> None:
        """Append encoded blocks, first cutting the file to ``after`` bytes.

        No fsync: the file is a cache, and a block a crash tears is found by its digest.
        """
        made_cache_dir(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size != after:
                os.ftruncate(fd, after)
            os.lseek(fd, after, os.SEEK_SET)
            data = b"".join(blocks)
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
        finally:
            os.close(fd)


def _lengths(data: bytes) -> array[int]:
    lengths = array("I")
    lengths.frombytes(data)
    if _SWAP:
        lengths.byteswap()
    return lengths


def _batches(
    head: _Head, payload: _Payload, vocabulary: Vocabulary, after: int, until: int | None
) -> Iterator[HotBatch]:
    """Yield a block's rows of seqs ``after < seq <= until``, numbered by the vocabulary."""
    _, terms, streams, _, rows = payload
    table = [0, *vocabulary.numbers(terms)]
    hot = array("i")
    hot.frombytes(rows)
    if _SWAP:
        hot.byteswap()
    if len(table) > 1:
        for column in _TERM_COLUMNS:
            hot[column::HOT_WIDTH] = array("i", map(table.__getitem__, hot[column::HOT_WIDTH]))
    first, width = head.first, HOT_WIDTH
    low = max(after + 1 - first, 0)
    high = head.count if until is None else min(until + 1 - first, head.count)
    for start in range(low, high, BATCH_ROWS):
        end = min(start + BATCH_ROWS, high)
        yield HotBatch(
            range(first + start, first + end), streams[start:end], hot[start * width : end * width]
        )


def _coalesced(batches: list[HotBatch]) -> list[HotBatch]:
    """Return the batches with runs of small ones joined, up to ``BATCH_ROWS`` rows each.

    Blocks of one append each (a log written an event at a time) would otherwise fold
    a batch per record.
    """
    if all(len(batch) >= BATCH_ROWS // 2 for batch in batches[:-1]):
        return batches
    out: list[HotBatch] = []
    run: list[HotBatch] = []
    count = 0

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            streams, hot = _joined(run)
            out.append(HotBatch(range(run[0].seqs[0], run[-1].seqs[-1] + 1), streams, hot))

    for batch in batches:
        if count + len(batch) > BATCH_ROWS:
            flush()
            run, count = [], 0
        run.append(batch)
        count += len(batch)
    flush()
    return out


def _joined(batches: Sequence[HotBatch]) -> tuple[list[str], array[int]]:
    """Return the streams and hot rows of consecutive batches, one after the other."""
    hot = array("i")
    streams: list[str] = []
    for batch in batches:
        hot.extend(batch.hot)
        streams.extend(batch.streams)
    return streams, hot


def _compacted(
    kept: list[tuple[_Head, _Payload]],
    per_block: list[list[HotBatch]],
    sizes: list[array[int]],
    vocabulary: Vocabulary,
) -> bytes:
    """Return the file of the kept blocks joined into blocks of up to ``BLOCK_ROWS`` rows."""
    out: list[bytes] = []
    start = 0
    while start < len(kept):
        end, rows = start, 0
        while end < len(kept) and (end == start or rows + kept[end][0].count <= BLOCK_ROWS):
            rows += kept[end][0].count
            end += 1
        lengths = array("I")
        for part in sizes[start:end]:
            lengths.extend(part)
        batches = [batch for part in per_block[start:end] for batch in part]
        last_hash = kept[end - 1][1][0]
        out.append(
            blocks_of_batches(batches, kept[start][0].line_at, lengths, last_hash, vocabulary)
        )
        start = end
    return b"".join(out)


def _encode(
    first: int, line_at: int, last_hash: str, terms: list[tuple[str, Any]], streams: list[str],
    lengths: array[int], rows: array[int],
) -> bytes:  # fmt: skip
    if _SWAP:
        lengths, rows = array("I", lengths), array("i", rows)
        lengths.byteswap()
        rows.byteswap()
    payload = _encoder.encode((last_hash, terms, streams, lengths.tobytes(), rows.tobytes()))
    head = _HEADER.pack(_MAGIC, first, len(streams), len(payload), line_at, _digest(payload))
    total = len(head) + len(payload) + _TRAILER.size
    return head + payload + _TRAILER.pack(total)


def blocks_of_rows(rows: Sequence[StoredRow], line_at: int) -> list[bytes]:
    """Return the blocks of appended rows, which carry their hot values (``StoredRow.hot``).

    Args:
        rows: an append's rows, in order.
        line_at: the log's byte offset where the first row's line starts.
    """
    out = []
    for start in range(0, len(rows), BLOCK_ROWS):
        part = rows[start : start + BLOCK_ROWS]
        local: dict[tuple[str, Any], int] = {}
        ints = array("i")
        for row in part:
            hot = row.hot
            if hot is None or hot[0] is None:
                ints.extend((row.version, *NO_FIELDS))
                continue
            texts = (hot[0], hot[4], hot[5], hot[6], hot[7])
            kind, actors, tags, treaty, modality = (
                0 if value is None else local.setdefault((field, value), len(local) + 1)
                for field, value in zip(FIELDS, texts, strict=True)
            )
            ints.extend((row.version, kind, hot[1], hot[2], hot[3], actors, tags, treaty, modality))
        lengths = array("I", [len(row.line) + 1 for row in part])
        streams = [row.stream for row in part]
        out.append(
            _encode(part[0].seq, line_at, part[-1].hash, list(local), streams, lengths, ints)
        )
        line_at += sum(lengths)
    return out


def blocks_of_batches(
    batches: Sequence[HotBatch],
    line_at: int,
    lengths: array[int],
    last_hash: str,
    vocabulary: Vocabulary,
) -> bytes:
    """Return the block of consecutive batches decoded from lines (``vocabulary``'s term ids).

    Args:
        batches: consecutive hot rows, as the record layer decoded them.
        line_at: the log's byte offset where the first one's line starts.
        lengths: each of their lines' length, newline included.
        last_hash: the stored hash of the last of them.
        vocabulary: what their term ids number.
    """
    streams, hot = _joined(batches)
    local: dict[int, int] = {0: 0}
    for column in _TERM_COLUMNS:
        ids = hot[column::HOT_WIDTH]
        for term_id in sorted(set(ids) - local.keys()):
            local[term_id] = len(local)
        hot[column::HOT_WIDTH] = array("i", map(local.__getitem__, ids))
    terms = vocabulary.terms
    numbered = [terms[term_id] for term_id in sorted(local, key=local.__getitem__)[1:]]
    first = batches[0].seqs[0]
    return _encode(first, line_at, last_hash, numbered, streams, lengths, hot)
