"""The snapshot format: a projection's state bound to the record of the chain it was taken at.

A snapshot is a fixed header, a directory, then the projection's sections::

    b"GTLSNAP3"  seq (8 bytes, big-endian)  head hash (64 ASCII hex)  digest (32 bytes)
    directory size (4 bytes, big-endian)  directory  section  section ...

``head hash`` is the stored hash of the record at ``seq``; the directory (msgpack)
holds the projection's small ``meta`` bytes and, per section, its name, offset,
length and SHA-256; ``digest`` is SHA-256 over ``seq|head hash|`` and the
directory. On load the header is checked against the log (the record at ``seq``
must still have that hash), the directory against the digest, and each section
against its own hash when it is first read. So a reader takes only the sections
it needs (``timeline list`` on a million-event log reads a few columns, not all of
them), and a snapshot edited after it was written, or one that outlived a rewrite
of the log, is never shown: the state is rebuilt from the log instead. A snapshot
whose seq lies past the log's head is evidence that the log lost records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence

import attrs
import msgspec

__all__ = [
    "HEADER_SIZE",
    "SnapshotDamaged",
    "SnapshotHeader",
    "SnapshotSections",
    "bind",
    "digest_ok",
    "read_header",
    "vouched",
]

_MAGIC = b"GTLSNAP3"
#: How many bytes ``read_header`` needs.
HEADER_SIZE = len(_MAGIC) + 8 + 64 + 32 + 4

#: Reads ``(offset, length)`` parts of a saved snapshot (the store's part reader).
PartReader = Callable[[Sequence[tuple[int, int]]], Iterable[bytes]]


class SnapshotDamaged(Exception):
    """A snapshot's directory or one of its sections does not match its hash."""


class _Directory(msgspec.Struct, array_like=True):
    meta: bytes
    sections: list[tuple[str, int, int, bytes]]


@attrs.frozen
class SnapshotHeader:
    """What a snapshot says about itself before its directory is read."""

    seq: int
    """The seq of the last record folded into it."""
    head_hash: str
    """The stored hash of the record at ``seq`` (empty for a snapshot of an empty log)."""
    digest: bytes
    """SHA-256 over the seq, the head hash and the directory."""
    directory_size: int
    """The length of the directory that follows the header."""


def _digest(seq: int, head_hash: str, directory: bytes | memoryview) -> bytes:
    hasher = hashlib.sha256(f"{seq}|{head_hash}|".encode())
    hasher.update(directory)
    return hasher.digest()


def bind(seq: int, head_hash: str, meta: bytes, sections: Sequence[tuple[str, bytes]]) -> bytes:
    """Return the snapshot bytes of ``sections`` taken at ``seq`` whose record has ``head_hash``.

    Args:
        seq: the seq of the last record folded in.
        head_hash: the stored hash of the record at ``seq``.
        meta: the projection's small state (read with the directory).
        sections: ``(name, bytes)`` pairs, each read and checked on its own.
    """
    entries, offset = [], 0
    for name, data in sections:
        entries.append((name, offset, len(data), hashlib.sha256(data).digest()))
        offset += len(data)
    directory = msgspec.msgpack.encode(_Directory(meta=meta, sections=entries))
    return b"".join(
        [
            _MAGIC,
            seq.to_bytes(8, "big"),
            head_hash.encode().ljust(64),
            _digest(seq, head_hash, directory),
            len(directory).to_bytes(4, "big"),
            directory,
            *(data for _, data in sections),
        ]
    )


def vouched(
    header: SnapshotHeader, saved_seq: int, record_hash: Callable[[int], str | None]
) -> bool:
    """Return whether the log still vouches for a saved snapshot's header.

    Args:
        header: the header read from the saved bytes.
        saved_seq: the seq the store filed the snapshot under.
        record_hash: the store's hash of the record at a seq (None: no such record).
    """
    return header.seq == saved_seq and (record_hash(header.seq) or "") == header.head_hash


def read_header(data: bytes) -> SnapshotHeader:
    """Return the header at the start of snapshot bytes.

    Raises:
        ValueError: the bytes are not a snapshot of this format.
    """
    if len(data) < HEADER_SIZE or not data.startswith(_MAGIC):
        raise ValueError("not a snapshot of this format")
    at = len(_MAGIC)
    seq = int.from_bytes(data[at : at + 8], "big")
    head_hash = data[at + 8 : at + 72].decode("ascii", "replace").strip()
    return SnapshotHeader(
        seq=seq,
        head_hash=head_hash,
        digest=data[at + 72 : at + 104],
        directory_size=int.from_bytes(data[at + 104 : HEADER_SIZE], "big"),
    )


class SnapshotSections:
    """A saved snapshot read a section at a time, each checked against the directory.

    Args:
        header: the snapshot's header (already checked against the log).
        read: reads bytes of the saved snapshot (``Store.read_snapshot``).

    Raises:
        SnapshotDamaged: the directory does not match the header's digest.
    """

    def __init__(self, header: SnapshotHeader, read: PartReader) -> None:
        self._read = read
        (raw,) = read([(HEADER_SIZE, header.directory_size)])
        if _digest(header.seq, header.head_hash, raw) != header.digest:
            raise SnapshotDamaged("the directory does not match the digest")
        try:
            directory = msgspec.msgpack.decode(raw, type=_Directory)
        except msgspec.DecodeError as exc:  # hashed, so only our own bug could get here
            raise SnapshotDamaged(f"the directory does not decode ({exc})") from None
        self.meta = directory.meta
        self._base = HEADER_SIZE + header.directory_size
        self._sections = {name: (at, size, sha) for name, at, size, sha in directory.sections}

    def names(self) -> list[str]:
        """Return the names of the sections, in the order written."""
        return list(self._sections)

    def section(self, name: str) -> bytes:
        """Return one section's bytes.

        Raises:
            SnapshotDamaged: there is no such section, or it does not match its hash.
        """
        return next(self.sections([name]))

    def sections(self, names: Sequence[str]) -> Iterator[bytes]:
        """Yield several sections' bytes, read together, in the order given.

        Raises:
            SnapshotDamaged: there is no such section, or one does not match its hash.
        """
        try:
            wanted = [self._sections[name] for name in names]
        except KeyError as exc:
            raise SnapshotDamaged(f"no section {exc.args[0]!r}") from None
        found = self._read([(self._base + at, size) for at, size, _ in wanted])
        for name, data, (_, size, sha) in zip(names, found, wanted, strict=True):
            if len(data) != size or hashlib.sha256(data).digest() != sha:
                raise SnapshotDamaged(f"section {name!r} does not match its hash")
            yield data


def digest_ok(data: bytes) -> bool:
    """Return whether a whole snapshot's directory and every section match their hashes."""
    try:
        header = read_header(data)
        sections = SnapshotSections(header, lambda parts: [data[a : a + n] for a, n in parts])
        for _ in sections.sections(sections.names()):
            pass
    except (ValueError, SnapshotDamaged):
        return False
    return True
