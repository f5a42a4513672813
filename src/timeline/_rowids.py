"""The event ids of a read model's rows: a list, or a snapshot's block of ids read on demand."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["IdsRebuilt", "RowIds"]


class IdsRebuilt(Exception):
    """The snapshot's ids section did not match its hash: the state was rebuilt, ask it again."""


class RowIds:
    """The id of each row of a state, in row order (the order events were first recorded).

    A state built from the log keeps a list and a map from id to row. A state restored from
    a snapshot keeps the snapshot's ids section (one id per line) as bytes, read on first
    use, plus a short list of the ids added since, and turns them into a list or a map only
    when something needs one: finding one event or ids by prefix searches the bytes in C
    (a million ids in milliseconds; the map of every id cost 0.39 s of a 1M-event ``show``).

    Args:
        read_section: reads the snapshot's ids section; returns None when it was damaged
            (the state is then rebuilt from the log and holds another ``RowIds``). Omitted
            for the ids of a state built from the log (empty at first).
        rows: how many rows the snapshot's section holds.
    """

    __slots__ = ("_blob", "_blob_rows", "_extra", "_ids", "_read_section", "_row_of")

    def __init__(
        self, read_section: Callable[[], bytes | None] | None = None, rows: int = 0
    ) -> None:
        self._read_section = read_section
        restored = read_section is not None
        self._ids: list[str] | None = None if restored else []
        self._row_of: dict[str, int] | None = None if restored else {}
        self._blob: bytes | None = None if restored else b""
        self._blob_rows = rows if restored else 0
        #: The ids added after the snapshot, while its block is not a list yet.
        self._extra: list[str] = []

    @property
    def extra(self) -> list[str]:
        """The ids added since the snapshot (empty once the ids are a list)."""
        return self._extra

    @property
    def listed(self) -> bool:
        """Whether the ids are a list (built from the log, or the block turned into one)."""
        return self._ids is not None

    @property
    def mapped(self) -> bool:
        """Whether the map from id to row is built."""
        return self._row_of is not None

    def _block(self) -> bytes:
        """Return the snapshot's ids, one per line.

        Raises:
            IdsRebuilt: the section was damaged (the state was rebuilt meanwhile).
        """
        if self._blob is None:
            assert self._read_section is not None
            self._blob = self._read_section()
            if self._blob is None:
                raise IdsRebuilt
        return self._blob

    def all(self) -> list[str]:
        """Return every id, in row order (the block becomes a list).

        Raises:
            IdsRebuilt: the snapshot's section was damaged.
        """
        if self._ids is None:
            blob = self._block()
            text = blob.decode() if self._blob_rows else ""
            self._ids = (text.split("\n") if text else []) + self._extra
            self._blob, self._blob_rows, self._extra = b"", 0, []
        return self._ids

    def row_of(self) -> dict[str, int]:
        """Return the map from id to row (built on first use).

        Raises:
            IdsRebuilt: the snapshot's section was damaged.
        """
        if self._row_of is None:
            self._row_of = {stream: row for row, stream in enumerate(self.all())}
        return self._row_of

    def matching(self, text: str) -> list[str]:
        """Return the ids that start or end with ``text`` (no list of every id is built).

        Raises:
            IdsRebuilt: the snapshot's section was damaged.
        """
        if self._ids is not None:
            return [i for i in self._ids if i.startswith(text) or i.endswith(text)]
        blob = self._block()
        found = {i for i in self._extra if i.startswith(text) or i.endswith(text)}
        if self._blob_rows:
            # Every id between two newlines; bytes.find runs in C (a million ids in ms).
            lines, needle = b"\n" + blob + b"\n", text.encode()
            for probe, head in ((b"\n" + needle, True), (needle + b"\n", False)):
                at = lines.find(probe)
                while at >= 0:
                    begin = at + 1 if head else lines.rfind(b"\n", 0, at) + 1
                    found.add(lines[begin : lines.find(b"\n", begin)].decode())
                    at = lines.find(probe, at + 1)
        return sorted(found)

    def searchable(self, stream: str) -> bool:
        """Whether ``find`` looks ``stream`` up in the snapshot's block, not in a map."""
        return self._ids is None and bool(self._blob_rows) and "\n" not in stream

    def find(self, stream: str) -> int | None:
        """Return an event's row, found in the snapshot's block when there is no map yet.

        For a store with no index of streams (JSON Lines): ``bytes.find`` and ``count`` run
        in C.

        Raises:
            IdsRebuilt: the snapshot's section was damaged.
        """
        if not self.searchable(stream):
            return self.row_of().get(stream)
        if stream in self._extra:
            return self._blob_rows + self._extra.index(stream)
        blob = self._block()
        needle = stream.encode()
        if blob.startswith(needle + b"\n") or blob == needle:
            return 0
        at = blob.find(b"\n" + needle + b"\n")
        if at < 0 and blob.endswith(b"\n" + needle):
            at = len(blob) - len(needle) - 1
        return None if at < 0 else blob.count(b"\n", 0, at) + 1

    def extend(self, streams: Sequence[str], base: int) -> None:
        """Add the ids of new rows ``base``, ``base + 1``, ..., in row order."""
        if self._row_of is not None:
            self._row_of.update(zip(streams, range(base, base + len(streams)), strict=True))
        (self._ids if self._ids is not None else self._extra).extend(streams)

    def section(self) -> bytes:
        """Return every id, one per line (a snapshot's ids section).

        Raises:
            IdsRebuilt: the snapshot's section was damaged.
        """
        if self._ids is None:
            blob, extra = self._block(), "\n".join(self._extra).encode()
            return blob + b"\n" + extra if blob and extra else blob or extra
        return "\n".join(self._ids).encode()
