"""Log records: the append-only facts, their canonical bytes and their hash chain."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from typing import Any, Final

import msgspec

from ._errors import InvalidEvent
from ._model import Event

__all__ = [
    "CURRENT_SCHEMA",
    "GENESIS_HASH",
    "Payload",
    "PendingRecord",
    "RawRecord",
    "Record",
    "RecordType",
    "chain_hash",
    "encode_payload",
    "format_timestamp",
]


class RecordType(str, enum.Enum):
    """What a record says about its event."""

    RECORDED = "recorded"
    AMENDED = "amended"
    RETRACTED = "retracted"

    # Enum's own __hash__ is Python code; members are str, so hash them as str
    # (equal to their value) and dict lookups on the replay path stay in C.
    __hash__ = str.__hash__


#: The payload schema version written today, per record type. Older versions
#: are migrated on read by upcasters (see ``timeline._upcasting``).
CURRENT_SCHEMA: Final[dict[str, int]] = {
    RecordType.RECORDED.value: 2,
    RecordType.AMENDED.value: 2,
    RecordType.RETRACTED.value: 1,
}

#: The "previous hash" of the first record.
GENESIS_HASH: Final[str] = "0" * 64


# Records are the log's wire type, so they are msgspec Structs rather than attrs
# classes: msgspec builds a Struct in about half the instructions of an attrs
# instance (callgrind: 63k -> 51k instructions per replayed record), and
# gc=False keeps a million of them out of the cyclic collector's walks (they
# hold events, which never point back). They are frozen values all the same.


class Payload(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What a record carries. One class for every record type keeps decoding single-pass."""

    event: Event | None = None
    """The event's full state after the record (recorded, amended); None when retracted."""
    changes: tuple[str, ...] = ()
    """The names of the fields an amendment changed."""
    reason: str | None = None
    """Why it was amended or retracted."""


class Record(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One entry of the append-only log. Records are never changed or removed."""

    seq: int
    """Global position in the log: 1, 2, 3... without gaps."""
    stream: str
    """The id of the event this record is about."""
    version: int
    """1, 2, 3... within the stream."""
    type: RecordType
    """Recorded, amended or retracted."""
    recorded_at: dt.datetime
    """When the log learnt it (UTC, from the timeline's clock)."""
    schema: int
    """The payload's schema version."""
    payload: Payload
    """The event state (and reason) the record carries."""
    hash: str
    """SHA-256 (hex) over the previous record's hash and this record's canonical bytes."""

    @property
    def event(self) -> Event | None:
        """The event state after this record, or None for a retraction."""
        return self.payload.event


class PendingRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A record on its way into a store: the store assigns seq, time and hash."""

    stream: str
    version: int
    """The version this record will have; the store checks it is the next one."""
    type: RecordType
    schema: int
    payload: bytes
    """The canonical JSON bytes of the payload."""
    hot: tuple[Any, ...] | None = None
    """The event's hot fields (``_columns.hot_fields``), which stores that keep them as
    columns write beside the record; None to have the store decode them from the payload."""


class RawRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """A record as stored: header fields and the exact payload bytes (for verification).

    Encoded again, it gives the stored line byte for byte (fields in stored order,
    ``batch_end`` only where it is stored).
    """

    seq: int
    stream: str
    version: int
    type: str
    recorded_at: str
    schema: int
    batch_end: int | None = None
    """The seq of the last record of this record's append, in appends of two or more."""
    payload: msgspec.Raw
    hash: str


_payload_encoder = msgspec.json.Encoder(order="sorted")
_SURROGATES = re.compile("[\ud800-\udfff]")


def encode_payload(payload: Payload) -> bytes:
    """Return the canonical JSON bytes of a payload (sorted keys, no whitespace).

    Raises:
        InvalidEvent: a text holds a lone surrogate (U+D800 alone, or a byte of a
            command-line argument that was not UTF-8), which UTF-8 cannot store; the
            error names the field (``title``, ``tags[0]``, ``reason``).
    """
    try:
        return _payload_encoder.encode(payload)
    except UnicodeEncodeError:
        field, value = _surrogate(msgspec.to_builtins(payload), "")
        raise InvalidEvent(
            field or "payload",
            value,
            "text without lone surrogates (not valid Unicode: was the input UTF-8?)",
        ) from None


def _surrogate(value: object, path: str) -> tuple[str, object]:
    """Return the path and value of the first string holding a lone surrogate (else "")."""
    if isinstance(value, str):
        return (path, value) if _SURROGATES.search(value) else ("", None)
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        # A payload's event fields are named as the Event's (``title``, not ``event.title``).
        items = [(k if path in {"", "event"} else f"{path}.{k}", v) for k, v in value.items()]
        items += [(f"{path}[key]" if path else "key", k) for k in value]
    elif isinstance(value, (list, tuple)):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    for where, item in items:
        found = _surrogate(item, where)
        if found[0]:
            return found
    return "", None


def format_timestamp(moment: dt.datetime) -> str:
    """Return the stored form of a UTC timestamp (RFC 3339, microseconds, ``Z``)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_hash(
    previous: str,
    seq: int,
    stream: str,
    version: int,
    type_: str,
    recorded_at: str,
    schema: int,
    payload: bytes,
    batch_end: int | None = None,
) -> str:
    """Return the hash of a record chained to the previous record's hash.

    The canonical encoding is the header fields joined by ``|`` (none of them can
    contain one) followed by the exact stored payload bytes, so any changed byte
    in a stored payload changes the hash. A record of an append of two or more
    records also hashes ``batch_end`` (the seq of that append's last record) after
    the schema; a record without one hashes exactly what it always did.
    """
    header = f"{previous}|{seq}|{stream}|{version}|{type_}|{recorded_at}|{schema}|"
    if batch_end is not None:
        header += f"{batch_end}|"
    return hashlib.sha256(header.encode() + payload).hexdigest()
