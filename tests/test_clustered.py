"""The clustered copy's values (``_clustered``): order-preserving keys and packed events."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import event_ids, full_events, whens

import timeline
from timeline import When
from timeline._clustered import _integer, _part, pack_event, place_key, unpack_event


class TestPlaceKey:
    @settings(max_examples=400, deadline=None)
    @given(whens(), whens(), event_ids(), event_ids())
    def test_bytes_sort_as_the_timeline_does(self, a: When, b: When, x: str, y: str) -> None:
        """Two keys compare as ``(sort_key, id)`` compares, equality included."""
        ka, kb = place_key(a, x), place_key(b, y)
        ta, tb = (a.sort_key, x), (b.sort_key, y)
        assert (ka < kb) == (ta < tb)
        assert (ka == kb) == (ta == tb)

    @given(st.integers(), st.integers())
    def test_integers_of_any_size(self, a: int, b: int) -> None:
        """Integers of any sign and size keep their order (far EDTF years have huge days)."""
        assert (_integer(a) < _integer(b)) == (a < b)
        assert (_integer(a) == _integer(b)) == (a == b)

    @pytest.mark.parametrize("n", [0, -1, 255, 256, -256, -257, 10**400, -(10**400)])
    def test_integer_neighbours(self, n: int) -> None:
        """Each integer sorts between its neighbours, past the one-byte size prefix too."""
        assert _integer(n - 1) < _integer(n) < _integer(n + 1)

    @given(st.text(), st.text())
    def test_texts_with_nul_and_surrogates(self, a: str, b: str) -> None:
        """Texts sort by code point, NUL, lone surrogates and prefixes included."""
        assert (_part(a) < _part(b)) == (a < b)
        assert (_part(a) == _part(b)) == (a == b)

    def test_an_unknown_part_is_refused(self) -> None:
        """A part the key has no bytes for is a TypeError, not a silent misorder."""
        with pytest.raises(TypeError, match="sort key part"):
            _part(1.5)


class TestPackedEvent:
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(full_events())
    def test_round_trip_is_the_stored_event(self, fields: dict[str, object]) -> None:
        """A packed event unpacks equal to the event its record decodes to, repr and offsets too."""
        tl = timeline.open(":memory:")
        tl.record(**fields)
        event = next(iter(tl.store.read())).payload.event  # as its record decodes
        assert event is not None
        packed = pack_event(event)
        assert packed
        back = unpack_event(packed)
        assert back == event
        assert repr(back) == repr(event)
        assert back.when.start == event.when.start
        if event.when.start is not None and back.when.start is not None:
            assert back.when.start.utcoffset() == event.when.start.utcoffset()

    def test_unpackable_events_are_left_to_their_record(self) -> None:
        """An event with no msgpack form (an integer past 64 bits) packs empty."""
        tl = timeline.open(":memory:")
        tl.record(id="big", kind="visit.state", when="2025", title="t", attributes={"n": 2**70})
        assert pack_event(tl.get("big")) == b""
