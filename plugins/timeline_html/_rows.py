"""What the drawn timelines share: which events are drawn, the rows (groups), the words shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import timeline

__all__ = [
    "DEFAULT_MODALITIES",
    "GROUP_BY",
    "GROUP_BY_OPTION",
    "MODALITIES_OPTION",
    "Row",
    "bounds_text",
    "kind_family",
    "qualifiers",
    "row_order",
    "rows_of",
    "source_label",
]

#: How events are put in rows: by treaty (the rest by kind family), kind family, actor, or not.
GROUP_BY: tuple[str, ...] = ("treaty", "kind", "actor", "none")
#: Drawn unless asked otherwise: hypothetical (and negated) events only on request, as in
#: the calendars, which draw only actual ones by default.
DEFAULT_MODALITIES = "actual,planned,reported"

GROUP_BY_OPTION = timeline.Option(
    name="group_by",
    default="treaty",
    choices=GROUP_BY,
    help="Rows: treaty (a treaty's life cycle on one row, the rest by kind family), "
    "kind, actor or none",
)
MODALITIES_OPTION = timeline.Option(
    name="modalities",
    default=DEFAULT_MODALITIES,
    help="Comma-separated modalities to draw ('all' for every one, hypothetical included)",
)

#: A row: its stable id and its label.
Row = tuple[str, str]


def kind_family(kind: str) -> str:
    """Return the family of a kind: the part before the first dot (``treaty.signed`` -> treaty)."""
    return kind.split(".", 1)[0]


def rows_of(event: timeline.Event, group_by: str) -> list[Row]:
    """Return the rows an event is drawn on (one, except by actor: one per country)."""
    if group_by == "none":
        return [("", "")]
    if group_by == "actor":
        return [(f"actor:{c}", c) for c in event.countries] or [("actor:", "(no actor)")]
    if group_by == "treaty" and event.treaty is not None:
        return [(f"treaty:{event.treaty}", event.treaty)]
    family = kind_family(event.kind)
    return [(f"kind:{family}", family)]


def row_order(rows: Iterable[Row]) -> list[Row]:
    """Return rows in drawing order: treaties, then kind families, then actors, each by label."""
    rank = {"treaty": 0, "kind": 1, "actor": 2}
    return sorted(set(rows), key=lambda r: (rank.get(r[0].split(":", 1)[0], 3), r[1], r[0]))


def qualifiers(when: timeline.When) -> list[str]:
    """Return the words for a date's qualifiers: ``approximate``, ``uncertain``, open ends."""
    words = []
    if when.approximate:
        words.append("approximate")
    if when.uncertain:
        words.append("uncertain")
    if when.earliest == dt.date.min:
        words.append("open start")
    if when.latest == dt.date.max:
        words.append("open end")
    return words


def bounds_text(when: timeline.When) -> str:
    """Return the bounds as text: ``2025-12-01 to 2025-12-10``, ``open`` for an open end."""
    first = "open" if when.earliest == dt.date.min else when.earliest.isoformat()
    last = "open" if when.latest == dt.date.max else when.latest.isoformat()
    return first if first == last else f"{first} to {last}"


def source_label(source: timeline.Source) -> str:
    """Return how a source is named: publisher and title, else its URL."""
    label = " - ".join(p for p in (source.publisher, source.title) if p)
    return label or source.reference
