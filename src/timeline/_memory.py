"""The in-memory backend: a log kept in this process, for tests and scratch work."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

from ._backend import AppendHead, Backend, Stamper, StoredRow, batched
from ._errors import InvalidRecord
from ._records import GENESIS_HASH

__all__ = ["MemoryBackend"]


class MemoryBackend(Backend):
    """Keeps the stored lines in lists; appends are atomic because they are checked first."""

    location = ":memory:"
    indexes_streams = True

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[bytes] = []
        self._hashes: list[str] = []
        self._times: list[str] = []
        self._streams: dict[str, list[int]] = {}
        self._snapshots: dict[tuple[str, int], tuple[int, bytes]] = {}

    def _version(self, stream: str) -> int:
        return len(self._streams.get(stream, ()))

    def append_rows(self, stamp: Stamper) -> Sequence[StoredRow]:
        head = AppendHead(
            len(self._lines),
            self._hashes[-1] if self._hashes else GENESIS_HASH,
            self._times[-1] if self._times else "",
            self._version,
        )
        rows = self.stamped(stamp, head)
        self.check_versions(rows, self._version)
        for row in rows:
            self._lines.append(row.line)
            self._hashes.append(row.hash)
            self._times.append(row.recorded_at)
            self._streams.setdefault(row.stream, []).append(row.seq)
        return rows

    def lines(self, after: int = 0, until: int | None = None) -> Iterator[list[bytes]]:
        return batched(self._lines[max(after, 0) : until])

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        lines = self._lines
        for seq in seqs:
            if not 0 < seq <= len(lines):
                raise InvalidRecord(self.where(seq), "not in the log")
        return [lines[s - 1] for s in seqs]

    def stream_lines(self, stream: str) -> list[bytes]:
        return [self._lines[s - 1] for s in self._streams.get(stream, ())]

    def first_seq(self, stream: str) -> int | None:
        seqs = self._streams.get(stream)
        return seqs[0] if seqs else None

    def head(self) -> int:
        return len(self._lines)

    def seq_at(self, stamp: str) -> int:
        return bisect.bisect_right(self._times, stamp)

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        self._snapshots[(name, version)] = (seq, data)

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        saved = self._snapshots.get((name, version))
        return None if saved is None else (saved[0], saved[1][:limit])
