r"""The hot fields of a record: what the read model folds without building the Event.

A record's *hot row* is ``(seq, stream, version, kind, lo, hi, rank, actors, tags,
treaty, modality)``: the header, then the event's kind, its date bounds as
proleptic Gregorian day numbers (``date.toordinal()``), the precision's rank, its
actor countries (unique, in order, joined by a space), its tags (joined by
``\\x1f``), its treaty and its modality. A retraction's hot row carries ``None``
for every event field (``kind`` is None only for a retraction).

SQLite keeps these fields as real columns beside the record bytes, so a replay
reads them without parsing JSON; JSON Lines and memory logs decode them from the
line with a decoder that skips everything else. Both give the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import msgspec

from ._model import Event
from ._records import CURRENT_SCHEMA

__all__ = ["NO_FIELDS", "TAG_SEPARATOR", "HotDecoder", "HotRow", "hot_fields"]

#: ``(seq, stream, version, kind, lo, hi, rank, actors, tags, treaty, modality)``.
HotRow = tuple[Any, ...]

#: Joins an event's tags in the ``tags`` hot field (tags never hold control characters).
TAG_SEPARATOR = "\x1f"

_RANKS = {"minute": 0, "day": 1, "part_of_month": 2, "month": 3, "season": 4, "year": 5}


def _rank(precision: str) -> int:
    # Precision's declaration order (finest first); "interval" and anything newer last.
    return _RANKS.get(precision, 6)


def hot_fields(event: Event) -> tuple[Any, ...]:
    """Return an event's hot fields: ``(kind, lo, hi, rank, actors, tags, treaty, modality)``."""
    when = event.when
    countries: list[str] = []
    for actor in event.actors:
        if actor.country not in countries:
            countries.append(actor.country)
    return (
        event.kind,
        when.earliest.toordinal(),
        when.latest.toordinal(),
        _rank(when.precision.value),
        " ".join(countries),
        TAG_SEPARATOR.join(event.tags),
        event.treaty,
        event.modality.value,
    )


#: The hot fields of a retraction (it carries no event).
NO_FIELDS: tuple[Any, ...] = (None,) * 8


class _When(msgspec.Struct, gc=False):
    earliest: str
    latest: str
    precision: str


class _Actor(msgspec.Struct, gc=False):
    country: str


class _Event(msgspec.Struct, gc=False):
    kind: str
    when: msgspec.Raw
    actors: msgspec.Raw = msgspec.Raw(b"[]")
    tags: msgspec.Raw = msgspec.Raw(b"[]")
    treaty: str | None = None
    modality: str = "actual"


class _Payload(msgspec.Struct, gc=False):
    event: _Event | None = None


class _Line(msgspec.Struct, gc=False):
    seq: int
    stream: str
    version: int
    type: str
    schema: int
    payload: _Payload


_when_decoder = msgspec.json.Decoder(_When)
_actors_decoder = msgspec.json.Decoder(list[_Actor])
_tags_decoder = msgspec.json.Decoder(list[str])


class HotDecoder:
    """Decodes stored JSON lines into hot rows, skipping every field queries do not need.

    Dates, actor lists and tag lists repeat across a log, so each distinct one is
    parsed once (bounded caches keyed by its JSON bytes).

    Args:
        full: decodes one line into a Record the slow way (old schemas, through
            the upcasters); used when a line does not fit the current shape.
    """

    _LIMIT = 1 << 16

    def __init__(self, full: Callable[[bytes], Any]) -> None:
        self._line = msgspec.json.Decoder(_Line)
        self._full = full
        self._whens: dict[bytes, tuple[int, int, int]] = {}
        self._actors: dict[bytes, str] = {}
        self._tags: dict[bytes, str] = {}

    def decode(self, lines: list[bytes]) -> list[HotRow]:
        """Return the hot rows of a batch of stored lines, in order.

        Raises:
            InvalidRecord: a line is not a well-formed record.
        """
        whens, actors, tags = self._whens, self._actors, self._tags
        if len(whens) > self._LIMIT or len(actors) > self._LIMIT or len(tags) > self._LIMIT:
            whens.clear()
            actors.clear()
            tags.clear()
        decode = self._line.decode
        current = CURRENT_SCHEMA
        rows: list[HotRow] = []
        append = rows.append
        for line in lines:
            try:
                head = decode(line)
            except (msgspec.ValidationError, msgspec.DecodeError):
                append(self._slow(line))
                continue
            if head.schema != current.get(head.type):
                append(self._slow(line))
                continue
            event = head.payload.event
            if event is None:
                append((head.seq, head.stream, head.version, *NO_FIELDS))
                continue
            key = bytes(event.when)
            bounds = whens.get(key)
            if bounds is None:
                when = _when_decoder.decode(key)
                bounds = whens[key] = (
                    dt.date.fromisoformat(when.earliest).toordinal(),
                    dt.date.fromisoformat(when.latest).toordinal(),
                    _rank(when.precision),
                )
            key = bytes(event.actors)
            countries = actors.get(key)
            if countries is None:
                unique: list[str] = []
                for actor in _actors_decoder.decode(key):
                    if actor.country not in unique:
                        unique.append(actor.country)
                countries = actors[key] = " ".join(unique)
            key = bytes(event.tags)
            joined = tags.get(key)
            if joined is None:
                joined = tags[key] = TAG_SEPARATOR.join(_tags_decoder.decode(key))
            append(
                (
                    head.seq,
                    head.stream,
                    head.version,
                    event.kind,
                    *bounds,
                    countries,
                    joined,
                    event.treaty,
                    event.modality,
                )
            )
        return rows

    def _slow(self, line: bytes) -> HotRow:
        record = self._full(line)
        event = record.payload.event
        fields = NO_FIELDS if event is None else hot_fields(event)
        return (record.seq, record.stream, record.version, *fields)
