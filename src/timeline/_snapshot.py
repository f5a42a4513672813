"""The snapshot format: a projection's state bound to the record of the chain it was taken at.

A snapshot is a fixed header then the projection's body::

    b"GTLSNAP2"  seq (8 bytes, big-endian)  head hash (64 ASCII hex)  digest (32 bytes)  body

``head hash`` is the stored hash of the record at ``seq``; ``digest`` is SHA-256
over ``seq|head hash|`` and the body. On load the header is checked against the
log (the record at ``seq`` must still have that hash) and the digest against the
body, so a snapshot edited after it was written, or one that outlived a rewrite
of the log, is never shown: the state is rebuilt from the log instead. A snapshot
whose seq lies past the log's head is evidence that the log lost records.
"""

from __future__ import annotations

import hashlib

import attrs

__all__ = ["HEADER_SIZE", "SnapshotHeader", "bind", "digest_ok", "read_header"]

_MAGIC = b"GTLSNAP2"
#: How many bytes ``read_header`` needs.
HEADER_SIZE = len(_MAGIC) + 8 + 64 + 32


@attrs.frozen
class SnapshotHeader:
    """What a snapshot says about itself before its body is read."""

    seq: int
    """The seq of the last record folded into it."""
    head_hash: str
    """The stored hash of the record at ``seq`` (empty for a snapshot of an empty log)."""
    digest: bytes
    """SHA-256 over the seq, the head hash and the body."""


def _digest(seq: int, head_hash: str, body: bytes | memoryview) -> bytes:
    hasher = hashlib.sha256(f"{seq}|{head_hash}|".encode())
    hasher.update(body)
    return hasher.digest()


def bind(seq: int, head_hash: str, body: bytes) -> bytes:
    """Return the snapshot bytes of ``body`` taken at ``seq`` whose record has ``head_hash``."""
    return (
        _MAGIC
        + seq.to_bytes(8, "big")
        + head_hash.encode().ljust(64)
        + _digest(seq, head_hash, body)
        + body
    )


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
    return SnapshotHeader(seq=seq, head_hash=head_hash, digest=data[at + 72 : HEADER_SIZE])


def digest_ok(data: bytes) -> bool:
    """Return whether a whole snapshot's body matches the digest in its header."""
    try:
        header = read_header(data)
    except ValueError:
        return False
    # A memoryview: a million-event body is tens of MB, not worth a copy.
    body = memoryview(data)[HEADER_SIZE:]
    return _digest(header.seq, header.head_hash, body) == header.digest
