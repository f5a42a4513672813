"""The ``json`` exporter (current events, one document) and ``jsonl`` (the raw log records)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import attrs
import msgspec

import timeline
from timeline import ExportReport

__all__ = ["JsonExporter", "JsonlExporter", "event_object"]

_encoder = msgspec.json.Encoder()


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
        self, timeline: Any, records: Iterable[timeline.Record], stream: IO[Any], **options: Any
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


def _store(view: Any) -> timeline.Store:
    # A Timeline has .store; an as_of view reaches it through the timeline it views.
    store = getattr(view, "store", None)
    if store is None:
        store = view.timeline.store
    assert isinstance(store, timeline.Store)
    return store


@attrs.frozen(kw_only=True)
class JsonlExporter(timeline.Exporter):
    """Writes the raw log records of the matching events, one JSON object per line, in seq order.

    Each line is the record exactly as stored (payload bytes and hash included),
    so the hash chain of an unfiltered export can be checked again. Retracted
    events are included (``include_retracted`` defaults to True here).
    """

    name: str = "jsonl"
    description: str = "JSON Lines of the raw log records (seq, type, payload, hash)"
    suffix: str = ".jsonl"
    media_type: str = "application/jsonl"
    binary: bool = True

    def export(self, timeline: Any, dest: Any, **options: Any) -> ExportReport:
        """Write the records of the matching events to ``dest``; say how many events.

        Raises:
            InvalidEvent: an option or filter is malformed.

        """
        options.setdefault("include_retracted", True)
        return super().export(timeline, dest, **options)

    def write(
        self, timeline: Any, records: Iterable[timeline.Record], stream: IO[Any], **options: Any
    ) -> int:
        """Write the records to the binary ``stream``; return how many events they are about."""
        view = timeline  # the parameter shadows the module here
        streams = {r.stream for r in records}
        for raw in _store(view).read_raw(until=view.seq):
            if raw.stream in streams:
                stream.write(_encoder.encode(raw))
                stream.write(b"\n")
        return len(streams)
