"""Decoding stored records into Record objects, upcasting old payload schemas on the way.

The hot path (a record written by this version) is one msgspec call that builds
the attrs objects directly; only records of an older schema take the slow path
through plain dicts and the upcaster chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import msgspec

from ._columns import HotDecoder, Vocabulary
from ._errors import InvalidDate, InvalidRecord
from ._model import Actor
from ._records import CURRENT_SCHEMA, Payload, Record, RecordType
from ._when import When

__all__ = [
    "BATCH_BYTES",
    "BATCH_LINES",
    "BUILTIN_UPCASTERS",
    "RecordCodec",
    "Upcaster",
    "encode_line",
]

#: How many lines a store hands ``decode_lines`` at a time on replay. A batch and
#: the records decoded from it then stay in the CPU cache while the sharing pass
#: walks them: 256 replayed 100k records 25-30% faster than 4,096 (benchmarks).
BATCH_LINES = 256
#: The same, for stores that read bytes: about 220 lines of the benchmark workload.
BATCH_BYTES = 1 << 18

#: An upcaster's function: takes a payload (plain JSON data) of schema N, returns schema N+1.
UpcastFunction = Callable[[dict[str, Any]], dict[str, Any]]


@attrs.frozen(kw_only=True)
class Upcaster:
    """Migrates payloads of one record type from one schema version to the next."""

    record_type: str
    """``recorded``, ``amended`` or ``retracted``."""
    from_schema: int
    """The version it reads; it returns version ``from_schema + 1``."""
    function: UpcastFunction
    """The migration: takes the old payload as plain JSON data, returns the new one."""
    description: str = ""
    """One line saying what changed."""


def _date_string_to_when(payload: dict[str, Any]) -> dict[str, Any]:
    # Schema 1 stored an event's date as a plain string under "date"; schema 2
    # stores the parsed When (edtf, precision, bounds, phrase) under "when".
    event = dict(payload["event"])
    text = event.pop("date")
    try:
        when = When.parse(text)
    except InvalidDate as exc:
        raise InvalidRecord("upcasting schema 1 -> 2", exc.args[0]) from None
    event["when"] = msgspec.to_builtins(when)
    return {**payload, "event": event}


BUILTIN_UPCASTERS: tuple[Upcaster, ...] = tuple(
    Upcaster(
        record_type=t,
        from_schema=1,
        function=_date_string_to_when,
        description="event.date (a plain string) becomes event.when (a parsed When)",
    )
    for t in (RecordType.RECORDED.value, RecordType.AMENDED.value)
)


class _Line(msgspec.Struct, gc=False):
    seq: int
    stream: str
    version: int
    type: str
    recorded_at: dt.datetime
    schema: int
    payload: msgspec.Raw
    hash: str


def encode_line(
    seq: int,
    stream: str,
    version: int,
    type_: str,
    recorded_at: str,
    schema: int,
    payload: bytes,
    hash_: str,
    batch_end: int | None = None,
) -> bytes:
    """Return one stored record as a JSON line (no newline), embedding the payload bytes as is.

    ``batch_end`` (the seq of the last record of the same append) is written only
    for appends of two or more records, so a crash inside a batch can be cut back
    to the last whole batch; a one-record append's line is the same as ever.
    """
    fields: dict[str, object] = {
        "seq": seq,
        "stream": stream,
        "version": version,
        "type": type_,
        "recorded_at": recorded_at,
        "schema": schema,
    }
    if batch_end is not None:
        fields["batch_end"] = batch_end
    head = msgspec.json.encode(fields)
    return b'%s,"payload":%s,"hash":"%s"}' % (head[:-1], payload, hash_.encode())


class _Sharer:
    """Makes equal immutable parts of decoded records one shared object.

    A replay keeps every event alive, and most of an event's parts repeat across
    events: kinds, tags, actors, the same dates, the timestamp of one append.
    Sharing them (values are frozen, so this is invisible but for ``is``) cuts a
    replay's memory by about a third. The caches are bounded.
    """

    _LIMIT = 1 << 18

    def __init__(self) -> None:
        self.whens: dict[str, When] = {}
        self.strings: dict[str, str] = {}
        self.tags: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.actors: dict[tuple[object, ...], Actor] = {}
        self.moment: dt.datetime | None = None

    def __call__(self, records: list[Record]) -> None:
        if len(self.whens) > self._LIMIT or len(self.actors) > self._LIMIT:
            self.__init__()  # type: ignore[misc]
        # Frozen attrs instances refuse setattr; object.__setattr__ is how attrs
        # itself initialises them. Only equal values are swapped in.
        put = object.__setattr__
        force = msgspec.structs.force_setattr  # the same, for frozen Structs (records)
        whens, strings, tags, actors = self.whens, self.strings, self.tags, self.actors
        moment = self.moment
        for record in records:
            at = record.recorded_at
            if at == moment:
                force(record, "recorded_at", moment)
            else:
                moment = at
            event = record.payload.event
            if event is None:
                continue
            force(record, "stream", event.id)
            when = event.when
            if when.phrase is None and when.anchor is None and when.start is None:
                shared_when = whens.setdefault(when.edtf, when)
                if shared_when is not when:
                    put(event, "when", shared_when)
            kind = event.kind
            shared_kind = strings.setdefault(kind, kind)
            if shared_kind is not kind:
                put(event, "kind", shared_kind)
            if event.tags:
                shared_tags = tags.setdefault(event.tags, event.tags)
                if shared_tags is not event.tags:
                    put(event, "tags", shared_tags)
            if event.actors:
                put(
                    event,
                    "actors",
                    tuple(
                        [
                            actors.setdefault((a.country, a.role, a.sector, a.name), a)
                            for a in event.actors
                        ]
                    ),
                )
        self.moment = moment


class RecordCodec:
    """Turns stored bytes into Records, applying the registered upcasters.

    Args:
        upcasters: migrations for old payload schemas; the built-ins when omitted.
    """

    def __init__(self, upcasters: Iterable[Upcaster] = BUILTIN_UPCASTERS) -> None:
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        #: Called once, the first time an old record needs an upcaster nobody
        #: registered yet: the timeline points it at its plugins' upcasters, so
        #: plugins load only for logs that need them.
        self.find_more: Callable[[], Iterable[Upcaster]] | None = None
        for upcaster in upcasters:
            self.add(upcaster)
        self._line = msgspec.json.Decoder(Record)
        self._share = _Sharer()
        self._payload = msgspec.json.Decoder(Payload)
        self._generic_line = msgspec.json.Decoder(_Line)

    def add(self, upcaster: Upcaster) -> None:
        """Register an upcaster.

        Raises:
            InvalidRecord: another upcaster already handles this type and schema.
        """
        key = (upcaster.record_type, upcaster.from_schema)
        if key in self._upcasters and self._upcasters[key] is not upcaster:
            raise InvalidRecord(
                f"upcaster for {key[0]} schema {key[1]}", "one is registered already"
            )
        self._upcasters[key] = upcaster

    def upcast(self, record_type: str, schema: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Migrate a payload of ``schema`` to the current schema of its type.

        Raises:
            InvalidRecord: no upcaster covers a step, or the schema is newer than this library.
        """
        current = CURRENT_SCHEMA.get(record_type)
        if current is None:
            raise InvalidRecord(f"record type {record_type!r}", "not a known record type")
        if schema > current:
            raise InvalidRecord(
                f"{record_type} schema {schema}",
                f"written by a newer geotimeline (this one reads up to {current})",
            )
        while schema < current:
            upcaster = self._upcasters.get((record_type, schema))
            if upcaster is None and self.find_more is not None:
                find_more, self.find_more = self.find_more, None
                for extra in find_more():
                    self.add(extra)
                upcaster = self._upcasters.get((record_type, schema))
            if upcaster is None:
                raise InvalidRecord(
                    f"{record_type} schema {schema}", "no upcaster is registered for it"
                )
            payload = upcaster.function(payload)
            schema += 1
        return payload

    def decode_payload(self, record_type: str, schema: int, data: bytes) -> Payload:
        """Decode a payload's bytes, upcasting when its schema is old."""
        if schema == CURRENT_SCHEMA.get(record_type):
            return self._payload.decode(data)
        upcast = self.upcast(record_type, schema, msgspec.json.decode(data))
        return self._payload.decode(msgspec.json.encode(upcast))

    def decode_lines(self, lines: list[bytes]) -> list[Record]:
        """Decode a batch of stored lines, in order (the replay path).

        Raises:
            InvalidRecord: a line is not a well-formed record.
        """
        decode = self._line.decode
        try:
            records = [decode(line) for line in lines]
        except (msgspec.ValidationError, msgspec.DecodeError):
            # An old schema that no longer fits the current shape, or garbage.
            return [self.decode_line(line) for line in lines]
        current = CURRENT_SCHEMA
        for i, record in enumerate(records):
            if record.schema != current[record.type]:
                records[i] = self.decode_line(lines[i])  # decoded, but from an old schema
        self._share(records)
        return records

    def decode_many(self, lines: list[bytes], seqs: Sequence[int]) -> list[Record]:
        """Decode the stored lines of these seqs without the sharing pass (events on demand).

        Raises:
            InvalidRecord: a line is not a well-formed record (named by its seq).
        """
        decode = self._line.decode
        current = CURRENT_SCHEMA
        out = []
        for line, seq in zip(lines, seqs, strict=True):
            try:
                record = decode(line)
            except (msgspec.ValidationError, msgspec.DecodeError):
                record = self.decode_line(line, f"record seq {seq}")
            else:
                if record.schema != current[record.type]:
                    record = self.decode_line(line, f"record seq {seq}")
            out.append(record)
        return out

    def hot_decoder(self, vocabulary: Vocabulary) -> HotDecoder:
        """Return a decoder of hot rows that falls back on this codec for old schemas."""
        return HotDecoder(vocabulary, self.decode_line)

    def first_bad(self, lines: list[bytes]) -> int:
        """Return the 1-based position of the first line that does not decode (0 if none).

        For naming the culprit after ``decode_lines`` refused a batch.
        """
        for n, line in enumerate(lines, 1):
            try:
                self.decode_line(line)
            except InvalidRecord:
                return n
        return 0

    def decode_line(self, line: bytes, where: str = "") -> Record:
        """Decode one stored JSON line into a Record.

        Raises:
            InvalidRecord: the line is not a well-formed record.
        """
        try:
            record = self._line.decode(line)
            if record.schema == CURRENT_SCHEMA[record.type]:
                return record
        except (msgspec.ValidationError, msgspec.DecodeError):
            pass  # an older schema, or garbage: the generic path below tells which
        try:
            raw = self._generic_line.decode(line)
            return Record(
                seq=raw.seq,
                stream=raw.stream,
                version=raw.version,
                type=RecordType(raw.type),
                recorded_at=raw.recorded_at,
                schema=raw.schema,
                payload=self.decode_payload(raw.type, raw.schema, bytes(raw.payload)),
                hash=raw.hash,
            )
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError) as exc:
            raise InvalidRecord(where or "record", f"not a valid record ({exc})") from None
