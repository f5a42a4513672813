"""The ``html`` exporter plugin (plugins/timeline_html), checked without a browser."""

from __future__ import annotations

import hashlib
import html.parser
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline
import timeline_html
from timeline.testing import ExporterContract, FixedClock
from timeline_html import _html, _vendored
from timeline_html._items import timeline_data
from timeline_html._page import CSP, DATA_ID, script_json

from .strategies import event_fields, markup_texts

VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "Putin's state visit to New Delhi",
    "actors": ["RUS", "IND"],
    "sources": [{"url": "https://tass.com/visit", "publisher": "TASS", "title": "Putin arrives"}],
}
DUMA = {
    "id": "duma-2025",
    "kind": "treaty.ratified",
    "when": "2025-12-02",
    "title": "State Duma ratifies RELOS",
    "actors": ["RUS"],
    "treaty": "RELOS",
}
FUZZY = {
    "id": "fc-2025",
    "kind": "treaty.domestic_approval",
    "when": "early December 2025",
    "title": "Federation Council approves RELOS",
    "actors": ["RUS"],
    "treaty": "RELOS",
}
TIMED = {
    "id": "talks-2025",
    "kind": "meeting.summit",
    "when": "2025-12-05T10:00+05:30",
    "title": "Talks at Hyderabad House",
    "actors": ["RUS", "IND"],
}
APPROX = {
    "id": "approx-2025",
    "kind": "meeting.summit",
    "when": "2025-06-10~",
    "title": "Summit, about 10 June",
    "actors": ["IND"],
}
SINCE = {
    "id": "since-2022",
    "kind": "relations.shift",
    "when": "2022/..",
    "title": "US actions against Russia since 2022",
    "actors": ["USA", "RUS"],
}
UNTIL = {
    "id": "until-2024",
    "kind": "relations.shift",
    "when": "../2024-06",
    "title": "Negotiations until June 2024",
    "actors": ["RUS", "IND"],
}
PLANNED = {
    "id": "exercise-2026",
    "kind": "exercise.joint",
    "when": "2026-03-10",
    "title": "Joint exercise",
    "actors": ["RUS", "IND"],
    "modality": "planned",
}
HYPOTHETICAL = {
    "id": "base-2027",
    "kind": "exercise.joint",
    "when": "2027",
    "title": "A Russian base in India",
    "actors": ["RUS", "IND"],
    "modality": "hypothetical",
}
ALL = (VISIT, DUMA, FUZZY, TIMED, APPROX, SINCE, UNTIL, PLANNED, HYPOTHETICAL)
INJECTIONS = (
    "</script><script>alert(1)</script>",
    "<!-- hidden",
    "line\u2028separator\u2029paragraph",
    "</SCRIPT >& <style></style>",
)


def make_timeline(*events: dict[str, Any]) -> timeline.Timeline:
    """Return an in-memory timeline with a fixed clock holding ``events``."""
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    if events:
        tl.record_many(list(events))
    return tl


def export(tl: Any, **options: Any) -> str:
    """Export to memory and return the page."""
    out = io.BytesIO()
    tl.export("html", out, **options)
    return out.getvalue().decode("utf-8")


class _Page(html.parser.HTMLParser):
    """Collects the elements, attributes and script bodies of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"script", "style"}:
            self._open = (tag, dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, attrs = self._open
            if tag == "script":
                self.scripts.append((attrs, data))
            else:
                self.styles.append(data)
            self._open = None


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def embedded(page: str) -> Any:
    [(_, text)] = [(a, t) for a, t in parse(page).scripts if a.get("type") == "application/json"]
    return json.loads(text)


def items_by_id(page: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in embedded(page)["items"]}


class TestHtmlContract(ExporterContract):
    """The shared exporter contract."""

    def make_exporter(self) -> timeline.Exporter:
        return timeline_html.HtmlExporter()


class TestPageStructure:
    """One self-contained file: inline scripts only, a CSP, nothing fetched."""

    def test_exactly_the_expected_inline_scripts(self) -> None:
        """The data, the engine and the start-up code: three inline scripts, none with src."""
        page = parse(export(make_timeline(*ALL)))
        kinds = [attrs.get("type") for attrs, _ in page.scripts]
        assert ["application/json", None, None] == kinds
        assert all("src" not in attrs for attrs, _ in page.scripts)
        assert DATA_ID == page.scripts[0][0]["id"]
        assert "vis-timeline and vis-graph2d" in page.scripts[1][1]
        assert "new vis.Timeline" in page.scripts[2][1]

    def test_nothing_points_outside_the_file(self) -> None:
        """No src or href attribute and no url( in any style: the source links come from data."""
        text = export(make_timeline(*ALL))
        page = parse(text)
        assert [] == [(tag, a) for tag, a in page.tags if {"src", "href"} & set(a)]
        assert 2 == len(page.styles)
        assert all("url(" not in style for style in page.styles)
        assert "sourceMappingURL" not in text

    def test_csp_forbids_every_fetch(self) -> None:
        """The first meta after the charset is a CSP with default-src 'none'."""
        page = parse(export(make_timeline(VISIT)))
        metas = [a for tag, a in page.tags if tag == "meta"]
        assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
        assert CSP.startswith("default-src 'none';")
        assert "connect-src" not in CSP  # default-src 'none' covers it

    def test_embedded_json_is_the_exporters_data(self) -> None:
        """The data element holds exactly the data the exporter built."""
        tl = make_timeline(*ALL)
        keep = timeline.parse_modalities("test", "actual,planned,reported")
        expected = timeline_data(
            _html.drawn_records(tl, tl.iter_records(), keep), group_by="treaty", title="x"
        )
        expected["seq"] = tl.seq
        assert expected == embedded(export(tl, title="x"))

    def test_legend_and_licence_notice(self) -> None:
        """The legend explains the fuzzy styles; the engine's licence is named."""
        text = export(make_timeline(VISIT))
        for cls in ("gt-fuzzy", "gt-approx", "gt-open-start", "gt-open-end", "gt-m-planned"):
            assert f'class="gt-swatch {cls}"' in text
        assert "vis-timeline 8.5.4" in text
        assert "Apache-2.0 OR MIT" in text

    @pytest.mark.parametrize("title", INJECTIONS)
    def test_injected_titles_stay_text(self, title: str) -> None:
        """A title cannot close the data element, open a comment or break a JS string."""
        tl = make_timeline({**VISIT, "title": title, "summary": title})
        text = export(tl, title=title)
        page = parse(text)
        assert 3 == len(page.scripts)
        assert 0 == text.count("<!--")
        assert "\u2028" not in text
        assert "\u2029" not in text
        assert (3, 3) == (text.lower().count("<script"), text.lower().count("</script"))
        data = embedded(text)
        assert title.strip() == data["items"][0]["detail"]["title"]
        assert title == data["title"]

    def test_script_json_reads_back(self) -> None:
        """The escaped JSON parses to the same value."""
        value = {"t": "</script><!--\u2028\u2029&<>"}
        text = script_json(value)
        assert not set("<>&\u2028\u2029") & set(text)
        assert value == json.loads(text)


class TestProperties:
    """Any events, any titles: one item each, well-formed ranges, the page never broken."""

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(event_fields(), markup_texts()), min_size=1, max_size=5))
    def test_any_events_draw_and_stay_text(self, drawn: list[tuple[dict[str, Any], str]]) -> None:
        """Every event is one item with start before end; titles read back exactly."""
        tl = make_timeline(*({**fields, "title": title} for fields, title in drawn))
        text = export(tl, group_by="none")
        assert (3, 3) == (text.lower().count("<script"), text.lower().count("</script"))
        assert 0 == text.count("<!--")
        items = embedded(text)["items"]
        assert sorted(e.id for e in tl) == sorted(i["id"] for i in items)
        assert sorted(t.strip() for _, t in drawn) == sorted(i["detail"]["title"] for i in items)
        for item in items:
            assert item["start"].endswith("Z")
            if item["type"] == "range":
                assert item["start"] < item["end"]  # ISO instants of four-digit years sort


class TestDeterminism:
    """Same log and options, same bytes."""

    def test_two_exports_are_byte_identical(self, tmp_path: Path) -> None:
        """Exporting twice, and from the log reopened, gives the same bytes."""
        path = tmp_path / "t.jsonl"
        with timeline.open(path, clock=FixedClock()) as tl:
            tl.record_many([dict(e) for e in reversed(ALL)])
            first = export(tl)
            assert first == export(tl)
        with timeline.open(path) as tl:
            assert first == export(tl)

    def test_order_does_not_depend_on_recording_order(self) -> None:
        """Events recorded in another order give the same page (but another seq)."""
        a = embedded(export(make_timeline(*ALL)))
        b = embedded(export(make_timeline(*reversed(ALL))))
        assert a == b


class TestItems:
    """How each kind of date is drawn."""

    def test_day_span_is_a_range_with_exclusive_end(self) -> None:
        """4-5 December: from the 4th at 00:00 UTC to the 6th at 00:00 UTC."""
        item = items_by_id(export(make_timeline(VISIT)))["visit-2025"]
        assert ("range", "2025-12-04T00:00:00Z", "2025-12-06T00:00:00Z") == (
            item["type"],
            item["start"],
            item["end"],
        )
        assert "gt-exact" in item["className"].split()
        assert "gt-fuzzy" not in item["className"].split()

    def test_fuzzy_date_spans_its_bounds_with_the_fuzzy_style(self) -> None:
        """Early December: days 1-10, hatched."""
        item = items_by_id(export(make_timeline(FUZZY)))["fc-2025"]
        assert ("2025-12-01T00:00:00Z", "2025-12-11T00:00:00Z") == (item["start"], item["end"])
        assert {"gt-fuzzy", "gt-p-part_of_month"} <= set(item["className"].split())

    def test_timed_event_is_a_point_at_its_utc_instant(self) -> None:
        """10:00 in New Delhi is 04:30 UTC."""
        item = items_by_id(export(make_timeline(TIMED)))["talks-2025"]
        assert ("point", "2025-12-05T04:30:00Z") == (item["type"], item["start"])
        assert "end" not in item
        assert "gt-timed" in item["className"].split()

    def test_approximate_is_marked(self) -> None:
        """An approximate day is fuzzy and approximate."""
        item = items_by_id(export(make_timeline(APPROX)))["approx-2025"]
        assert {"gt-fuzzy", "gt-approx"} <= set(item["className"].split())

    def test_open_ends_are_clipped_to_the_data(self) -> None:
        """An open end stops at the last day of the data, an open start at the first."""
        items = items_by_id(export(make_timeline(SINCE, UNTIL, DUMA)))
        since, until = items["since-2022"], items["until-2024"]
        assert ("2022-01-01T00:00:00Z", "2025-12-03T00:00:00Z") == (since["start"], since["end"])
        assert "gt-open-end" in since["className"].split()
        assert ("2022-01-01T00:00:00Z", "2024-07-01T00:00:00Z") == (until["start"], until["end"])
        assert "gt-open-start" in until["className"].split()

    def test_modalities_styled_and_hypothetical_on_request(self) -> None:
        """Planned events are styled; hypothetical ones appear only when asked for."""
        tl = make_timeline(PLANNED, HYPOTHETICAL)
        items = items_by_id(export(tl))
        assert ["exercise-2026"] == list(items)
        assert "gt-m-planned" in items["exercise-2026"]["className"].split()
        items = items_by_id(export(tl, modalities="all"))
        assert "gt-m-hypothetical" in items["base-2027"]["className"].split()

    def test_retracted_hidden_unless_asked(self) -> None:
        """A retracted event is left out, or drawn struck through with include_retracted."""
        tl = make_timeline(VISIT, DUMA)
        tl.retract("duma-2025", reason="wrong date")
        assert ["visit-2025"] == list(items_by_id(export(tl)))
        items = items_by_id(export(tl, include_retracted=True))
        assert "gt-retracted" in items["duma-2025"]["className"].split()
        assert "retracted" in items["duma-2025"]["detail"]["modality"]

    def test_tooltip_has_phrase_edtf_bounds_precision_modality_sources(self) -> None:
        """The tooltip says everything the date is, escaped."""
        tl = make_timeline({**FUZZY, "sources": VISIT["sources"], "title": "A <b> & C"})
        item = items_by_id(export(tl))["fc-2025"]
        tip = item["title"]
        for text in (
            "early December 2025",
            "EDTF: 2025-12-01/2025-12-10",
            "Bounds: 2025-12-01 to 2025-12-10",
            "Precision: part_of_month",
            "Modality: actual",
            "TASS - Putin arrives",
            "A &lt;b&gt; &amp; C",
        ):
            assert text in tip
        assert [{"url": "https://tass.com/visit", "label": "TASS - Putin arrives"}] == item[
            "detail"
        ]["sources"]


class TestGroups:
    """Rows by treaty, kind family, actor, or none."""

    def test_treaty_life_cycle_on_one_row(self) -> None:
        """By default a treaty's steps share its row; other events go by kind family."""
        data = embedded(export(make_timeline(DUMA, FUZZY, VISIT)))
        assert [("treaty:RELOS", "RELOS"), ("kind:visit", "visit")] == [
            (g["id"], g["content"]) for g in data["groups"]
        ]
        assert {"treaty:RELOS"} == {i["group"] for i in data["items"] if i["event"] != "visit-2025"}

    def test_by_kind(self) -> None:
        """group_by=kind puts treaty steps in the treaty family row."""
        data = embedded(export(make_timeline(DUMA, VISIT), group_by="kind"))
        assert ["kind:treaty", "kind:visit"] == [g["id"] for g in data["groups"]]

    def test_by_actor_draws_an_event_once_per_country(self) -> None:
        """A two-country visit is on both countries' rows."""
        data = embedded(export(make_timeline(VISIT), group_by="actor"))
        assert ["actor:IND", "actor:RUS"] == [g["id"] for g in data["groups"]]
        assert 2 == len(data["items"])
        assert 1 == data["events"]

    def test_none(self) -> None:
        """group_by=none: no rows."""
        data = embedded(export(make_timeline(VISIT, DUMA), group_by="none"))
        assert [] == data["groups"]
        assert all("group" not in i for i in data["items"])

    def test_bad_group_by_is_refused(self) -> None:
        """An unknown grouping names the option and the choices."""
        with pytest.raises(timeline.InvalidOption, match="group_by"):
            export(make_timeline(VISIT), group_by="colour")


class TestSize:
    """Big timelines warn and point at the filters."""

    def test_warns_beyond_the_comfortable_size(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Over the limit the export still happens, with a warning naming the filters."""
        monkeypatch.setattr(_html, "COMFORTABLE_ITEMS", 2)
        with pytest.warns(timeline_html.LargeTimelineWarning, match="filters"):
            text = export(make_timeline(VISIT, DUMA, FUZZY))
        assert 3 == len(embedded(text)["items"])


class TestVendored:
    """The engine is the npm package's exact bytes."""

    def test_files_match_the_manifest(self) -> None:
        """Every vendored file has the manifest's sha256; the manifest names its licence."""
        assert [] == _vendored.verify()
        names = {e.file for e in _vendored.manifest()}
        assert {"vis-timeline-graph2d.min.js", "vis-timeline-graph2d.min.css"} <= names
        assert {"LICENSE.md", "LICENSE.MIT.txt", "LICENSE.Apache-2.0.txt"} <= names
        assert {("vis-timeline", "8.5.4", "(Apache-2.0 OR MIT)")} == {
            (e.package, e.version, e.license) for e in _vendored.manifest()
        }

    def test_a_changed_file_is_refused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One byte changed: the export fails naming the file and 'make vendor'."""
        copy = tmp_path / "_vendor"
        shutil.copytree(_vendored.VENDOR_DIR, copy)
        css = copy / "vis-timeline-graph2d.min.css"
        css.write_bytes(css.read_bytes().replace(b"vis-", b"vix-", 1))
        monkeypatch.setattr(_vendored, "VENDOR_DIR", copy)
        _vendored.asset.cache_clear()
        try:
            with pytest.raises(timeline.TimelineError, match=r"min\.css.*make vendor"):
                export(make_timeline(VISIT))
            assert 1 == _vendored.main(["--check"])
        finally:
            _vendored.asset.cache_clear()


def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str | None = None) -> str:
    """Return an ``npm`` whose ``pack`` gives the vendored files (``change`` one altered)."""
    tarball = tmp_path / "vis-timeline-8.5.4.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for entry in _vendored.manifest():
            data = (_vendored.VENDOR_DIR / entry.file).read_bytes()
            if entry.file == change:
                data += b"/* changed */"
            info = tarfile.TarInfo(entry.path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    npm = tmp_path / "npm"
    # npm pack SPEC --silent --pack-destination DIR: copy the tarball there, print its name.
    npm.write_text(f'#!/bin/sh\ncp "{tarball}" "$5/"\necho {tarball.name}\n', encoding="utf-8")
    npm.chmod(0o755)
    copy = tmp_path / "_vendor"
    shutil.copytree(_vendored.VENDOR_DIR, copy)
    monkeypatch.setattr(_vendored, "VENDOR_DIR", copy)
    return str(npm)


class TestMakeVendor:
    """``make vendor`` refetches with npm and refuses bytes that are not the manifest's."""

    def test_refetch_writes_matching_files(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The published bytes are written again, every file of the manifest."""
        npm = fake_npm(tmp_path, monkeypatch)
        (tmp_path / "_vendor" / "LICENSE.md").unlink()
        written = _vendored.refetch(npm)
        assert sorted(e.file for e in _vendored.manifest()) == written
        assert (tmp_path / "_vendor" / "LICENSE.md").exists()

    def test_checksum_mismatch_fails_and_writes_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One changed file: an error naming it, and the vendored files are left as they were."""
        npm = fake_npm(tmp_path, monkeypatch, change="vis-timeline-graph2d.min.js")
        before = (tmp_path / "_vendor" / "LICENSE.md").stat().st_mtime_ns
        with pytest.raises(timeline.TimelineError, match=r"min\.js: sha256 .* not the manifest"):
            _vendored.refetch(npm)
        assert before == (tmp_path / "_vendor" / "LICENSE.md").stat().st_mtime_ns
        js = (tmp_path / "_vendor" / "vis-timeline-graph2d.min.js").read_bytes()
        [entry] = [e for e in _vendored.manifest() if e.file == "vis-timeline-graph2d.min.js"]
        assert entry.sha256 == hashlib.sha256(js).hexdigest()


class TestViewCommand:
    """``timeline view`` writes the page and opens it in the system browser."""

    def test_writes_and_opens(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The page is written (filters applied) and its file:// URL is opened."""
        from click.testing import CliRunner

        from timeline.cli import cli

        db = tmp_path / "t.db"
        with timeline.open(db, clock=FixedClock()) as tl:
            tl.record_many([VISIT, DUMA, FUZZY])
        opened: list[str] = []
        monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
        out = tmp_path / "v.html"
        result = CliRunner().invoke(
            cli, ["--db", str(db), "view", "--treaty", "RELOS", "-o", str(out)]
        )
        assert 0 == result.exit_code, result.output
        assert [out.resolve().as_uri()] == opened
        assert f"drew 2 events in {out}" in result.stderr
        assert {"duma-2025", "fc-2025"} == set(items_by_id(out.read_text(encoding="utf-8")))

    def test_temporary_file_by_default(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without -o the page goes to a temporary .html file; --no-open opens nothing."""
        from click.testing import CliRunner

        from timeline.cli import cli

        db = tmp_path / "t.db"
        with timeline.open(db, clock=FixedClock()) as tl:
            tl.record(**VISIT)
        monkeypatch.setattr("webbrowser.open", lambda url: pytest.fail("opened"))
        monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
        result = CliRunner().invoke(cli, ["--db", str(db), "view", "--no-open"])
        assert 0 == result.exit_code, result.output
        [page] = tmp_path.glob("geotimeline-*.html")
        assert ["visit-2025"] == list(items_by_id(page.read_text(encoding="utf-8")))

    def test_missing_log_is_one_line(self, tmp_path: Path) -> None:
        """A log that does not exist: one error line, exit status 1, no traceback."""
        from click.testing import CliRunner

        from timeline.cli import cli

        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "view"])
        assert 1 == result.exit_code
        assert result.stderr.startswith("error: no timeline at")
        assert 1 == len(result.stderr.strip().splitlines())


class TestNotebook:
    """``notebook_html`` and the lifecycle result's ``_repr_html_``."""

    def test_results_and_views_draw_themselves_in_a_notebook(self) -> None:
        """tl.events(...) and an as_of view have a _repr_html_: the html exporter's fragment."""
        tl = make_timeline(VISIT, DUMA)
        assert timeline_html.notebook_html(tl.events()) == tl.events()._repr_html_()
        view = tl.as_of(seq=1)
        drawn = view._repr_html_()
        assert drawn is not None
        [(_, data)] = [
            (a, t) for a, t in parse(drawn).scripts if a.get("type") == "application/json"
        ]
        assert 1 == len(json.loads(data)["items"])

    def test_events_fragment_is_self_contained(self) -> None:
        """A fragment: no <html>, the engine inline, the events' data, no src/href."""
        tl = make_timeline(VISIT, DUMA)
        text = timeline_html.notebook_html(tl.events())
        assert "<html" not in text
        page = parse(text)
        assert 3 == len(page.scripts)
        assert [] == [(tag, a) for tag, a in page.tags if {"src", "href"} & set(a)]
        [(_, data)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/json"]
        assert {"visit-2025", "duma-2025"} == {i["id"] for i in json.loads(data)["items"]}

    def test_as_of_view(self) -> None:
        """An as_of view draws the events it knew."""
        tl = make_timeline(VISIT)
        seq = tl.seq
        tl.record(**DUMA)
        text = timeline_html.notebook_html(tl.as_of(seq=seq))
        assert "visit-2025" in text
        assert "duma-2025" not in text

    def test_capped_with_a_note(self) -> None:
        """Beyond the limit the earliest are drawn and a note says how many were left out."""
        tl = make_timeline(VISIT, DUMA, FUZZY)
        text = timeline_html.notebook_html(tl.events(), limit=2)
        assert "Showing the first 2 of 3 events" in text
        data = embedded(text)
        assert ["fc-2025", "duma-2025"] == [i["id"] for i in data["items"]]

    @pytest.mark.parametrize("limit", [1, 3, 4, 9, 30])
    def test_a_large_result_is_drawn_from_its_first_events_only(
        self, limit: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Results and views draw the same first events as a full read, decoding a few runs."""
        from timeline._queryrows import QueryRecords

        monkeypatch.setattr(QueryRecords, "BATCH", 4)
        tl = timeline.Timeline(timeline.MemoryStore(), snapshot_every=0)
        # Per day, a timed event first in timeline order (finer), last by id: a cut inside
        # a day must pick by (earliest, latest, id), not by the walk's order.
        tl.record_many(
            {"id": f"{'z' if i % 2 else 'a'}{i:02d}", "kind": "visit.state", "title": f"V {i}",
             "when": f"2025-03-0{1 + i // 4}" + ("T10:00Z" if i % 2 else "")}
            for i in range(24)
        )  # fmt: skip
        expected = timeline_html.notebook_html(list(tl.events()), limit=limit, title="t")
        decoded: list[int] = []
        records_at = tl.store.records_at

        def counting(seqs: Any) -> Any:
            decoded.append(len(seqs))
            return records_at(seqs)

        evs = tl.events()
        monkeypatch.setattr(tl.store, "records_at", counting)
        assert expected == timeline_html.notebook_html(evs, limit=limit, title="t")
        if limit < 9:
            assert sum(decoded) < 24  # the walk stopped past the limit's day
        assert expected == timeline_html.notebook_html(tl, limit=limit, title="t")
        assert ("Showing the first" in expected) == (limit < 24)

    def test_lifecycle_repr_html(self) -> None:
        """The lifecycle result draws one row per agreement, fuzzy steps hatched."""
        tl = timeline.datasets.load("relos")
        result = tl.analyze("lifecycle", treaty="RELOS")
        text = result._repr_html_()
        assert text is not None
        data = embedded(text)
        steps = result.agreement("RELOS").steps
        assert len(steps) == len(data["items"])
        assert [{"id": "treaty:RELOS", "content": "RELOS", "order": 0}] == data["groups"]
        fuzzy = {i["event"] for i in data["items"] if "gt-fuzzy" in i["className"].split()}
        assert {s.event_id for s in steps if not s.exact} == fuzzy

    def test_two_fragments_do_not_collide(self) -> None:
        """Different data, different root ids."""
        a = timeline_html.notebook_html(make_timeline(VISIT).events())
        b = timeline_html.notebook_html(make_timeline(DUMA).events())
        ids = [a.split('class="gt-root" id="')[1][:24], b.split('class="gt-root" id="')[1][:24]]
        assert ids[0] != ids[1]

    def test_bad_input(self) -> None:
        """Something that is not events is refused, naming what it got."""
        with pytest.raises(timeline.TimelineError, match="not int"):
            timeline_html.notebook_html([1])
        with pytest.raises(timeline.TimelineError, match="group_by"):
            timeline_html.notebook_html([], group_by="colour")
