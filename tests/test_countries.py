"""Tests for the country table: codes, names and aliases (src/timeline/_countries.py)."""

from __future__ import annotations

import pytest

import timeline
from timeline._countries import COUNTRIES, COUNTRY_ALIASES, NON_STATE_ACTORS, actor_code


class TestActorCode:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("IND", "IND"),
            ("ind", "IND"),
            ("India", "IND"),
            ("Russian Federation", "RUS"),
            ("russia", "RUS"),
            ("Cote d'Ivoire", "CIV"),
            ("Côte d\u2019Ivoire", "CIV"),
            ("Turkey", "TUR"),
            ("Türkiye", "TUR"),
            ("Burma", "MMR"),
            ("Bosnia & Herzegovina", "BIH"),
            ("Congo, Democratic Republic of", "COD"),
            ("Occupied Palestinian Territory", "PSE"),
            ("United Nations", "UNO"),
            ("  United States  ", "USA"),
        ],
    )
    def test_reads_codes_names_and_aliases(self, text: str, code: str) -> None:
        """Codes, short names and aliases give the code, whatever the case and accents."""
        assert code == actor_code(text)

    @pytest.mark.parametrize("text", ["", "Atlantis", "XXX", "Russ"])
    def test_unknown_is_none(self, text: str) -> None:
        """A name the table does not know gives None, never a guess."""
        assert actor_code(text) is None

    def test_every_short_name_reads_back(self) -> None:
        """Every vendored short name resolves to its own code."""
        assert {c: c for c in COUNTRIES} == {c: actor_code(n) for c, n in COUNTRIES.items()}
        assert {c: c for c in NON_STATE_ACTORS} == {
            c: actor_code(n) for c, n in NON_STATE_ACTORS.items()
        }

    def test_aliases_name_known_codes(self) -> None:
        """Every alias points at a code the model accepts."""
        assert set(COUNTRY_ALIASES.values()) <= set(COUNTRIES) | set(NON_STATE_ACTORS)


class TestActorsByName:
    def test_actor_country_accepts_a_name(self) -> None:
        """Actor(country="Russian Federation") stores RUS."""
        assert "RUS" == timeline.Actor(country="Russian Federation").country
        assert "IND" == timeline.Actor.coerce("India").country

    def test_unknown_name_is_refused(self) -> None:
        """An unknown name is an InvalidEvent naming the field."""
        with pytest.raises(timeline.InvalidEvent, match=r"'country'.*Atlantis"):
            timeline.Actor(country="Atlantis")

    def test_filter_by_name(self) -> None:
        """events(actor="India") finds the events with IND."""
        tl = timeline.open(":memory:")
        tl.record(kind="visit.state", when="2025-12-04", title="Visit", actors=["RUS", "IND"])
        assert ["Visit"] == [e.title for e in tl.events(actor="India")]
