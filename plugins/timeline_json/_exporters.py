"""The ``json`` exporter (current events, one document) and ``jsonl`` (the raw log records)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import attrs
import msgspec

import timeline

__all__ = ["EXPORT_HEADER", "JsonExporter", "JsonlExporter", "event_object"]

_encoder = msgspec.json.Encoder()

#: The key of a ``jsonl`` export's first line, the export's metadata (the log head).
EXPORT_HEADER = "geotimeline_export"


def event_object(event: timeline.Event) -> Any:
    """Return an event as JSON-compatible data: every field (``when`` as its full object)."""
    return msgspec.to_builtins(event)


@attrs.frozen(kw_only=True)
class JsonExporter(timeline.Exporter):
    """Writes ``{"events": [...]}``, every field of every matching event, streamed one by one."""

    name: str = "json"
    description: str = "JSON document of the current events, every field"
    suffix: str = ".json"
    media_type: str = "application/json"
    binary: bool = True

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write the document to the binary ``stream``; return how many events it holds."""
        stream.write(b'{"events":[')
        count = 0
        for record in records:
            assert record.event is not None
            # One event per line keeps the file diffable and each line a jsonl event.
            stream.write(b"\n" if count == 0 else b",\n")
            stream.write(_encoder.encode(event_object(record.event)))
            count += 1
        stream.write(b"\n]}\n" if count else b"]}\n")
        return count


@attrs.frozen(kw_only=True)
class JsonlExporter(timeline.Exporter):
    """Writes the raw log records of the matching events, one JSON object per line, in seq order.

    Each line is the record exactly as stored (payload bytes and hash included),
    so the hash chain of an unfiltered export can be checked again. Retracted
    events are included (``include_retracted`` defaults to True here).

    The export records the log head it was made from (``timeline verify
    --expect`` checks later that a log still holds it): an export of every
    record up to the head is itself a log, whose last line is that head; a
    filtered one starts with ``{"geotimeline_export":{"head":"SEQ:HASH"}}``.
    """

    name: str = "jsonl"
    description: str = "JSON Lines of the raw log records (seq, type, payload, hash)"
    suffix: str = ".jsonl"
    media_type: str = "application/jsonl"
    binary: bool = True
    includes_retracted: bool = True

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Write the records to the binary ``stream``; return how many events they are about."""
        streams = {r.stream for r in records}
        if len(streams) != sum(1 for _ in view.iter_records(include_retracted=True)):
            # Not a whole log, so its last line is not the head: say which it was.
            stream.write(_encoder.encode({EXPORT_HEADER: {"head": str(view.head())}}))
            stream.write(b"\n")
        for raw in view.store.read_raw(until=view.seq):
            if raw.stream in streams:
                stream.write(_encoder.encode(raw))
                stream.write(b"\n")
        return len(streams)
