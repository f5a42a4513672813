"""The sqlite exporter (plugins/timeline_sqlite): a flat database Datasette browses as is."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

import timeline
import timeline_sqlite
from timeline.testing import ExporterContract, FixedClock


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock())
    tl.record_many(
        [
            {
                "id": "relos",
                "kind": "treaty.ratified",
                "when": "2025-02-18",
                "title": "Duma ratifies RELOS",
                "summary": "Logistics agreement with India",
                "actors": ["RUS", {"country": "IND", "role": "party"}],
                "sources": [{"url": "https://tass.ru/a", "title": "Ратификация соглашения"}],
                "tags": ["defence"],
            },
            {
                "id": "visit",
                "kind": "visit.state",
                "when": "early December 2025",
                "title": "State visit to New Delhi",
                "actors": ["RUS", "IND"],
            },
            {
                "id": "talks",
                "kind": "meeting.summit",
                "when": "since 2022",
                "title": "Summit talks",
                "actors": ["CHN"],
            },
            {"id": "gone", "kind": "visit.state", "when": "2024-05", "title": "Retracted"},
        ]
    )
    tl.amend("visit", reason="date", title="State visit to New Delhi, 4-5 December")
    tl.retract("gone", reason="wrong")
    path = tmp_path / "events.db"
    assert 3 == tl.export("sqlite", path).written
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


class TestSqliteContract(ExporterContract):
    def make_exporter(self):
        return timeline_sqlite.SqliteExporter()

    def assert_exported(self, output, titles, absent=()):
        with contextlib.closing(sqlite3.connect(":memory:")) as conn:
            conn.deserialize(output)
            written = {row[0] for row in conn.execute("select title from events")}
        assert set(titles) <= written
        assert not set(absent) & written


class TestDatasetteFacets:
    def test_kind_facet(self, db: sqlite3.Connection) -> None:
        """Facet by kind (what Datasette's column facet runs): one count per kind."""
        rows = db.execute(
            "select kind, count(*) from events group by kind order by kind"
        ).fetchall()
        assert [("meeting.summit", 1), ("treaty.ratified", 1), ("visit.state", 1)] == rows

    def test_actor_facets(self, db: sqlite3.Connection) -> None:
        """Facet by actor: the event_actors column, and the JSON array facet on actor_countries."""
        column = db.execute(
            "select country, count(*) from event_actors group by country order by country"
        ).fetchall()
        array = db.execute(
            "select j.value, count(*) from events, json_each(events.actor_countries) j "
            "group by j.value order by j.value"
        ).fetchall()
        assert [("CHN", 1), ("IND", 2), ("RUS", 2)] == column == array

    def test_year_facet_and_open_ends(self, db: sqlite3.Connection) -> None:
        """Facet by year; an open end is NULL, never 9999-12-31."""
        rows = db.execute("select when_year, count(*) from events group by 1 order by 1").fetchall()
        assert [(2022, 1), (2025, 2)] == rows
        assert (None, 1) == db.execute(
            "select when_latest, when_open_end from events where event_id = 'talks'"
        ).fetchone()
        assert (
            0
            == db.execute(
                "select count(*) from events "
                "where when_earliest like '0001%' or when_latest like '9999%'"
            ).fetchone()[0]
        )

    def test_full_text_search(self, db: sqlite3.Connection) -> None:
        """FTS5 finds events by title, summary and source title (non-ASCII too)."""

        def search(query: str) -> list[str]:
            sql = (
                "select e.event_id from events_fts f join events e on e.rowid = f.rowid "
                "where events_fts match ? order by rank"
            )
            return [row[0] for row in db.execute(sql, (query,))]

        assert ["visit"] == search("delhi")
        assert ["relos"] == search("logistics")
        assert ["relos"] == search("Ратификация")

    def test_fts_table_is_what_datasette_detects(self, db: sqlite3.Connection) -> None:
        """The FTS table names events as its content table (how Datasette finds a search box)."""
        sql = db.execute("select sql from sqlite_master where name = 'events_fts'").fetchone()[0]
        assert "content='events'" in sql

    def test_lists_are_json_and_versions_kept(self, db: sqlite3.Connection) -> None:
        """Lists are JSON text; the amended event shows version 2; retracted ones are left out."""
        actors, tags, version = db.execute(
            "select actors, tags, version from events where event_id = 'relos'"
        ).fetchone()
        assert {"country": "IND", "role": "party", "sector": None, "name": None} == json.loads(
            actors
        )[1]
        assert (["defence"], 1) == (json.loads(tags), version)
        assert 2 == db.execute("select version from events where event_id = 'visit'").fetchone()[0]
        assert db.execute("select 1 from events where event_id = 'gone'").fetchone() is None

    def test_records_table_answers_what_we_knew(self, db: sqlite3.Connection) -> None:
        """The records table holds the exported events' log; the first version is still there."""
        rows = db.execute(
            "select version, type, json_extract(event, '$.title') from records "
            "where stream = 'visit' order by version"
        ).fetchall()
        assert [
            (1, "recorded", "State visit to New Delhi"),
            (2, "amended", "State visit to New Delhi, 4-5 December"),
        ] == rows
        head = dict(db.execute("select key, value from geotimeline"))
        assert "6" == head["log_head_seq"]
