"""Cells of the full CSV dialect: how every Event field is written and read back."""

from __future__ import annotations

from typing import Any

import msgspec

import timeline

__all__ = [
    "FORMULA_TRIGGERS",
    "FULL_COLUMNS",
    "REQUIRED_COLUMNS",
    "event_cells",
    "guard",
    "unguard",
]

#: The full dialect's columns, in order.
FULL_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "when",
    "phrase",
    "anchor",
    "title",
    "summary",
    "actors",
    "location",
    "sources",
    "tags",
    "treaty",
    "related",
    "modality",
    "attributes",
)
#: The columns an imported file must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("kind", "when", "title")
#: First characters that make a spreadsheet read a cell as a formula (OWASP, CWE-1236),
#: with their full-width look-alikes (some spreadsheets fold them to ASCII on input).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _risky(text: str) -> bool:
    # A cell starting with a control character (NUL, vertical tab, ...) is guarded too: a
    # reader that drops the control character would see what follows as the cell's start.
    return text.startswith(FORMULA_TRIGGERS) or (text != "" and ord(text[0]) < 0x20)


def guard(text: str, *, reversible: bool = False) -> str:
    """Return ``text`` made safe for spreadsheets: a leading ``'`` if it could start a formula.

    Guarded: a cell starting with one of ``FORMULA_TRIGGERS`` or with any control
    character below U+0020 (a NUL before ``=HYPERLINK(...)``).

    Args:
        text: the cell.
        reversible: also prefix a cell that already starts with ``'``, so that
            ``unguard`` can take exactly one off (the full dialect does this).

    """
    if _risky(text) or (reversible and text.startswith("'")):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """Undo ``guard(text, reversible=True)``: drop the one ``'`` it added, if any."""
    if text.startswith("'") and (_risky(text[1:]) or text[1:].startswith("'")):
        return text[1:]
    return text


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _compact(obj: Any, key: str) -> Any:
    # An actor that is only a country, or a source that is only a URL, is written bare.
    fields = {k: v for k, v in msgspec.to_builtins(obj).items() if v is not None}
    return fields[key] if list(fields) == [key] else fields


def event_cells(event: timeline.Event) -> list[str]:
    """Return the full dialect's cells for an event, in ``FULL_COLUMNS`` order (unguarded)."""
    when = event.when
    return [
        event.id,
        event.kind,
        when.edtf,
        when.phrase or "",
        when.anchor.isoformat() if when.anchor else "",
        event.title,
        event.summary,
        _json([_compact(a, "country") for a in event.actors]) if event.actors else "",
        event.location or "",
        _json([_compact(s, "url") for s in event.sources]) if event.sources else "",
        _json(list(event.tags)) if event.tags else "",
        event.treaty or "",
        _json(list(event.related)) if event.related else "",
        event.modality.value,
        _json(event.attributes) if event.attributes else "",
    ]
