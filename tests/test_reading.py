"""The public reading interface (timeline._reading): TimelineReader and the one filter table."""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path

import click
import pytest

import timeline
from timeline._reading import FILTERS, Filters, SearchFilter
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
        """Every filter ends in EventFilter (``between`` as its start and end), but ``text``,
        which the search index answers: it ends in the ``SearchFilter`` beside it."""
        fields = set(timeline.EventFilter.__struct_fields__)
        assert {"start", "end"} | (set(FILTERS) - {"between", "text"}) == fields
        wider = set(SearchFilter.__struct_fields__) - fields
        assert {"text", "treaties"} == wider

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


def _import_graph(root: Path) -> dict[str, set[str]]:
    """Map each module of the package to the package modules it imports (all imports, lazy and
    ``TYPE_CHECKING`` ones included)."""

    def name_of(path: Path) -> str:
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    modules = {name_of(p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = (
                    ".".join([*base, node.module or ""]).strip(".")
                    if node.level
                    else str(node.module)
                )
                for alias in node.names:
                    dep = (
                        f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target
                    )
                    deps.add(dep)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """Return one import cycle of the graph (empty when there is none)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


class TestImportGraph:
    def test_no_import_cycle(self) -> None:
        """No module of the library imports itself back, even for type checking only.

        Before the reading protocol, _extensions -> _timeline -> _plugins -> _extensions
        (with hookspecs) was a circle: the plugin base classes named the private _Reader.
        """
        graph = _import_graph(Path(timeline.__file__).parent)
        assert "timeline._timeline" not in graph["timeline._extensions"]
        assert [] == _cycle(graph)

    def test_cycle_finder_finds_one(self) -> None:
        """The finder is not vacuous: it reports a planted circle."""
        assert ["a", "b", "a"] == _cycle({"a": {"b"}, "b": {"a"}, "c": set()})
