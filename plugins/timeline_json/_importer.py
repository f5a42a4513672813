"""The ``jsonl`` importer: one event object per line, as the ``json`` exporter writes events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

import attrs
import msgspec

import timeline

__all__ = ["JsonlImporter"]

# The first and last lines of a `json` export (one event per line in between).
_DOCUMENT_HEAD = b'{"events":['
_DOCUMENT_TAIL = b"]}"

Row = tuple[int, "timeline.Event | dict[str, Any] | timeline.ImportProblem"]


def _problem(line: int, field: str, reason: str) -> Row:
    return line, timeline.ImportProblem(line=line, field=field, reason=reason)


def _when(edtf: str, phrase: object, anchor: object) -> timeline.When:
    """Rebuild the ``when`` object the json exporter writes, checking its parts agree.

    The phrase, when there is one, is parsed again against the anchor and must
    give the EDTF: a file cannot smuggle in a date whose words and EDTF disagree.

    Raises:
        InvalidDate: a part cannot be read, or the phrase does not give the EDTF.

    """
    day: dt.date | None = None
    if anchor:
        try:
            day = dt.date.fromisoformat(str(anchor))
        except ValueError:
            reason = "an anchor must be an ISO date (YYYY-MM-DD)"
            raise timeline.InvalidDate(anchor, reason) from None
    if not phrase:
        when = timeline.When.parse(edtf)
        return when if day is None else attrs.evolve(when, anchor=day)
    when = timeline.When.parse(str(phrase), anchor=day)
    if when.edtf != edtf:
        raise timeline.InvalidDate(phrase, f"it reads as {when.edtf}, not {edtf}")
    return when


def _event_fields(line: int, data: object) -> Row:
    if not isinstance(data, dict):
        got = type(data).__name__
        return _problem(line, "row", f"expected a JSON object (an event), got {got}")
    if "payload" in data and "stream" in data:
        return _problem(
            line,
            "row",
            "a log record (jsonl export), not an event; import the "
            "events of a `json` export, one per line",
        )
    fields = dict(data)
    when = fields.get("when")
    if isinstance(when, dict):
        # The json exporter's form: rebuilt from the EDTF, phrase and anchor (and checked),
        # never trusted field by field.
        edtf = when.get("edtf")
        if not isinstance(edtf, str):
            return _problem(line, "when", "an object without an 'edtf' string")
        try:
            fields["when"] = _when(edtf, when.get("phrase"), when.get("anchor"))
        except timeline.InvalidDate as exc:
            return _problem(line, "when", str(exc.args[0]))
    return line, fields


@attrs.frozen(kw_only=True)
class JsonlImporter(timeline.Importer):
    """Reads JSON Lines of events: one object per line with Event fields (ids are kept).

    ``when`` is a date string (``"2025-12-04"``) or the object the ``json``
    exporter writes; blank lines are skipped. A ``json`` export is read too.
    """

    name: str = "jsonl"
    description: str = "JSON Lines of events, one object per line"
    suffix: str = ".jsonl"
    binary: bool = True

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, fields)`` per line, or ``(line, ImportProblem)`` for a bad one.

        Also reads a ``json`` export as written (its first line ``{"events":[``,
        then one event per line, each but the last followed by a comma).
        """
        document = False
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
            yield _event_fields(number, data)
