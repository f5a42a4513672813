"""The clustered copy's values: an event's place in timeline order as bytes, and the event packed.

A store that keeps the clustered copy (``SqliteStore(path, cluster=True)``,
docs/stores.md) holds every live event again, keyed by ``place_key``: bytes
whose order is the timeline's exact order, ``(When.sort_key, id)``, so a walk
of every event is one scan in key order that decodes each event once, with no
fetch by seq and no tie to sort (benchmarks/README.md, "The clustered copy").

The key encodes each part of the sort key so that comparing the bytes compares
the parts, in order: an integer as a length-prefixed big-endian number (negative
ones complemented), a flag as one byte, a text as UTF-8 (lone surrogates too) with
``0x00`` escaped and a ``0x00 0x01`` terminator, an optional part as ``0x00``
(absent, before any value) or ``0x01`` and the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from ._backend import Placement
from ._model import Event
from ._records import Record
from ._when import When

__all__ = ["pack_event", "place_key", "placements", "unpack_event"]


_TEXT_END = b"\x00\x01"
_encode = msgspec.msgpack.Encoder().encode


def _integer(n: int) -> bytes:
    """Return ``n`` as bytes that sort as the integers do (any size)."""
    if n >= 0:
        size = max(1, (n.bit_length() + 7) // 8)
        body = n.to_bytes(size, "big")
        if size < 127:
            return bytes((0x80 + size,)) + body
        return b"\xff" + _integer(size) + body  # beyond 10**300: the size as a number itself
    m = -n - 1  # -1 is 0: the complement of m sorts larger magnitudes first
    size = max(1, (m.bit_length() + 7) // 8)
    body = bytes(255 - b for b in m.to_bytes(size, "big"))
    if size < 127:
        return bytes((0x7F - size,)) + body
    return b"\x00" + bytes(255 - b for b in _integer(size)) + body


def _text(text: str) -> bytes:
    # UTF-8's byte order is code point order, lone surrogates (surrogatepass) included.
    return text.encode("utf-8", "surrogatepass").replace(b"\x00", b"\x00\xff") + _TEXT_END


def _part(value: Any) -> bytes:
    """Return one part of a sort key as order-preserving bytes."""
    if value is True or value is False:
        return b"\x01" if value else b"\x00"
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, tuple):  # an optional part: (False, stand-in) or (True, value)
        present, inner = value
        return b"\x01" + _part(inner) if present else b"\x00"
    if isinstance(value, dt.timedelta):
        return _integer((value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds)
    if isinstance(value, dt.date):
        return _integer(value.toordinal())
    raise TypeError(f"no order-preserving bytes for a sort key part {value!r}")


def place_key(when: When, event_id: str) -> bytes:
    """Return the bytes of ``(when.sort_key, event_id)``, which sort as the tuples do.

    Equal bytes are equal tuples, and the order of two keys (``bytes`` comparison,
    SQLite's ``BLOB`` order) is the timeline's order of the two events.
    """
    return b"".join(map(_part, when.sort_key)) + _text(event_id)


def pack_event(event: Event) -> bytes:
    """Return the event as msgpack; empty when it cannot be (read it from its record then).

    Through ``to_builtins``, so a datetime keeps its offset (msgpack's own timestamp
    would keep the instant alone); an integer past 64 bits or a lone surrogate has no
    msgpack form.
    """
    try:
        return _encode(msgspec.to_builtins(event))
    except (OverflowError, UnicodeEncodeError, TypeError):
        return b""


#: Return the event ``pack_event`` packed (not empty); raises ``msgspec.DecodeError`` for
#: bytes that are not one. The decoder's own method, not a function around it: a walk
#: calls it once an event.
unpack_event: Callable[[bytes], Event] = msgspec.msgpack.Decoder(Event).decode


def placements(records: Sequence[Record]) -> list[Placement]:
    """Return what each record does to the clustered copy, in order."""
    placed: list[Placement] = []
    for record in records:
        event = record.payload.event
        if event is None:
            placed.append((record.stream, record.seq, None, b""))
        else:
            placed.append(
                (record.stream, record.seq, place_key(event.when, event.id), pack_event(event))
            )
    return placed
