"""The ``jsonl`` importer: events, one object per line (or a ``json`` or ``jsonl`` export)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import attrs
import msgspec

import timeline

from ._exporters import EXPORT_HEADER

__all__ = ["JsonlImporter"]

# The first and last lines of a `json` export (one event per line in between).
_DOCUMENT_HEAD = b'{"events":['
_DOCUMENT_TAIL = b"]}"

Row = tuple[int, "timeline.Event | dict[str, Any] | timeline.ImportProblem"]


def _problem(line: int, field: str, reason: str) -> Row:
    return line, timeline.ImportProblem(line=line, field=field, reason=reason)


def _event_fields(line: int, data: object) -> Row:
    if not isinstance(data, dict):
        got = type(data).__name__
        return _problem(line, "row", f"expected a JSON object (an event), got {got}")
    fields = dict(data)
    when = fields.get("when")
    if isinstance(when, dict):
        # The json exporter's form: rebuilt from the EDTF, phrase and anchor (and checked),
        # never trusted field by field.
        edtf = when.get("edtf")
        if not isinstance(edtf, str):
            return _problem(line, "when", "an object without an 'edtf' string")
        try:
            phrase, anchor = when.get("phrase"), when.get("anchor")
            fields["when"] = timeline.When.from_parts(
                edtf, str(phrase) if phrase else None, str(anchor) if anchor else None
            )
        except timeline.InvalidDate as exc:
            return _problem(line, "when", str(exc.args[0]))
    return line, fields


_RECORD_TYPES = ("recorded", "amended", "retracted")


def _is_record(data: object) -> bool:
    return isinstance(data, dict) and "payload" in data and "stream" in data


class _Records:
    """The log records of a ``jsonl`` export, folded into each stream's latest event."""

    def __init__(self) -> None:
        # stream -> (line, version, the event's fields or None once retracted), in first-seen order
        self.latest: dict[str, tuple[int, int, object]] = {}

    def add(self, line: int, data: dict[str, Any]) -> Row | None:
        """Fold in one record line; return a problem if it is malformed, else None."""
        stream, version, kind = data.get("stream"), data.get("version"), data.get("type")
        payload = data.get("payload")
        if not isinstance(stream, str) or not stream:
            return _problem(line, "stream", "a log record needs a non-empty 'stream' string")
        if isinstance(version, bool) or not isinstance(version, int):
            return _problem(
                line, "version", f"a log record needs an integer version, got {version!r}"
            )
        if kind not in _RECORD_TYPES:
            return _problem(
                line, "type", f"got {kind!r}, expected one of {', '.join(_RECORD_TYPES)}"
            )
        event = payload.get("event") if isinstance(payload, dict) else None
        if kind != "retracted" and not isinstance(event, dict):
            return _problem(line, "payload", f"a {kind} record without its event object")
        seen = self.latest.get(stream)
        if seen is None or version >= seen[1]:
            self.latest[stream] = (line, version, None if kind == "retracted" else event)
        return None

    def events(self) -> Iterator[Row]:
        """Yield each stream's latest event (with its record's line), skipping retracted ones."""
        for line, _, event in self.latest.values():
            if event is not None:
                yield _event_fields(line, event)


@attrs.frozen(kw_only=True)
class JsonlImporter(timeline.Importer):
    """Reads JSON Lines of events: one object per line with Event fields (ids are kept).

    ``when`` is a date string (``"2025-12-04"``) or the object the ``json``
    exporter writes; blank lines are skipped. A ``json`` export is read too, and
    so is a ``jsonl`` export (raw log records): each stream's latest recorded or
    amended event is imported, retracted streams are left out.
    """

    name: str = "jsonl"
    description: str = "JSON Lines of events, one object per line"
    suffix: str = ".jsonl"
    binary: bool = True

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, fields)`` per line, or ``(line, ImportProblem)`` for a bad one.

        Also reads a ``json`` export as written (its first line ``{"events":[``,
        then one event per line, each but the last followed by a comma), and the
        log records of a ``jsonl`` export: their events are yielded once the whole
        file is read (only the latest version of each counts), with the line of
        that latest record.
        """
        document = False
        records = _Records()
        for number, raw in enumerate(stream, start=1):
            text = raw.strip()
            if number == 1:
                text = text.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
                if text == _DOCUMENT_HEAD:
                    document = True
                    continue
            if not text or (document and text == _DOCUMENT_TAIL):
                continue
            if document:
                text = text.removesuffix(b",")
            try:
                data = msgspec.json.decode(text)
            except msgspec.DecodeError as exc:
                yield _problem(number, "row", f"not JSON ({exc})")
                continue
            if (
                isinstance(data, dict)
                and list(data) == ["events"]
                and isinstance(data["events"], list)
            ):
                # A whole json document on one line (``{"events":[]}`` when empty).
                for item in data["events"]:
                    yield _event_fields(number, item)
                continue
            if number == 1 and isinstance(data, dict) and list(data) == [EXPORT_HEADER]:
                continue  # a jsonl export's metadata (the log head it was made from)
            if _is_record(data):
                problem = records.add(number, data)
                if problem is not None:
                    yield problem
                continue
            yield _event_fields(number, data)
        yield from records.events()
