"""The ``timelinejs`` exporter (plugins/timeline_html): TimelineJS 3 JSON, golden per precision.

The golden files in ``tests/golden/timelinejs/`` were written by this exporter
and checked by hand against Knight Lab's JSON format; rewrite them after an
intended change with ``GOLDEN_UPDATE=1 pytest tests/test_plugin_timelinejs.py``.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

import timeline
import timeline_html
from timeline.testing import ExporterContract, FixedClock

GOLDEN = Path(__file__).parent / "golden" / "timelinejs"
SOURCE = {"url": "https://tass.com/politics/2052369", "publisher": "TASS", "title": "Duma & <co>"}

#: One event per precision (and qualifier) the format has to render differently.
PRECISIONS = {
    "day": "2025-12-02",
    "day_span": "2025-12-04/2025-12-05",
    "day_approximate": "2025-12-04~",
    "minute": "2025-12-05T10:00+05:30",
    "minute_interval": "2025-12-05T10:00+05:30/2025-12-05T12:00+05:30",
    "part_of_month": "early December 2025",
    "month": "2025-12",
    "month_uncertain": "2025-12?",
    "season": "2024-22",
    "year": "2024",
    "year_approximate": "2019~",
    "interval_fuzzy": "2019~/2024-06",
    "interval_uncertain_days": "2025-12-08?/2025-12-10?",
    "decade": "202X",
    "open_end": "2022/..",
    "open_start": "../2024-06",
}


def make_timeline(*events: dict[str, Any]) -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    if events:
        tl.record_many(list(events))
    return tl


def export(tl: Any, **options: Any) -> Any:
    out = io.BytesIO()
    tl.export("timelinejs", out, **options)
    return json.loads(out.getvalue())


def event(when: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "e1",
        "kind": "treaty.ratified",
        "when": when,
        "title": "State Duma ratifies <RELOS>",
        "summary": "Vote & approval",
        "actors": ["RUS"],
        "sources": [SOURCE],
        "treaty": "RELOS",
        **fields,
    }


def check_golden(name: str, doc: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("GOLDEN_UPDATE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == doc


class TestTimelineJsContract(ExporterContract):
    """The shared exporter contract."""

    def make_exporter(self) -> timeline.Exporter:
        return timeline_html.TimelineJsExporter()


class TestGolden:
    """Each precision against its golden file."""

    @pytest.mark.parametrize("name", sorted(PRECISIONS))
    def test_precision(self, name: str) -> None:
        """The whole document for one event of that precision."""
        check_golden(name, export(make_timeline(event(PRECISIONS[name]))))

    def test_life_cycle_era_and_modalities(self) -> None:
        """A signed and in-force treaty is an era; planned steps are prefixed; title slide."""
        tl = make_timeline(
            event("2025-02-18", id="signed", kind="treaty.signed", title="RELOS signed"),
            event("2026-01-12", id="eif", kind="treaty.entered_into_force", title="In force"),
            event("2026-03-10", id="ex", kind="exercise.joint", title="Drill", treaty=None)
            | {"modality": "planned"},
        )
        check_golden("lifecycle", export(tl, title="RELOS"))


class TestSlides:
    """Rules every slide follows."""

    def test_only_the_parts_the_date_has(self) -> None:
        """A month has no day (TimelineJS would show "1 December"), a year no month."""
        [month] = export(make_timeline(event("2025-12")))["events"]
        assert {"year": 2025, "month": 12} == month["start_date"]
        [year] = export(make_timeline(event("2024")))["events"]
        assert {"year": 2024} == year["start_date"]

    def test_timed_in_utc_with_display(self) -> None:
        """10:00 in New Delhi: parts in UTC, and the display says UTC and the time as recorded."""
        [slide] = export(make_timeline(event("2025-12-05T10:00+05:30")))["events"]
        assert {"year": 2025, "month": 12, "day": 5, "hour": 4, "minute": 30} == slide["start_date"]
        assert "2025-12-05 04:30 UTC (10:00 UTC+05:30)" == slide["display_date"]

    def test_open_start_is_skipped_and_reported(self) -> None:
        """TimelineJS cannot place ../2024-06: it is listed as skipped, and not counted."""
        tl = make_timeline(event("../2024-06"), event("2025-12-02", id="e2"))
        out = io.BytesIO()
        assert 1 == tl.export("timelinejs", out).written
        doc = json.loads(out.getvalue())
        assert ["e2"] == [s["unique_id"] for s in doc["events"]]
        assert ["e1"] == [s["unique_id"] for s in doc["geotimeline"]["skipped"]]

    def test_years_beyond_the_dates_are_skipped_and_reported(self) -> None:
        """-0999 and Y170000002 are not placed at 0001 or 9999: listed as skipped."""
        tl = make_timeline(
            event("-0999"), event("Y170000002", id="e2"), event("2025-12-02", id="e3")
        )
        out = io.BytesIO()
        assert 1 == tl.export("timelinejs", out).written
        doc = json.loads(out.getvalue())
        assert ["e3"] == [s["unique_id"] for s in doc["events"]]
        assert ["e1", "e2"] == [s["unique_id"] for s in doc["geotimeline"]["skipped"]]

    def test_escaped_text_and_source_links_no_media(self) -> None:
        """Headline and text are escaped; sources are noopener links; no media, no autolink."""
        [slide] = export(make_timeline(event("2025-12-02")))["events"]
        assert "State Duma ratifies &lt;RELOS&gt;" == slide["text"]["headline"]
        assert "<p>Vote &amp; approval</p>" in slide["text"]["text"]
        assert (
            '<a href="https://tass.com/politics/2052369" rel="noopener noreferrer" '
            'target="_blank">TASS - Duma &amp; &lt;co&gt;</a>'
        ) in slide["text"]["text"]
        assert "media" not in slide
        assert slide["autolink"] is False

    def test_groups(self) -> None:
        """group_by: treaty (default), kind family, or none."""
        tl = make_timeline(event("2025-12-02"))
        assert "RELOS" == export(tl)["events"][0]["group"]
        assert "treaty" == export(tl, group_by="kind")["events"][0]["group"]
        assert "group" not in export(tl, group_by="none")["events"][0]

    def test_hypothetical_on_request_retracted_marked(self) -> None:
        """Hypothetical events need modalities=all; retracted ones need include_retracted."""
        tl = make_timeline(event("2027", modality="hypothetical"), event("2025-12-02", id="e2"))
        assert ["e2"] == [s["unique_id"] for s in export(tl)["events"]]
        assert 2 == len(export(tl, modalities="all")["events"])
        tl.retract("e2", reason="duplicate")
        assert [] == export(tl)["events"]
        [slide] = export(tl, include_retracted=True)["events"]
        assert slide["text"]["headline"].startswith("[retracted] ")

    def test_warns_beyond_a_story(self) -> None:
        """More than 50 slides: a warning that points at the filters and the html exporter."""
        tl = make_timeline(*(event(f"2025-01-{d:02d}", id=f"e{d}") for d in range(1, 32)))
        tl.record_many([event(f"2025-02-{d:02d}", id=f"f{d}") for d in range(1, 29)])
        with pytest.warns(timeline_html.TooManySlidesWarning, match="html exporter"):
            assert 59 == len(export(tl)["events"])

    def test_deterministic(self) -> None:
        """Same log, same bytes; events in date order whatever the recording order."""
        events = [event(PRECISIONS[n], id=n.replace("_", "-")) for n in sorted(PRECISIONS)]
        a, b = io.BytesIO(), io.BytesIO()
        make_timeline(*events).export("timelinejs", a)
        make_timeline(*reversed(events)).export("timelinejs", b)
        doc_a, doc_b = json.loads(a.getvalue()), json.loads(b.getvalue())
        assert doc_a["events"] == doc_b["events"]
        c = io.BytesIO()
        make_timeline(*events).export("timelinejs", c)
        assert a.getvalue() == c.getvalue()
