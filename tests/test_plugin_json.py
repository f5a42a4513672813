"""The ``json`` / ``jsonl`` exporters and the ``jsonl`` importer (plugins/timeline_json)."""

# The team writes ``assert expected == actual`` (style.md), which SIM300 calls Yoda.

from __future__ import annotations

import ast
import io
import json
from pathlib import Path
from typing import Any

import pytest

import timeline
import timeline_json
from timeline.testing import ExporterContract, FixedClock, ImporterContract

DUMA = {
    "id": "duma",
    "kind": "treaty.ratified",
    "when": "2025-12-02",
    "title": "State Duma ratifies RELOS — Госдума",
    "actors": ["RUS", {"country": "RUS", "role": "party", "sector": "LEG"}],
    "sources": [{"url": "https://tass.com/x", "publisher": "TASS", "published": "2025-12-02"}],
    "tags": ["logistics"],
    "treaty": "RELOS",
    "attributes": {"vote": 412},
}
WEEKEND = {
    "id": "weekend",
    "kind": "document.published",
    "when": timeline.When.parse("over the weekend", anchor="2024-06-24"),
    "title": "Sputnik reports the draft approval",
}
TIMED = {
    "id": "talks",
    "kind": "meeting.summit",
    "when": "2025-12-05T14:30+05:30",
    "title": "Talks",
    "modality": "planned",
}


def make_timeline(*events: Any) -> timeline.Timeline:
    """Return an in-memory timeline with a fixed clock holding ``events``."""
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    if events:
        tl.record_many(list(events))
    return tl


def export(exporter: timeline.Exporter, tl: Any, **options: Any) -> bytes:
    """Export to memory and return the bytes."""
    out = io.BytesIO()
    exporter.export(tl, out, **options)
    return out.getvalue()


def import_bytes(tl: Any, data: bytes, **options: Any) -> Any:
    """Import JSON Lines bytes with the jsonl importer."""
    return timeline_json.JsonlImporter().import_into(tl, io.BytesIO(data), **options)


class TestJsonExporter:
    def test_document_shape(self):
        """The output is one JSON document ``{"events": [...]}`` with every field."""
        doc = json.loads(export(timeline_json.JsonExporter(), make_timeline(DUMA, WEEKEND)))
        assert ["events"] == list(doc)
        assert ["weekend", "duma"] == [e["id"] for e in doc["events"]]
        duma = doc["events"][1]
        assert {
            "id",
            "kind",
            "when",
            "title",
            "summary",
            "actors",
            "location",
            "sources",
            "tags",
            "treaty",
            "related",
            "modality",
            "attributes",
        } == set(duma)
        assert ("2025-12-02", "day", {"vote": 412}) == (
            duma["when"]["edtf"],
            duma["when"]["precision"],
            duma["attributes"],
        )

    def test_empty(self):
        """An empty timeline is ``{"events":[]}``."""
        assert {"events": []} == json.loads(export(timeline_json.JsonExporter(), make_timeline()))

    def test_one_event_per_line(self):
        """Each event is on its own line, so the file streams and diffs line by line."""
        lines = export(timeline_json.JsonExporter(), make_timeline(DUMA, WEEKEND)).splitlines()
        assert (b'{"events":[', b"]}") == (lines[0], lines[-1])
        assert 4 == len(lines)

    def test_non_latin_is_utf8(self):
        """Non-Latin text is written as UTF-8, not escaped."""
        data = export(timeline_json.JsonExporter(), make_timeline(DUMA))
        assert "Госдума".encode() in data

    def test_filters(self):
        """The common filters apply (here: a kind)."""
        doc = json.loads(
            export(timeline_json.JsonExporter(), make_timeline(DUMA, WEEKEND), kind="treaty.*")
        )
        assert ["duma"] == [e["id"] for e in doc["events"]]


class TestJsonlExporter:
    def test_raw_records(self):
        """Each line is a log record as stored: seq, stream, version, type, payload, hash."""
        tl = make_timeline(DUMA, WEEKEND)
        tl.amend("duma", reason="typo", title="State Duma ratifies RELOS")
        tl.retract("weekend", reason="duplicate")
        data = export(timeline_json.JsonlExporter(), tl)
        records = [json.loads(line) for line in data.splitlines()]
        assert [1, 2, 3, 4] == [r["seq"] for r in records]
        assert ["recorded", "recorded", "amended", "retracted"] == [r["type"] for r in records]
        assert [r.hash for r in tl.store.read_raw()] == [r["hash"] for r in records]
        assert "typo" == records[2]["payload"]["reason"]

    def test_export_is_a_verifiable_log(self, tmp_path):
        """An unfiltered export opens as a JSON Lines log whose hash chain verifies."""
        tl = make_timeline(DUMA, WEEKEND)
        tl.amend("duma", reason="typo", title="Duma ratifies")
        tl.retract("weekend", reason="duplicate")
        path = tmp_path / "copy.jsonl"
        timeline_json.JsonlExporter().export(tl, path)
        with timeline.open(path) as copy:
            assert copy.verify().ok
            assert (tl.events(), tl.history("duma")) == (copy.events(), copy.history("duma"))
            assert copy.is_retracted("weekend")

    def test_filters_select_streams(self):
        """A filter keeps every record of the matching events and no other."""
        tl = make_timeline(DUMA, WEEKEND)
        tl.amend("duma", reason="typo", title="Duma ratifies")
        data = export(timeline_json.JsonlExporter(), tl, actor="RUS")
        header, *lines = data.splitlines()
        assert {"geotimeline_export": {"head": str(tl.head())}} == json.loads(header)
        assert [("duma", 1), ("duma", 2)] == [
            (r["stream"], r["version"]) for r in map(json.loads, lines)
        ]

    def test_as_of(self):
        """``as_of`` stops at that seq."""
        tl = make_timeline(DUMA)
        tl.amend("duma", reason="typo", title="Duma ratifies")
        data = export(timeline_json.JsonlExporter(), tl, as_of=1)
        assert [1] == [json.loads(line)["seq"] for line in data.splitlines()]

    def test_retracted_left_out_on_request(self):
        """``include_retracted=False`` drops the records of retracted events."""
        tl = make_timeline(DUMA, WEEKEND)
        tl.retract("weekend", reason="duplicate")
        data = export(timeline_json.JsonlExporter(), tl, include_retracted=False)
        assert {"duma"} == {json.loads(line)["stream"] for line in data.splitlines()[1:]}

    def test_export_records_the_head(self, tmp_path):
        """A whole export ends with the head; a filtered one names it and still imports."""
        tl = make_timeline(DUMA, WEEKEND)
        tl.amend("duma", reason="typo", title="Duma ratifies")
        whole = export(timeline_json.JsonlExporter(), tl).splitlines()
        last = json.loads(whole[-1])
        assert str(tl.head()) == f"{last['seq']}:{last['hash']}"
        filtered = export(timeline_json.JsonlExporter(), tl, actor="RUS")
        assert timeline.verify(
            _write(tmp_path / "copy.jsonl", b"\n".join(whole) + b"\n"),
            expect=json.loads(filtered.splitlines()[0])["geotimeline_export"]["head"],
        ).ok
        target = make_timeline()
        assert 1 == import_bytes(target, filtered).recorded
        assert "Duma ratifies" == target.get("duma").title


class TestJsonlImporter:
    def test_round_trip_from_json_export(self):
        """A json export imports back as the same events (ids kept)."""
        source = make_timeline(DUMA, WEEKEND, TIMED)
        target = make_timeline()
        report = import_bytes(target, export(timeline_json.JsonExporter(), source))
        assert 3 == report.recorded
        assert source.events() == target.events()

    def test_event_lines(self):
        """JSON Lines of event objects, ``when`` as text or as the exported object."""
        exported = timeline_json.event_object(make_timeline(WEEKEND).get("weekend"))
        data = (
            json.dumps(exported)
            + "\n\n"
            + json.dumps({"kind": "treaty.signed", "when": "2025-02-18", "title": "S"})
            + "\n"
        ).encode()
        tl = make_timeline()
        assert 2 == import_bytes(tl, data).recorded
        assert WEEKEND["when"] == tl.get("weekend").when

    def test_problems_have_line_numbers(self):
        """Bad lines are reported with their number and field; nothing is recorded."""
        data = b"\n".join(
            [
                b'{"kind": "treaty.signed", "when": "2025-02-18", "title": "Good"}',
                b"not json",
                b"[1, 2]",
                b'{"kind": "treaty.signed", "when": "2025-13-01", "title": "Bad date"}',
                b'{"kind": "treaty.signed", "when": {"phrase": "x"}, "title": "No edtf"}',
                b'{"kind": "treaty.signed", "when": "2025-02-18", "title": "T", "colour": "red"}',
                b'{"seq": 1, "stream": "x", "payload": {}}',
            ]
        )
        tl = make_timeline()
        with pytest.raises(timeline.ImportFailed) as caught:
            import_bytes(tl, data)
        assert [
            (2, "row"),
            (3, "row"),
            (4, "when"),
            (5, "when"),
            (6, "colour"),
            (7, "version"),
        ] == [(p.line, p.field) for p in caught.value.problems]
        assert (0, 0) == (len(tl), tl.seq)

    def test_jsonl_export_round_trips(self):
        """``export jsonl`` -> ``import jsonl``: the latest version of each live event."""
        source = make_timeline(DUMA, WEEKEND, TIMED)
        source.amend(DUMA["id"], reason="more precise", title="State Duma ratifies the pact")
        source.retract(TIMED["id"], reason="did not happen")
        data = export(timeline_json.JsonlExporter(), source)
        target = make_timeline()
        report = import_bytes(target, data)
        assert 2 == report.recorded
        assert source.events() == target.events()

    @pytest.mark.parametrize(
        ("record", "field"),
        [
            ({"stream": "", "version": 1, "type": "recorded", "payload": {}}, "stream"),
            ({"stream": "x", "version": "1", "type": "recorded", "payload": {}}, "version"),
            ({"stream": "x", "version": 1, "type": "deleted", "payload": {}}, "type"),
            ({"stream": "x", "version": 1, "type": "amended", "payload": {}}, "payload"),
        ],
    )
    def test_malformed_record_reported(self, record, field):
        """A malformed log record is a problem on its line, naming the field at fault."""
        with pytest.raises(timeline.ImportFailed) as caught:
            import_bytes(make_timeline(), json.dumps(record).encode())
        assert [(1, field)] == [(p.line, p.field) for p in caught.value.problems]

    def test_skip_invalid(self):
        """``skip_invalid`` records the good lines."""
        data = b'{"kind": "treaty.signed", "when": "2025-02-18", "title": "Good"}\nnope\n'
        tl = make_timeline()
        report = import_bytes(tl, data, skip_invalid=True)
        assert (1, [2]) == (report.recorded, [p.line for p in report.problems])

    def test_mismatched_phrase(self):
        """A ``when`` object whose phrase reads as another date is refused."""
        when = {"edtf": "2025-11", "phrase": "early December 2025"}
        line = json.dumps({"kind": "treaty.signed", "when": when, "title": "T"}).encode()
        with pytest.raises(timeline.ImportFailed, match="reads as"):
            import_bytes(make_timeline(), line)

    def test_byte_order_mark(self):
        """A UTF-8 byte order mark is ignored."""
        data = b'\xef\xbb\xbf{"kind": "treaty.signed", "when": "2025-02-18", "title": "T"}\n'
        assert 1 == import_bytes(make_timeline(), data).recorded

    def test_one_line_document(self):
        """A whole ``{"events": [...]}`` document on one line is read too."""
        data = json.dumps(
            {"events": [{"kind": "treaty.signed", "when": "2025-02-18", "title": "T"}]}
        ).encode()
        assert 1 == import_bytes(make_timeline(), data).recorded


class TestIndependence:
    def test_imports_no_other_plugin(self):
        """The json plugin imports only timeline's public API, never another plugin."""
        package = Path(timeline_json.__file__).parent
        imported = set()
        for path in package.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
        assert set() == {name for name in imported if name.startswith("timeline_")}


class TestThroughPluginHost:
    def test_by_name(self, timeline_factory, tmp_path):
        """``json``, ``jsonl`` exporters and the ``jsonl`` importer are found by name."""
        source = timeline_factory([DUMA, WEEKEND])
        doc, log = tmp_path / "events.json", tmp_path / "log.jsonl"
        assert (2, 2) == (source.export("json", doc).written, source.export("jsonl", log).written)
        target = timeline_factory()
        target.import_file("jsonl", doc)
        assert source.events() == target.events()


class TestJsonContract(ExporterContract):
    def make_exporter(self):
        return timeline_json.JsonExporter()


class TestJsonlContract(ExporterContract):
    def make_exporter(self):
        return timeline_json.JsonlExporter()


class TestJsonlImporterContract(ImporterContract):
    def make_importer(self):
        return timeline_json.JsonlImporter()

    def make_exporter(self):
        return timeline_json.JsonExporter()

    def invalid_file(self):
        return (
            '{"id": "a", "kind": "treaty.signed", "when": "2025-02-18", "title": "Good"}\n'
            '{"id": "b", "kind": "treaty.signed", "when": "never", "title": "Bad"}\n'
            '{"id": "c", "kind": "visit.state", "when": "2025-12-04", "title": "Good"}\n'
            "{broken\n"
        ), [2, 4]


def _write(path, data):
    path.write_bytes(data)
    return path
