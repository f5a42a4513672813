"""The event model: immutable, validated values (attrs, frozen, slotted).

Validation lives in attrs *converters*: they run when a user builds a value, and
are skipped when msgspec rebuilds values from the log during replay (the log
only ever holds values that passed them once).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs
import msgspec

from ._countries import SECTORS, actor_code
from ._errors import InvalidDate, InvalidEvent, InvalidEventDate
from ._when import When

__all__ = ["Actor", "ActorRole", "Event", "Modality", "Source", "new_event_id"]


class Modality(str, enum.Enum):
    """Whether an event happened, is planned, or is only spoken of."""

    ACTUAL = "actual"
    PLANNED = "planned"
    HYPOTHETICAL = "hypothetical"
    REPORTED = "reported"
    NEGATED = "negated"


class ActorRole(str, enum.Enum):
    """The part an actor plays in an event."""

    ACTOR = "actor"
    RECIPIENT = "recipient"
    PARTY = "party"
    HOST = "host"
    VISITOR = "visitor"


_MS_MASK = (1 << 48) - 1
_CLEAR_VERSION_VARIANT = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_VERSION_7_VARIANT = (0x7 << 76) | (0x2 << 62)


def new_event_id() -> str:
    """Return a fresh opaque event id: a time-ordered UUID (version 7, RFC 9562), hex form.

    The first 48 bits are the Unix time in milliseconds and the other 74 are
    random, so ids stay unique but ids made later sort later. That keeps a log's
    stream index appending at its right edge: with random (version 4) ids every
    batch of 1,000 new events dirties pages all over the index, and batched
    appends into a 100k-record SQLite log ran at about half the speed
    (benchmarks/test_append.py, ``append batched sqlite into the log``).
    """
    value = (time.time_ns() // 1_000_000 & _MS_MASK) << 80 | secrets.randbits(80)
    # Set the version (7) and variant (0b10) bits where RFC 9562 puts them.
    value = value & _CLEAR_VERSION_VARIANT | _VERSION_7_VARIANT
    return f"{value:032x}"


_V = TypeVar("_V")


def _coerce_value(cls: type[_V], value: object, field: str, plain: str, what: str) -> _V:
    # Actor and Source both take an instance, a plain string (their main field)
    # or a mapping of their fields.
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        return cls(**{plain: value})
    if isinstance(value, Mapping):
        try:
            return cls(**value)
        except TypeError as exc:
            raise InvalidEvent(field, value, f"{cls.__name__} fields ({exc})") from None
    raise InvalidEvent(field, value, f"{what} or a mapping")


_EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _enum(cls: type[enum.Enum], field: str, value: object) -> Any:
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in cls)
        raise InvalidEvent(field, value, f"one of {choices}") from None


def _opt_text(field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidEvent(field, value, "a string or None")
    value = value.strip()
    return value or None


def _country(value: object) -> str:
    code = actor_code(value) if isinstance(value, str) else None
    if code is None:
        raise InvalidEvent(
            "country", value, "an ISO 3166-1 alpha-3 code such as 'RUS' or a country name"
        )
    return code


def _role(value: object) -> ActorRole | None:
    return None if value is None else _enum(ActorRole, "role", value)


def _sector(value: object) -> str | None:
    if value is None:
        return None
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or code not in SECTORS:
        raise InvalidEvent(
            "sector", value, "a PLOVER or CAMEO sector code such as 'GOV', 'MIL' or 'LEG'"
        )
    return code


def _name(value: object) -> str | None:
    return _opt_text("name", value)


@attrs.frozen(kw_only=True)
class Actor:
    """A participant in an event: a country (or non-state actor), with a role and sector."""

    country: str = attrs.field(converter=_country)
    """ISO 3166-1 alpha-3 code (``RUS``), or a PLOVER non-state code (``UNO``, ``EUR``).

    A country name or common alias (``"India"``, ``"Russian Federation"``) is
    read as its code."""
    role: ActorRole | None = attrs.field(default=None, converter=_role)
    """What the actor does in the event: actor, recipient, party, host or visitor."""
    sector: str | None = attrs.field(default=None, converter=_sector)
    """PLOVER/CAMEO sector code: GOV, MIL, LEG, JUD, ..."""
    name: str | None = attrs.field(default=None, converter=_name)
    """A person or body, when the source names one ("State Duma")."""

    @classmethod
    def coerce(cls, value: object) -> Actor:
        """Return an Actor from an Actor, a country code string or a mapping of fields.

        Raises:
            InvalidEvent: the value is none of these or a field is bad.
        """
        if isinstance(value, str) and cls is Actor:
            return _actor_of_code(value)
        return _coerce_value(cls, value, "actors", "country", "an Actor, a country code")

    def __str__(self) -> str:
        return self.country + (f"/{self.sector}" if self.sector else "")


@functools.lru_cache(maxsize=1024)
def _actor_of_code(code: str) -> Actor:
    # Most actors are a bare country code, and a few hundred codes cover every
    # event: one shared, immutable Actor per code spares its converters (and its
    # memory) on every event after the first. Bad codes raise every time.
    return Actor(country=code)


def _url(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _URL.match(value.strip()):
        raise InvalidEvent("url", value, "an http(s) URL")
    return value.strip()


def _story(value: object) -> str | None:
    return _opt_text("story", value)


def _published(value: object) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidEvent("published", value, "a date or an ISO date string (YYYY-MM-DD)")


def _publisher(value: object) -> str | None:
    return _opt_text("publisher", value)


def _source_title(value: object) -> str | None:
    return _opt_text("title", value)


def _excerpt(value: object) -> str | None:
    return _opt_text("excerpt", value)


@attrs.frozen(kw_only=True)
class Source:
    """Where a fact comes from. Sources may disagree; an event keeps them all.

    A source has a URL, or, when there is none (ICEWS codes stories from
    licensed news feeds), a publisher and the story's id at that publisher:
    ``Source(publisher="Xinhua", story="28390718:2")``.
    """

    url: str | None = attrs.field(default=None, converter=_url)
    """The address of the article or document (an http(s) URL), if it has one."""
    publisher: str | None = attrs.field(default=None, converter=_publisher)
    """Who published it (``TASS``)."""
    story: str | None = attrs.field(default=None, converter=_story)
    """The story's id at the publisher or in the dataset, for a source without a URL."""
    title: str | None = attrs.field(default=None, converter=_source_title)
    """The headline or document title."""
    published: dt.date | None = attrs.field(default=None, converter=_published)
    """The publication date."""
    excerpt: str | None = attrs.field(default=None, converter=_excerpt)
    """The words of the source that support the event."""

    def __attrs_post_init__(self) -> None:
        if self.url is None and (self.publisher is None or self.story is None):
            raise InvalidEvent(
                "url",
                None,
                "an http(s) URL, or a publisher and a story id for a source without one",
            )

    @property
    def reference(self) -> str:
        """The URL, or ``publisher story`` for a source without one (what listings show)."""
        return self.url if self.url is not None else f"{self.publisher} {self.story}"

    @classmethod
    def coerce(cls, value: object) -> Source:
        """Return a Source from a Source, a URL string or a mapping of fields.

        Raises:
            InvalidEvent: the value is none of these or a field is bad.
        """
        return _coerce_value(cls, value, "sources", "url", "a Source, a URL string")


def _id(value: object) -> str:
    if not isinstance(value, str) or not _EVENT_ID.match(value):
        raise InvalidEvent(
            "id", value, "1-128 letters, digits, '_', '.', ':' or '-', starting alphanumeric"
        )
    return value


def _kind(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent("kind", value, "a kind name such as 'treaty.signed'")
    return value.strip()


def _when(value: object) -> When:
    try:
        return When.coerce(value)
    except InvalidDate as exc:
        raise InvalidEventDate(value, exc.reason) from None


def _title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent("title", value, "a non-empty string")
    return value.strip()


def _summary(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidEvent("summary", value, "a string")
    return value.strip()


def _items(field: str, value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)  # the usual case, before the slower ABC checks below
    if isinstance(value, (str, Mapping, Actor, Source)):
        return [value]
    if not isinstance(value, Iterable):
        raise InvalidEvent(field, value, "a list")
    return list(value)


def _unique(field: str, value: object, coerce: Callable[[object], _V]) -> tuple[_V, ...]:
    # Actors and sources: each item coerced, repeats dropped, errors named by position.
    out: list[_V] = []
    for i, item in enumerate(_items(field, value)):
        try:
            one = coerce(item)
        except InvalidEvent as exc:
            raise InvalidEvent(
                f"{field}[{i}].{exc.field}".replace(f".{field}", ""), exc.value, exc.expected
            ) from None
        if one not in out:
            out.append(one)
    return tuple(out)


def _actors(value: object) -> tuple[Actor, ...]:
    return _unique("actors", value, Actor.coerce)


def _sources(value: object) -> tuple[Source, ...]:
    return _unique("sources", value, Source.coerce)


def _strings(field: str, value: object) -> tuple[str, ...]:
    seen: list[str] = []
    for i, item in enumerate(_items(field, value)):
        if not isinstance(item, str) or not item.strip():
            raise InvalidEvent(f"{field}[{i}]", item, "a non-empty string")
        if item.strip() not in seen:
            seen.append(item.strip())
    return tuple(seen)


def _tags(value: object) -> tuple[str, ...]:
    return tuple(sorted({t.lower() for t in _strings("tags", value)}))


def _related(value: object) -> tuple[str, ...]:
    return _strings("related", value)


def _treaty(value: object) -> str | None:
    return _opt_text("treaty", value)


def _location(value: object) -> str | None:
    return _opt_text("location", value)


def _modality(value: object) -> Modality:
    return _enum(Modality, "modality", value)  # type: ignore[no-any-return]


def _attributes(value: object) -> dict[str, Any]:
    if value is None or (type(value) is dict and not value):
        return {}  # the usual case: no JSON round trip to check
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidEvent("attributes", value, "a mapping with string keys")
    try:
        # The log stores JSON: refuse now what could not be written later.
        return msgspec.json.decode(msgspec.json.encode(dict(value)))  # type: ignore[no-any-return]
    except (TypeError, UnicodeEncodeError, msgspec.MsgspecError) as exc:
        # UnicodeEncodeError: a lone surrogate ("\ud800") that UTF-8 cannot store.
        raise InvalidEvent("attributes", value, f"JSON-compatible values ({exc})") from None


@attrs.frozen(kw_only=True)
class Event:
    """A dated geopolitical event, as the timeline currently knows it.

    Events are immutable. Corrections are recorded with ``Timeline.amend``, which
    stores a new version; ``Timeline.history`` gives every version.
    """

    id: str = attrs.field(factory=new_event_id, converter=_id)
    """Stable, opaque identifier; generated when not given, never derived from text."""
    kind: str = attrs.field(converter=_kind)
    """A registered kind (``treaty.signed``); see ``timeline.kinds()``."""
    when: When = attrs.field(converter=_when)
    """When it happened, as precisely as the sources say."""
    title: str = attrs.field(converter=_title)
    """One line saying what happened."""
    summary: str = attrs.field(default="", converter=_summary)
    """A longer description."""
    actors: tuple[Actor, ...] = attrs.field(default=(), converter=_actors)
    """Who took part; plain country codes are accepted (``["RUS", "IND"]``)."""
    location: str | None = attrs.field(default=None, converter=_location)
    """Where it happened (a place name)."""
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_sources)
    """Who says so; plain URLs are accepted. Disagreeing sources are all kept."""
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)
    """Free labels, lower-cased, sorted and unique."""
    treaty: str | None = attrs.field(default=None, converter=_treaty)
    """The agreement a treaty life-cycle step belongs to (``RELOS``)."""
    related: tuple[str, ...] = attrs.field(default=(), converter=_related)
    """Ids of other events this one refers to."""
    modality: Modality = attrs.field(default=Modality.ACTUAL, converter=_modality)
    """Whether it happened (actual), is planned, hypothetical, reported or negated."""
    attributes: dict[str, Any] = attrs.field(factory=dict, converter=_attributes, hash=False)
    """Open, JSON-compatible data for plugins; treat it as read-only."""

    @property
    def countries(self) -> tuple[str, ...]:
        """The actors' country codes, in order, without repeats."""
        return tuple(dict.fromkeys(a.country for a in self.actors))

    def evolve(self, **changes: Any) -> Event:
        """Return a copy with some fields changed (validated like a new Event).

        Raises:
            InvalidEvent: a change names no field or has a bad value.
        """
        unknown = sorted(set(changes) - set(EVENT_FIELDS))
        if unknown:
            raise InvalidEvent(unknown[0], changes[unknown[0]], f"one of the fields {EVENT_FIELDS}")
        if "id" in changes and changes["id"] != self.id:
            raise InvalidEvent("id", changes["id"], "the same id (an event's id never changes)")
        return attrs.evolve(self, **changes)


#: The names of Event's fields, in declaration order.
EVENT_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Event))
