"""A store in one human-readable, git-diffable JSON Lines file."""

from __future__ import annotations

import bisect
import contextlib
import itertools
import os
import re
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from ._backend import AppendHead, Backend, Columns, Placer, Stamper, StoredRow
from ._cachedir import cache_dir, made_cache_dir
from ._clusterfile import ClusterFile
from ._codec import BATCH_BYTES, BATCH_LINES, RecordCodec
from ._columns import HOT_WIDTH, HotBatch, pack
from ._errors import CorruptLog, InvalidRecord, ReadOnlyTimeline
from ._hotfile import HotFile, blocks_of_batches, blocks_of_rows
from ._linefile import line_from, lines_before, offset_of, read_at, seq_of
from ._records import GENESIS_HASH
from ._store import Store

__all__ = ["JsonlBackend", "JsonlStore"]


class _Header(msgspec.Struct, gc=False):
    seq: int
    stream: str
    version: int
    recorded_at: str
    hash: str
    batch_end: int | None = None


_header = msgspec.json.Decoder(_Header)
_SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class JsonlBackend(Backend):
    """A log in one JSON Lines file: one record per line, in seq order.

    Appends take an advisory lock (``<file>.lock``), write whole lines, flush and
    fsync, then add the records' hot rows to the hot file (``_hotfile``,
    ``<file>.snapshots/hot``), a cache that lets a replay skip parsing the lines.
    Every line of an append of two or more records carries ``batch_end``,
    the seq of the append's last record. A crash mid-write can leave a torn last
    line, or the first lines of an append whose last line never arrived: opening
    the file (or the next writer, or ``head()``) cuts both off, so an append is
    kept whole or not at all, and reports the repair in ``repairs``.

    Args:
        path: the ``.jsonl`` file; created when missing.
        timeout: seconds to wait for another writer's lock.
        inspect: open to inspect only (what ``timeline.verify`` does): repair
            nothing (``repairs`` says what opening would cut) and accept a last
            line that is not a record, so verify reports it with everything else;
            appends are refused (``ReadOnlyTimeline``).

    Raises:
        CorruptLog: the file's last complete line is not a record (naming its seq).
    """

    keeps_hot = True
    hot_rows_may_lag = True

    def __init__(
        self, path: str | os.PathLike[str], timeout: float = 30.0, *, inspect: bool = False
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.location = os.fspath(path)
        import filelock  # 10-15 ms at import: only a JSON Lines log pays it

        self._lock = filelock.FileLock(self.location + ".lock", timeout=timeout)
        self._offset = 0
        self._seq, self._hash, self._time = 0, GENESIS_HASH, ""
        self._versions: dict[str, int] | None = None
        # Bookmarks: the byte offset just after the line of a seq, learnt while
        # reading and writing, so a read after seq N seeks instead of rescanning
        # (an amend refreshes from the head: without them, O(log size) per write).
        self._mark_seqs: list[int] = []
        self._mark_offsets: list[int] = []
        #: Where line n (seq n) starts, for decoding events on demand.
        self._starts: array[int] = array("q")
        self._inspect = inspect
        self._hot = HotFile(cache_dir(self.location) / "hot")
        #: The hot file's last seq, its bytes covering it, the log offset after that
        #: seq's line, and the file's size when they were learnt.
        self._hot_end: tuple[int, int, int, int] | None = None
        #: Decodes lines into what they do to the clustered copy (``keep_clustered``);
        #: None until the record layer gives it, and then appends keep a copy the log has.
        self._place: Placer | None = None
        copy = cache_dir(self.location) / "clustered.db"
        self._cluster = ClusterFile(copy, self.location, self.record_hash, self._lines_to)
        with self._lock:
            self.path.touch(exist_ok=True)
            self._repair()
            try:
                self._load_head()
            except CorruptLog:
                if not inspect:
                    raise

    def _repair(self) -> bool:
        """Cut what a writer that died mid-append left behind (call under the lock).

        That is a torn last line, and before it the complete lines of an append
        whose last line was never written: no writer acknowledged them, and an
        append is kept whole or not at all. A store opened to ``inspect`` only
        notes in ``repairs`` what it would cut.

        Returns:
            Whether the file was cut.
        """
        size = self.path.stat().st_size
        if size == 0:
            return False
        with self.path.open("rb+") as f:
            f.seek(size - 1)
            whole = size
            if f.read(1) != b"\n":
                # Everything after the last newline is a torn write.
                whole = next(lines_before(f, size, torn=True), (0, b""))[0]
            cut, dropped = self._unfinished_append(f, whole)
            if cut == size:
                return False
            if self._inspect:
                self.repairs.append(
                    f"{self.location}: not repaired (only inspected): bytes {cut}-{size} are "
                    "left by an interrupted write; opening the log for use cuts them off"
                )
                return False
            f.truncate(cut)
            f.flush()
            os.fsync(f.fileno())
        torn = f"a torn last line ({size - whole} bytes)"
        if dropped is None:
            note = f"cut off {torn} left by an interrupted write; every complete record was kept"
        else:
            count, first, last, end = dropped
            note = (
                f"cut off an append interrupted by a crash: dropped {count} records "
                f"(seq {first}-{last}) of an append that was to end at seq {end}; "
                "they were never acknowledged"
            )
            if whole != size:
                note += f", and {torn}"
        self.repairs.append(f"{self.location}: {note}")
        # What this store learnt past the cut is gone: read the file afresh.
        keep = bisect.bisect_right(self._mark_offsets, cut)
        del self._mark_seqs[keep:], self._mark_offsets[keep:]
        self._versions = None
        return True

    def _unfinished_append(
        self, f: BinaryIO, end: int
    ) -> tuple[int, tuple[int, int, int, int] | None]:
        """Find the lines of an append whose last record is missing, at the end.

        Returns:
            Where the whole appends end, and (count, first seq, last seq, the seq
            the append was to end at) of the dropped lines, or None.
        """
        lines = lines_before(f, end)
        last = next(lines, None)
        if last is None:
            return end, None
        try:
            head = _header.decode(last[1])
        except (msgspec.DecodeError, msgspec.ValidationError):
            return end, None  # not a record: _load_head names it
        if head.batch_end is None or head.batch_end <= head.seq:
            return end, None
        cut, first, count = last[0], head.seq, 1
        for offset, line in lines:
            try:
                earlier = _header.decode(line)
            except (msgspec.DecodeError, msgspec.ValidationError):
                break
            if earlier.batch_end != head.batch_end:
                break
            cut, first, count = offset, earlier.seq, count + 1
        return cut, (count, first, head.seq, head.batch_end)

    def _last_header(self) -> tuple[_Header | None, int]:
        """Return the last line's header (None in an empty file) and the file's size.

        Raises:
            CorruptLog: the last line is not a record; the error names its seq.
        """
        with self.path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            if size == 0:
                return None, 0
            offset, last = next(lines_before(f, size), (0, b""))
            try:
                return _header.decode(last), size
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                try:
                    seq = seq_of(last)
                except ValueError:
                    # Line n holds seq n: count the lines before it.
                    f.seek(0)
                    seq = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
                raise CorruptLog(
                    f"{self.location}:{seq}: the last line is not a record (seq {seq}, byte "
                    f"{offset}: {exc}); 'timeline verify' reports every problem"
                ) from None

    def _load_head(self) -> None:
        head, size = self._last_header()
        self._offset = size
        if head is None:
            return
        self._seq, self._hash, self._time = head.seq, head.hash, head.recorded_at
        self._mark(head.seq, size)

    def _mark(self, seq: int, offset: int) -> None:
        at = bisect.bisect_left(self._mark_seqs, seq)
        if at < len(self._mark_seqs) and self._mark_seqs[at] == seq:
            return
        self._mark_seqs.insert(at, seq)
        self._mark_offsets.insert(at, offset)

    def _start(self, after: int) -> tuple[int, int]:
        """Return a ``(seq, offset)`` at or before ``after`` to read the lines after it from.

        The last bookmark at or before it, or, when that is far back, the line of
        ``after + 1`` found by bisecting the file (record 482,642 of a million: one
        thirty-probe search where the scan from the start took 1.4 s).
        """
        at = bisect.bisect_right(self._mark_seqs, after) - 1
        mark = (0, 0) if at < 0 else (self._mark_seqs[at], self._mark_offsets[at])
        if after - mark[0] > 4096:
            found = offset_of(self.path, after + 1, mark[1])
            if found is not None:
                self._mark(after, found)
                return after, found
        return mark

    def _catch_up(self) -> None:
        """Read what other processes appended since we last looked (under the lock)."""
        size = self.path.stat().st_size
        if size != self._offset and self._repair():
            # Another writer died mid-append (we hold the lock, so none is writing).
            size = self.path.stat().st_size
        if self._versions is None:
            # The hot file gives every stream's version up to where the log vouches for it,
            # the lines after that are read below (the first append to a 1M-record log:
            # 0.65 s of CPU, where reading every line's header took 1.9 s).
            end, line_end, versions = self._hot.versions(self._hash_at)
            self._versions = versions
            self._offset = line_end
            if end and line_end == size:
                head, _ = self._last_header()
                assert head is not None  # the log holds the record at end
                self._seq, self._hash, self._time = head.seq, head.hash, head.recorded_at
            else:  # the lines after end say the rest (and name their seqs from end + 1)
                self._seq, self._hash, self._time = end, GENESIS_HASH, ""
        if size == self._offset:
            return
        with self.path.open("rb") as f:
            f.seek(self._offset)
            for line in f:
                try:
                    head = _header.decode(line)
                except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                    seq = self._seq + 1  # line n holds seq n
                    raise CorruptLog(
                        f"{self.location}:{seq}: the line of seq {seq} is not a record ({exc}); "
                        "'timeline verify' reports every problem"
                    ) from None
                self._versions[head.stream] = head.version
                self._seq, self._hash, self._time = head.seq, head.hash, head.recorded_at
        self._offset = size
        self._mark(self._seq, size)

    def append_rows(self, stamp: Stamper) -> Sequence[StoredRow]:
        if self._inspect:
            raise ReadOnlyTimeline(f"{self.location}: opened to inspect only; appends are refused")
        with self._lock:
            self._catch_up()
            versions = self._versions
            assert versions is not None  # set by _catch_up
            version = lambda s: versions.get(s, 0)  # noqa: E731
            head = AppendHead(self._seq, self._hash, self._time, version)
            rows = self.stamped(stamp, head)
            if not rows:
                return rows
            self.check_versions(rows, version)
            encoded = [row.line + b"\n" for row in rows]
            data = b"".join(encoded)
            known = len(self._starts) == self._seq
            fd = os.open(self.location, os.O_WRONLY | os.O_APPEND)
            try:
                written = os.write(fd, data)
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
            for row in rows:
                versions[row.stream] = row.version
            if known:
                position = self._offset
                for line in encoded:
                    self._starts.append(position)
                    position += len(line)
            before, line_at = self._seq, self._offset
            last = rows[-1]
            self._seq, self._hash, self._time = last.seq, last.hash, last.recorded_at
            self._offset += len(data)
            self._mark(self._seq, self._offset)
            self._keep_rows(rows, before, line_at)
            if self._place is not None:
                self._cluster.append(head, rows, self._place)
        return rows

    # -- the clustered copy (``_clusterfile``) -------------------------------------------

    def _lines_to(self, after: int, until: int) -> Iterator[list[bytes]]:
        """Return the lines with ``after < seq <= until`` (under the lock: to the head, in full)."""
        return self.lines(after, None if until >= self._seq else until)

    def keep_clustered(self, place: Placer, cluster: bool | None) -> None:
        self._place = place
        if cluster is None or (cluster is False and not self._cluster.kept()):
            return
        if self._inspect:
            raise ReadOnlyTimeline(f"{self.location}: opened to inspect only; appends are refused")
        with self._lock:
            self._catch_up()
            if not cluster:
                self._cluster.drop()
                return
            self._cluster.make(AppendHead(self._seq, self._hash, self._time, lambda _: 0), place)

    def cluster_kept(self) -> bool:
        return self._cluster.kept()

    def clustered_batches(self, seq: int, count: int) -> Iterator[list[tuple[bytes, int]]] | None:
        return self._cluster.batches(seq, count)

    def clustered_rows(self) -> Iterator[list[tuple[bytes, str, int, bytes]]] | None:
        if not self._cluster.kept():
            return None
        try:
            head = self.head()
        except CorruptLog:
            return None  # a last line that is not a record: verify reports it
        return self._cluster.rows(head)

    def close(self) -> None:
        self._cluster.close()

    # -- the hot file --------------------------------------------------------------------

    def _hot_covers(self) -> tuple[int, int, int]:
        """Return the hot file's last seq, its bytes, and the log offset after that seq's line.

        Under the lock; learnt again when the file's size is not the one last seen.
        """
        try:
            size = self._hot.path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            size = 0
        known = self._hot_end
        if known is None or known[3] != size:
            known = self._hot_end = (*self._hot.end(), size)
        return known[0], known[1], known[2]

    @contextlib.contextmanager
    def _lock_if_free(self) -> Iterator[bool]:
        """Hold the lock inside the block if it is free now; say whether it was taken.

        What a reader writes to the hot file it writes only so: it never waits.
        """
        try:
            self._lock.acquire(timeout=0)
        except TimeoutError:  # filelock.Timeout is one
            yield False
            return
        try:
            yield True
        finally:
            self._lock.release()

    def _hot_write(self, blocks: Sequence[bytes], after: int, last: int, line_end: int) -> None:
        """Append blocks covering up to seq ``last`` after ``after`` bytes (under the lock).

        The hot file is a cache: failing to write it (a full disk, a read-only
        directory) costs the next replay time, never a record.
        """
        try:
            self._hot.append(blocks, after)
        except OSError:
            self._hot_end = None
            return
        size = after + sum(map(len, blocks))
        self._hot_end = (last, size, line_end, size)

    def _hot_replace(self, data: bytes, last: int, line_end: int, seen: int) -> None:
        """Put a compacted hot file in place (under the lock), if it is still ``seen`` bytes."""
        path = self._hot.path
        try:
            if path.stat().st_size != seen:
                return
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # a reader has the old file or the new one
        except OSError:
            self._hot_end = None
            return
        self._hot_end = (last, len(data), line_end, len(data))

    def _keep_rows(self, rows: Sequence[StoredRow], before: int, line_at: int) -> None:
        """Add an append's hot rows, when the hot file covers the log up to the append."""
        end, used, line_end = self._hot_covers()
        if end == before and line_end == line_at and all(row.hot is not None for row in rows):
            written = sum(len(row.line) + 1 for row in rows)
            self._hot_write(blocks_of_rows(rows, line_at), used, rows[-1].seq, line_at + written)

    def keep_hot(self, decoded: Sequence[tuple[HotBatch, list[bytes]]]) -> None:
        """Keep hot rows decoded from lines in the hot file, if they continue it.

        Only when the lock is free at once (a reader never waits for it) and the
        log still holds those lines as whole appends.
        """
        if self._inspect or not decoded:
            return
        with self._lock_if_free() as taken:
            if taken:
                self._keep_decoded(decoded)

    def _keep_decoded(self, decoded: Sequence[tuple[HotBatch, list[bytes]]]) -> None:
        """``keep_hot``'s work, under the lock."""
        first = decoded[0][0].seqs[0]
        lines = [line for _, batch in decoded for line in batch]
        self._repair()
        end, used, line_at = self._hot_covers()
        head, _ = self._last_header()
        last = first + len(lines) - 1
        if end != first - 1 or head is None or head.seq < last:
            return
        if self._hash_at(first, line_at) is None:
            return  # the lines do not start where the hot file ends
        try:
            last_hash = _header.decode(lines[-1]).hash
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        lengths = array("I", [len(line) + 1 for line in lines])
        block = blocks_of_batches(
            [batch for batch, _ in decoded], line_at, lengths, last_hash, self.vocabulary()
        )
        self._hot_write([block], used, last, line_at + sum(lengths))

    def raw_rows(
        self, after: int = 0, until: int | None = None
    ) -> Iterator[list[tuple[bytes, Columns | None]]]:
        # What the hot file says of each record it covers, for verify to check against
        # the line (a replay reads those rows instead of the lines): its seq, stream and
        # hot row. The other header fields are the line's own: nothing to check them by.
        kept = self._hot.read(self.vocabulary(), self._hash_at, max(after, 0), until)

        def covered() -> Iterator[tuple[int, str, bytes]]:
            for batch in kept.batches:
                hot = batch.hot
                for n, (seq, stream) in enumerate(zip(batch.seqs, batch.streams, strict=True)):
                    yield seq, stream, pack(hot[n * HOT_WIDTH : (n + 1) * HOT_WIDTH])

        rows = covered()
        row = next(rows, None)
        seq = max(after, 0)
        for batch in self.lines(after, until):
            out: list[tuple[bytes, Columns | None]] = []
            for line in batch:
                seq += 1
                while row is not None and row[0] < seq:
                    row = next(rows, None)
                if row is None or row[0] != seq:
                    out.append((line, None))
                    continue
                out.append((line, (seq, row[1], None, None, None, None, row[2])))
            yield out

    def _hash_at(self, seq: int, offset: int, length: int | None = None) -> str | None:
        """Return the stored hash of the record at ``seq`` if its line starts at ``offset``.

        With ``length``, only if the line (newline included) is that long too.
        """
        line = self._line_at(offset)
        if length is not None and len(line) != length:
            return None
        try:
            head = _header.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return head.hash if head.seq == seq else None

    def hot_rows(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        # The hot file's rows of seqs after..until, as far as it covers them; the
        # record layer decodes the rest from the lines (and offers them to keep_hot).
        kept = self._hot.read(self.vocabulary(), self._hash_at, max(after, 0), until)
        if (kept.end or after <= 0) and (until is None or kept.end < until):
            # What the log vouches for ends here: the next rows kept go after it, and
            # whatever the file holds past it (a torn block, rows of records the log no
            # longer has) is cut off then. (A read of a tail no block holds says nothing.)
            self._hot_end = (kept.end, kept.size, kept.line_end, kept.file_size)
            stale = kept.size < kept.file_size and kept.end >= self._seq
            if not self._inspect and (kept.compacted is not None or stale):
                with self._lock_if_free() as taken:
                    if taken and self._hot_covers() == (kept.end, kept.size, kept.line_end):
                        if kept.compacted is not None:
                            self._hot_replace(
                                kept.compacted, kept.end, kept.line_end, kept.file_size
                            )
                        else:
                            self._hot_write([], kept.size, kept.end, kept.line_end)
        if not kept.end:
            return
        if kept.lengths is not None and len(kept.lengths) > len(self._starts):
            # Where every covered line starts, learnt without reading them.
            self._starts = array("q", itertools.accumulate(kept.lengths[:-1], initial=0))
        self._mark(kept.end, kept.line_end)
        yield from kept.batches

    def _lines(self, after: int, until: int | None) -> Iterator[tuple[int, bytes]]:
        # Line n holds seq n in a well-formed log: start from the closest bookmark.
        first, offset = self._start(after)
        with self.path.open("rb") as f:
            f.seek(offset)
            for n, line in enumerate(f, first + 1):
                if not line.endswith(b"\n"):
                    return  # a write in progress by another process: not a record yet
                offset += len(line)
                try:
                    seq = seq_of(line)
                except ValueError:
                    raise InvalidRecord(f"{self.location}:{n}", "not a record line") from None
                if seq % 4096 == 0:
                    self._mark(seq, offset)
                if seq <= after:
                    continue
                if until is not None and seq > until:
                    return
                yield n, line

    def lines(self, after: int = 0, until: int | None = None) -> Iterator[list[bytes]]:
        if after <= 0 and until is None:
            # The full replay: no position to skip to, so no per-line seq check; big
            # reads split into lines a block at a time. It also learns where every
            # line starts (lines_at), for the price of one running sum per block.
            starts = array("q")
            n = 0
            for offset, lines in self._chunks_at():
                starts.extend(
                    itertools.accumulate(map(len, lines[:-1]), _next_start, initial=offset)
                )
                n += len(lines)
                yield lines
            if len(starts) == n and (not n or self._seq_at_start(starts, n)):
                self._starts = starts
            return
        batch: list[bytes] = []
        for _, line in self._lines(after, until):
            batch.append(line[:-1])  # without its newline, as the full read gives it
            if len(batch) >= BATCH_LINES:
                yield batch
                batch = []
        if batch:
            yield batch

    def _chunks_at(self, size: int = BATCH_BYTES) -> Iterator[tuple[int, list[bytes]]]:
        """Yield (offset of the first line, complete lines) a block at a time."""
        with self.path.open("rb") as f:
            rest = b""
            offset = 0
            while block := f.read(size):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                if cut:
                    # split() finds "\n" with memchr, faster than splitlines(); a
                    # record line never holds a raw line break (JSON escapes them).
                    lines = block[: cut - 1].split(b"\n")
                    start = offset
                    offset += cut
                    with contextlib.suppress(ValueError):
                        self._mark(seq_of(lines[-1]), offset)
                    yield start, lines
            # Whatever is left has no newline: a write in progress by another process.

    def _line_at(self, offset: int) -> bytes:
        """Return the line starting at byte ``offset`` (with its newline, if it has one)."""
        with self.path.open("rb") as f:
            f.seek(offset)
            return f.readline()

    def _seq_at_start(self, starts: array[int], seq: int) -> bool:
        """Return whether the line starting at ``starts[seq - 1]`` holds ``seq``."""
        try:
            return seq_of(self._line_at(starts[seq - 1])) == seq
        except ValueError:
            return False

    def _offsets(self, seq: int) -> array[int]:
        """Return the start offsets of lines 1..(at least) ``seq``, learning what is missing."""
        starts = self._starts
        if len(starts) >= seq:
            return starts
        if not starts:
            saved = self._load_offsets()
            if saved is not None:
                starts = self._starts = saved
        position = 0
        if starts:
            with self.path.open("rb") as f:
                f.seek(starts[-1])
                position = starts[-1] + len(f.readline())
        with self.path.open("rb") as f:
            f.seek(position)
            for line in f:
                if not line.endswith(b"\n"):
                    break
                starts.append(position)
                position += len(line)
        return starts

    def _offsets_path(self) -> Path:
        return cache_dir(self.location) / "offsets.bin"

    def _load_offsets(self) -> array[int] | None:
        # Saved with each snapshot: (count, then the start offsets). Checked against
        # the file (the last line it names must hold that seq); rebuilt when not.
        try:
            data = self._offsets_path().read_bytes()
        except FileNotFoundError:
            return None
        starts = array("q")
        starts.frombytes(data[8 : 8 + 8 * int.from_bytes(data[:8], "big")])
        if (
            not starts
            or len(starts) * 8 + 8 != len(data)
            or not self._seq_at_start(starts, len(starts))
        ):
            return None
        return starts

    def _save_offsets(self, seq: int) -> None:
        starts = self._offsets(seq)[:seq]
        path = self._offsets_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(len(starts).to_bytes(8, "big") + starts.tobytes())
        os.replace(tmp, path)

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        if not seqs:
            return []
        for again in (False, True):
            if again:
                self._starts = array("q")  # learnt from a file since changed: learn again
            starts = self._offsets(max(seqs))
            lines = read_at(self.location, starts, seqs, self.where)
            if len(lines) == len(seqs):
                return lines
        raise InvalidRecord(self.where(seqs[len(lines)]), "not a record line")

    def stream_lines(self, stream: str) -> list[bytes]:
        needle = msgspec.json.encode(stream)
        return [
            line[:-1]
            for _, line in self._lines(0, None)
            if needle in line and _header.decode(line).stream == stream
        ]

    def head(self) -> int:
        # Reads the last line only: the catch-up state (offset, versions) stays as
        # the last append left it, so the next append still reads what it missed.
        with self._lock:
            self._repair()
            head, _ = self._last_header()
        return 0 if head is None else head.seq

    def seq_at(self, stamp: str) -> int:
        # recorded_at never decreases along the file, so bisecting byte offsets finds
        # the first record after the moment in a few dozen short reads (a whole-file
        # scan took seconds on a million records).
        with self.path.open("rb") as f:
            lo, hi = 0, f.seek(0, os.SEEK_END)
            while lo < hi:
                mid = (lo + hi) // 2
                line = line_from(f, mid)
                if line is None or self._recorded_at(line, mid) > stamp:
                    hi = mid
                else:
                    lo = mid + 1
            first_after = line_from(f, lo)
        # Line n holds seq n, so the record before the first one after is its seq - 1.
        return self.head() if first_after is None else seq_of(first_after) - 1

    def _recorded_at(self, line: bytes, offset: int) -> str:
        try:
            return _header.decode(line).recorded_at
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            where = f"{self.location}: the line after byte {offset}"
            raise InvalidRecord(where, f"not a record ({exc}); run verify") from None

    def _snapshot_path(self, name: str, version: int) -> Path:
        if not _SNAPSHOT_NAME.match(name):
            raise InvalidRecord(f"snapshot {name!r}", "names are letters, digits, '_', '.', '-'")
        return cache_dir(self.location) / f"{name}.v{version}.snap"

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        path = self._snapshot_path(name, version)
        made_cache_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(seq.to_bytes(8, "big") + data)
        os.replace(tmp, path)  # atomic: a reader sees the old snapshot or the new one
        if name == "current" and seq:
            self._save_offsets(seq)

    def read_snapshot_parts(
        self, name: str, version: int, parts: Sequence[tuple[int, int]]
    ) -> Iterator[bytes]:
        try:
            f = self._snapshot_path(name, version).open("rb")
        except FileNotFoundError:
            yield from (b"" for _ in parts)
            return
        with f:
            for offset, length in parts:
                f.seek(8 + offset)  # after the seq the file starts with
                yield f.read(length)

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        path = self._snapshot_path(name, version)
        try:
            with path.open("rb") as f:
                seq = int.from_bytes(f.read(8), "big")
                return seq, f.read() if limit is None else f.read(limit)
        except FileNotFoundError:
            return None

    def where(self, seq: int) -> str:
        # Line n holds seq n: name both, as an editor's file:line.
        return f"{self.location}:{seq} (seq {seq})"


def _next_start(offset: int, length: int) -> int:
    return offset + length + 1  # a line and its newline


class JsonlStore(Store):
    """A log in one JSON Lines file: the record layer over ``JsonlBackend``.

    Args:
        path: the ``.jsonl`` file; created when missing.
        codec: record decoder (upcasters); the default when omitted.
        timeout: seconds to wait for another writer's lock.
        inspect: open to inspect only (see ``JsonlBackend``); appends are refused.
        cluster: keep a copy of the live events clustered in timeline order among
            the log's caches, which walks of every event read instead of the lines
            (docs/stores.md, "The clustered copy"): True makes it, False drops it,
            None (the default) keeps the log's choice. Its price is at append time.

    Raises:
        CorruptLog: the file's last complete line is not a record (naming its seq).
        TimelineError: the clustered copy cannot be made or dropped.
    """

    backend: JsonlBackend

    def __init__(
        self,
        path: str | os.PathLike[str],
        codec: RecordCodec | None = None,
        timeout: float = 30.0,
        *,
        inspect: bool = False,
        cluster: bool | None = None,
    ) -> None:
        backend = JsonlBackend(path, timeout, inspect=inspect)
        try:
            super().__init__(backend, codec)
            self.keep_clustered(cluster)
        except BaseException:
            backend.close()
            raise
        self.path = self.backend.path
