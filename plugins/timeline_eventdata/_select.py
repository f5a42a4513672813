"""The slice of a dataset to import, checked on each row while the file streams.

Every event-data importer takes the same options (GDELT two more):
``actor``, ``dyad``, ``kind``, ``root_code``, ``quad_class``, ``start``,
``end`` and ``limit``; ``min_sources`` and ``root_only`` for GDELT.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any, ClassVar

import attrs

import timeline

__all__ = ["COMMON_OPTIONS", "EventDataImporter", "Row", "Selection", "base_name", "provenance"]

COMMON_OPTIONS: tuple[timeline.Option, ...] = (
    timeline.Option(
        name="actor",
        help="Keep rows with one of these countries on either side (RUS,IND or names).",
    ),
    timeline.Option(
        name="dyad", help="Keep rows between two countries, either way round (RUS,IND)."
    ),
    timeline.Option(name="kind", help="Keep rows of these kinds (patterns: treaty.*,visit.state)."),
    timeline.Option(name="root_code", help="Keep rows of these CAMEO root codes (04,05)."),
    timeline.Option(name="quad_class", help="Keep rows of these quad classes (1-4: 1,2)."),
    timeline.Option(name="start", help="Keep rows on or after this day (YYYY-MM-DD)."),
    timeline.Option(name="end", help="Keep rows on or before this day (YYYY-MM-DD)."),
    timeline.Option(name="limit", help="Stop after this many kept rows.", type=int),
)

_SPLIT = re.compile(r"[;,]")


def _items(owner: str, name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in _SPLIT.split(value) if p.strip()]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if str(v).strip()]
    raise timeline.InvalidOption(owner, name, value, "a comma-separated string or a list")


def _countries(owner: str, name: str, value: Any) -> list[str]:
    codes = []
    for item in _items(owner, name, value):
        try:
            codes.append(timeline.Actor.coerce(item).country)
        except timeline.InvalidEvent:
            raise timeline.InvalidOption(
                owner, name, value, f"country codes or names ({item!r} is neither)"
            ) from None
    return codes


def _day(owner: str, name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise timeline.InvalidOption(owner, name, value, "a day as YYYY-MM-DD") from None


@attrs.frozen(kw_only=True)
class Selection:
    """Which rows of a dataset an import keeps (all of them when nothing is set)."""

    actors: frozenset[str] = frozenset()
    """Country codes: a row is kept when either side's country is one of them."""
    dyad: frozenset[str] | None = None
    """Two country codes: a row is kept when its two sides are these two."""
    kinds: tuple[str, ...] = ()
    """Kind patterns (``treaty.*``): a row is kept when its kind matches one."""
    root_codes: frozenset[str] = frozenset()
    """CAMEO root codes (``"04"``)."""
    quad_classes: frozenset[str] = frozenset()
    """Quad classes as strings ``"1"`` to ``"4"``."""
    start: str | None = None
    """The first day kept (ISO), inclusive."""
    end: str | None = None
    """The last day kept (ISO), inclusive."""
    limit: int | None = None
    """How many rows to keep at most."""
    min_sources: int = 0
    """GDELT: the fewest ``NumSources`` kept."""
    root_only: bool = False
    """GDELT: keep ``IsRootEvent = 1`` rows only."""

    @classmethod
    def from_options(cls, owner: str, options: dict[str, Any]) -> Selection:
        """Return the selection the importer's (checked) options describe.

        Raises:
            InvalidOption: a value cannot be read (the error names the option).
        """
        dyad = _countries(owner, "dyad", options.get("dyad"))
        if dyad and len(dyad) != 2:
            raise timeline.InvalidOption(owner, "dyad", options["dyad"], "two countries")
        quads = _items(owner, "quad_class", options.get("quad_class"))
        if any(q not in {"1", "2", "3", "4"} for q in quads):
            raise timeline.InvalidOption(
                owner, "quad_class", options["quad_class"], "quad classes 1 to 4"
            )
        limit = options.get("limit")
        if limit is not None and limit < 0:
            raise timeline.InvalidOption(owner, "limit", limit, "a count of 0 or more")
        start = _day(owner, "start", options.get("start"))
        end = _day(owner, "end", options.get("end"))
        if start is not None and end is not None and start > end:
            raise timeline.InvalidOption(owner, "end", end, f"a day on or after {start}")
        return cls(
            actors=frozenset(_countries(owner, "actor", options.get("actor"))),
            dyad=frozenset(dyad) if dyad else None,
            kinds=tuple(_items(owner, "kind", options.get("kind"))),
            root_codes=frozenset(_items(owner, "root_code", options.get("root_code"))),
            quad_classes=frozenset(quads),
            start=start,
            end=end,
            limit=limit,
            min_sources=int(options.get("min_sources") or 0),
            root_only=bool(options.get("root_only")),
        )

    def keeps_sides(self, first: str | None, second: str | None) -> bool:
        """Return whether a row whose sides have these country codes is kept."""
        if self.actors and first not in self.actors and second not in self.actors:
            return False
        if self.dyad is not None:
            if first is None or second is None or first == second:
                return len(self.dyad) == 1 and first == second and first in self.dyad
            return {first, second} == self.dyad
        return True

    def keeps_day(self, day: str) -> bool:
        """Return whether a row of this ISO day is kept."""
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def keeps_kind(self, kind: str) -> bool:
        """Return whether a row of this kind is kept."""
        return not self.kinds or any(fnmatch.fnmatchcase(kind, p) for p in self.kinds)

    def keeps_codes(self, root_code: str, quad_class: str) -> bool:
        """Return whether a row with this CAMEO root code and quad class is kept."""
        return (not self.root_codes or root_code in self.root_codes) and (
            not self.quad_classes or quad_class in self.quad_classes
        )


#: What a dataset's ``rows`` yields: (line, fields of the event or a bad row).
Row = tuple[int, "dict[str, Any] | timeline.ImportProblem"]


@attrs.frozen(kw_only=True)
class EventDataImporter(timeline.Importer):
    """An importer of a machine-coded event dataset: streaming, filtered, with stable ids.

    Subclasses implement ``rows``; ``read`` turns the options into a
    ``Selection`` and stops at ``limit`` kept rows.
    """

    binary: bool = True
    dataset: ClassVar[str] = ""

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Row]:
        """Yield ``(line, event fields or problem)`` for each row the selection keeps."""
        selection = Selection.from_options(self.owner, options)
        kept = 0
        if selection.limit == 0:
            return
        for line, item in self.rows(stream, selection, options):
            yield line, item
            if not isinstance(item, timeline.ImportProblem):
                kept += 1
                if selection.limit is not None and kept >= selection.limit:
                    return

    def unchanged(self, present: timeline.Event, row: timeline.Event) -> bool:
        """Return whether a row is the event the log has, where it was read aside.

        ``attributes.provenance`` names the file and row a row came from: the same
        row read from another file (an overlapping export, a renamed one) is the same
        event, so those two are left out of the comparison; everything else counts.
        """
        if present == row:
            return True
        for field in attrs.fields(timeline.Event):
            if field.name != "attributes" and getattr(present, field.name) != getattr(
                row, field.name
            ):
                return False
        return _placeless(present.attributes) == _placeless(row.attributes)

    def rows(self, stream: IO[Any], selection: Selection, options: dict[str, Any]) -> Iterator[Row]:
        """Yield ``(line, event fields or problem)`` for each row ``selection`` keeps.

        ``options`` are the importer's checked options (for those that are not filters).
        """
        raise NotImplementedError


#: The parts of ``attributes.provenance`` that say where a row was read, not what it says.
_PLACE = ("file", "row")


def _placeless(attributes: dict[str, Any]) -> dict[str, Any]:
    """Return ``attributes`` with the file and row left out of its provenance."""
    origin = attributes.get("provenance")
    if not isinstance(origin, dict):
        return attributes
    return {**attributes, "provenance": {k: v for k, v in origin.items() if k not in _PLACE}}


def provenance(dataset: str, file: str, line: int, replaced: bool) -> dict[str, Any]:
    """Return ``attributes.provenance``: the dataset, the file's base name and the line."""
    out: dict[str, Any] = {"dataset": dataset, "file": file, "row": line}
    if replaced:
        out["decoding"] = "bytes that are not UTF-8 were replaced"
    return out


def base_name(path: str) -> str:
    """Return a path's last part (``20251205101500.export.CSV.zip``)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
