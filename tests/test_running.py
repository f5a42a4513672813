"""Running exporters, importers and analyses (timeline._running): errors name the plugin."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

import attrs
import click
import pytest
from click.testing import CliRunner

import timeline
from timeline._plugins import PluginHost
from timeline.cli import CliState, cli
from timeline.hookspecs import hookimpl
from timeline.testing import FixedClock

SIGNED = {"kind": "treaty.signed", "when": "2025-02-18", "title": "RELOS signed", "actors": ["RUS"]}


@attrs.frozen(kw_only=True)
class BadExporter(timeline.Exporter):
    """Raises a plain bug half way through."""

    name: str = "bad"
    description: str = "fails"

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        stream.write("half")
        raise ZeroDivisionError("division by zero in write")


@attrs.frozen(kw_only=True)
class BadImporter(timeline.Importer):
    """Raises a plain bug on the first row."""

    name: str = "bad"
    description: str = "fails"

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Any]:
        raise KeyError("column")


@attrs.frozen(kw_only=True)
class BadAnalysis(timeline.Analysis):
    """Raises a plain bug."""

    name: str = "bad"
    description: str = "fails"

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> Any:
        return 1 / 0

    def table(self, result: Any) -> tuple[list[str], list[list[Any]]]:
        return ["n"], [[result]]


@click.command()
def explode() -> None:
    """Fail with a bug."""
    raise ValueError("the plugin's own bug")


class BadPlugin:
    @hookimpl
    def timeline_register_exporters(self, register: Any) -> None:
        register(BadExporter())

    @hookimpl
    def timeline_register_importers(self, register: Any) -> None:
        register(BadImporter())

    @hookimpl
    def timeline_register_analyses(self, register: Any) -> None:
        register(BadAnalysis())

    @hookimpl
    def timeline_register_commands(self, register: Any) -> None:
        register(explode)


@pytest.fixture
def host() -> PluginHost:
    host = PluginHost(strict=True, distributions={"geotimeline"}, env={})
    host.register(BadPlugin(), "badplugin")
    return host


@pytest.fixture
def tl(host: PluginHost) -> timeline.Timeline:
    tl = timeline.Timeline(
        timeline.MemoryStore(), plugins=host, clock=FixedClock(), snapshot_every=0
    )
    tl.record(**SIGNED)
    return tl


class TestPluginFailuresNameThePlugin:
    def test_exporter(self, tl: timeline.Timeline, tmp_path: Any) -> None:
        """A bug in write is a PluginError naming exporter and plugin; no file is left."""
        with pytest.raises(timeline.PluginError) as info:
            tl.export("bad", tmp_path / "out.txt")
        expected = "exporter 'bad' of plugin 'badplugin' failed: ZeroDivisionError: division by"
        assert f"{expected} zero in write" == str(info.value)
        assert [] == list(tmp_path.iterdir())

    def test_importer(self, tl: timeline.Timeline) -> None:
        """A bug in read is a PluginError naming importer and plugin; nothing is recorded."""
        with pytest.raises(
            timeline.PluginError, match=r"importer 'bad' of plugin 'badplugin' failed: KeyError"
        ):
            tl.import_file("bad", io.StringIO("x"))
        assert 1 == len(tl)

    def test_analysis(self, tl: timeline.Timeline) -> None:
        """A bug in run is a PluginError naming the analysis and plugin."""
        with pytest.raises(
            timeline.PluginError, match=r"analysis 'bad' of plugin 'badplugin' failed: ZeroDivision"
        ):
            tl.analyze("bad")

    def test_unregistered_instance(self, tl: timeline.Timeline) -> None:
        """An exporter used directly (not registered) is named without a plugin."""
        with pytest.raises(
            timeline.PluginError, match=r"^exporter 'bad' failed: ZeroDivisionError"
        ):
            timeline.Timeline(timeline.MemoryStore()).export(BadExporter(), io.StringIO())

    def test_timeline_errors_pass_unchanged(self, tl: timeline.Timeline) -> None:
        """A TimelineError a plugin raises on purpose is not wrapped."""
        with pytest.raises(timeline.InvalidOption):
            tl.export("csv", io.StringIO(), dialect="nope")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["export", "bad"], "exporter 'bad' of plugin 'badplugin' failed: ZeroDivisionError"),
            (["import", "bad", "in.txt"], "importer 'bad' of plugin 'badplugin' failed: KeyError"),
            (["analyze", "bad"], "analysis 'bad' of plugin 'badplugin' failed: ZeroDivisionError"),
            (
                ["explode"],
                "command 'explode' of plugin 'badplugin' failed: ValueError: the plugin's own bug",
            ),
        ],
    )
    def test_cli_one_line(
        self, host: PluginHost, tmp_path: Any, monkeypatch: Any, args: list[str], message: str
    ) -> None:
        """On the command line each is one error line naming the plugin, never a traceback."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "in.txt").write_text("x\n", encoding="utf-8")
        obj = CliState(host=host, clock=FixedClock())
        assert 0 == CliRunner().invoke(cli, ["--db", "t.db", "init"], obj=obj).exit_code
        result = CliRunner().invoke(cli, ["--db", "t.db", *args], obj=obj)
        assert 1 == result.exit_code, result.output
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {message}")
        assert "Traceback" not in result.output


CALLS: list[str] = []


@attrs.frozen(kw_only=True)
class OldStyleExporter(timeline.Exporter):
    """A plugin written against 0.1: overrides export() to change a default."""

    name: str = "old"
    description: str = "titles, retracted included"

    def export(self, timeline: Any, dest: Any, **options: Any) -> int:
        CALLS.append("export")
        options.setdefault("include_retracted", True)
        return super().export(timeline, dest, **options)

    def write(
        self, view: Any, records: Iterable[timeline.Record], stream: IO[Any], **options: Any
    ) -> int:
        titles = [r.event.title for r in records if r.event is not None]
        stream.write("\n".join(titles))
        return len(titles)


@attrs.frozen(kw_only=True)
class OldStyleAnalysis(timeline.Analysis):
    """A 0.1 analysis overriding analyze() to fix a filter."""

    name: str = "oldcount"
    description: str = "counts RUS events"

    def analyze(self, timeline: Any, **options: Any) -> Any:
        CALLS.append("analyze")
        return super().analyze(timeline, actor="RUS", **options)

    def run(self, view: Any, where: Any, **options: Any) -> Any:
        return len(view.records(where))


@attrs.frozen(kw_only=True)
class OldStyleImporter(timeline.Importer):
    """A 0.1 importer overriding import_into() to force skip_invalid."""

    name: str = "oldlines"
    description: str = "one title per line"

    def import_into(self, timeline: Any, source: Any, **options: Any) -> Any:
        CALLS.append("import_into")
        return super().import_into(timeline, source, skip_invalid=True)

    def read(self, stream: IO[Any], **options: Any) -> Iterator[Any]:
        for number, line in enumerate(stream, start=1):
            yield number, {"kind": "treaty.signed", "when": "2025-01-01", "title": line.strip()}


class TestOldStyleOverrides:
    def test_analysis_and_importer_overrides(self, tl: timeline.Timeline) -> None:
        """analyze() and import_into() overrides also run once, with one DeprecationWarning."""
        with pytest.warns(DeprecationWarning, match=r"overriding Analysis\.analyze\(\)") as got:
            assert 1 == OldStyleAnalysis().analyze(tl)
        assert (1, ["analyze"]) == (len(got), CALLS)
        CALLS.clear()
        with pytest.warns(DeprecationWarning, match=r"Importer\.import_into\(\)") as got:
            report = tl.import_file(OldStyleImporter(), io.StringIO("a\nb\n"))
        assert (1, ["import_into"], 2) == (len(got), CALLS, report.recorded)
        CALLS.clear()

    def test_export_override_keeps_working_with_a_warning(self, tl: timeline.Timeline) -> None:
        """An export() override still runs (its default applies), with one DeprecationWarning."""
        event = tl.record(kind="treaty.signed", when="2025-03-01", title="Withdrawn")
        tl.retract(event.id, reason="wrong")
        for call in (
            lambda out: tl.export(OldStyleExporter(), out),
            lambda out: OldStyleExporter().export(tl, out),
        ):
            out = io.StringIO()
            with pytest.warns(
                DeprecationWarning,
                match=r"exporter 'old': overriding Exporter\.export\(\) is deprecated",
            ) as record:
                assert 2 == call(out).written
            assert 1 == len(record)
            assert "RELOS signed\nWithdrawn" == out.getvalue()
            assert ["export"] == CALLS  # the override ran once, whichever way it was called
            CALLS.clear()

    def test_declared_attribute_instead(self, tl: timeline.Timeline) -> None:
        """``includes_retracted = True`` is the declared way; ics and jsonl use it."""
        assert (True, True, False, False) == tuple(
            tl.plugins.exporter(name).includes_retracted for name in ("ics", "jsonl", "csv", "json")
        )
        event = tl.record(kind="treaty.signed", when="2025-03-01", title="Withdrawn")
        tl.retract(event.id, reason="wrong")
        out = io.BytesIO()
        assert 2 == tl.export("ics", out).written
        assert b"STATUS:CANCELLED" in out.getvalue()
        assert 1 == tl.export("ics", io.BytesIO(), include_retracted=False).written


class TestAnalyzeProgress:
    def test_the_analysis_walks_its_records_through_progress(self) -> None:
        """``analyze(progress=...)`` wraps the records the analysis walks; same result."""
        tl = timeline.datasets.load("relos")
        walks: list[tuple[int, int]] = []

        def progress(records: Iterator[timeline.Record], count: int) -> Iterable[timeline.Record]:
            seen = 0
            for record in records:
                seen += 1
                yield record
            walks.append((seen, count))

        plain = tl.analyze("cadence", actor="RUS")
        assert plain == tl.analyze("cadence", actor="RUS", progress=progress)
        assert len(walks) == 1
        seen, count = walks[0]
        assert seen == count == len(tl.records(actor="RUS"))


@attrs.frozen(kw_only=True)
class CollectorProbe(timeline.Analysis):
    """Reports whether the cyclic collector ran while it did; fails when asked to."""

    name: str = "probe"
    description: str = "reports gc.isenabled()"
    options: tuple[timeline.Option, ...] = (
        timeline.Option(name="fail", help="raise", default=False, type=bool),
    )

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> Any:
        if options.get("fail"):
            raise RuntimeError("probe failed")
        return gc.isenabled()

    def table(self, result: Any) -> tuple[list[str], list[list[Any]]]:
        return ["collector"], [[result]]


class TestAnalysesRunWithTheCollectorPaused:
    def test_paused_while_it_runs_and_back_after(self, tl: timeline.Timeline) -> None:
        """An analysis runs with the cyclic GC paused; it is on again after, even on error."""
        assert gc.isenabled()
        assert tl.analyze(CollectorProbe()) is False
        assert gc.isenabled()
        with pytest.raises(timeline.PluginError, match="probe failed"):
            tl.analyze(CollectorProbe(), fail=True)
        assert gc.isenabled()
