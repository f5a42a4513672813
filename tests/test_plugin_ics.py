"""The ``ics`` exporter plugin (plugins/timeline_ics): read back by three independent parsers."""

# The team writes ``assert expected == actual`` (style.md), which SIM300 calls Yoda.

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

import timeline
import timeline_ics
from timeline.testing import ExporterContract, FixedClock, ImporterContract

GOLDEN = Path(__file__).parent / "golden" / "relos.ics"
UTC = dt.timezone.utc

VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "Putin's state visit to New Delhi",
    "summary": "Annual summit; RELOS in force.",
    "actors": ["RUS", "IND"],
    "location": "New Delhi",
    "sources": [
        {"url": "https://tass.com/visit", "publisher": "TASS", "title": "Putin arrives"},
        {"url": "https://pib.gov.in/visit", "publisher": "PIB", "title": "Joint statement"},
    ],
    "tags": ["summit", "relos"],
}
DUMA = {
    "id": "duma-2025",
    "kind": "treaty.ratified",
    "when": "2025-12-02",
    "title": "State Duma ratifies RELOS",
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
MONTH = {
    "id": "fc-2025",
    "kind": "treaty.domestic_approval",
    "when": "early December 2025",
    "title": "Federation Council approves RELOS",
    "actors": ["RUS"],
}
PLANNED = {
    "id": "exercise-2026",
    "kind": "exercise.joint",
    "when": "2026-03-10",
    "title": "Joint exercise",
    "actors": ["RUS", "IND"],
    "modality": "planned",
}


def make_timeline(*events: dict[str, Any], start: dt.datetime | None = None) -> timeline.Timeline:
    """Return an in-memory timeline with a fixed clock holding ``events``."""
    clock = FixedClock() if start is None else FixedClock(start)
    tl = timeline.Timeline(timeline.MemoryStore(), clock=clock, snapshot_every=0)
    if events:
        tl.record_many(list(events))
    return tl


def export(tl: Any, **options: Any) -> bytes:
    """Export with the ics exporter to memory and return the bytes."""
    out = io.BytesIO()
    timeline_ics.IcsExporter().export(tl, out, **options)
    return out.getvalue()


def _status(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value)).upper()


def with_icalendar(data: bytes) -> list[dict[str, Any]]:
    """The VEVENTs as the icalendar library reads them."""
    out = []
    for ev in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        out.append(
            {
                "uid": str(ev["UID"]),
                "summary": str(ev["SUMMARY"]),
                "start": ev.decoded("DTSTART"),
                "end": ev.decoded("DTEND") if "DTEND" in ev else None,
                "status": _status(str(ev.get("STATUS"))),
                "sequence": int(ev["SEQUENCE"]),
                "dtstamp": ev.decoded("DTSTAMP"),
                "description": str(ev.get("DESCRIPTION", "")),
                "location": str(ev["LOCATION"]) if "LOCATION" in ev else None,
                "categories": [str(c) for c in ev["CATEGORIES"].cats] if "CATEGORIES" in ev else [],
            }
        )
    return out


def with_ical(data: bytes) -> list[dict[str, Any]]:
    """The VEVENTs as allenporter's ``ical`` (a strict parser) reads them."""
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return [
        {
            "uid": ev.uid,
            "summary": ev.summary,
            "start": ev.dtstart,
            "end": ev.dtend,
            "status": _status(ev.status),
            "sequence": ev.sequence,
            "dtstamp": ev.dtstamp,
            "description": ev.description or "",
            "location": ev.location,
            "categories": list(ev.categories),
        }
        for ev in calendar.events
    ]


def with_vobject(data: bytes) -> list[dict[str, Any]]:
    """The VEVENTs as vobject reads them."""
    calendar = vobject.readOne(data.decode("utf-8"))
    out = []
    for ev in getattr(calendar, "vevent_list", []):
        out.append(
            {
                "uid": ev.uid.value,
                "summary": ev.summary.value,
                "start": ev.dtstart.value,
                "end": ev.dtend.value if hasattr(ev, "dtend") else None,
                "status": _status(ev.status.value),
                "sequence": int(ev.sequence.value),
                "dtstamp": ev.dtstamp.value,
                "description": ev.description.value if hasattr(ev, "description") else "",
                "location": ev.location.value if hasattr(ev, "location") else None,
                "categories": list(ev.categories.value) if hasattr(ev, "categories") else [],
            }
        )
    return out


PARSERS = {"icalendar": with_icalendar, "ical": with_ical, "vobject": with_vobject}


def by_uid(data: bytes, parser: str) -> dict[str, dict[str, Any]]:
    """The events one parser sees, keyed by UID."""
    return {e["uid"]: e for e in PARSERS[parser](data)}


@pytest.fixture(params=sorted(PARSERS))
def parser(request: pytest.FixtureRequest) -> str:
    """Each of the three independent parsers in turn."""
    return str(request.param)


def rdates(vevent: icalendar.Event) -> list[dt.date]:
    """The days of a VEVENT's RDATE properties (one property or several), in order."""
    found = vevent.get("RDATE", [])
    return [p.dt for prop in (found if isinstance(found, list) else [found]) for p in prop.dts]


class TestSets:
    def test_candidates_are_rdates(self):
        """A one-of set drawn on request is one VEVENT: the first candidate and RDATEs."""
        tl = make_timeline(dict(MONTH, when="8 or 10 December 2025"))
        with pytest.raises(timeline.NothingToExport, match="fuzzy dates"):
            export(tl)  # the set is fuzzy: skipped by default, and nothing else is left
        [vevent] = icalendar.Calendar.from_ical(export(tl, fuzzy="span")).walk("VEVENT")
        assert (dt.date(2025, 12, 8), dt.date(2025, 12, 9)) == (
            vevent.decoded("DTSTART"),
            vevent.decoded("DTEND"),
        )
        assert [dt.date(2025, 12, 10)] == rdates(vevent)
        # The other parsers read it as well.
        assert ["fc-2025@geotimeline"] == [e["uid"] for e in with_ical(export(tl, fuzzy="span"))]
        assert ["fc-2025@geotimeline"] == [e["uid"] for e in with_vobject(export(tl, fuzzy="span"))]

    def test_all_of_exact_days_are_drawn(self):
        """All of several exact days is exact: drawn without asking, with RDATEs."""
        tl = make_timeline(dict(MONTH, when="{2025-12-08,2025-12-10,2025-12-12}"))
        [vevent] = icalendar.Calendar.from_ical(export(tl)).walk("VEVENT")
        assert [dt.date(2025, 12, 10), dt.date(2025, 12, 12)] == rdates(vevent)


class TestParsersReadBack:
    def test_events_and_uids(self, parser):
        """Every parser sees exactly the exported events, with their stable UIDs."""
        data = export(make_timeline(VISIT, DUMA, TIMED))
        assert {"visit-2025@geotimeline", "duma-2025@geotimeline", "talks-2025@geotimeline"} == set(
            by_uid(data, parser)
        )

    def test_all_day_span_has_exclusive_end(self, parser):
        """A visit on 4-5 December is all-day from 2025-12-04 to DTEND 2025-12-06."""
        event = by_uid(export(make_timeline(VISIT)), parser)["visit-2025@geotimeline"]
        assert (dt.date(2025, 12, 4), dt.date(2025, 12, 6)) == (event["start"], event["end"])

    def test_one_day_event_ends_next_day(self, parser):
        """A one-day event has DTEND on the next day (never equal to DTSTART)."""
        event = by_uid(export(make_timeline(DUMA)), parser)["duma-2025@geotimeline"]
        assert (dt.date(2025, 12, 2), dt.date(2025, 12, 3)) == (event["start"], event["end"])

    def test_timed_event_in_utc(self, parser):
        """10:00 at +05:30 is written (and read) as 04:30 UTC."""
        event = by_uid(export(make_timeline(TIMED)), parser)["talks-2025@geotimeline"]
        assert dt.datetime(2025, 12, 5, 4, 30, tzinfo=UTC) == event["start"]
        assert dt.timedelta(0) == event["start"].utcoffset()

    def test_statuses(self, parser):
        """Actual is CONFIRMED, planned TENTATIVE, retracted CANCELLED."""
        tl = make_timeline(VISIT, DUMA, PLANNED)
        tl.retract("duma-2025", reason="wrong date")
        events = by_uid(export(tl, modalities="actual,planned"), parser)
        assert {
            "visit-2025@geotimeline": "CONFIRMED",
            "duma-2025@geotimeline": "CANCELLED",
            "exercise-2026@geotimeline": "TENTATIVE",
        } == {uid: e["status"] for uid, e in events.items()}

    def test_summary_location_description(self, parser):
        """Title, location, summary and every source reach every parser."""
        event = by_uid(export(make_timeline(VISIT)), parser)["visit-2025@geotimeline"]
        assert "Putin's state visit to New Delhi" == event["summary"]
        assert "New Delhi" == event["location"]
        for text in (
            "Annual summit; RELOS in force.",
            "TASS",
            "Putin arrives",
            "https://tass.com/visit",
            "PIB",
            "Joint statement",
            "https://pib.gov.in/visit",
        ):
            assert text in event["description"]


class TestRevisions:
    def test_sequence_and_dtstamp_follow_revisions(self):
        """SEQUENCE is version - 1 and DTSTAMP the last revision's recording time."""
        tl = make_timeline(VISIT, DUMA)
        tl.amend("visit-2025", reason="typo", title="Putin's state visit to India")
        events = by_uid(export(tl), "icalendar")
        amended = tl.record_of("visit-2025")
        assert 1 == events["visit-2025@geotimeline"]["sequence"]
        assert (
            amended.recorded_at.replace(microsecond=0)
            == (events["visit-2025@geotimeline"]["dtstamp"])
        )
        assert 0 == events["duma-2025@geotimeline"]["sequence"]

    def test_retraction_uses_its_own_version_and_time(self):
        """A retracted event's SEQUENCE and DTSTAMP are the retraction's."""
        tl = make_timeline(DUMA)
        retraction = tl.retract("duma-2025", reason="duplicate")
        event = by_uid(export(tl), "icalendar")["duma-2025@geotimeline"]
        assert (1, retraction.recorded_at.replace(microsecond=0)) == (
            event["sequence"],
            event["dtstamp"],
        )

    def test_retracted_left_out_on_request(self):
        """``include_retracted=False`` leaves retracted events out of the calendar."""
        tl = make_timeline(VISIT, DUMA)
        tl.retract("duma-2025", reason="duplicate")
        assert ["visit-2025@geotimeline"] == list(
            by_uid(export(tl, include_retracted=False), "icalendar")
        )

    def test_as_of_exports_the_past(self):
        """``as_of`` exports the calendar as it was known at that seq."""
        tl = make_timeline(DUMA)
        seq = tl.seq
        tl.retract("duma-2025", reason="duplicate")
        event = by_uid(export(tl, as_of=seq), "icalendar")["duma-2025@geotimeline"]
        assert ("CONFIRMED", 0) == (event["status"], event["sequence"])


class TestBytes:
    def test_crlf_line_endings(self):
        """Every line ends with CRLF and no bare LF or CR appears."""
        data = export(make_timeline(VISIT, DUMA, TIMED))
        assert data.endswith(b"END:VCALENDAR\r\n")
        assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")

    def test_lines_at_most_75_octets(self):
        """No content line exceeds 75 octets, even with long non-Latin text."""
        long = dict(VISIT, title="Визит " * 30 + "राजकीय यात्रा " * 20)
        data = export(make_timeline(long))
        assert [] == [line for line in data.split(b"\r\n") if len(line) > 75]

    def test_valid_utf8(self):
        """The output is valid UTF-8 (folding never splits a multi-byte character)."""
        long = dict(VISIT, title="नई दिल्ली में " * 25)
        data = export(make_timeline(long))
        for line in data.split(b"\r\n"):
            line.decode("utf-8")  # each folded line alone is whole characters
        assert long["title"].strip() in data.decode("utf-8").replace("\r\n ", "")

    def test_calendar_properties(self):
        """VERSION, PRODID, NAME and X-WR-CALNAME are set; METHOD is not."""
        lines = export(make_timeline(DUMA), calendar_name="RELOS, tracked").split(b"\r\n")
        assert b"VERSION:2.0" in lines
        assert f"PRODID:{timeline_ics.PRODID}".encode() in lines
        assert b"NAME:RELOS\\, tracked" in lines
        assert b"X-WR-CALNAME:RELOS\\, tracked" in lines
        assert [] == [line for line in lines if line.startswith(b"METHOD")]

    def test_x_properties(self):
        """Every VEVENT carries its EDTF and precision in X- properties."""
        data = export(make_timeline(VISIT, DUMA))
        assert b"X-GEOTIMELINE-EDTF:2025-12-04/2025-12-05\r\n" in data
        assert b"X-GEOTIMELINE-EDTF:2025-12-02\r\n" in data
        assert b"X-GEOTIMELINE-PRECISION:day\r\n" in data

    def test_url_is_first_source(self):
        """URL is the first source's address."""
        assert b"URL:https://tass.com/visit\r\n" in export(make_timeline(VISIT))

    def test_empty_export_is_refused(self):
        """No event left is NothingToExport saying why, not a calendar RFC 5545 forbids."""
        out = io.BytesIO()
        with pytest.raises(timeline.NothingToExport, match="no event matches the filters"):
            timeline_ics.IcsExporter().export(make_timeline(), out)
        assert b"" == out.getvalue()
        with pytest.raises(timeline.NothingToExport) as refused:
            timeline_ics.IcsExporter().export(make_timeline(MONTH), out)
        assert "all 1 matching events were left out: 1 with fuzzy dates" in str(refused.value)
        assert b"" == out.getvalue()

    def test_nothing_to_export_leaves_no_file(self, tmp_path):
        """A refused export to a path leaves no file behind."""
        path = tmp_path / "cal.ics"
        with pytest.raises(timeline.NothingToExport):
            timeline_ics.IcsExporter().export(make_timeline(), path)
        assert not path.exists()


class TestDeterminism:
    def test_two_exports_identical(self):
        """Exporting twice gives the same bytes."""
        tl = make_timeline(VISIT, DUMA, TIMED)
        assert export(tl) == export(tl)

    def test_uid_stable_across_timelines(self):
        """Two timelines built from the same events, at other times, give the same UIDs."""
        first = export(make_timeline(VISIT, DUMA))
        second = export(make_timeline(DUMA, VISIT, start=dt.datetime(2030, 5, 1, tzinfo=UTC)))
        assert set(by_uid(first, "icalendar")) == set(by_uid(second, "icalendar"))

    def test_event_uid(self):
        """The UID is the event id at the geotimeline domain."""
        assert "abc@geotimeline" == timeline_ics.event_uid("abc")


TRICKY_TITLES = [
    "Russia, India; and China",
    "Back\\slash and trailing \\",
    "Moscow\\New Delhi",
    "Moscow\\nNew Delhi",
    "Line one\nLine two",
    "Государственная дума ратифицировала соглашение",
    "रूस और भारत के बीच समझौता",
    "Quotes \"double\" and 'single': colon",
]


class TestText:
    @pytest.mark.parametrize("title", TRICKY_TITLES)
    def test_title_round_trips(self, parser, title):
        """Commas, semicolons, backslashes, newlines and non-Latin text survive."""
        data = export(make_timeline(dict(DUMA, title=title)))
        assert [title] == [e["summary"] for e in PARSERS[parser](data)]

    @pytest.mark.parametrize(
        ("fields", "key", "shown"),
        [
            ({"title": "RELOS\x0b ratified"}, "summary", "RELOS ratified"),
            ({"title": "a\x00b\x7fc\x1bd"}, "summary", "abcd"),
            ({"title": "C1 \x85\x9f end"}, "summary", "C1  end"),
            ({"title": "tab\tkept"}, "summary", "tab\tkept"),
            ({"location": "Delhi\x0c"}, "location", "Delhi"),
        ],
    )
    def test_control_characters_removed(self, parser, fields, key, shown):
        """Control characters never reach the file: the strict parser reads the calendar."""
        data = export(make_timeline(dict(DUMA, **fields)))
        assert [shown] == [e[key] for e in PARSERS[parser](data)]

    @given(text=st.text(alphabet=st.characters(max_codepoint=0xA0, exclude_categories=["Cs"])))
    @settings(max_examples=60, deadline=None)
    def test_any_text_parses_strictly(self, text):
        """Whatever the title, summary, location and tags hold, the strict ical parser reads it."""
        fields = dict(
            DUMA, title=f"t{text}", summary=text, location=text or None, tags=[f"t{text}"]
        )
        try:
            tl = make_timeline(fields)
        except timeline.InvalidEvent:
            return  # a tag that normalises to nothing, say: not this test's business
        [event] = with_ical(export(tl, calendar_name=f"c{text}"))
        assert event["uid"] == "duma-2025@geotimeline"

    def test_backslash_n_is_not_a_newline(self):
        r"""A literal ``\N`` is escaped as ``\\N`` (the icalendar pitfall, domain.md 4.2)."""
        data = export(make_timeline(dict(DUMA, title="Moscow\\New Delhi")))
        assert b"SUMMARY:Moscow\\\\New Delhi\r\n" in data

    def test_title_cannot_inject_an_event(self, parser):
        """A title with CRLF and BEGIN/END lines stays one literal title of one event."""
        title = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected"
        data = export(make_timeline(dict(DUMA, title=title)))
        events = PARSERS[parser](data)
        assert ["duma-2025@geotimeline"] == [e["uid"] for e in events]
        assert [title.replace("\r\n", "\n")] == [e["summary"] for e in events]
        assert 1 == data.split(b"\r\n").count(b"BEGIN:VEVENT")

    def test_location_cannot_inject_a_property(self, parser):
        """A location with a line break and a property line stays text."""
        data = export(make_timeline(dict(VISIT, location="Delhi\nSTATUS:CANCELLED")))
        event = PARSERS[parser](data)[0]
        assert ("Delhi\nSTATUS:CANCELLED", "CONFIRMED") == (event["location"], event["status"])

    @pytest.mark.parametrize("parser_name", ["icalendar", "vobject"])
    def test_comma_inside_a_category(self, parser_name):
        """A comma inside a tag is escaped; the commas between categories are not."""
        data = export(make_timeline(dict(DUMA, tags=["a,b", "relos"])))
        assert b"CATEGORIES:treaty.ratified,a\\,b,relos\r\n" in data
        assert ["treaty.ratified", "a,b", "relos"] == PARSERS[parser_name](data)[0]["categories"]

    def test_categories_from_kind_and_tags(self, parser):
        """CATEGORIES holds the kind, then the tags."""
        data = export(make_timeline(VISIT))
        assert ["visit.state", "relos", "summit"] == PARSERS[parser](data)[0]["categories"]


class TestFuzzyPolicy:
    def test_skipped_by_default(self):
        """A date coarser than a day is left out by default."""
        tl = make_timeline(DUMA, MONTH)
        out = io.BytesIO()
        report = timeline_ics.IcsExporter().export(tl, out)
        assert (1, 2) == (report.written, report.matched)
        assert "exported 1 of 2 events; skipped 1 with fuzzy dates (fuzzy='span' to include)" == (
            str(report)
        )
        assert ["duma-2025@geotimeline"] == list(by_uid(out.getvalue(), "icalendar"))

    def test_span_is_all_day_transparent_and_marked(self, parser):
        """``fuzzy="span"`` draws earliest..latest+1, transparent, with a ≈ prefix."""
        data = export(make_timeline(MONTH), fuzzy="span")
        event = by_uid(data, parser)["fc-2025@geotimeline"]
        assert (dt.date(2025, 12, 1), dt.date(2025, 12, 11)) == (event["start"], event["end"])
        assert "≈ Federation Council approves RELOS" == event["summary"]
        assert "early December 2025" in event["description"]
        assert b"TRANSP:TRANSPARENT\r\n" in data
        assert b"X-GEOTIMELINE-PRECISION:part_of_month\r\n" in data

    @pytest.mark.parametrize("when", ["2025-12-04~", "2025-12-04?/2025-12-06", "2025", "2025-12"])
    def test_approximate_and_coarse_dates_are_fuzzy(self, when):
        """Approximate days, fuzzy-ended intervals, years and months follow the policy."""
        tl = make_timeline(VISIT, dict(DUMA, when=when))
        uid = b"duma-2025@geotimeline"
        assert (uid in export(tl), uid in export(tl, fuzzy="span")) == (False, True)

    def test_open_ended_never_drawn(self):
        """An open-ended date (2022/..) has no span: left out even with ``fuzzy="span"``."""
        tl = make_timeline(VISIT, dict(DUMA, when="2022/.."))
        assert b"duma-2025@geotimeline" not in export(tl, fuzzy="span")
        report = timeline_ics.IcsExporter().export(tl, io.BytesIO(), fuzzy="span")
        assert ["1 open-ended (a calendar cannot draw them)"] == [
            s.describe() for s in report.skipped
        ]

    def test_bad_policy_refused(self):
        """An unknown fuzzy policy is an InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match="fuzzy"):
            export(make_timeline(DUMA), fuzzy="guess")


class TestCalendarSpan:
    @pytest.mark.parametrize(
        ("when", "kind", "first", "last"),
        [
            ("2025-12-02", "all_day", "2025-12-02", "2025-12-02"),
            ("2025-12-04/2025-12-05", "all_day", "2025-12-04", "2025-12-05"),
            ("2025-12", "fuzzy", "2025-12-01", "2025-12-31"),
            ("2025-12-04~", "fuzzy", "2025-12-04", "2025-12-04"),
            ("4-5 December 2025", "all_day", "2025-12-04", "2025-12-05"),
            ("2025-12-08?/2025-12-10?", "fuzzy", "2025-12-08", "2025-12-10"),
            ("2025-12-05T01:00+05:30", "timed", "2025-12-04", "2025-12-04"),
        ],
    )
    def test_kinds(self, when, kind, first, last):
        """Each kind of date maps to its calendar span (timed days in UTC)."""
        span = timeline.calendar_span(timeline.When.parse(when))
        assert span is not None
        assert (kind, first, last) == (
            span.kind.value,
            span.first_day.isoformat(),
            span.last_day.isoformat(),
        )

    def test_open_ended_has_no_span(self):
        """Open-ended dates give None."""
        assert timeline.calendar_span(timeline.When.parse("../2024-06")) is None


class TestModalities:
    def test_only_actual_by_default(self):
        """Planned (and other non-actual) events are left out by default."""
        data = export(make_timeline(DUMA, PLANNED))
        assert ["duma-2025@geotimeline"] == list(by_uid(data, "icalendar"))

    @pytest.mark.parametrize("value", ["all", "actual,planned", ["actual", "planned"]])
    def test_included_on_request(self, value):
        """``modalities`` takes names (comma-separated or a list) or ``all``."""
        data = export(make_timeline(DUMA, PLANNED), modalities=value)
        assert {"duma-2025@geotimeline", "exercise-2026@geotimeline"} == set(
            by_uid(data, "icalendar")
        )

    @pytest.mark.parametrize("value", ["actual,maybe", "", 3])
    def test_bad_modalities_refused(self, value):
        """An unknown or empty modality list is an InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match="modalities"):
            export(make_timeline(DUMA), modalities=value)

    def test_negated_is_cancelled(self):
        """A negated event ("did not happen"), when included, is CANCELLED."""
        data = export(make_timeline(dict(DUMA, modality="negated")), modalities="negated")
        assert "CANCELLED" == with_icalendar(data)[0]["status"]


class TestStreaming:
    def test_one_write_per_event(self):
        """Output goes out event by event, not as one string built in memory."""
        writes: list[bytes] = []

        class Recorder(io.BytesIO):
            def write(self, data):  # type: ignore[override]
                writes.append(bytes(data))
                return super().write(data)

        timeline_ics.IcsExporter().export(make_timeline(VISIT, DUMA, TIMED), Recorder())
        assert 5 == len(writes)  # header, three VEVENTs, footer
        assert 3 == sum(w.startswith(b"BEGIN:VEVENT") for w in writes)

    def test_path_and_stream_agree(self, tmp_path):
        """Writing to a path gives the same bytes as writing to a file object."""
        tl = make_timeline(VISIT, DUMA)
        path = tmp_path / "out.ics"
        assert 2 == timeline_ics.IcsExporter().export(tl, path).written
        assert export(tl) == path.read_bytes()


class TestGolden:
    def test_relos_sample(self):
        """The sample dataset exports byte for byte as tests/golden/relos.ics.

        Regenerate with ``UPDATE_GOLDEN=1`` after a deliberate change.
        """
        data = export(timeline.datasets.load("relos"), fuzzy="span", modalities="all")
        if os.environ.get("UPDATE_GOLDEN"):
            GOLDEN.write_bytes(data)
        assert GOLDEN.read_bytes() == data

    def test_disputed_step_skipped_by_default(self):
        """The Federation Council step (one day, sources disagree which) is fuzzy: left out."""
        tl = timeline.datasets.load("relos")
        assert tl.get("relos-federation-council").when.is_fuzzy
        uids = set(by_uid(export(tl, modalities="all"), "icalendar"))
        assert "relos-duma@geotimeline" in uids
        assert "relos-federation-council@geotimeline" not in uids

    def test_disputed_step_shows_both_candidates_on_request(self):
        """With ``fuzzy="span"`` the step is 8 December repeated on 10 December, never the 9th."""
        data = export(timeline.datasets.load("relos"), fuzzy="span", modalities="all")
        council = by_uid(data, "icalendar")["relos-federation-council@geotimeline"]
        assert (dt.date(2025, 12, 8), dt.date(2025, 12, 9)) == (council["start"], council["end"])
        assert "≈ Federation Council approves RELOS ratification" == council["summary"]
        assert "Date: [2025-12-08,2025-12-10]" in council["description"]
        [vevent] = [
            v
            for v in icalendar.Calendar.from_ical(data).walk("VEVENT")
            if v["UID"] == "relos-federation-council@geotimeline"
        ]
        assert [dt.date(2025, 12, 10)] == rdates(vevent)

    def test_relos_sample_parses_everywhere(self, parser):
        """All three parsers read the sample export with the same UIDs."""
        data = export(timeline.datasets.load("relos"), fuzzy="span", modalities="all")
        assert set(by_uid(data, "icalendar")) == set(by_uid(data, parser))


class TestThroughPluginHost:
    def test_export_by_name(self, timeline_factory, tmp_path):
        """``tl.export("ics", path)`` finds the plugin through its entry point."""
        tl = timeline_factory([VISIT, DUMA])
        path = tmp_path / "cal.ics"
        assert 2 == tl.export("ics", path).written
        assert {"visit-2025@geotimeline", "duma-2025@geotimeline"} == set(
            by_uid(path.read_bytes(), "ical")
        )


class TestIcsContract(ExporterContract):
    def make_exporter(self):
        return timeline_ics.IcsExporter()


FOREIGN_ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Other tool//EN\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:summit-2025@example.org\r\n"
    "DTSTAMP:20251101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20251204\r\n"
    "DTEND;VALUE=DATE:20251206\r\n"
    "SUMMARY:Annual summit\r\n"
    "DESCRIPTION:Two days in Delhi\r\n"
    "LOCATION:New Delhi\r\n"
    "URL:https://example.org/summit\r\n"
    "CATEGORIES:meeting.summit,india\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:{1234 5678}\r\n"
    "DTSTAMP:20251101T000000Z\r\n"
    "DTSTART;TZID=Europe/Moscow:20251210T150000\r\n"
    "DTEND;TZID=Europe/Moscow:20251210T170000\r\n"
    "SUMMARY:Council vote\r\n"
    "STATUS:CANCELLED\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def import_ics(tl: Any, data: bytes | str, **options: Any) -> Any:
    """Import calendar bytes with the ics importer."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return timeline_ics.IcsImporter().import_into(tl, io.BytesIO(raw), **options)


class TestIcsImporter:
    def test_foreign_calendar(self):
        """All-day and timed events, text fields, categories and CANCELLED are read."""
        tl = make_timeline()
        assert 2 == import_ics(tl, FOREIGN_ICS, kind="treaty.signed").recorded
        summit = tl.get(timeline_ics.event_id_of_uid("summit-2025@example.org"))
        assert summit.id.startswith("ics-summit-2025-example.org-")
        assert ("2025-12-04/2025-12-05", "Annual summit", "Two days in Delhi") == (
            summit.when.edtf,
            summit.title,
            summit.summary,
        )
        assert ("meeting.summit", ("india",), "New Delhi") == (
            summit.kind,
            summit.tags,
            summit.location,
        )
        assert ["https://example.org/summit"] == [s.url for s in summit.sources]
        [vote] = [e for e in tl.events() if e.title == "Council vote"]
        assert "treaty.signed" == vote.kind  # no kind among its categories: --kind
        assert timeline.Modality.NEGATED == vote.modality
        # A timed interval's EDTF is its day interval; the instants are start and end.
        assert "2025-12-10/2025-12-10" == vote.when.edtf
        assert ("15:00+0300", "17:00+0300") == (
            f"{vote.when.start:%H:%M%z}",
            f"{vote.when.end:%H:%M%z}",
        )
        assert vote.id.startswith("ics-1234-5678-")  # '{' and ' ' are no id characters

    def test_stable_ids(self):
        """The same calendar imported twice names the same events (re-import adds nothing)."""
        first, second = make_timeline(), make_timeline()
        import_ics(first, FOREIGN_ICS, kind="treaty.signed")
        import_ics(second, FOREIGN_ICS, kind="treaty.signed")
        assert sorted(e.id for e in first.events()) == sorted(e.id for e in second.events())
        head = first.head()
        report = import_ics(first, FOREIGN_ICS, kind="treaty.signed")
        assert (0, 2, 0, ()) == (report.recorded, report.present, report.amended, report.problems)
        assert head == first.head()

    def test_updated_calendar_amends(self):
        """Re-importing an updated calendar amends the changed VEVENTs, adds the new ones."""
        tl = make_timeline()
        import_ics(tl, FOREIGN_ICS, kind="treaty.signed")
        summit = timeline_ics.event_id_of_uid("summit-2025@example.org")
        updated = FOREIGN_ICS.replace("SUMMARY:Annual summit", "SUMMARY:Annual summit (moved)")
        updated = updated.replace("DTSTART;VALUE=DATE:20251204", "DTSTART;VALUE=DATE:20251205")
        extra = (
            "BEGIN:VEVENT\r\nUID:extra-1@example.org\r\nDTSTAMP:20251101T000000Z\r\n"
            "DTSTART;VALUE=DATE:20251220\r\nSUMMARY:Extra\r\nEND:VEVENT\r\n"
        )
        updated = updated.replace("END:VCALENDAR", extra + "END:VCALENDAR")
        report = import_ics(tl, updated, kind="treaty.signed")
        assert (1, 1, 1) == (report.recorded, report.present, report.amended)
        event = tl.get(summit)
        assert ("Annual summit (moved)", "2025-12-05", 2) == (
            event.title,
            event.when.edtf,
            tl.version(summit),
        )
        assert {"title", "when"} == set(tl.history(summit)[-1].payload.changes)
        assert 3 == len(tl)
        assert tl.verify().ok

    def test_own_export_round_trip(self):
        """An export of this library reads back: ids, kinds, dates, text, sources, modality."""
        source = make_timeline(
            {
                "id": "visit-delhi",
                "kind": "visit.state",
                "when": "2025-12-04/2025-12-05",
                "title": "Putin visits India",
                "summary": "State visit",
                "location": "New Delhi",
                "sources": ["https://e.com/visit"],
                "tags": ["summit"],
                "modality": "planned",
            },
            {"id": "relos-signed", "kind": "treaty.signed", "when": "2025-02-18", "title": "RELOS"},
        )
        target = make_timeline()
        assert 2 == import_ics(target, export(source, modalities="all")).recorded

        def carried(e: timeline.Event) -> tuple[Any, ...]:
            urls = [s.url for s in e.sources]
            return (e.id, e.kind, e.when.edtf, e.title, e.summary, e.location, urls, e.tags,
                    e.modality)  # fmt: skip

        assert sorted(map(carried, source.events())) == sorted(map(carried, target.events()))

    def test_event_id_of_uid(self):
        """Own UIDs give the id back; others a prefixed id, with a hash when they hold odd ones."""
        assert "relos" == timeline_ics.event_id_of_uid("relos@geotimeline")
        assert "ics-a1.x" == timeline_ics.event_id_of_uid("a1.x")
        assert timeline_ics.event_id_of_uid("a b") != timeline_ics.event_id_of_uid("a@b")
        assert timeline_ics.event_id_of_uid("a b") == timeline_ics.event_id_of_uid("a b")


class TestIcsImporterContract(ImporterContract):
    def make_importer(self):
        return timeline_ics.IcsImporter()

    def invalid_file(self):
        good = FOREIGN_ICS.split("BEGIN:VEVENT\r\n")[1]
        bad = "UID:no-date\r\nSUMMARY:No date\r\nEND:VEVENT\r\n"
        body = "BEGIN:VEVENT\r\n" + good + "BEGIN:VEVENT\r\n" + bad
        text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + body + "END:VCALENDAR\r\n"
        return text.encode("utf-8"), [15]


class TestHead:
    def test_calendar_names_the_log_head(self):
        """X-GEOTIMELINE-HEAD is the head (SEQ:HASH) of the timeline or view exported."""
        tl = timeline.datasets.load("relos")
        for source in (tl, tl.as_of(seq=5)):
            calendar = icalendar.Calendar.from_ical(export(source, modalities="all"))
            assert str(source.head()) == str(calendar["X-GEOTIMELINE-HEAD"])
        assert timeline.LogHead.parse(str(calendar["X-GEOTIMELINE-HEAD"])).seq == 5


ZONED = {
    "id": "talks-zoned",
    "kind": "meeting.summit",
    "when": "2025-12-05T10:00 Asia/Kolkata",
    "title": "Talks in New Delhi time",
    "actors": ["RUS", "IND"],
}


class TestZonesInstantsUidsAndTimes:
    def test_zoned_event_is_written_in_its_zone(self, parser):
        """A timed event given with a zone keeps it: TZID and one VTIMEZONE before it."""
        data = export(make_timeline(ZONED, dict(ZONED, id="second")))
        assert b"DTSTART;TZID=Asia/Kolkata:20251205T100000\r\n" in data
        assert 1 == data.count(b"BEGIN:VTIMEZONE")
        assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
        start = by_uid(data, parser)["talks-zoned@geotimeline"]["start"]
        assert dt.datetime(2025, 12, 5, 4, 30, tzinfo=UTC) == start

    def test_zone_survives_the_log(self, tmp_path):
        """Reopened from SQLite (which keeps the offset), the zone comes from the phrase."""
        path = tmp_path / "zoned.db"
        with timeline.open(path) as tl:
            tl.record(**ZONED)
        with timeline.open(path) as tl:
            assert b"TZID=Asia/Kolkata" in export(tl)

    def test_offset_only_stays_utc(self):
        """An offset without a zone name has no VTIMEZONE: it is written in UTC."""
        data = export(make_timeline(TIMED))
        assert b"VTIMEZONE" not in data
        assert b"DTSTART:20251205T043000Z\r\n" in data

    def test_instant_has_an_explicit_duration(self):
        """A timed instant gets DURATION (0 by default, instant_minutes to choose)."""
        assert b"DURATION:P0D\r\n" in export(make_timeline(TIMED))  # zero length, explicit
        assert b"DURATION:PT45M\r\n" in export(make_timeline(TIMED), instant_minutes=45)
        with pytest.raises(timeline.InvalidOption, match="instant_minutes"):
            export(make_timeline(TIMED), instant_minutes=-5)

    def test_uid_domain_is_configurable(self):
        """Two logs with the same event id do not clash when each has its own domain."""
        data = export(make_timeline(VISIT), uid_domain="relos.example.org")
        assert b"UID:visit-2025@relos.example.org\r\n" in data
        assert "visit-2025@other.example" == timeline_ics.event_uid("visit-2025", "other.example")
        with pytest.raises(timeline.InvalidOption, match="uid_domain"):
            export(make_timeline(VISIT), uid_domain="bad domain")

    def test_created_and_last_modified_from_the_log(self):
        """CREATED is the first record's time, LAST-MODIFIED the last revision's."""
        start = dt.datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
        tl = make_timeline(VISIT, start=start)
        tl.amend("visit-2025", reason="typo", title="Putin's state visit")
        event = icalendar.Calendar.from_ical(export(tl)).walk("VEVENT")[0]
        created, modified = event.decoded("created"), event.decoded("last-modified")
        assert created < modified
        assert modified == event.decoded("dtstamp")
        assert created == tl.history("visit-2025")[0].recorded_at
