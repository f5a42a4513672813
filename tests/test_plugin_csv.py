"""The ``csv`` exporter and importer plugin (plugins/timeline_csv)."""

# The team writes ``assert expected == actual`` (style.md), which SIM300 calls Yoda.
# Non-Latin test data is deliberate (RUF001).
# ruff: noqa: RUF001

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline
import timeline_csv
from timeline.testing import ExporterContract, FixedClock, ImporterContract

FULL_EVENT = {
    "id": "relos-ratified",
    "kind": "treaty.ratified",
    "when": "2025-12-02",
    "title": "State Duma ratifies RELOS, the logistics pact",
    "summary": 'First line; "quoted"\nsecond line, with commas',
    "actors": [
        "RUS",
        {"country": "RUS", "role": "party", "sector": "LEG", "name": "State Duma"},
        {"country": "IND", "role": "recipient"},
    ],
    "location": "Moscow",
    "sources": [
        "https://tass.com/politics/2052369",
        {
            "url": "https://www.livemint.com/relos",
            "publisher": "Mint",
            "title": "Parliament clears pact",
            "published": "2025-12-03",
            "excerpt": "cleared the pact",
        },
    ],
    "tags": ["logistics", "military", "a,b"],
    "treaty": "RELOS",
    "related": ["relos-signed"],
    "attributes": {"vote": {"for": 412, "against": 0}, "note": None},
}
VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "Putin's state visit to New Delhi",
    "actors": ["RUS", "IND"],
    "location": "New Delhi",
}
RELATIVE = {
    "id": "weekend-report",
    "kind": "document.published",
    "when": timeline.When.parse("over the weekend", anchor="2024-06-24"),
    "title": "Sputnik reports the draft approval",
}
TIMED = {
    "id": "talks",
    "kind": "meeting.summit",
    "when": "2025-12-05T14:30+05:30",
    "title": "Talks at Hyderabad House",
}
MONTH = {
    "id": "fc",
    "kind": "treaty.domestic_approval",
    "when": "early December 2025",
    "title": "Federation Council approves RELOS",
}
PLANNED = {
    "id": "exercise",
    "kind": "exercise.joint",
    "when": "2026-03-10",
    "title": "Joint exercise",
    "modality": "planned",
}
NON_LATIN = {
    "id": "duma-ru",
    "kind": "treaty.ratified",
    "when": "2025-12-02",
    "title": "Госдума ратифицировала соглашение — रूस और भारत",
    "summary": "Соглашение о взаимном материально-техническом обеспечении",
}
FORMULAS = {
    "id": "formula",
    "kind": "statement.joint",
    "when": "2025-12-05",
    "title": '=HYPERLINK("https://evil.example","click")',
    "summary": "+1 and -1",
    "location": "@home",
    "tags": ["=cmd"],
}


def make_timeline(*events: Any) -> timeline.Timeline:
    """Return an in-memory timeline with a fixed clock holding ``events``."""
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    if events:
        tl.record_many(list(events))
    return tl


def export(tl: Any, **options: Any) -> str:
    """Export with the csv exporter to memory and return the text."""
    out = io.StringIO(newline="")
    timeline_csv.CsvExporter().export(tl, out, **options)
    return out.getvalue()


def import_text(tl: Any, text: str, **options: Any) -> Any:
    """Import CSV text with the csv importer."""
    return timeline_csv.CsvImporter().import_into(tl, io.StringIO(text, newline=""), **options)


def rows(text: str) -> list[dict[str, str]]:
    """Read CSV text back with Python's csv module."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


class TestFullDialect:
    def test_header(self):
        """The full dialect's header lists every column, in order."""
        first = export(make_timeline(VISIT)).split("\r\n")[0]
        assert ",".join(timeline_csv.FULL_COLUMNS) == first

    @pytest.mark.parametrize("guard", [True, False])
    def test_round_trip(self, guard):
        """Export, import into a fresh timeline: the same events, ids kept."""
        source = make_timeline(
            FULL_EVENT, VISIT, RELATIVE, TIMED, MONTH, PLANNED, NON_LATIN, FORMULAS
        )
        target = make_timeline()
        report = import_text(target, export(source, guard_formulas=guard), guard_formulas=guard)
        assert 8 == report.recorded
        assert source.events() == target.events()

    def test_round_trip_through_a_file(self, tmp_path):
        """Through a file on disk (UTF-8, CRLF rows) the events come back equal."""
        source = make_timeline(FULL_EVENT, NON_LATIN)
        path = tmp_path / "events.csv"
        assert 2 == timeline_csv.CsvExporter().export(source, path).written
        target = make_timeline()
        timeline_csv.CsvImporter().import_into(target, path)
        assert source.events() == target.events()
        assert path.read_bytes().startswith(b"id,kind,when,")

    def test_when_columns(self):
        """``when`` holds the EDTF, ``phrase`` and ``anchor`` the rest of the date."""
        [row] = rows(export(make_timeline(RELATIVE)))
        assert (RELATIVE["when"].edtf, "over the weekend", "2024-06-24") == (
            row["when"],
            row["phrase"],
            row["anchor"],
        )

    def test_nested_fields_are_json(self):
        """Actors, sources, tags, related and attributes are JSON cells; bare codes stay bare."""
        [row] = rows(export(make_timeline(FULL_EVENT), guard_formulas=False))
        assert row["actors"].startswith('["RUS",{"country":"RUS"')
        assert row["sources"].startswith('["https://tass.com/politics/2052369",{')
        assert '["a,b","logistics","military"]' == row["tags"]
        assert '["relos-signed"]' == row["related"]

    def test_all_modalities_by_default(self):
        """The full dialect writes every modality unless told otherwise."""
        tl = make_timeline(VISIT, PLANNED)
        assert 2 == len(rows(export(tl)))
        assert ["visit-2025"] == [r["id"] for r in rows(export(tl, modalities="actual"))]

    def test_formula_cells_guarded(self):
        """Cells a spreadsheet would run get a leading quote; off on request."""
        [guarded] = rows(export(make_timeline(FORMULAS)))
        [raw] = rows(export(make_timeline(FORMULAS), guard_formulas=False))
        assert ("'" + FORMULAS["title"], "'+1 and -1", "'@home") == (
            guarded["title"],
            guarded["summary"],
            guarded["location"],
        )
        assert (FORMULAS["title"], "+1 and -1", "@home") == (
            raw["title"],
            raw["summary"],
            raw["location"],
        )

    def test_leading_quote_survives(self):
        """A title that starts with a quote is escaped too, so the round trip holds."""
        event = dict(VISIT, title="'=not a formula'")
        text = export(make_timeline(event))
        assert "''=not a formula'" == rows(text)[0]["title"]
        target = make_timeline()
        import_text(target, text)
        assert "'=not a formula'" == target.get("visit-2025").title


class TestImporterProblems:
    HEADER = "id,kind,when,title\r\n"

    def test_bad_date_names_line_and_field(self):
        """A bad date on line 3 fails the import naming line 3 and ``when``; nothing recorded."""
        text = self.HEADER + "a,treaty.signed,2025-02-18,Good\r\nb,treaty.signed,2025-13-45,Bad\r\n"
        tl = make_timeline()
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(tl, text)
        assert [(3, "when")] == [(p.line, p.field) for p in caught.value.problems]
        assert "line 3" in str(caught.value)
        assert (0, 0) == (len(tl), tl.seq)

    def test_skip_invalid_records_good_rows(self):
        """``skip_invalid`` records the good rows and reports the bad one."""
        text = self.HEADER + "a,treaty.signed,2025-02-18,Good\r\nb,treaty.signed,nope,Bad\r\n"
        tl = make_timeline()
        report = import_text(tl, text, skip_invalid=True)
        assert (1, [3]) == (report.recorded, [p.line for p in report.problems])
        assert ["a"] == [e.id for e in tl.events()]

    def test_line_numbers_count_multiline_cells(self):
        """A row after a cell spanning lines is reported at its own first line."""
        text = (
            self.HEADER + 'a,treaty.signed,2025-02-18,"two\r\nlines"\r\n'
            "b,no.such.kind,2025-02-18,Bad\r\n"
        )
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), text)
        assert [(4, "kind")] == [(p.line, p.field) for p in caught.value.problems]

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ('a,treaty.signed,2025-02-18,T,"[not json"', "actors"),
            ('a,treaty.signed,2025-02-18,T,"{""country"": ""RUS""}"', "actors"),
            ('a,treaty.signed,2025-02-18,T,"[""XXX""]"', "actors[0].country"),
        ],
    )
    def test_bad_nested_cells(self, row, field):
        """Malformed JSON, the wrong JSON shape or a bad value names the column."""
        text = "id,kind,when,title,actors\r\n" + row + "\r\n"
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), text)
        assert [(2, field)] == [(p.line, p.field) for p in caught.value.problems]

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ("a,,2025-02-18,Title", "kind"),
            ("a,treaty.signed,2025-02-18,", "title"),
            ("a,treaty.signed,,Title", "when"),
            ("a,treaty.signed,2025-02-18", "row"),
        ],
    )
    def test_missing_values(self, row, field):
        """Empty required cells and short rows are reported with their field."""
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), self.HEADER + row + "\r\n")
        assert [(2, field)] == [(p.line, p.field) for p in caught.value.problems]

    def test_phrase_must_match_edtf(self):
        """A phrase that reads as another date than the EDTF column is refused."""
        text = "kind,when,phrase,title\r\ntreaty.signed,2025-12,early December 2025,T\r\n"
        with pytest.raises(timeline.ImportFailed, match="2025-12-01/2025-12-10"):
            import_text(make_timeline(), text)

    def test_bad_anchor(self):
        """An anchor that is not an ISO date is reported under ``when``."""
        text = "kind,when,anchor,title\r\ntreaty.signed,2025-12-04,yesterday,T\r\n"
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), text)
        assert ["when"] == [p.field for p in caught.value.problems]

    def test_unknown_and_missing_columns(self):
        """The header is checked: unknown columns and missing required ones, on line 1."""
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), "id,kind,date,title\r\na,treaty.signed,2025,T\r\n")
        assert [(1, "date"), (1, "when")] == [(p.line, p.field) for p in caught.value.problems]

    def test_duplicate_column(self):
        """A column named twice is refused."""
        with pytest.raises(timeline.ImportFailed, match="twice"):
            import_text(make_timeline(), "kind,when,title,title\r\n")

    def test_empty_file(self):
        """A file without a header row is refused."""
        with pytest.raises(timeline.ImportFailed, match="no header"):
            import_text(make_timeline(), "")

    def test_minimal_columns_generate_ids(self):
        """Only kind, when and title are needed; ids are generated then."""
        tl = make_timeline()
        import_text(tl, "kind,when,title\r\ntreaty.signed,2025-02-18,Signed\r\n\r\n")
        [event] = tl.events()
        assert ("Signed", 32) == (event.title, len(event.id))

    def test_byte_order_mark(self, tmp_path):
        """A UTF-8 byte order mark (Excel's) before the header is ignored."""
        path = tmp_path / "bom.csv"
        path.write_bytes(
            "\ufeffkind,when,title\r\ntreaty.signed,2025-02-18,Signed\r\n".encode("utf-8")
        )
        tl = make_timeline()
        assert 1 == timeline_csv.CsvImporter().import_into(tl, path).recorded

    def test_existing_id_with_other_content_reported(self):
        """An id already in the timeline with other content is reported as changed, not written."""
        tl = make_timeline(VISIT)
        text = (
            "id,kind,when,title\r\n"
            "new,treaty.signed,2025-02-18,T\r\n"
            "visit-2025,treaty.signed,2025-02-18,T\r\n"
        )
        report = import_text(tl, text)
        assert (1, ("visit-2025",)) == (report.recorded, report.changed)
        assert {"visit-2025", "new"} == {e.id for e in tl.events()}
        assert 1 == tl.version("visit-2025")


class TestGoogleDialect:
    HEADER = (
        b"Subject,Start Date,Start Time,End Date,End Time,All Day Event,Description,Location,"
        b"Private\r\n"
    )

    def test_header_exact(self, tmp_path):
        """The header is exactly Google's, byte for byte."""
        path = tmp_path / "google.csv"
        timeline_csv.CsvExporter().export(make_timeline(VISIT), path, dialect="google")
        assert path.read_bytes().startswith(self.HEADER)

    def test_dates_read_back(self):
        """Python's csv reads MM/DD/YYYY all-day rows with inclusive end dates."""
        data = rows(export(make_timeline(VISIT, FULL_EVENT), dialect="google"))
        assert [
            ("State Duma ratifies RELOS, the logistics pact", "12/02/2025", "12/02/2025", "True"),
            ("Putin's state visit to New Delhi", "12/04/2025", "12/05/2025", "True"),
        ] == [(r["Subject"], r["Start Date"], r["End Date"], r["All Day Event"]) for r in data]
        assert ["", ""] == [r["Start Time"] for r in data]
        assert ["False", "False"] == [r["Private"] for r in data]

    def test_timed_rows_in_their_own_zone(self):
        """A timed event is written with 12-hour times in its own zone (its offset here)."""
        [row] = rows(export(make_timeline(TIMED), dialect="google"))
        assert ("12/05/2025", "2:30 PM", "12/05/2025", "2:30 PM", "False") == (
            row["Start Date"],
            row["Start Time"],
            row["End Date"],
            row["End Time"],
            row["All Day Event"],
        )

    def test_tz_option(self):
        """--tz writes timed events in the zone the user picks; a bad zone is refused."""
        [utc] = rows(export(make_timeline(TIMED), dialect="google", tz="UTC"))
        assert "9:00 AM" == utc["Start Time"]
        [moscow] = rows(export(make_timeline(TIMED), dialect="google", tz="Europe/Moscow"))
        assert "12:00 PM" == moscow["Start Time"]
        zoned = dict(TIMED, when="2025-12-05T14:30 Asia/Kolkata")
        [own] = rows(export(make_timeline(zoned), dialect="outlook"))
        assert "2:30:00 PM" == own["Start Time"]
        with pytest.raises(timeline.InvalidOption, match="tz"):
            export(make_timeline(TIMED), dialect="google", tz="Mars/Olympus")

    def test_utc_rows(self):
        """With tz=UTC the times are UTC."""
        [row] = rows(export(make_timeline(TIMED), dialect="google", tz="UTC"))
        assert ("12/05/2025", "9:00 AM", "12/05/2025", "9:00 AM", "False") == (
            row["Start Date"],
            row["Start Time"],
            row["End Date"],
            row["End Time"],
            row["All Day Event"],
        )

    def test_fuzzy_skipped_or_spanned(self):
        """Fuzzy dates are skipped by default; ``fuzzy="span"`` writes a marked span."""
        tl = make_timeline(MONTH)
        assert [] == rows(export(tl, dialect="google"))
        [row] = rows(export(tl, dialect="google", fuzzy="span"))
        assert ("≈ Federation Council approves RELOS", "12/01/2025", "12/10/2025") == (
            row["Subject"],
            row["Start Date"],
            row["End Date"],
        )
        assert "early December 2025" in row["Description"]

    def test_sets_are_one_row_per_candidate(self):
        """A one-of set is skipped (fuzzy) or drawn as its candidates; all-of sets are drawn."""
        one_of = make_timeline(dict(MONTH, when="8 or 10 December 2025"))
        assert [] == rows(export(one_of, dialect="google"))
        drawn = rows(export(one_of, dialect="google", fuzzy="span"))
        assert [("12/08/2025", "12/08/2025"), ("12/10/2025", "12/10/2025")] == [
            (row["Start Date"], row["End Date"]) for row in drawn
        ]
        all_of = make_timeline(dict(MONTH, when="{2025-12-08,2025-12-10}"))
        assert ["12/08/2025", "12/10/2025"] == [
            row["Start Date"] for row in rows(export(all_of, dialect="google"))
        ]

    def test_only_actual_by_default(self):
        """Planned events are left out unless ``modalities`` includes them."""
        tl = make_timeline(VISIT, PLANNED)
        assert 1 == len(rows(export(tl, dialect="google")))
        assert 2 == len(rows(export(tl, dialect="google", modalities="all")))

    def test_description_and_location(self):
        """Description carries the summary and sources; commas and quotes survive CSV."""
        [row] = rows(export(make_timeline(FULL_EVENT), dialect="google"))
        assert row["Description"].startswith(FULL_EVENT["summary"])
        assert "Mint - Parliament clears pact: https://www.livemint.com/relos" in row["Description"]
        assert "Moscow" == row["Location"]

    def test_formula_guard(self):
        """Subject and Location starting with = or @ get a quote; off on request."""
        [on] = rows(export(make_timeline(FORMULAS), dialect="google"))
        [off] = rows(export(make_timeline(FORMULAS), dialect="google", guard_formulas=False))
        assert ("'" + FORMULAS["title"], "'@home") == (on["Subject"], on["Location"])
        assert (FORMULAS["title"], "@home") == (off["Subject"], off["Location"])
        assert on["Description"].startswith("'+1")

    def test_non_latin(self):
        """Cyrillic and Devanagari text is written as UTF-8 and read back."""
        [row] = rows(export(make_timeline(NON_LATIN), dialect="google"))
        assert NON_LATIN["title"] == row["Subject"]


class TestOneFuzzinessRule:
    @pytest.mark.parametrize(
        "when",
        [
            "2025-12-02",
            "4-5 December 2025",
            "2025-12-08?/2025-12-10?",
            "[2025-12-08,2025-12-10]",
            "{2025-12-08,2025-12-10}",
            "2025-12-04~",
            "early December 2025",
            "2025-12",
        ],
    )
    def test_calendar_rows_follow_when_is_fuzzy(self, when):
        """A calendar dialect keeps a date by default exactly when ``When.is_exact``."""
        event = dict(VISIT, when=when)
        written = rows(export(make_timeline(event), dialect="google"))
        assert timeline.When.parse(when).is_exact == bool(written)

    def test_imports_no_other_plugin(self):
        """The csv plugin imports only timeline's public API, never another plugin."""
        package = Path(timeline_csv.__file__).parent
        imported = set()
        for path in package.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
        assert set() == {name for name in imported if name.startswith("timeline_")}


class TestOutlookDialect:
    def test_header_exact(self):
        """The header is Outlook's own column list, with the lower-case "All day event"."""
        first = export(make_timeline(VISIT), dialect="outlook").split("\r\n")[0]
        assert ",".join(timeline_csv.OUTLOOK_COLUMNS) == first
        assert first.startswith("Subject,Start Date,Start Time,End Date,End Time,All day event,")
        assert 22 == len(timeline_csv.OUTLOOK_COLUMNS)

    def test_row(self):
        """An all-day row with categories from kind and tags, Normal priority, not private."""
        [row] = rows(export(make_timeline(FULL_EVENT), dialect="outlook"))
        assert (
            "12/02/2025",
            "12/02/2025",
            "True",
            "treaty.ratified; a,b; logistics; military",
            "Normal",
            "False",
        ) == (
            row["Start Date"],
            row["End Date"],
            row["All day event"],
            row["Categories"],
            row["Priority"],
            row["Private"],
        )

    def test_timed_row_has_seconds(self):
        """Outlook times carry seconds."""
        [row] = rows(export(make_timeline(TIMED), dialect="outlook", tz="UTC"))
        assert ("9:00:00 AM", "False") == (row["Start Time"], row["All day event"])

    def test_show_time_as(self):
        """Outlook's "Show time as": busy for actual, tentative for planned, free for fuzzy."""
        planned = dict(VISIT, id="planned", modality="planned")
        fuzzy = dict(VISIT, id="fuzzy", when="December 2025")
        shown = rows(
            export(
                make_timeline(VISIT, planned, fuzzy),
                dialect="outlook",
                fuzzy="span",
                modalities="all",
            )
        )
        assert ["0", "1", "2"] == sorted(r["Show time as"] for r in shown)
        by_subject = {r["Subject"].startswith("≈"): r["Show time as"] for r in shown}
        assert "0" == by_subject[True]  # the fuzzy span is free time

    def test_bad_dialect(self):
        """An unknown dialect is an InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match="dialect"):
            export(make_timeline(VISIT), dialect="excel")


class TestStreaming:
    def test_one_write_per_row(self):
        """Rows go out one at a time (csv.writer on the stream), never as one string."""
        writes: list[str] = []

        class Recorder(io.StringIO):
            def write(self, data):  # type: ignore[override]
                writes.append(data)
                return super().write(data)

        timeline_csv.CsvExporter().export(make_timeline(VISIT, FULL_EVENT, TIMED), Recorder())
        assert 4 == len(writes)


class TestGuard:
    @pytest.mark.parametrize(
        "text",
        [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            '\x00=HYPERLINK("https://evil.example")',
            "\x0b=1+1",
            "\n=1+1",
            "\uff1dHYPERLINK(1)",
            "\uff0b1",
            "\uff0d1",
            "\uff20SUM(A1)",
        ],
    )
    def test_triggers_guarded(self, text):
        """Every formula trigger gets a leading quote."""
        assert "'" + text == timeline_csv.guard(text)

    @pytest.mark.parametrize("text", ["plain", "", "1+1", "'quoted", " =x"])
    def test_others_untouched(self, text):
        """Other cells are left alone (a leading quote only when reversible)."""
        assert text == timeline_csv.guard(text)

    def test_nul_guarded_in_every_dialect(self):
        """A leading NUL before a formula is guarded in the full and the calendar dialects."""
        tl = make_timeline({**FORMULAS, "title": '\x00=HYPERLINK("https://evil.example")'})
        for dialect in ("full", "google", "outlook"):
            subjects = [r.get("title", r.get("Subject")) for r in rows(export(tl, dialect=dialect))]
            assert ['\'\x00=HYPERLINK("https://evil.example")'] == subjects

    @given(st.text())
    def test_unguard_inverts_reversible_guard(self, text):
        """``unguard`` gives back exactly what ``guard(reversible=True)`` was given."""
        assert text == timeline_csv.unguard(timeline_csv.guard(text, reversible=True))


class TestWhenFromParts:
    def test_edtf_only(self):
        """An EDTF alone gives the parsed date."""
        assert timeline.When.parse("2025-12-04") == timeline.When.from_parts("2025-12-04")

    def test_phrase_and_anchor(self):
        """A relative phrase is parsed against its anchor."""
        when = timeline.When.from_parts(RELATIVE["when"].edtf, "over the weekend", "2024-06-24")
        assert RELATIVE["when"] == when

    def test_mismatch(self):
        """A phrase giving another EDTF raises InvalidDate."""
        with pytest.raises(timeline.InvalidDate, match="reads as"):
            timeline.When.from_parts("2025-11", "early December 2025")


class TestThroughPluginHost:
    def test_export_and_import_by_name(self, timeline_factory, tmp_path):
        """``tl.export("csv")`` and ``tl.import_file("csv")`` find the plugin."""
        source = timeline_factory([FULL_EVENT, VISIT])
        path = tmp_path / "events.csv"
        assert 2 == source.export("csv", path).written
        target = timeline_factory()
        assert 2 == target.import_file("csv", path).recorded
        assert source.events() == target.events()


class TestCsvExporterContract(ExporterContract):
    def make_exporter(self):
        return timeline_csv.CsvExporter()


class TestGoogleExporterContract(ExporterContract):
    export_options = {"dialect": "google"}  # noqa: RUF012 - read-only test settings

    def make_exporter(self):
        return timeline_csv.CsvExporter()


class TestCsvImporterContract(ImporterContract):
    def make_importer(self):
        return timeline_csv.CsvImporter()

    def make_exporter(self):
        return timeline_csv.CsvExporter()

    def invalid_file(self):
        return (
            "id,kind,when,title\r\n"
            "a,treaty.signed,2025-02-18,Good\r\n"
            "b,treaty.signed,someday,Bad date\r\n"
            "c,visit.state,2025-12-04/2025-12-05,Good too\r\n"
            "d,no.such.kind,2025-02-18,Bad kind\r\n"
        ), [3, 5]


class TestMappedCsv:
    SHEET = (
        "Headline,Date,Countries,Type,Link,Notes\r\n"
        'Putin in Delhi,4 December 2025,"Russia, India",visit.state,https://e.com/a,Day 1\r\n'
        "Duma vote,early December 2025,RUS;IND,treaty.domestic_approval,,\r\n"
        "RELOS signed,2025-02-18,Russian Federation;India,treaty.signed,,from the sheet\r\n"
    )
    MAP = "title=Headline,when=Date,actors=Countries,kind=Type,sources=Link"

    def test_columns_named_by_the_user(self):
        """Any CSV imports once its columns are named; actors as codes, names or lists."""
        tl = make_timeline()
        report = import_text(tl, self.SHEET, map=self.MAP, rest=True)
        assert 3 == report.recorded
        by_title = {e.title: e for e in tl.events()}
        visit = by_title["Putin in Delhi"]
        assert (["RUS", "IND"], "2025-12-04") == (
            [a.country for a in visit.actors],
            visit.when.edtf,
        )
        assert ["https://e.com/a"] == [s.url for s in visit.sources]
        assert {"Notes": "Day 1"} == visit.attributes
        assert "2025-12-01" == by_title["Duma vote"].when.earliest.isoformat()
        assert ["RUS", "IND"] == [a.country for a in by_title["RELOS signed"].actors]

    def test_default_kind_and_no_rest(self):
        """--kind gives rows without a kind column theirs; unnamed columns are dropped."""
        tl = make_timeline()
        import_text(tl, self.SHEET, map="title=Headline,when=Date", kind="meeting.summit")
        assert {"meeting.summit"} == {e.kind for e in tl.events()}
        assert all(e.attributes == {} for e in tl.events())

    def test_header_problem_is_one_error(self):
        """A mapped column the header lacks is one problem listing found and expected."""
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(
                make_timeline(), self.SHEET, map="title=Title,when=Date", kind="visit.state"
            )
        [problem] = caught.value.problems
        assert (1, "header") == (problem.line, problem.field)
        assert "lacks Title" in problem.reason
        assert "found columns: Headline, Date, Countries, Type, Link, Notes" in problem.reason

    def test_unmapped_required_fields(self):
        """Without a kind column or --kind, the map is refused once, naming what is missing."""
        with pytest.raises(timeline.ImportFailed, match="no column is mapped to kind"):
            import_text(make_timeline(), self.SHEET, map="title=Headline,when=Date")

    @pytest.mark.parametrize("bad", ["title", "colour=Type", "title=Headline,title=Date"])
    def test_bad_map(self, bad):
        """A malformed map is an InvalidOption naming it."""
        with pytest.raises(timeline.InvalidOption, match="map"):
            import_text(make_timeline(), self.SHEET, map=bad, kind="visit.state")

    def test_bad_rows_named(self):
        """A bad cell is reported with its line and field."""
        text = "Headline,Date\r\nGood,2025-02-18\r\nBad,someday\r\n"
        with pytest.raises(timeline.ImportFailed) as caught:
            import_text(make_timeline(), text, map="title=Headline,when=Date", kind="visit.state")
        assert [(3, "when")] == [(p.line, p.field) for p in caught.value.problems]

    def test_cli_map_flags(self, tmp_path):
        """`timeline import csv FILE --map title=Headline --map when=Date --kind ...`."""
        from click.testing import CliRunner

        from timeline.cli import cli
        from timeline.cli._common import CliState
        from timeline.testing import first_party_host

        path = tmp_path / "sheet.csv"
        path.write_text(self.SHEET, encoding="utf-8")
        db = str(tmp_path / "t.db")
        state = CliState(host=first_party_host())
        assert 0 == CliRunner().invoke(cli, ["--db", db, "init"], obj=state).exit_code
        maps = ["--map", "title=Headline", "--map", "when=Date", "--map", "actors=Countries"]
        argv = ["--db", db, "import", "csv", str(path), *maps, "--kind", "visit.state"]
        result = CliRunner().invoke(cli, argv, obj=state)
        assert 0 == result.exit_code, result.output
        assert "imported 3 events" in result.output


class TestCalendarCsvReadBack:
    EVENTS = (
        {
            "kind": "visit.state",
            "when": "2025-12-04/2025-12-05",
            "title": "Putin visits India",
            "summary": "State visit",
            "location": "New Delhi",
            "sources": ["https://e.com/visit"],
            "tags": ["summit"],
        },
        {"kind": "treaty.signed", "when": "2025-02-18", "title": "RELOS signed"},
        {"kind": "meeting.summit", "when": "2025-08-31T09:30:00Z", "title": "SCO opens"},
    )

    def _carried(self, event):
        return (event.title, event.when.edtf, event.summary, event.location,
                [s.url for s in event.sources])  # fmt: skip

    @pytest.mark.parametrize("dialect", ["google", "outlook"])
    def test_round_trip(self, dialect):
        """What a Google or Outlook export carries imports back (title, dates, text, place)."""
        source = make_timeline(*self.EVENTS)
        text = export(source, dialect=dialect)
        target = make_timeline()
        report = import_text(target, text, kind="visit.state")
        assert 3 == report.recorded
        assert sorted(self._carried(e) for e in source.events()) == sorted(
            self._carried(e) for e in target.events()
        )

    def test_outlook_carries_kind_and_tags(self):
        """Outlook's Categories carry the kind and the tags back."""
        target = make_timeline()
        import_text(target, export(make_timeline(*self.EVENTS), dialect="outlook"))
        visit = next(e for e in target.events() if e.title == "Putin visits India")
        assert ("visit.state", ("summit",)) == (visit.kind, visit.tags)

    def test_google_needs_a_kind(self):
        """Google rows carry no kind: without --kind each row says so."""
        with pytest.raises(timeline.ImportFailed, match="give --kind"):
            import_text(make_timeline(), export(make_timeline(*self.EVENTS), dialect="google"))
