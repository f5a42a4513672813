"""Text search (``tl.events(text=...)``, ``tl.search``, ``timeline search``, ``list --text``)
over the FTS5 index kept beside the log, and ``--treaty`` in any case."""

from __future__ import annotations

import gc
import sqlite3
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import timeline
from timeline import Timeline
from timeline._plugins import PluginHost
from timeline._search import fts_query, index_of, index_path
from timeline.cli import cli
from timeline.cli._common import CliState
from timeline.testing import FixedClock

SOURCE = "https://example.org/a"

EVENTS: list[dict[str, Any]] = [
    {
        "id": "relos-signed",
        "kind": "treaty.signed",
        "when": "2025-02-18",
        "title": "RELOS signed in Moscow",
        "summary": "The Reciprocal Exchange of Logistics Support agreement is signed.",
        "actors": ["RUS", "IND"],
        "treaty": "RELOS",
    },
    {
        "id": "duma-vote",
        "kind": "treaty.ratified",
        "when": "2025-12-02",
        "title": "State Duma ratifies the pact",
        "location": "Moscow, Okhotny Ryad",
        "actors": ["RUS"],
        "treaty": "RELOS",
    },
    {
        "id": "summit",
        "kind": "meeting.summit",
        "when": "2025-08-31",
        "title": "SCO summit",
        "actors": ["CHN", "IND"],
        "sources": [
            {"url": SOURCE, "title": "Leaders meet in Tianjin", "excerpt": "a Sino-Indian thaw"}
        ],
    },
    {
        "id": "bri",
        "kind": "meeting.summit",
        "when": "2017-05-14",
        "title": "Belt and Road forum",
        "summary": "Délégations from many countries; Émigré press attends.",
        "actors": ["CHN"],
        "sources": [{"url": SOURCE, "excerpt": "logistics corridors across Eurasia"}],
    },
]


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def tl(
    request: pytest.FixtureRequest, tmp_path: Path, plugin_host: PluginHost
) -> Iterator[Timeline]:
    """A timeline on each kind of store, holding ``EVENTS``."""
    where = {"memory": ":memory:", "sqlite": tmp_path / "t.db", "jsonl": tmp_path / "t.jsonl"}
    opened = timeline.open(where[request.param], clock=FixedClock(), plugins=plugin_host)
    opened.record_many(EVENTS)
    yield opened
    opened.close()


def ids(results: Any) -> list[str]:
    return [e.id for e in results]


class TestTextFilter:
    def test_each_text_field_is_searched(self, tl: Timeline) -> None:
        """Title, summary, location, source title and source excerpt all answer."""
        assert ["relos-signed"] == ids(tl.events(text="signed"))  # title
        assert ["relos-signed"] == ids(tl.events(text="reciprocal"))  # summary
        assert ["duma-vote"] == ids(tl.events(text="okhotny"))  # location
        assert ["summit"] == ids(tl.events(text="tianjin"))  # a source's title
        assert ["summit"] == ids(tl.events(text="thaw"))  # a source's excerpt

    def test_case_and_accents_do_not_matter(self, tl: Timeline) -> None:
        assert ["bri"] == ids(tl.events(text="delegations EMIGRE"))
        assert ["bri"] == ids(tl.events(text="Émigré"))
        assert ["relos-signed", "duma-vote"] == ids(tl.events(text="MOSCOW"))

    def test_words_are_anded_and_phrases_kept(self, tl: Timeline) -> None:
        """All words must be there (anywhere); a quoted phrase must be there as written."""
        assert ["bri", "relos-signed"] == ids(tl.events(text="logistics"))
        assert ["relos-signed"] == ids(tl.events(text="logistics moscow"))
        assert ["relos-signed"] == ids(tl.events(text='"logistics support"'))
        assert [] == ids(tl.events(text='"support logistics"'))

    def test_or_not_prefix_and_punctuation(self, tl: Timeline) -> None:
        assert ["bri", "summit"] == ids(tl.events(text="tianjin OR eurasia"))
        assert ["duma-vote"] == ids(tl.events(text="moscow NOT signed"))
        assert ["relos-signed"] == ids(tl.events(text="recipro*"))
        # A word with punctuation is a phrase of its parts, not query syntax.
        assert ["summit"] == ids(tl.events(text="Sino-Indian"))
        assert ["relos-signed", "duma-vote"] == ids(tl.events(text="moscow,"))

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ('"naval base', "every quote closed"),
            ("OR", "the search engine says"),
            ("moscow NOT", "the search engine says"),
            ("   ", "one or more words"),
        ],
    )
    def test_bad_query_is_a_clear_error(self, tl: Timeline, text: str, reason: str) -> None:
        """Bad syntax is an InvalidEvent naming the filter and the words, never sqlite3's."""
        with pytest.raises(timeline.InvalidEvent, match=reason) as caught:
            tl.events(text=text)
        assert "'text'" in str(caught.value)
        assert not isinstance(caught.value, sqlite3.Error)

    def test_other_filters_combine_in_timeline_order(self, tl: Timeline) -> None:
        """text with other filters gives the events both select, in the order events() gives."""
        for filters in (
            {"actor": "IND"},
            {"kind": "meeting.*"},
            {"between": ("2025-06", None)},
            {"treaty": "relos"},
            {},
        ):
            for text in ("logistics", "moscow", "summit OR signed", "in"):
                texts = set(ids(tl.events(text=text)))
                expected = [e for e in ids(tl.events(**filters)) if e in texts]
                assert expected == ids(tl.events(text=text, **filters)), (text, filters)

    def test_amendment_replaces_the_words(self, tl: Timeline) -> None:
        """An amended event is found by its new words only; as_of before it, by the old."""
        before = tl.seq
        tl.amend("summit", reason="renamed", title="Tianjin gathering")
        assert [] == ids(tl.events(text="SCO"))
        assert ["summit"] == ids(tl.events(text="gathering"))
        assert ["summit"] == ids(tl.as_of(before).events(text="SCO"))
        assert [] == ids(tl.as_of(before).events(text="gathering"))

    def test_retraction_hides_and_restore_shows_again(self, tl: Timeline) -> None:
        tl.retract("summit", reason="duplicate")
        assert [] == ids(tl.events(text="tianjin"))
        assert ["summit"] == ids(tl.events(text="tianjin", include_retracted=True))
        [hit] = tl.search("tianjin", include_retracted=True)
        assert hit.retracted
        tl.restore("summit", reason="not a duplicate")
        assert ["summit"] == ids(tl.events(text="tianjin"))

    def test_exports_and_records_take_the_filter(self, tl: Timeline, tmp_path: Path) -> None:
        """The one filter table: records(), iter_records() and export() take text too."""
        assert ["duma-vote"] == [r.stream for r in tl.records(text="duma")]
        out = tmp_path / "out.csv"
        report = tl.export("csv", out, text="moscow")
        assert 2 == report.written
        body = out.read_text()
        assert "RELOS signed in Moscow" in body
        assert "SCO summit" not in body


class TestRanking:
    def test_title_words_rank_first(self, tl: Timeline) -> None:
        """A word in the title counts more than the same word in an excerpt."""
        tl.record(kind="meeting.summit", when="2024-01-01", title="Eurasia logistics talks")
        hits = tl.search("logistics")
        assert "Eurasia logistics talks" == hits[0].event.title
        assert {"bri", "relos-signed"} == {h.event.id for h in hits[1:]}
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_snippet_and_limit(self, tl: Timeline) -> None:
        [hit] = tl.search("thaw")
        assert "[thaw]" in hit.snippet
        assert 1 == len(tl.search("moscow", limit=1))
        assert 2 == len(tl.search("moscow"))

    def test_filters_apply_before_the_limit(self, tl: Timeline) -> None:
        assert ["duma-vote"] == [h.event.id for h in tl.search("moscow", kind="treaty.ratified")]
        assert ["duma-vote"] == [
            h.event.id for h in tl.search("moscow", limit=1, kind="treaty.ratified")
        ]


class TestTheIndex:
    def test_kept_beside_a_log_file(self, tmp_path: Path, plugin_host: PluginHost) -> None:
        """A file log's index is a sidecar in <log>.snapshots/, reused after reopening."""
        for name in ("t.db", "t.jsonl"):
            path = tmp_path / name
            with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
                tl.record_many(EVENTS)
                assert ["summit"] == ids(tl.events(text="tianjin"))
            sidecar = Path(f"{path}.snapshots") / "search.v1.sqlite"
            assert sidecar.is_file()
            with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
                assert index_path(tl.store) == sidecar
                index = index_of(tl.store)
                assert (4, tl.store.record_hash(4)) == index.covered()
                assert 0 == index.sync()  # nothing to do: it was already current
                tl.record(kind="meeting.summit", when="2025", title="Tianjin again")
                assert 1 == index.sync()  # only the new record
                assert ["summit"] == ids(tl.events(text="thaw"))

    def test_another_writer_is_seen_after_refresh(
        self, tmp_path: Path, plugin_host: PluginHost
    ) -> None:
        path = tmp_path / "t.db"
        with (
            timeline.open(path, clock=FixedClock(), plugins=plugin_host) as one,
            timeline.open(path, clock=FixedClock(), plugins=plugin_host) as two,
        ):
            one.record_many(EVENTS)
            two.refresh()
            assert ["summit"] == ids(two.events(text="tianjin"))
            one.amend("summit", reason="x", title="Gathering")
            # Two has not seen the amendment: it answers for the seq it is at.
            assert ["summit"] == ids(two.events(text="sco"))
            two.refresh()
            assert [] == ids(two.events(text="sco"))
            assert ["summit"] == ids(two.events(text="gathering"))

    def test_rebuilt_when_the_chain_does_not_vouch(
        self, tmp_path: Path, plugin_host: PluginHost
    ) -> None:
        """An index bound to a record the log no longer holds is rebuilt, and said so."""
        path = tmp_path / "t.db"
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            tl.record_many(EVENTS)
            assert ["summit"] == ids(tl.events(text="tianjin"))
        sidecar = Path(f"{path}.snapshots") / "search.v1.sqlite"
        db = sqlite3.connect(sidecar)
        with db:  # rows for words no event has, and a hash the log does not hold
            db.execute("UPDATE search_text SET title = 'phantom' WHERE rowid = 1")
            db.execute("UPDATE search_meta SET value = 'feed' WHERE key = 'hash'")
        db.close()
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            assert [] == ids(tl.events(text="phantom"))
            assert ["relos-signed"] == ids(tl.events(text="signed"))
            assert any("search index does not match" in r for r in tl.repairs)

    def test_rebuilt_when_missing_or_not_an_index(
        self, tmp_path: Path, plugin_host: PluginHost
    ) -> None:
        path = tmp_path / "t.jsonl"
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            tl.record_many(EVENTS)
            assert 1 == len(tl.events(text="tianjin"))
        sidecar = Path(f"{path}.snapshots") / "search.v1.sqlite"
        sidecar.write_bytes(b"not a database at all" * 100)
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            assert 1 == len(tl.events(text="tianjin"))
        sidecar.unlink()
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            assert 1 == len(tl.events(text="tianjin"))
        assert sidecar.is_file()

    def test_a_truncated_log_rebuilds_the_index(
        self, tmp_path: Path, plugin_host: PluginHost
    ) -> None:
        """The log replaced by a shorter one: the index past its head is not used."""
        path = tmp_path / "t.jsonl"
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host, snapshot_every=0) as tl:
            tl.record_many(EVENTS[:1])
            tl.record_many(EVENTS[1:])
            assert 1 == len(tl.events(text="tianjin"))
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(lines[0])
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            assert [] == ids(tl.events(text="tianjin"))
            assert ["relos-signed"] == ids(tl.events(text="signed"))

    def test_a_failing_index_is_a_clear_error(
        self, tmp_path: Path, plugin_host: PluginHost
    ) -> None:
        """The index's own failures (here: locked by another writer) are a TimelineError
        that names it, never an sqlite3 traceback nor a word about the query."""
        path = tmp_path / "t.db"
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            tl.record_many(EVENTS[:1])
            assert 1 == len(tl.events(text="signed"))
            tl.record_many(EVENTS[1:])  # the index is now behind: the next search writes
            sidecar = index_path(tl.store)
            assert sidecar is not None
            index_of(tl.store)._db.execute("PRAGMA busy_timeout = 0")
            other = sqlite3.connect(sidecar, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")
            try:
                with pytest.raises(timeline.TimelineError, match="search index") as caught:
                    tl.events(text="tianjin")
                assert not isinstance(caught.value, timeline.InvalidEvent)
                assert "deleting it is safe" in str(caught.value)
            finally:
                other.execute("ROLLBACK")
                other.close()
            assert ["summit"] == ids(tl.events(text="tianjin"))

    def test_in_memory_where_the_directory_is_read_only(
        self, tmp_path: Path, plugin_host: PluginHost, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A log in a directory it cannot write beside: the index is kept in memory."""
        path = tmp_path / "t.db"
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            tl.record_many(EVENTS)

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise PermissionError("read-only file system")

        monkeypatch.setattr(Path, "mkdir", refuse)
        with timeline.open(path, clock=FixedClock(), plugins=plugin_host) as tl:
            assert ["summit"] == ids(tl.events(text="tianjin"))
            assert index_of(tl.store).path is None
        assert not Path(f"{path}.snapshots").exists()

    def test_a_dropped_timeline_lets_its_index_go(self, plugin_host: PluginHost) -> None:
        """The per-store index never keeps a store (and its events) alive."""
        tl = timeline.Timeline(timeline.MemoryStore(), plugins=plugin_host)
        tl.record_many(EVENTS)
        assert 1 == len(tl.events(text="tianjin"))
        gone = weakref.ref(tl.store)
        del tl
        gc.collect()
        assert gone() is None


class TestQuerySyntax:
    @pytest.mark.parametrize(
        ("text", "query"),
        [
            ("naval base", '"naval" "base"'),
            ('"naval base" India', '"naval base" "India"'),
            ("port* OR harbour", '"port"* OR "harbour"'),
            ("U.S. NOT China", '"U.S." NOT "China"'),
        ],
    )
    def test_words_become_fts5_strings(self, text: str, query: str) -> None:
        assert query == fts_query(text)


class TestTreatyInAnyCase:
    def test_events_and_filter(self, tl: Timeline) -> None:
        assert ["relos-signed", "duma-vote"] == ids(tl.events(treaty="relos"))
        assert ids(tl.events(treaty="RELOS")) == ids(tl.events(treaty=" Relos "))
        assert "RELOS" == tl.filter(treaty="relos").treaty  # the stored spelling
        assert [] == ids(tl.events(treaty="relo"))

    def test_a_pattern_finds_the_agreements_it_matches_in_any_case(self, tl: Timeline) -> None:
        """``*`` is any agreement; a pattern matches spellings in any case; columns = scan."""
        tl.record(kind="treaty.signed", when="2025-03-01", title="Other", treaty="Relos-2")
        tl.record(kind="treaty.signed", when="2025-03-02", title="Else", treaty="NEW START")
        every = list(tl.events())
        for pattern in ("*", "relos*", "RELOS-?", "[nr]*", "x*"):
            expected = [e.id for e in every if timeline.EventFilter(treaty=pattern).matches(e)]
            assert expected == ids(tl.events(treaty=pattern)), pattern
            if isinstance(tl.store, timeline.MemoryStore):
                continue
            tl.snapshot()  # the columns of a restored state answer the same
            with timeline.open(tl.store.location, snapshot_every=0) as again:
                assert expected == ids(again.events(treaty=pattern)), pattern
        assert [e.id for e in every if e.treaty is not None] == ids(tl.events(treaty="*"))
        assert {"RELOS", "Relos-2"} == {e.treaty for e in tl.events(treaty="relos*")}
        assert [] == ids(tl.events(treaty="x*"))
        with pytest.raises(timeline.InvalidEvent, match="pattern"):
            tl.events(treaty=" ")

    def test_several_spellings_are_one_treaty(self, tl: Timeline) -> None:
        """A log holding RELOS and Relos: either name finds both, in timeline order."""
        tl.record(kind="treaty.signed", when="2025-03-01", title="Protocol", treaty="Relos")
        expected = ["relos-signed", tl.events(text="protocol")[0].id, "duma-vote"]
        assert expected == ids(tl.events(treaty="RELOS"))
        assert expected == ids(tl.events(treaty="relos"))
        assert expected[1:] == ids(tl.events(treaty="relos", between=("2025-03", None)))
        assert ["duma-vote"] == ids(tl.events(treaty="reLOS", text="duma"))
        # Analyses take the filter too (lifecycle groups by the stored spelling).
        result = tl.analyze("lifecycle", treaty="relos")
        assert 3 == sum(len(a.steps) for a in result.agreements)


@pytest.fixture
def run(plugin_host: PluginHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the CLI in-process on tmp_path/t.db, which holds ``EVENTS``."""
    monkeypatch.chdir(tmp_path)
    with timeline.open(tmp_path / "t.db", clock=FixedClock(), plugins=plugin_host) as tl:
        tl.record_many(EVENTS)

    def invoke(*args: str) -> Any:
        obj = CliState(host=plugin_host, clock=FixedClock())
        return CliRunner().invoke(cli, ["--db", "t.db", *args], obj=obj)

    return invoke


class TestCli:
    def test_search_prints_best_first(self, run: Any) -> None:
        result = run("search", "logistics")
        assert 0 == result.exit_code, result.output
        header, first, second = result.stdout.splitlines()
        assert header.split() == ["ID", "DATE", "TITLE", "MATCH"]
        # The summary's word (weighted above an excerpt's) ranks RELOS first.
        assert first.startswith("relos-signed  2025-02-18  RELOS signed in Moscow")
        assert "[Logistics]" in first
        assert second.startswith("bri")
        assert "[logistics] corridors" in second

    def test_search_limit_and_filters(self, run: Any) -> None:
        result = run("search", "moscow", "--limit", "1")
        assert 2 == len(result.stdout.splitlines())
        result = run("search", "moscow", "--kind", "treaty.ratified")
        assert ["duma-vote"] == [line.split()[0] for line in result.stdout.splitlines()[1:]]

    def test_search_words_join(self, run: Any) -> None:
        """Several arguments are several words (all must match), a quoted one a phrase."""
        assert 2 == len(run("search", "logistics", "moscow").stdout.splitlines())
        assert 2 == len(run("search", '"logistics support"').stdout.splitlines())

    def test_nothing_found(self, run: Any) -> None:
        result = run("search", "zanzibar")
        assert 0 == result.exit_code
        assert "" == result.stdout
        assert "no events" in result.stderr

    def test_bad_query_is_one_line(self, run: Any) -> None:
        for args in (["search", '"unclosed'], ["list", "--text", "OR"]):
            result = run(*args)
            assert 1 == result.exit_code
            [line] = result.stderr.strip().splitlines()
            assert line.startswith("error: invalid event field 'text'")
            assert "Traceback" not in result.output

    def test_list_text_and_treaty(self, run: Any) -> None:
        result = run("list", "--text", "moscow")
        assert ["relos-signed", "duma-vote"] == [
            line.split()[-1] for line in result.stdout.splitlines()[1:]
        ]
        for treaty in ("relos", "*", "R*"):
            result = run("list", "--treaty", treaty)
            assert ["relos-signed", "duma-vote"] == [
                line.split()[-1] for line in result.stdout.splitlines()[1:]
            ], treaty

    def test_list_never_cuts_titles_when_piped(self, run: Any) -> None:
        """Output that is not a terminal (``list | grep``) holds every title whole."""
        long = "A very long title about the Hangzhou meeting " * 6
        assert (
            0 == run("add", "--kind", "meeting.summit", "--when", "2025", "--title", long).exit_code
        )
        result = run("list", "--text", "hangzhou")
        assert long.strip() in result.stdout
        assert "…" not in result.stdout
