"""Which ids start or end with a given short text, without a sorted list of every id.

``timeline list`` shows a generated id as its shortest distinguishing tail, and
every command reads such a tail back (``resolve_id``). Both need to know whether
some *other* id starts or ends with a candidate. Sorting a million ids (twice:
forwards and backwards) to answer that cost seconds and about 80 MB; this index
keeps, per id, its first eight UTF-8 bytes and its last eight bytes reversed, as
sorted 64-bit integers (16 MB for a million ids, saved in the snapshot). Ids that
share their first (last) ``k <= 8`` bytes are then a contiguous range, which
``bisect`` finds. A candidate longer than eight bytes, or one whose eight bytes
other ids share, is answered exactly by a scan of the ids (rare: the caller asks).
"""

from __future__ import annotations

import bisect
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence

__all__ = ["GENERATED_ID", "WIDTH", "IdIndex", "end_key", "short_forms", "start_key"]

#: The form of ``new_event_id()``: a version 7 UUID in hex. Any other id was chosen by a person.
GENERATED_ID = re.compile(r"[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}")

#: How many bytes of an id the keys hold.
WIDTH = 8
_LITTLE = sys.byteorder == "little"


def start_key(text: str) -> int:
    """Return the key of an id's first ``WIDTH`` UTF-8 bytes (shorter ids padded with zeros)."""
    return int.from_bytes(text.encode()[:WIDTH].ljust(WIDTH, b"\0"), "big")


def end_key(text: str) -> int:
    """Return the key of an id's last ``WIDTH`` UTF-8 bytes, last byte first."""
    return int.from_bytes(text.encode()[::-1][:WIDTH].ljust(WIDTH, b"\0"), "big")


def _span(keys: Sequence[int], text: bytes) -> int:
    """Return how many keys begin with ``text`` (at most ``WIDTH`` bytes)."""
    pad = WIDTH - len(text)
    low = int.from_bytes(text, "big") << (8 * pad)
    high = low + (1 << (8 * pad))
    return bisect.bisect_left(keys, high) - bisect.bisect_left(keys, low)


class IdIndex:
    """Counts the ids that start or end with a text of up to ``WIDTH`` bytes.

    Args:
        starts: the sorted ``start_key`` of every id.
        ends: the sorted ``end_key`` of every id.
    """

    def __init__(self, starts: array[int], ends: array[int]) -> None:
        self._starts = starts
        self._ends = ends
        self._extra_starts: list[int] = []
        self._extra_ends: list[int] = []

    @classmethod
    def of(cls, ids: Iterable[str]) -> IdIndex:
        """Build the index of some ids."""
        listed = list(ids)
        return cls(
            array("Q", sorted(map(start_key, listed))), array("Q", sorted(map(end_key, listed)))
        )

    def add(self, ids: Iterable[str]) -> None:
        """Count more ids (kept apart from the sorted arrays: a tail of new events)."""
        for i in ids:
            bisect.insort(self._extra_starts, start_key(i))
            bisect.insort(self._extra_ends, end_key(i))

    def __len__(self) -> int:
        return len(self._starts) + len(self._extra_starts)

    def starting(self, text: str) -> int | None:
        """Return how many ids start with ``text``; None when it is longer than the keys."""
        data = text.encode()
        if len(data) > WIDTH:
            return None
        return _span(self._starts, data) + _span(self._extra_starts, data)

    def ending(self, text: str) -> int | None:
        """Return how many ids end with ``text``; None when it is longer than the keys."""
        data = text.encode()[::-1]
        if len(data) > WIDTH:
            return None
        return _span(self._ends, data) + _span(self._extra_ends, data)

    def tobytes(self) -> tuple[bytes, bytes]:
        """Return the two sorted arrays (little-endian), extra ids merged in."""
        starts, ends = self._starts, self._ends
        if self._extra_starts:
            starts = array("Q", sorted([*starts, *self._extra_starts]))
            ends = array("Q", sorted([*ends, *self._extra_ends]))
        if not _LITTLE:
            starts, ends = array("Q", starts), array("Q", ends)
            starts.byteswap()
            ends.byteswap()
        return starts.tobytes(), ends.tobytes()

    @classmethod
    def frombytes(cls, starts: bytes, ends: bytes) -> IdIndex:
        """Return the index saved by ``tobytes``."""
        arrays = (array("Q"), array("Q"))
        for column, data in zip(arrays, (starts, ends), strict=True):
            column.frombytes(data)
            if not _LITTLE:
                column.byteswap()
        return cls(*arrays)


def short_forms(
    shown: Iterable[str],
    index: IdIndex,
    every_id: Callable[[], Iterable[str]],
    *,
    least: int = 6,
) -> dict[str, str]:
    """Return the form of each id that ``list`` shows and every command accepts.

    An id a person chose (``relos-negotiation``) is shown whole. A generated id is
    time-ordered, so ids made together share their first 10-15 characters; its
    random tail is what tells it apart: it is shown as its shortest tail (at least
    ``least`` characters) that ends no other id and starts none, so ``resolve_id``
    reads it back to that id alone.

    Args:
        shown: the ids to shorten (the rows shown).
        index: counts every id of the log by its start and end.
        every_id: returns every id of the log: asked only for a tail longer than the
            index's keys (ids sharing their last eight characters; rare).
        least: the shortest tail shown.
    """
    out: dict[str, str] = {}
    for full in shown:
        if not GENERATED_ID.fullmatch(full):
            out[full] = full
            continue
        for size in range(least, WIDTH + 1):
            tail = full[-size:]
            if index.ending(tail) == 1 and index.starting(tail) == full.startswith(tail):
                out[full] = tail
                break
        else:
            others = [i for i in every_id() if i != full]
            size = WIDTH + 1
            while size < len(full) and any(
                i.endswith(full[-size:]) or i.startswith(full[-size:]) for i in others
            ):
                size += 1
            out[full] = full[-size:]
    return out
