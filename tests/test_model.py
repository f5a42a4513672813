"""Event, Actor and Source: construction, coercion and validation."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import pytest

import timeline
from timeline import Actor, ActorRole, Event, InvalidEvent, Modality, Source, When
from timeline._model import new_event_id


def make(**fields: object) -> Event:
    base: dict[str, object] = {"kind": "treaty.signed", "when": "2025-02-18", "title": "Signed"}
    base.update(fields)
    return Event(**base)  # type: ignore[arg-type]


class TestEvent:
    def test_defaults(self) -> None:
        """An event needs only kind, when and title; the id is generated and opaque."""
        event = make()
        assert 32 == len(event.id)
        assert event.id != make().id
        assert Modality.ACTUAL == event.modality
        assert () == event.actors
        assert {} == event.attributes

    def test_coercion(self) -> None:
        """Plain strings become Actors, Sources and a When; tags are sorted and unique."""
        event = make(
            actors=["rus", "IND"],
            sources="https://tass.com/x",
            tags=["Military", "logistics", "military"],
            modality="planned",
        )
        assert ("RUS", "IND") == event.countries
        assert (Source(url="https://tass.com/x"),) == event.sources
        assert ("logistics", "military") == event.tags
        assert When.parse("2025-02-18") == event.when
        assert Modality.PLANNED == event.modality

    def test_when_accepts_dates(self) -> None:
        """when takes a date, an aware datetime or a When."""
        assert "2025-02-18" == make(when=dt.date(2025, 2, 18)).when.edtf
        timed = make(when=dt.datetime(2025, 2, 18, 10, tzinfo=dt.timezone.utc)).when
        assert timed.start is not None

    def test_events_are_immutable_and_comparable(self) -> None:
        """Events are frozen values: equal when all fields are equal."""
        event = make(id="e1")
        with pytest.raises(AttributeError):
            event.title = "x"  # type: ignore[misc]
        assert make(id="e1") == event

    def test_evolve_validates(self) -> None:
        """evolve() runs the same validation and refuses unknown fields and id changes."""
        event = make(id="e1")
        assert "2025-12-02" == event.evolve(when="2025-12-02").when.edtf
        with pytest.raises(InvalidEvent, match="'colour'"):
            event.evolve(colour="red")
        with pytest.raises(InvalidEvent, match="'id'"):
            event.evolve(id="e2")

    @pytest.mark.parametrize(
        ("fields", "field", "fragment"),
        [
            ({"title": ""}, "title", "non-empty string"),
            ({"title": 3}, "title", "non-empty string"),
            ({"when": "2025-13-45"}, "when", "a date"),
            ({"when": 12}, "when", "a date"),
            ({"actors": ["XXX"]}, "actors[0].country", "ISO 3166-1 alpha-3"),
            ({"actors": [42]}, "actors[0]", "an Actor"),
            ({"sources": ["not a url"]}, "sources[0].url", "http(s) URL"),
            ({"modality": "maybe"}, "modality", "'hypothetical'"),
            ({"tags": ["ok", ""]}, "tags[1]", "non-empty string"),
            ({"id": "has space"}, "id", "letters, digits"),
            ({"attributes": {"x": object()}}, "attributes", "JSON-compatible"),
            ({"attributes": {1: "x"}}, "attributes", "string keys"),
            ({"kind": ""}, "kind", "kind name"),
        ],
    )
    def test_bad_fields(self, fields: dict[str, object], field: str, fragment: str) -> None:
        """Every bad field raises InvalidEvent naming the field, the value and what was expected."""
        with pytest.raises(InvalidEvent) as info:
            make(**fields)
        assert field == info.value.field
        assert fragment in str(info.value)


class TestNewEventId:
    def test_is_a_version_7_uuid_of_now(self) -> None:
        """Generated ids are RFC 9562 version 7 UUIDs whose first 48 bits are the time in ms."""
        before = time.time_ns() // 1_000_000
        event_id = new_event_id()
        after = time.time_ns() // 1_000_000
        parsed = uuid.UUID(event_id)
        assert event_id == parsed.hex
        assert 7 == parsed.version
        assert uuid.RFC_4122 == parsed.variant
        assert before <= int(event_id[:12], 16) <= after

    def test_later_ids_sort_later(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Ids made in a later millisecond sort after earlier ones (index locality)."""
        clock = iter(range(1_700_000_000_000_000_000, 1_800_000_000_000_000_000, 3_000_000))
        monkeypatch.setattr(time, "time_ns", lambda: next(clock))
        ids = [new_event_id() for _ in range(200)]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)

    def test_random_within_a_millisecond(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Ids made in the same millisecond still differ (74 random bits)."""
        monkeypatch.setattr(time, "time_ns", lambda: 1_700_000_000_000_000_000)
        ids = {new_event_id() for _ in range(1000)}
        assert 1000 == len(ids)
        assert {"018bcfe56800"} == {i[:12] for i in ids}


class TestActor:
    def test_coerce(self) -> None:
        """An Actor comes from a code, a mapping or an Actor."""
        assert Actor(country="RUS") == Actor.coerce("rus")
        full = Actor.coerce({"country": "IND", "role": "host", "sector": "gov", "name": "Modi"})
        assert (ActorRole.HOST, "GOV", "Modi") == (full.role, full.sector, full.name)
        assert "IND/GOV" == str(full)

    def test_codes_share_one_actor(self) -> None:
        """Events naming the same country code share one immutable Actor; bad codes always raise."""
        first, second = make(actors=["RUS", "IND"]), make(actors=["RUS"])
        assert first.actors[0] is second.actors[0] is Actor.coerce("RUS")
        assert Actor.coerce("rus") == first.actors[0]
        for _ in range(2):
            with pytest.raises(InvalidEvent, match="country"):
                Actor.coerce("XXZ")

    def test_non_state_codes(self) -> None:
        """PLOVER non-state codes (UN, EU) and Kosovo are accepted."""
        assert ["UNO", "EUR", "KOS"] == [Actor(country=c).country for c in ("UNO", "EUR", "KOS")]

    def test_bad_values(self) -> None:
        """Bad role, sector or mapping keys are InvalidEvent errors."""
        with pytest.raises(InvalidEvent, match="role"):
            Actor(country="RUS", role="king")
        with pytest.raises(InvalidEvent, match="sector"):
            Actor(country="RUS", sector="GOVERNMENT")
        with pytest.raises(InvalidEvent, match="sector"):
            Actor(country="RUS", sector="XYZ")  # three letters, but no sector code
        with pytest.raises(InvalidEvent, match="Actor fields"):
            Actor.coerce({"country": "RUS", "colour": "red"})


class TestSource:
    def test_fields(self) -> None:
        """A Source keeps publisher, title, publication date and excerpt."""
        source = Source(
            url="https://tass.com/x", publisher="TASS", published="2025-12-02", excerpt=" quote "
        )
        assert dt.date(2025, 12, 2) == source.published
        assert "quote" == source.excerpt

    def test_bad_published(self) -> None:
        """A publication date must be a date."""
        with pytest.raises(InvalidEvent, match="published"):
            Source(url="https://tass.com/x", published="yesterday")

    def test_disagreeing_sources_are_kept(self) -> None:
        """Two sources for one event are both kept, in order."""
        event = make(sources=["https://a.example/1", "https://b.example/2"])
        assert ["https://a.example/1", "https://b.example/2"] == [s.url for s in event.sources]


class TestSourceWithoutUrl:
    def test_publisher_and_story(self) -> None:
        """A source without a URL has a publisher and a story id; its reference shows both."""
        source = timeline.Source(publisher="Xinhua", story="28390718:2")
        assert source.url is None
        assert "Xinhua 28390718:2" == source.reference

    @pytest.mark.parametrize(
        "fields", [{}, {"publisher": "Xinhua"}, {"story": "1"}, {"publisher": " ", "story": "1"}]
    )
    def test_needs_url_or_publisher_and_story(self, fields: dict[str, str]) -> None:
        """Without a URL, both a publisher and a story id are required."""
        with pytest.raises(timeline.InvalidEvent, match="publisher and a story id"):
            timeline.Source(**fields)

    def test_url_still_validated(self) -> None:
        """A URL, when given, must still be an http(s) URL."""
        with pytest.raises(timeline.InvalidEvent, match="http"):
            timeline.Source(url="ftp://x", publisher="X", story="1")

    def test_survives_the_log(self, tmp_path: Path) -> None:
        """An event with a URL-less source replays from SQLite unchanged."""
        path = tmp_path / "t.db"
        with timeline.open(path) as tl:
            ev = tl.record(
                kind="visit.state",
                when="2014-03-02",
                title="Visit",
                actors=["RUS"],
                sources=[{"publisher": "Xinhua", "story": "1:2"}],
            )
        with timeline.open(path) as tl:
            assert ev == tl.get(ev.id)
            assert tl.verify().ok
