"""Tests for the plugin host (timeline._plugins): discovery, failures, registries, hooks."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import io
import itertools
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest

import timeline
from timeline import CurrentState, Kind, MemoryStore, PluginError, Timeline, UnknownPlugin, Upcaster
from timeline._extensions import Analysis, Exporter, Importer
from timeline._plugins import PluginFailure, PluginHost, PluginWarning, default_host
from timeline.hookspecs import hookimpl
from timeline.testing import FixedClock

ROOT = Path(__file__).resolve().parents[1]
_counter = itertools.count()

EXPORTER_PLUGIN = """
import attrs
from timeline._extensions import Exporter
from timeline.hookspecs import hookimpl

@attrs.frozen(kw_only=True)
class Lines(Exporter):
    name: str = "{name}"
    description: str = "One title per line"

    def write(self, timeline, records, stream, **options):
        for record in records:
            stream.write(record.event.title + "\\n")
        return len(records)

@hookimpl
def timeline_register_exporters(register):
    register(Lines())
"""


@pytest.fixture
def make_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Return a function writing a real installed distribution (dist-info) onto sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def make(
        dist: str, entry_points: dict[str, str], modules: dict[str, str], version: str = "1.2.3"
    ) -> None:
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
        (info / "entry_points.txt").write_text(f"[timeline]\n{lines}", encoding="utf-8")
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()

    return make


def unique(prefix: str) -> str:
    """Return a module name not imported before (modules stay in sys.modules)."""
    return f"{prefix}_{next(_counter)}_{id(object())}"


def host_for(dist: str, *, strict: bool = True, env: dict[str, str] | None = None) -> PluginHost:
    """Return a host that loads only the given test distribution."""
    return PluginHost(strict=strict, env=env or {}, distributions={dist})


@attrs.frozen(kw_only=True)
class Lines(Exporter):
    name: str = "lines"
    description: str = "One title per line"

    def write(self, timeline: Any, records: Any, stream: Any, **options: Any) -> int:
        for record in records:
            stream.write(record.event.title + "\n")
        return len(records)


@attrs.frozen(kw_only=True)
class Reader(Importer):
    name: str = "reader"
    description: str = "Reads nothing"

    def read(self, stream: Any, **options: Any) -> Any:
        return iter(())


@attrs.frozen(kw_only=True)
class Count(Analysis):
    name: str = "count"
    description: str = "Counts events"

    def run(self, timeline: Any, where: Any, **options: Any) -> Any:
        return len(timeline.records(where))


class ExporterPlugin:
    def __init__(self, *exporters: Exporter) -> None:
        self.exporters = exporters or (Lines(),)

    @hookimpl
    def timeline_register_exporters(self, register: Any) -> None:
        for exporter in self.exporters:
            register(exporter)


class Subscriber:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    @hookimpl
    def timeline_on_append(self, records: Any) -> None:
        self.calls.append([r.seq for r in records])


def manual_host(**kwargs: Any) -> PluginHost:
    return PluginHost(strict=True, load_entrypoints=False, env={}, **kwargs)


SIGNED = {"kind": "treaty.signed", "when": "2025-02-18", "title": "Signed", "actors": ["RUS"]}


class TestDiscovery:
    def test_loads_an_installed_distribution(self, make_dist: Any) -> None:
        """A distribution's entry point is loaded and its exporter registered."""
        mod = unique("lines_plugin")
        make_dist("timeline-lines", {"lines": mod}, {mod: EXPORTER_PLUGIN.format(name="lines")})
        host = host_for("timeline-lines")
        assert ["lines"] == list(host.exporters())
        assert [
            {
                "name": "lines",
                "version": "1.2.3",
                "source": "entrypoint",
                "distribution": "timeline-lines",
                "entry_point": f"lines = {mod}",
                "hooks": ["timeline_register_exporters"],
                "error": None,
            }
        ] == host.plugins_info()

    def test_loads_lazily(self, make_dist: Any) -> None:
        """Building a host imports nothing; the first use does."""
        import sys

        mod = unique("lazy_plugin")
        make_dist("timeline-lazy", {"lazy": mod}, {mod: EXPORTER_PLUGIN.format(name="lazy")})
        host = host_for("timeline-lazy")
        assert mod not in sys.modules
        host.exporter("lazy")
        assert mod in sys.modules

    def test_scans_entry_points_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Entry points are scanned on first use only, however many lookups follow."""
        calls = []
        real = importlib.metadata.entry_points

        def counting(**kwargs: Any) -> Any:
            calls.append(kwargs)
            return real(**kwargs)

        monkeypatch.setattr(importlib.metadata, "entry_points", counting)
        host = PluginHost(strict=True, env={}, distributions={"nothing-here"})
        host.exporters()
        host.importers()
        host.kinds()
        assert [{"group": "timeline"}] == calls

    def test_fake_entry_points(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An entry point without a distribution is loaded and listed without one."""
        ep = importlib.metadata.EntryPoint(
            name="fake", value="tests.test_plugins:FAKE_PLUGIN", group="timeline"
        )
        monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: [ep])
        monkeypatch.setitem(
            __import__("sys").modules, "tests.test_plugins", __import__("sys").modules[__name__]
        )
        host = PluginHost(strict=True, env={})
        assert ["fake"] == list(host.exporters())
        info = host.plugins_info()[0]
        assert (None, None, "entrypoint") == (info["distribution"], info["version"], info["source"])
        assert "fake = tests.test_plugins:FAKE_PLUGIN" == info["entry_point"]

    def test_without_entry_points(self) -> None:
        """``load_entrypoints=False`` loads nothing."""
        assert [] == manual_host().plugins_info()


FAKE_PLUGIN = ExporterPlugin(Lines(name="fake"))


class TestFailures:
    def test_import_error_is_reported(self, make_dist: Any) -> None:
        """A plugin that fails to import is reported with dist, version and entry point."""
        good, bad = unique("good"), unique("bad")
        make_dist(
            "timeline-mixed",
            {"good": good, "bad": bad},
            {good: EXPORTER_PLUGIN.format(name="good"), bad: "import no_such_module_x\n"},
        )
        host = host_for("timeline-mixed", strict=False)
        with pytest.warns(PluginWarning, match="bad"):
            exporters = host.exporters()
        assert ["good"] == list(exporters)
        [failure] = host.failures
        assert ("bad", "timeline-mixed", "1.2.3", f"bad = {bad}") == (
            failure.name,
            failure.distribution,
            failure.version,
            failure.entry_point,
        )
        assert "ModuleNotFoundError: No module named 'no_such_module_x'" in failure.error

    def test_strict_mode_raises(self, make_dist: Any) -> None:
        """In strict mode the first broken plugin raises PluginError naming it."""
        bad = unique("bad")
        make_dist("timeline-broken", {"bad": bad}, {bad: "raise RuntimeError('boom')\n"})
        host = host_for("timeline-broken")
        with pytest.raises(PluginError, match=r"'bad' \(timeline-broken 1.2.3, entry point"):
            host.exporters()
        with pytest.raises(PluginError, match="RuntimeError: boom"):
            host.importers()

    @pytest.mark.parametrize(
        ("source", "error"),
        [
            ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
            ("raise SystemExit('bye')\n", "SystemExit: bye"),
            ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
        ],
    )
    def test_exit_at_import_is_a_broken_plugin(
        self, make_dist: Any, source: str, error: str
    ) -> None:
        """sys.exit() or KeyboardInterrupt at import is one broken plugin, not the end."""
        good, bad = unique("good"), unique("bad")
        make_dist(
            "timeline-exiting",
            {"good": good, "bad": bad},
            {good: EXPORTER_PLUGIN.format(name="good"), bad: source},
        )
        host = host_for("timeline-exiting", strict=False)
        with pytest.warns(PluginWarning, match="failed to load"):
            assert ["good"] == list(host.exporters())
        [failure] = host.failures
        assert ("bad", True) == (failure.name, error in failure.error)

    def test_exit_in_a_registration_hook_is_reported(self) -> None:
        """sys.exit() inside a registration hook is reported like any other failure."""

        class Exiting:
            @hookimpl
            def timeline_register_exporters(self, register: Any) -> None:
                raise SystemExit(2)

        host = PluginHost(strict=False, load_entrypoints=False, env={})
        host.register(Exiting(), "exiting")
        with pytest.warns(PluginWarning, match="SystemExit: 2"):
            assert {} == host.exporters()

    def test_first_party_names_cannot_be_taken(self, make_dist: Any) -> None:
        """A third-party plugin sorting first cannot replace the built-in csv exporter."""
        early = unique("early")
        make_dist(
            "timeline-early",
            {"aaa": early},
            {early: EXPORTER_PLUGIN.format(name="csv")},
        )
        host = PluginHost(strict=False, env={}, distributions={"geotimeline", "timeline-early"})
        with pytest.warns(PluginWarning, match="built in; not replaced"):
            exporters = host.exporters()
        assert type(exporters["csv"]).__module__.startswith("timeline_csv")
        assert "csv" == host.owner("exporter", "csv")
        [failure] = host.failures
        assert ("aaa", "timeline-early") == (failure.name, failure.distribution)
        assert "exporter 'csv' is registered by both plugin 'csv'" in failure.error
        assert [None] == [i["error"] for i in host.plugins_info() if i["name"] == "csv"]

    def test_failure_shown_in_plugins_info(self, make_dist: Any) -> None:
        """A failed plugin is listed with its error and no hooks."""
        bad = unique("bad")
        make_dist("timeline-broken", {"bad": bad}, {bad: "1/0\n"})
        host = host_for("timeline-broken", strict=False)
        with pytest.warns(PluginWarning):
            info = host.plugins_info()
        assert 1 == len(info)
        assert [] == info[0]["hooks"]
        assert "ZeroDivisionError" in info[0]["error"]

    def test_hook_that_raises_is_reported(self) -> None:
        """A registration hook that raises is reported; other plugins still register."""

        class Raising:
            @hookimpl
            def timeline_register_exporters(self, register: Any) -> None:
                raise ValueError("no exporters today")

        host = PluginHost(strict=False, load_entrypoints=False, env={})
        host.register(Raising(), "raising")
        host.register(ExporterPlugin(), "fine")
        with pytest.warns(PluginWarning, match="no exporters today"):
            assert ["lines"] == list(host.exporters())
        assert "ValueError: no exporters today" in host.plugins_info()[1]["error"]

    def test_unmarked_hook_is_refused(self) -> None:
        """A hook function without @hookimpl is refused, not silently ignored."""

        class Unmarked:
            def timeline_register_exporters(self, register: Any) -> None:
                register(Lines())

        with pytest.raises(PluginError, match="not marked with @hookimpl"):
            manual_host().register(Unmarked(), "unmarked")

    def test_failure_str(self) -> None:
        """A failure reads as one line naming the plugin and where it came from."""
        failure = PluginFailure(
            name="x", distribution="d", version="1", entry_point="x = m", error="boom"
        )
        assert "plugin 'x' (d 1, entry point 'x = m'): boom" == str(failure)


class TestSelection:
    @pytest.fixture
    def two(self, make_dist: Any) -> None:
        one, two = unique("one"), unique("two")
        make_dist(
            "timeline-two",
            {"one": one, "two": two},
            {one: EXPORTER_PLUGIN.format(name="one"), two: EXPORTER_PLUGIN.format(name="two")},
        )

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, ["one", "two"]),
            ({"TIMELINE_LOAD_PLUGINS": "two"}, ["two"]),
            ({"TIMELINE_LOAD_PLUGINS": " one , two "}, ["one", "two"]),
            ({"TIMELINE_LOAD_PLUGINS": ""}, []),
            ({"TIMELINE_LOAD_PLUGINS": "timeline-two"}, ["one", "two"]),
            ({"TIMELINE_DISABLE_PLUGINS": "one"}, ["two"]),
            ({"TIMELINE_LOAD_PLUGINS": "one,two", "TIMELINE_DISABLE_PLUGINS": "two"}, ["one"]),
            ({"TIMELINE_DISABLE_PLUGINS": "timeline_two"}, []),
        ],
    )
    def test_allow_and_block_lists(
        self, two: None, env: dict[str, str], expected: list[str]
    ) -> None:
        """The allow-list picks plugins, the block-list removes them and wins."""
        host = host_for("timeline-two", env=env)
        assert expected == sorted(host.exporters())

    def test_blocked_name_cannot_be_registered(self) -> None:
        """A name on the block-list cannot be registered by hand either."""
        host = PluginHost(load_entrypoints=False, env={"TIMELINE_DISABLE_PLUGINS": "lines"})
        with pytest.raises(PluginError, match="blocked"):
            host.register(ExporterPlugin(), "lines")

    def test_reads_os_environ_by_default(self, two: None, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without ``env=`` the variables come from the process environment."""
        monkeypatch.setenv("TIMELINE_LOAD_PLUGINS", "one")
        host = PluginHost(strict=True, distributions={"timeline-two"})
        assert ["one"] == list(host.exporters())


MISSPELT = """
from timeline.hookspecs import hookimpl

@hookimpl
def timeline_register_exportrs(register):
    pass
"""


class TestCheckPending:
    def test_misspelt_hook_in_entry_point(self, make_dist: Any) -> None:
        """A misspelt hook is reported and its plugin dropped."""
        mod = unique("misspelt")
        make_dist("timeline-typo", {"typo": mod}, {mod: MISSPELT})
        host = host_for("timeline-typo", strict=False)
        with pytest.warns(PluginWarning, match="timeline_register_exportrs"):
            host.load()
        assert not host.plugin_manager.has_plugin("typo")
        assert "unknown hook timeline_register_exportrs" in host.plugins_info()[0]["error"]

    def test_misspelt_hook_strict(self, make_dist: Any) -> None:
        """In strict mode a misspelt hook raises PluginError."""
        mod = unique("misspelt")
        make_dist("timeline-typo", {"typo": mod}, {mod: MISSPELT})
        with pytest.raises(PluginError, match="unknown hook"):
            host_for("timeline-typo").load()

    def test_misspelt_hook_registered_by_hand(self) -> None:
        """Registering a plugin with an unknown hook raises and leaves nothing behind."""

        class Typo:
            @hookimpl
            def timeline_register_kind(self, register: Any) -> None:
                pass

        host = manual_host()
        with pytest.raises(PluginError, match="timeline_register_kind"):
            host.register(Typo(), "typo")
        assert [] == host.plugins_info()

    def test_argument_not_in_spec(self) -> None:
        """A hook taking an argument the spec lacks is refused."""

        class Extra:
            @hookimpl
            def timeline_register_exporters(self, register: Any, extra: Any) -> None:
                pass

        with pytest.raises(PluginError, match="extra"):
            manual_host().register(Extra(), "extra")


class TestRegistries:
    def test_duplicate_name_names_both_plugins(self) -> None:
        """Two plugins registering one exporter name is an error naming both."""
        host = manual_host()
        host.register(ExporterPlugin(), "first")
        host.register(ExporterPlugin(Lines(description="Other")), "second")
        with pytest.raises(
            PluginError, match="'lines' is registered by both plugin 'first' and plugin 'second'"
        ):
            host.exporters()

    def test_duplicate_keeps_first_when_not_strict(self) -> None:
        """Outside strict mode the first registration wins and the second is reported."""
        host = PluginHost(load_entrypoints=False, env={})
        host.register(ExporterPlugin(), "first")
        host.register(ExporterPlugin(Lines(description="Other")), "second")
        with pytest.warns(PluginWarning):
            assert "One title per line" == host.exporter("lines").description
        assert "first" == host.owner("exporter", "lines")

    @pytest.mark.parametrize(
        ("obj", "message"),
        [
            ("not an exporter", "expected a timeline.Exporter instance"),
            (Lines(name="Bad Name"), "not a lower-case word"),
            (Lines(description=""), "needs a one-line description"),
            (Lines(description="two\nlines"), "needs a one-line description"),
            (Exporter(name="bare", description="No write"), "does not implement write()"),
        ],
    )
    def test_invalid_exporter(self, obj: Any, message: str) -> None:
        """A registration that is not a proper exporter is refused with the reason."""
        host = manual_host()
        host.register(ExporterPlugin(obj), "bad")
        with pytest.raises(PluginError, match=message):
            host.exporters()

    def test_unknown_name(self) -> None:
        """Asking for an unregistered exporter lists the registered ones."""
        host = manual_host()
        host.register(ExporterPlugin(), "p")
        with pytest.raises(UnknownPlugin, match="unknown exporter 'nope'; registered: lines"):
            host.exporter("nope")
        with pytest.raises(UnknownPlugin, match="registered: none"):
            host.importer("nope")
        with pytest.raises(UnknownPlugin, match="unknown analysis"):
            host.analysis("nope")

    def test_unknown_name_suggests(self) -> None:
        """A near miss names the registered plugin it probably meant."""
        host = manual_host()
        host.register(ExporterPlugin(), "p")
        with pytest.raises(UnknownPlugin, match="did you mean lines"):
            host.exporter("line")
        refused = UnknownPlugin("analysis", "lifecycel", ["cadence", "lifecycle", "network"])
        assert ["lifecycle"] == refused.suggestions
        assert "unknown analysis 'lifecycel'; did you mean lifecycle? registered:" in str(refused)

    def test_kind_redefining_builtin_is_refused(self) -> None:
        """A plugin kind with a built-in name but another definition is refused."""

        class Kinds:
            @hookimpl
            def timeline_register_kinds(self, register: Any) -> None:
                register(Kind(name="treaty.signed", description="Something else"))

        host = manual_host()
        host.register(Kinds(), "kinds")
        with pytest.raises(PluginError, match="built in"):
            host.kinds()

    def test_duplicate_upcaster(self) -> None:
        """Two upcasters for the same record type and schema name both plugins."""
        up = Upcaster(record_type="recorded", from_schema=7, function=dict)

        class Ups:
            @hookimpl
            def timeline_register_upcasters(self, register: Any) -> None:
                register(attrs.evolve(up, description=str(id(self))))

        host = manual_host()
        host.register(Ups(), "a")
        host.register(Ups(), "b")
        with pytest.raises(PluginError, match="both plugin 'a' and plugin 'b'"):
            host.upcasters()

    def test_register_after_use_refreshes(self) -> None:
        """A plugin registered after first use is seen; unregistering removes it."""
        host = manual_host()
        assert {} == host.exporters()
        host.register(ExporterPlugin(), "late")
        assert ["lines"] == list(host.exporters())
        host.unregister("late")
        assert {} == host.exporters()

    def test_name_taken(self) -> None:
        """Registering a second plugin under a taken name is refused."""
        host = manual_host()
        host.register(ExporterPlugin(), "p")
        with pytest.raises(PluginError, match="registered already"):
            host.register(ExporterPlugin(), "p")


class TestHooks:
    def test_hook_timeline_register_exporters(
        self, memory_timeline: Timeline, register_plugin: Any
    ) -> None:
        """An exporter registered through the hook exports from a timeline."""
        with register_plugin(ExporterPlugin(), "lines"):
            memory_timeline.record(**SIGNED)
            out = io.StringIO()
            assert 1 == memory_timeline.export("lines", out).written
        assert "Signed\n" == out.getvalue()

    def test_hook_timeline_register_importers(
        self, plugin_host: PluginHost, register_plugin: Any
    ) -> None:
        """An importer registered through the hook is found by name."""

        class P:
            @hookimpl
            def timeline_register_importers(self, register: Any) -> None:
                register(Reader())

        with register_plugin(P(), "p"):
            assert Reader() == plugin_host.importer("reader")

    def test_hook_timeline_register_analyses(
        self, timeline_factory: Any, register_plugin: Any
    ) -> None:
        """An analysis registered through the hook runs on a timeline."""

        class P:
            @hookimpl
            def timeline_register_analyses(self, register: Any) -> None:
                register(Count())

        with register_plugin(P(), "p"):
            tl = timeline_factory([SIGNED])
            assert 1 == tl.analyze("count")

    def test_hook_timeline_register_kinds(self) -> None:
        """A kind registered through the hook can be recorded."""

        class P:
            @hookimpl
            def timeline_register_kinds(self, register: Any) -> None:
                register(
                    Kind(name="sanction.imposed", description="Sanctions are imposed", cameo="163")
                )

        host = manual_host()
        host.register(P(), "p")
        tl = Timeline(MemoryStore(), plugins=host)
        event = tl.record(kind="sanction.imposed", when="2025-03-01", title="Sanctions")
        assert "sanction.imposed" == tl.get(event.id).kind

    def test_hook_timeline_register_upcasters(self) -> None:
        """Upcasters registered through the hook are returned to the timeline."""
        up = Upcaster(record_type="recorded", from_schema=9, function=dict, description="x")

        class P:
            @hookimpl
            def timeline_register_upcasters(self, register: Any) -> None:
                register(up)

        host = manual_host()
        host.register(P(), "p")
        assert [up] == host.upcasters()

    def test_hook_timeline_register_commands(self) -> None:
        """Commands added through the hook are returned by name."""
        import click

        @click.command()
        def hello() -> None:
            click.echo("hi")

        class P:
            @hookimpl
            def timeline_register_commands(self, register: Any) -> None:
                register(hello)

        host = manual_host()
        host.register(P(), "p")
        assert {"hello": hello} == host.commands()

    def test_hook_timeline_on_append(self) -> None:
        """Subscribers hear about each append once, with the new records."""
        sub = Subscriber()
        host = manual_host()
        host.register(sub, "sub")
        tl = Timeline(MemoryStore(), plugins=host, clock=FixedClock())
        tl.record(**SIGNED)
        tl.record_many([SIGNED, SIGNED])
        assert [[1], [2, 3]] == sub.calls

    def test_on_append_not_called_during_replay(self, tmp_path: Path) -> None:
        """Replay, reopening and as_of views never call subscribers."""
        sub = Subscriber()
        host = manual_host()
        host.register(sub, "sub")
        path = tmp_path / "log.db"
        with timeline.open(path, plugins=host) as tl:
            event = tl.record(**SIGNED)
            tl.amend(event.id, reason="typo", title="Signed!")
            calls = list(sub.calls)
            tl.replay(CurrentState())
            tl.as_of(1)
            tl.refresh()
        with timeline.open(path, plugins=host) as again:
            again.replay(CurrentState())
        assert [[1], [2]] == calls == sub.calls

    @pytest.mark.parametrize("first_write", ["retract", "amend"])
    def test_on_append_after_reopen(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_write: str
    ) -> None:
        """A reopened timeline on the default host tells subscribers of a first retract/amend."""
        sub = Subscriber()
        host = manual_host()
        host.register(sub, "sub")
        monkeypatch.setattr("timeline._plugins._default", host)  # the process-wide host
        path = tmp_path / "log.db"
        with timeline.open(path) as tl:
            event = tl.record(**SIGNED)
        with timeline.open(path) as again:
            if first_write == "retract":
                again.retract(event.id, reason="withdrawn")
            else:
                again.amend(event.id, reason="typo", title="Signed!")
        assert [[1], [2]] == sub.calls

    def test_has_append_subscribers(self) -> None:
        """The flag is false until a subscriber registers."""
        host = manual_host()
        assert host.has_append_subscribers is False
        host.register(Subscriber(), "sub")
        assert host.has_append_subscribers is True

    def test_subscriber_error_after_append(self) -> None:
        """A failing subscriber raises in strict mode, but the records stay appended."""

        class Failing:
            @hookimpl
            def timeline_on_append(self, records: Any) -> None:
                raise RuntimeError("listener down")

        host = manual_host()
        host.register(Failing(), "failing")
        tl = Timeline(MemoryStore(), plugins=host)
        with pytest.raises(PluginError, match="listener down"):
            tl.record(**SIGNED)
        assert 1 == len(tl)


class TestDefaultHost:
    def test_is_shared(self) -> None:
        """default_host() returns one host per process."""
        assert default_host() is default_host()

    def test_strict_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """TIMELINE_STRICT_PLUGINS=1 (set by conftest) makes the default host strict."""
        import timeline._plugins as plugins

        monkeypatch.setattr(plugins, "_default", None)
        monkeypatch.setenv("TIMELINE_STRICT_PLUGINS", "0")
        assert default_host().strict is False
        monkeypatch.setattr(plugins, "_default", None)
        monkeypatch.setenv("TIMELINE_STRICT_PLUGINS", "1")
        assert default_host().strict is True

    def test_relaxed_copy(self) -> None:
        """relaxed() gives a non-strict host with the same settings."""
        host = PluginHost(strict=True, load_entrypoints=False, env={})
        relaxed = host.relaxed()
        assert (False, []) == (relaxed.strict, relaxed.plugins_info())


class TestTracing:
    def test_trace_to_stderr(self, capsys: pytest.CaptureFixture[str]) -> None:
        """TIMELINE_TRACE_PLUGINS=1 prints each hook call to stderr."""
        host = PluginHost(strict=True, load_entrypoints=False, env={"TIMELINE_TRACE_PLUGINS": "1"})
        host.register(ExporterPlugin(), "p")
        host.exporters()
        assert "timeline: timeline_register_exporters(register) -> [p]" in capsys.readouterr().err


class TestTestingFixtures:
    def test_register_plugin_unregisters(
        self, plugin_host: PluginHost, register_plugin: Any
    ) -> None:
        """register_plugin registers for the block only."""
        with register_plugin(ExporterPlugin(), "temp") as name:
            assert "temp" == name
            assert "lines" in plugin_host.exporters()
        assert "lines" not in plugin_host.exporters()

    def test_memory_timeline_clock(self, memory_timeline: Timeline) -> None:
        """memory_timeline records with the fixed clock."""
        memory_timeline.record(**SIGNED)
        assert (
            "2026-01-01T00:00:00+00:00"
            == memory_timeline.history(memory_timeline.events()[0].id)[0].recorded_at.isoformat()
        )

    def test_plugin_host_is_first_party_only(self, plugin_host: PluginHost) -> None:
        """The plugin_host fixture loads geotimeline's plugins and nothing else."""
        plugin_host.load()
        assert {p["distribution"] for p in plugin_host.plugins_info()} <= {"geotimeline"}

    def test_store_contract_is_exported(self) -> None:
        """StoreContract is in timeline.testing's literal __all__ (what type checkers read)."""
        import timeline.testing
        from timeline.testing._stores import StoreContract

        source = Path(timeline.testing.__file__).read_text(encoding="utf-8")
        [listed] = [
            node.value
            for node in ast.parse(source).body
            if isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["__all__"]
        ]
        assert isinstance(listed, ast.List)
        assert "StoreContract" in [ast.literal_eval(e) for e in listed.elts]
        assert StoreContract is timeline.testing.StoreContract


def _private_imports(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.startswith("timeline.") and "._" in f".{a.name[9:]}"
            ]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and (node.module == "timeline" or node.module.startswith("timeline."))
        ):
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id == "timeline"
        ):
            found.append(f"timeline.{node.attr}")
    return [f"{path.relative_to(ROOT)}: {name}" for name in found]


class TestPublicBoundary:
    def test_checker_catches_private_imports(self, tmp_path: Path) -> None:
        """The checker flags private modules, private names and private attributes."""
        bad = tmp_path / "bad.py"
        bad.write_text(
            "import timeline._model\nfrom timeline._kinds import Kind\n"
            "from timeline import _x\nfrom timeline.testing import Y\n"
            "import timeline\ntimeline._plugins\n",
            encoding="utf-8",
        )
        found = [f.split(": ")[1] for f in _private_imports_at(bad, tmp_path)]
        assert ["timeline._model", "timeline._kinds", "timeline._x", "timeline._plugins"] == found

    def test_plugins_import_only_public_names(self) -> None:
        """Nothing under plugins/ imports a private module or name of timeline."""
        files = sorted((ROOT / "plugins").rglob("*.py"))
        assert files, "plugins/ has no Python files"
        assert [] == [hit for f in files for hit in _private_imports(f)]


def _private_imports_at(path: Path, root: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, root
    try:
        return _private_imports(path)
    finally:
        ROOT = saved


FIRST_PARTY = ["analyses", "arrow", "csv", "eventdata", "html", "ics", "json", "sqlite"]


class TestFirstParty:
    def test_declared_as_entry_points(self) -> None:
        """The first-party plugins are registered through the timeline entry-point group."""
        eps = importlib.metadata.entry_points(group="timeline")
        ours = sorted(
            ep.name for ep in eps if ep.dist and ep.dist.metadata["Name"] == "geotimeline"
        )
        assert FIRST_PARTY == ours

    def test_first_party_plugins_load(self, plugin_host: PluginHost) -> None:
        """The first-party plugins load cleanly in strict mode and provide ics and csv."""
        assert FIRST_PARTY == [p["name"] for p in plugin_host.plugins_info()]
        assert {"ics", "csv"} <= set(plugin_host.exporters())
