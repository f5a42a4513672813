"""The events/1 and records/1 Arrow tables: golden schema, round trip, missing pyarrow."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline
from timeline.testing import FixedClock

from .strategies import full_events

pa = pytest.importorskip("pyarrow", reason="pip install -e '.[test]' (pyarrow) to run these")

GOLDEN = Path(__file__).parent / "golden"


def _describe(schema: object) -> str:
    lines = []
    for field in schema:  # type: ignore[attr-defined]
        null = "" if field.nullable else " not null"
        lines.append(f"{field.name}: {field.type}{null}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def tl() -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    tl.record(
        id="relos",
        kind="treaty.ratified",
        when="2025-02-18",
        title="RELOS ratified",
        actors=["RUS", {"country": "IND", "role": "party", "sector": "GOV", "name": "Duma"}],
        sources=[{"url": "https://tass.ru/a", "title": "Ратификация", "published": "2025-02-19"}],
        tags=["defence"],
        treaty="RELOS",
        attributes={"votes": [417, 0]},
    )
    tl.record(id="since", kind="relations.shift", when="since 2022", title="Since 2022")
    tl.record(id="until", kind="relations.shift", when="../2024-06", title="Until June 2024")
    tl.record(id="timed", kind="visit.state", when="2025-12-04T10:00+05:30", title="Landing")
    return tl


class TestSchema:
    def test_golden(self, tl: timeline.Timeline) -> None:
        """The events/1 columns and types are the documented ones (tests/golden)."""
        expected = (GOLDEN / "events-1.schema.txt").read_text(encoding="utf-8")
        assert expected == _describe(tl.events().schema)

    def test_records_golden(self, tl: timeline.Timeline) -> None:
        """The records/1 columns and types are the documented ones (tests/golden)."""
        expected = (GOLDEN / "records-1.schema.txt").read_text(encoding="utf-8")
        assert expected == _describe(timeline.records_reader(tl).schema)

    def test_metadata(self, tl: timeline.Timeline) -> None:
        """The metadata names the schema, the log head's seq and hash, and the as_of point."""
        metadata = tl.events().schema.metadata
        assert {
            b"geotimeline.schema": b"events/1",
            b"geotimeline.log_head_seq": b"4",
            b"geotimeline.log_head_hash": tl.store.record_hash(4).encode(),
            b"geotimeline.as_of": b"",
        } == metadata

    def test_as_of_metadata(self, tl: timeline.Timeline) -> None:
        """An as_of view's events carry its seq and the hash of the record there."""
        metadata = tl.as_of(seq=2).events().schema.metadata
        assert b"2" == metadata[b"geotimeline.log_head_seq"]
        assert tl.store.record_hash(2).encode() == metadata[b"geotimeline.log_head_hash"]
        assert b"seq=2" == metadata[b"geotimeline.as_of"]

    def test_empty_log(self) -> None:
        """An empty log gives an empty table with the schema and an empty head hash."""
        table = timeline.open(":memory:").events().to_arrow()
        assert 0 == table.num_rows
        assert b"" == table.schema.metadata[b"geotimeline.log_head_hash"]


class TestColumns:
    def test_open_ends_are_null_never_sentinels(self, tl: timeline.Timeline) -> None:
        """An open start or end is a null bound plus an explicit flag, not 0001-01-01/9999-12-31."""
        rows = {r["event_id"]: r for r in tl.events().to_arrow().to_pylist()}
        assert (dt.date(2022, 1, 1), None, False, True) == (
            rows["since"]["when_earliest"],
            rows["since"]["when_latest"],
            rows["since"]["when_open_start"],
            rows["since"]["when_open_end"],
        )
        assert (None, dt.date(2024, 6, 30), True) == (
            rows["until"]["when_earliest"],
            rows["until"]["when_latest"],
            rows["until"]["when_open_start"],
        )
        assert 2024 == rows["until"]["when_year"]  # the year of the latest day when open

    def test_values(self, tl: timeline.Timeline) -> None:
        """Kinds, families, actors, countries, sources, attributes and times are filled in."""
        row = next(r for r in tl.events().to_arrow().to_pylist() if r["event_id"] == "relos")
        assert ("treaty.ratified", "treaty", "day", 2025) == (
            row["kind"],
            row["kind_family"],
            row["when_precision"],
            row["when_year"],
        )
        assert ["RUS", "IND"] == row["actor_countries"]
        assert {"country": "IND", "role": "party", "sector": "GOV", "name": "Duma"} == row[
            "actors"
        ][1]
        assert "Ратификация" == row["sources"][0]["title"]
        assert '{"votes":[417,0]}' == row["attributes"]
        assert (1, False) == (row["version"], row["retracted"])
        assert row["first_recorded_at"] == row["last_recorded_at"]

    def test_a_country_named_twice_is_listed_once(self, tl: timeline.Timeline) -> None:
        """actor_countries lists each country once, as Event.countries does."""
        tl.record(
            id="twice",
            kind="visit.state",
            when="2025-06-01",
            title="Twice",
            actors=[{"country": "RUS", "role": "host"}, {"country": "RUS", "role": "actor"}, "IND"],
        )
        rows = {r["event_id"]: r for r in tl.events().to_arrow().to_pylist()}
        assert (["RUS", "IND"], 3) == (
            rows["twice"]["actor_countries"],
            len(rows["twice"]["actors"]),
        )
        assert ["RUS", "IND"] == rows["relos"]["actor_countries"]

    def test_timed_instants_in_utc(self, tl: timeline.Timeline) -> None:
        """A timed event's start is the same instant, in UTC."""
        row = next(r for r in tl.events().to_arrow().to_pylist() if r["event_id"] == "timed")
        assert dt.datetime(2025, 12, 4, 4, 30, tzinfo=dt.timezone.utc) == row["when_start"]

    def test_bitemporal_columns(self, tl: timeline.Timeline) -> None:
        """An amended event shows its version, first and last recorded times."""
        tl.amend("relos", reason="typo", title="RELOS ratified by the Duma")
        first = tl.history("relos")[0].recorded_at
        last = tl.history("relos")[1].recorded_at
        row = next(r for r in tl.events().to_arrow().to_pylist() if r["event_id"] == "relos")
        assert (2, first, last) == (
            row["version"],
            row["first_recorded_at"],
            row["last_recorded_at"],
        )

    def test_retracted_flag(self, tl: timeline.Timeline) -> None:
        """With include_retracted, a retracted event is flagged; later retractions don't leak."""
        before = tl.events(include_retracted=True)
        tl.retract("since", reason="wrong")
        after = tl.events(include_retracted=True).to_arrow().to_pylist()
        assert {"since": True} == {r["event_id"]: r["retracted"] for r in after if r["retracted"]}
        assert not any(before.to_arrow().column("retracted").to_pylist())

    def test_records_table(self, tl: timeline.Timeline) -> None:
        """records/1 holds the raw log: seq, stream, version, type, time, hash, event JSON."""
        tl.retract("since", reason="wrong")
        rows = timeline.records_reader(tl).read_all().to_pylist()
        assert [1, 2, 3, 4, 5] == [r["seq"] for r in rows]
        assert ("retracted", None, "wrong") == (
            rows[-1]["type"],
            rows[-1]["event"],
            rows[-1]["reason"],
        )
        assert tl.store.record_hash(5) == rows[-1]["hash"]
        assert '"title":"RELOS ratified"' in rows[0]["event"]


class TestRoundTrip:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(full_events(), max_size=6, unique_by=lambda e: e["id"]))
    def test_event_arrow_event(self, fields: list[dict[str, object]]) -> None:
        """Event -> Arrow -> Event gives the same events, every field, in the same order."""
        tl = timeline.open(":memory:")
        tl.record_many(fields)
        events = tl.events()
        assert events == timeline.events_from_arrow(events.to_arrow())

    def test_through_the_capsule(self, tl: timeline.Timeline) -> None:
        """events_from_arrow reads any PyCapsule producer, such as the results themselves."""
        assert tl.events() == timeline.events_from_arrow(tl.events())

    def test_not_an_events_table(self) -> None:
        """A table without the events/1 columns is refused, naming the missing column."""
        with pytest.raises(timeline.InvalidRecord, match="'event_id'"):
            timeline.events_from_arrow(pa.table({"x": [1]}))

    def test_bad_row_named(self, tl: timeline.Timeline) -> None:
        """A bad value names its row and field."""
        table = tl.events().to_arrow()
        bad = table.set_column(
            table.column_names.index("title"), "title", pa.array([" "] * table.num_rows)
        )
        with pytest.raises(timeline.InvalidRecord, match=r"Arrow row 1: .*'title'"):
            timeline.events_from_arrow(bad)


class TestWithoutPyarrow:
    def test_one_line_error_names_the_extra(self, tmp_path: Path) -> None:
        """Without pyarrow, asking for Arrow raises MissingDependency naming geotimeline[arrow]."""
        script = tmp_path / "no_arrow.py"
        script.write_text(
            "import sys\n"
            "sys.modules['pyarrow'] = None  # as if not installed\n"
            "import timeline\n"
            "evs = timeline.open(':memory:').events()\n"
            "assert len(evs) == 0 and list(evs) == []  # the sequence works without pyarrow\n"
            "try:\n"
            "    evs.__arrow_c_stream__()\n"
            "except timeline.MissingDependency as exc:\n"
            "    assert isinstance(exc, ImportError)\n"
            "    print(exc)\n",
            encoding="utf-8",
        )
        out = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=True
        ).stdout
        assert "pip install 'geotimeline[arrow]'" in out
        assert 1 == len(out.strip().splitlines())
