"""The public reading interface (timeline._reading): TimelineReader and the one filter table."""

from __future__ import annotations

import inspect
import typing

import click
import pytest

import timeline
from timeline._reading import FILTERS, Filters
from timeline.cli import _common as common
from timeline.testing import FixedClock

SIGNED = {"kind": "treaty.signed", "when": "2025-02-18", "title": "RELOS signed", "actors": ["RUS"]}


@pytest.fixture
def tl() -> timeline.Timeline:
    tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
    tl.record(**SIGNED)
    return tl


class TestTimelineReader:
    def test_timeline_and_views_satisfy_it(self, tl: timeline.Timeline) -> None:
        """A Timeline and its as_of views are TimelineReaders; only the Timeline is a writer."""
        view = tl.as_of(1)
        assert (True, True) == (
            isinstance(tl, timeline.TimelineReader),
            isinstance(view, timeline.TimelineReader),
        )
        assert (True, False) == (
            isinstance(tl, timeline.TimelineWriter),
            isinstance(view, timeline.TimelineWriter),
        )

    def test_view_has_the_store(self, tl: timeline.Timeline) -> None:
        """``view.store`` is the timeline's store (the jsonl exporter reads raw records there)."""
        assert tl.store is tl.as_of(0).store

    def test_exporters_and_analyses_get_a_reader(self, tl: timeline.Timeline) -> None:
        """What ``write`` and ``run`` are handed is a TimelineReader (an as_of view for as_of)."""
        seen: list[object] = []

        class Probe(timeline.Analysis):
            def run(self, view, where, **options):  # type: ignore[no-untyped-def]
                seen.append(view)
                return len(view.records(where))

        probe = Probe(name="probe", description="counts")
        assert (1, 0) == (tl.analyze(probe), tl.analyze(probe, as_of=0))
        assert all(isinstance(v, timeline.TimelineReader) for v in seen)
        assert (tl, 0) == (seen[0], typing.cast(timeline.TimelineView, seen[1]).seq)


class TestOneFilterTable:
    def test_typed_dict_matches_the_table(self) -> None:
        """``Filters`` (the types) and ``FILTERS`` (the help) name the same filters, in order."""
        assert list(FILTERS) == list(Filters.__annotations__) == list(timeline.FILTER_NAMES)

    def test_event_filter_covers_the_table(self) -> None:
        """Every filter ends in EventFilter (``between`` as its start and end)."""
        fields = set(timeline.EventFilter.__struct_fields__)
        assert {"start", "end"} | (set(FILTERS) - {"between"}) == fields

    def test_cli_flags_come_from_the_table(self) -> None:
        """The CLI's filter flags are the table's, with the table's help."""

        @click.command()
        @common.filter_options
        def probe(**params: object) -> None:
            """Probe."""

        helps = {p.name: p.help for p in probe.params}
        assert {"actor", "kind", "tag", "treaty", "include_retracted"} <= set(helps)
        assert FILTERS["actor"].help == helps["actor"]
        assert {"start", "end", "as_of"} <= set(helps)

    def test_unknown_filter_is_refused(self, tl: timeline.Timeline) -> None:
        """A misspelt filter is an InvalidEvent naming it, not silently ignored."""
        with pytest.raises(timeline.InvalidEvent, match=r"'actr'.*a filter: one of"):
            tl.events(actr="RUS")  # type: ignore[call-arg]

    def test_events_and_filter_take_the_table(self, tl: timeline.Timeline) -> None:
        """``events`` and ``filter`` take every filter of the table by keyword."""
        for method in (tl.events, tl.filter):
            params = inspect.signature(method).parameters
            assert ["filters"] == list(params)
        assert 1 == len(tl.events(actor="RUS", kind="treaty.*", between=("2025", None)))
