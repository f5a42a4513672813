"""Tests for timeline-hello: the shared exporter contract, plus what is special here."""

from __future__ import annotations

import io

from timeline_hello import BILATERAL, AgendaExporter

from timeline.testing import ExporterContract


class TestAgendaExporter(ExporterContract):
    def make_exporter(self) -> AgendaExporter:
        return AgendaExporter()

    def test_heading_option(self, memory_timeline) -> None:
        """The heading option replaces the first line."""
        out = io.StringIO()
        AgendaExporter().export(memory_timeline, out, heading="Week 12")
        assert out.getvalue() == "Week 12\n"


def test_kind_is_registered(register_plugin, timeline_factory) -> None:
    """With the plugin registered, a timeline accepts meeting.bilateral events."""
    import timeline_hello

    with register_plugin(timeline_hello, "hello"):
        tl = timeline_factory()
        event = tl.record(kind=BILATERAL.name, when="2025-07-01", title="Talks")
        assert tl.get(event.id).kind == "meeting.bilateral"
