"""The plugin host: a pluggy manager behind one typed facade.

Nothing else in the library touches ``pm.hook``: every hook is called through
one method here, which validates what plugins register and reports a broken
plugin (with its distribution, version and entry point) instead of letting it
take the whole host down. Plugins are discovered lazily, once, from the
``timeline`` entry-point group; first-party plugins take exactly that path too.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs
import pluggy

from . import hookspecs
from ._booleans import parse_bool
from ._codec import Upcaster
from ._errors import PluginError, TimelineError, UnknownPlugin
from ._extensions import Analysis, Exporter, Importer
from ._kinds import BUILTIN_KINDS, Kind
from ._records import Record
from ._storetype import StoreType

if TYPE_CHECKING:
    import click

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginFailure",
    "PluginHost",
    "PluginWarning",
    "default_host",
]

#: The entry-point group plugins are found in (equal to the import name).
ENTRY_POINT_GROUP: Final = "timeline"
#: Comma-separated allow-list of plugin names; set but empty loads none.
LOAD_ENV: Final = "TIMELINE_LOAD_PLUGINS"
#: Comma-separated block-list of plugin names; wins over the allow-list.
DISABLE_ENV: Final = "TIMELINE_DISABLE_PLUGINS"
#: ``1`` prints every hook call to stderr.
TRACE_ENV: Final = "TIMELINE_TRACE_PLUGINS"
#: ``1`` makes the process-wide default host strict (the test suite sets it).
STRICT_ENV: Final = "TIMELINE_STRICT_PLUGINS"
#: The distribution of the first-party plugins: their names cannot be taken by others.
FIRST_PARTY: Final = "geotimeline"

_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")
_HOOK_NAMES: Final = tuple(n for n in hookspecs.__all__ if n.startswith("timeline_"))

T = TypeVar("T")


class PluginWarning(UserWarning):
    """A plugin failed to load or register; the host goes on without it (non-strict mode)."""


@attrs.frozen(kw_only=True)
class PluginFailure:
    """A plugin that could not be loaded, registered or called."""

    name: str
    """The plugin's name (its entry-point name, or the name it was registered under)."""
    distribution: str | None
    """The distribution that provides it (None when registered by hand)."""
    version: str | None
    """That distribution's version."""
    entry_point: str | None
    """The entry point, as ``name = module:attr``."""
    error: str
    """What went wrong, with the exception type."""

    def __str__(self) -> str:
        where = [f"{self.distribution} {self.version or '?'}"] if self.distribution else []
        if self.entry_point:
            where.append(f"entry point '{self.entry_point}'")
        at = f" ({', '.join(where)})" if where else ""
        return f"plugin {self.name!r}{at}: {self.error}"


@attrs.define
class _Meta:
    name: str
    source: str
    distribution: str | None = None
    version: str | None = None
    entry_point: str | None = None
    hooks: list[str] = attrs.Factory(list)
    errors: list[str] = attrs.Factory(list)


def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {_normal(n) for n in value.split(",") if n.strip()}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _name_of(command: Any) -> str:
    return str(command.name)


class PluginHost:
    """The typed facade through which a timeline reaches its plugins.

    Args:
        pm: the pluggy manager to use (project ``timeline``); a new one when omitted.
        strict: raise ``PluginError`` on the first broken plugin instead of
            reporting it and going on without it.
        load_entrypoints: discover plugins in the ``timeline`` entry-point group.
        env: where ``TIMELINE_LOAD_PLUGINS``, ``TIMELINE_DISABLE_PLUGINS`` and
            ``TIMELINE_TRACE_PLUGINS`` are read (``os.environ`` when omitted).
        distributions: load entry points of these distributions only (e.g.
            ``{"geotimeline"}`` for the first-party plugins); all when omitted.

    .. versionadded:: 0.1

    """

    def __init__(
        self,
        pm: pluggy.PluginManager | None = None,
        *,
        strict: bool = False,
        load_entrypoints: bool = True,
        env: Mapping[str, str] | None = None,
        distributions: Collection[str] | None = None,
    ) -> None:
        self._pm = pm if pm is not None else pluggy.PluginManager(ENTRY_POINT_GROUP)
        if self._pm.project_name != ENTRY_POINT_GROUP:
            raise PluginError(
                f"the plugin manager's project is {self._pm.project_name!r}, "
                f"expected {ENTRY_POINT_GROUP!r}"
            )
        if not self._pm.hook.__dict__.get("timeline_on_append"):
            self._pm.add_hookspecs(hookspecs)
        self.strict = strict
        self._load_entrypoints = load_entrypoints
        self._env: Mapping[str, str] = os.environ if env is None else env
        self._distributions = None if distributions is None else {_normal(d) for d in distributions}
        self._loaded = False
        self._broken: PluginError | None = None
        self._meta: dict[str, _Meta] = {}
        self._failures: list[PluginFailure] = []
        self._cache: dict[str, dict[Any, Any]] = {}
        self._owners: dict[tuple[str, Any], str] = {}
        self._append_callers: list[tuple[str, pluggy.HookCaller]] | None = None

    # -- loading -------------------------------------------------------------------------

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager (for inspection; call hooks through this host)."""
        return self._pm

    def load(self) -> None:
        """Discover and register plugins now (otherwise done on first use); idempotent.

        Raises:
            PluginError: in strict mode, a plugin failed to load or has an unknown hook.

        """
        if self._broken is not None:
            raise self._broken
        if self._loaded:
            return
        # Set first: a plugin that reaches for the host while loading must not recurse.
        self._loaded = True
        try:
            if parse_bool(self._env.get(TRACE_ENV, "")):
                self._trace()
            for name in _names(self._env.get(DISABLE_ENV)) or ():
                self._pm.set_blocked(name)
            if self._load_entrypoints:
                self._load_entry_points()
            self._check_pending()
        except PluginError as exc:
            self._broken = exc
            raise

    def _selected(self, ep_name: str, dist: str | None) -> bool:
        names = {_normal(ep_name)} | ({_normal(dist)} if dist else set())
        allowed = _names(self._env.get(LOAD_ENV))
        blocked = _names(self._env.get(DISABLE_ENV)) or set()
        if allowed is not None and not names & allowed:
            return False
        if self._distributions is not None and (
            dist is None or _normal(dist) not in self._distributions
        ):
            return False
        return not names & blocked

    def _load_entry_points(self) -> None:
        import importlib.metadata  # 10-30 ms: only when plugins are looked for

        eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        found = []
        for ep in eps:
            dist = getattr(ep, "dist", None)
            dist_name = None if dist is None else dist.metadata["Name"]
            found.append((ep.name, dist_name or "", ep, dist))
        # Sorted so registration order (and so which duplicate wins) is the same everywhere.
        for name, dist_name, ep, dist in sorted(found, key=lambda t: (t[0], t[1])):
            if not self._selected(name, dist_name or None):
                continue
            meta = _Meta(
                name=name,
                source="entrypoint",
                distribution=dist_name or None,
                version=None if dist is None else dist.version,
                entry_point=f"{ep.name} = {ep.value}",
            )
            if name in self._meta:
                other = self._meta[name]
                self._record(
                    meta,
                    f"the name {name!r} is taken by {other.distribution or 'a'} "
                    f"plugin already; not loaded",
                )
                continue
            self._meta[name] = meta
            try:
                plugin = ep.load()
            except (Exception, SystemExit, KeyboardInterrupt) as exc:
                # sys.exit() or a KeyboardInterrupt raised by a module at import time is a
                # broken plugin too: it must not stop every command, 'timeline plugins' included.
                self._fail(name, f"failed to load: {_describe(exc)}")
                continue
            self._add(plugin, meta)

    def _add(self, plugin: object, meta: _Meta) -> bool:
        for hook in _HOOK_NAMES:
            impl = getattr(plugin, hook, None)
            if callable(impl) and getattr(impl, f"{ENTRY_POINT_GROUP}_impl", None) is None:
                self._fail(meta.name, f"{hook} is not marked with @hookimpl")
                return False
        try:
            self._pm.register(plugin, name=meta.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self._fail(meta.name, f"failed to register: {exc}")
            return False
        meta.hooks = sorted(h.name for h in self._pm.get_hookcallers(plugin) or ())
        self._invalidate()
        return True

    def _check_pending(self) -> None:
        # pluggy raises on the first unknown hook only: drop that plugin and look again.
        while True:
            try:
                self._pm.check_pending()
            except pluggy.PluginValidationError as exc:
                name = self._pm.get_name(exc.plugin) or repr(exc.plugin)
                self._pm.unregister(exc.plugin)
                self._invalidate()
                hooks = sorted(
                    h
                    for h, c in self._pm.hook.__dict__.items()
                    if not h.startswith("_")
                    and not c.has_spec()
                    and h.startswith(f"{ENTRY_POINT_GROUP}_")
                )
                unknown = [h for h in hooks if hasattr(exc.plugin, h)]
                self._fail(
                    name,
                    f"unknown hook {', '.join(unknown) or '?'} "
                    f"(misspelt? the hooks are {', '.join(_HOOK_NAMES)})",
                )
                continue
            return

    def _trace(self) -> None:
        def before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            names = ", ".join(i.plugin_name for i in impls)
            print(f"timeline: {hook_name}({', '.join(kwargs)}) -> [{names}]", file=sys.stderr)

        def after(
            outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]
        ) -> None:
            failed = outcome.exception
            print(
                f"timeline: {hook_name} {'raised ' + _describe(failed) if failed else 'done'}",
                file=sys.stderr,
            )

        self._pm.add_hookcall_monitoring(before, after)

    def _record(self, meta: _Meta, message: str) -> None:
        failure = PluginFailure(
            name=meta.name,
            distribution=meta.distribution,
            version=meta.version,
            entry_point=meta.entry_point,
            error=message,
        )
        if self.strict:
            raise PluginError(str(failure))
        meta.errors.append(message)
        self._failures.append(failure)
        warnings.warn(str(failure), PluginWarning, stacklevel=4)

    def _fail(self, name: str, message: str) -> None:
        meta = self._meta.get(name)
        if meta is None:
            meta = self._meta[name] = _Meta(name=name, source="manual")
        self._record(meta, message)

    def _invalidate(self) -> None:
        self._cache.clear()
        self._owners.clear()
        self._append_callers = None

    def relaxed(self) -> PluginHost:
        """Return a new non-strict host with the same settings (without hand-registered plugins).

        ``timeline plugins`` uses it to list every plugin when a strict host stops at the first
        broken one.
        """
        return PluginHost(
            strict=False,
            load_entrypoints=self._load_entrypoints,
            env=self._env,
            distributions=self._distributions,
        )

    # -- manual registration ---------------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object (a module or an instance with ``@hookimpl`` methods).

        Args:
            plugin: the plugin.
            name: its name; pluggy's canonical name (the module name) when omitted.

        Returns:
            The name it was registered under.

        Raises:
            PluginError: the name is taken or blocked, or a hook is unknown or invalid
                (always raised here, strict or not: registering by hand is code).

        """
        self.load()
        name = name or self._pm.get_canonical_name(plugin)
        if self._pm.is_blocked(name) or _normal(name) in (_names(self._env.get(DISABLE_ENV)) or ()):
            raise PluginError(f"plugin {name!r} is blocked by {DISABLE_ENV}")
        if name in self._meta:
            raise PluginError(f"a plugin named {name!r} is registered already")
        meta = _Meta(name=name, source="manual")
        strict, self.strict = self.strict, True
        try:
            self._meta[name] = meta
            self._add(plugin, meta)
            self._check_pending()
        except PluginError:
            self._meta.pop(name, None)
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            self._invalidate()
            raise
        finally:
            self.strict = strict
        return name

    def unregister(self, plugin: object | str) -> None:
        """Unregister a plugin, given the object or its name; unknown ones are ignored."""
        name = plugin if isinstance(plugin, str) else self._pm.get_name(plugin)
        if name is None:
            return
        if self._pm.has_plugin(name):
            self._pm.unregister(name=name)
        self._meta.pop(name, None)
        self._failures = [f for f in self._failures if f.name != name]
        self._invalidate()

    @property
    def failures(self) -> list[PluginFailure]:
        """The plugins that failed to load, register or run, in the order they failed."""
        self.load()
        return list(self._failures)

    # -- calling hooks ---------------------------------------------------------------------

    def _each(self, hook_name: str) -> list[tuple[str, pluggy.HookCaller]]:
        # One caller per plugin so that a plugin that raises is reported by name and
        # the others still run (pm.hook would stop at the first exception).
        caller: pluggy.HookCaller = getattr(self._pm.hook, hook_name)
        impls = caller.get_hookimpls()
        plugins = [i.plugin for i in impls]
        return [
            (
                impl.plugin_name,
                self._pm.subset_hook_caller(
                    hook_name, [p for p in plugins if p is not impl.plugin]
                ),
            )
            for impl in impls
        ]

    def _call(self, hook_name: str, **kwargs: Any) -> None:
        for name, caller in self._each(hook_name):
            self._call_one(name, hook_name, caller, kwargs)

    def _call_one(
        self, name: str, hook_name: str, caller: pluggy.HookCaller, kwargs: Mapping[str, Any]
    ) -> None:
        try:
            caller(**kwargs)
        except PluginError:
            raise
        except (Exception, SystemExit) as exc:
            self._fail(name, f"{hook_name} raised {_describe(exc)}")

    def _collect(
        self, what: str, hook_name: str, check: Callable[[Any], Any], key: Callable[[Any], Any]
    ) -> dict[Any, Any]:
        self.load()
        found = self._cache.get(hook_name)
        if found is not None:
            return found
        found = {}
        current = [""]

        def register(obj: Any) -> None:
            problem = check(obj)
            if problem:
                self._fail(current[0], f"{hook_name}: {problem}")
                return
            k = key(obj)
            if k in found and found[k] != obj:
                other = self._owners[(what, k)]
                built_in = " (built in; not replaced)" if self.is_first_party(other) else ""
                self._fail(
                    current[0],
                    f"{what} {k!r} is registered by both plugin {other!r}{built_in} "
                    f"and plugin {current[0]!r}",
                )
                return
            found[k] = obj
            self._owners.setdefault((what, k), current[0])

        # First-party plugins register first, so a third-party plugin cannot take the name of
        # a built-in exporter (csv, ics, json, ...) and the failure names the newcomer.
        callers = sorted(self._each(hook_name), key=lambda pair: not self.is_first_party(pair[0]))
        for name, caller in callers:
            current[0] = name
            self._call_one(name, hook_name, caller, {"register": register})
        self._cache[hook_name] = found
        return found

    def is_first_party(self, name: str) -> bool:
        """Whether the plugin called ``name`` ships with geotimeline itself."""
        meta = self._meta.get(name)
        return meta is not None and _normal(meta.distribution or "") == FIRST_PARTY

    def register_everything(self) -> None:
        """Call every registration hook now, so that each broken plugin is known.

        Raises:
            PluginError: in strict mode, a plugin failed to load or to register.
        """
        self.exporters()
        self.importers()
        self.analyses()
        self.kinds()
        self.upcasters()
        self.commands()

    def _extensions(self, what: str, hook_name: str, base: type[T]) -> dict[str, T]:
        def check(obj: Any) -> str | None:
            if not isinstance(obj, base):
                return f"expected a timeline.{base.__name__} instance, got {obj!r}"
            name, description = getattr(obj, "name", None), getattr(obj, "description", None)
            if not isinstance(name, str) or not _NAME.match(name):
                return f"{what} name {name!r} is not a lower-case word such as 'ics'"
            if (
                not isinstance(description, str)
                or not description.strip()
                or ("\n" in description.strip())
            ):
                return f"{what} {name!r} needs a one-line description"
            method = {"exporter": "write", "importer": "read", "analysis": "run"}[what]
            if getattr(type(obj), method) is getattr(base, method):
                return f"{what} {name!r} does not implement {method}()"
            return None

        return self._collect(what, hook_name, check, lambda o: o.name)

    def exporters(self) -> dict[str, Exporter]:
        """Return every registered exporter by name."""
        return dict(self._extensions("exporter", "timeline_register_exporters", Exporter))

    def importers(self) -> dict[str, Importer]:
        """Return every registered importer by name."""
        return dict(self._extensions("importer", "timeline_register_importers", Importer))

    def analyses(self) -> dict[str, Analysis]:
        """Return every registered analysis by name."""
        return dict(self._extensions("analysis", "timeline_register_analyses", Analysis))

    def _one(self, what: str, name: str, found: dict[str, T]) -> T:
        try:
            return found[name]
        except KeyError:
            raise UnknownPlugin(what, name, list(found)) from None

    def exporter(self, name: str) -> Exporter:
        """Return the exporter called ``name``.

        Raises:
            UnknownPlugin: none is registered under that name (the error lists those that are).

        """
        return self._one("exporter", name, self.exporters())

    def importer(self, name: str) -> Importer:
        """Return the importer called ``name``.

        Raises:
            UnknownPlugin: none is registered under that name.

        """
        return self._one("importer", name, self.importers())

    def analysis(self, name: str) -> Analysis:
        """Return the analysis called ``name``.

        Raises:
            UnknownPlugin: none is registered under that name.

        """
        return self._one("analysis", name, self.analyses())

    def owner(self, what: str, name: str) -> str | None:
        """Return the plugin that registered an exporter, importer, analysis or command."""
        registries: dict[str, Callable[[], object]] = {
            "exporter": self.exporters,
            "importer": self.importers,
            "analysis": self.analyses,
            "command": self.commands,
        }
        registries[what]()
        return self._owners.get((what, name))

    @contextlib.contextmanager
    def running(self, extension: Exporter | Importer | Analysis) -> Iterator[None]:
        """Run an exporter's, importer's or analysis's own code (``write``, ``read``, ``run``).

        Raises:
            PluginError: it raised something that is neither a ``TimelineError`` nor an
                ``OSError`` (those pass unchanged); the message names the plugin that
                registered it and the exception.
        """
        try:
            yield
        except (TimelineError, OSError):
            raise
        except Exception as exc:
            plugin = self._plugin_of(extension)
            of = f" of plugin {plugin!r}" if plugin else ""
            raise PluginError(f"{extension.owner}{of} failed: {_describe(exc)}") from exc

    def _plugin_of(self, extension: Exporter | Importer | Analysis) -> str | None:
        try:
            registered: object = (
                self.exporters().get(extension.name)
                if isinstance(extension, Exporter)
                else self.importers().get(extension.name)
                if isinstance(extension, Importer)
                else self.analyses().get(extension.name)
            )
        except PluginError:
            return None  # strict, and another plugin is broken: the name is not known
        if registered is not extension:
            return None
        return self._owners.get((extension.role, extension.name))

    def kinds(self) -> list[Kind]:
        """Return the kinds plugins register (not the built-ins), by name."""
        builtin = {k.name: k for k in BUILTIN_KINDS}

        def check(obj: Any) -> str | None:
            if not isinstance(obj, Kind):
                return f"expected a timeline.Kind, got {obj!r}"
            if obj.name in builtin and builtin[obj.name] != obj:
                return f"kind {obj.name!r} is built in; it cannot be redefined"
            return None

        found = self._collect("kind", "timeline_register_kinds", check, lambda k: k.name)
        return sorted(found.values(), key=lambda k: k.name)

    def upcasters(self) -> list[Upcaster]:
        """Return the upcasters plugins register."""

        def check(obj: Any) -> str | None:
            return (
                None if isinstance(obj, Upcaster) else f"expected a timeline.Upcaster, got {obj!r}"
            )

        found = self._collect(
            "upcaster",
            "timeline_register_upcasters",
            check,
            lambda u: (u.record_type, u.from_schema),
        )
        return list(found.values())

    def commands(self) -> dict[str, click.Command]:
        """Return the commands plugins add to the ``timeline`` command line, by name."""
        import click  # imported here: only the command line needs it

        def check(obj: Any) -> str | None:
            if not isinstance(obj, click.Command) or not obj.name:
                return f"expected a named click.Command, got {obj!r}"
            return None

        return dict(self._collect("command", "timeline_register_commands", check, _name_of))

    def stores(self) -> list[StoreType]:
        """Return the kinds of store plugins register (the built-in ones are not plugins)."""

        def check(obj: Any) -> str | None:
            if not isinstance(obj, StoreType):
                return f"expected a timeline.StoreType, got {obj!r}"
            return obj.problem()

        found = self._collect("store", "timeline_register_stores", check, lambda s: s.name)
        return sorted(found.values(), key=lambda s: s.name)

    @property
    def has_append_subscribers(self) -> bool:
        """Whether any plugin implements ``timeline_on_append`` (cheap once loaded)."""
        if not self._loaded:
            self.load()
        if self._append_callers is None:
            self._append_callers = self._each("timeline_on_append")
        return bool(self._append_callers)

    def on_append(self, records: Sequence[Record]) -> None:
        """Tell subscribers about records just appended (never called during replay).

        Raises:
            PluginError: in strict mode, a subscriber raised (the records stay appended).

        """
        if not self.has_append_subscribers:
            return
        for name, caller in self._append_callers or ():
            self._call_one(name, "timeline_on_append", caller, {"records": records})

    # -- listing ---------------------------------------------------------------------------

    def plugins_info(self) -> list[dict[str, Any]]:
        """Describe every plugin for ``timeline plugins --json`` (a stable shape).

        Returns:
            One dict per plugin, sorted by name: ``name``, ``version``, ``source``
            (``"entrypoint"`` or ``"manual"``), ``distribution``, ``entry_point``
            (``"name = module:object"``, or None for a plugin registered by hand),
            ``hooks`` (the hook names it implements) and ``error`` (None, or why it
            failed).

        """
        self.load()
        # Run every registration so that registration errors show up too, leniently (a
        # listing must show every broken plugin), then forget it so that strict use raises.
        strict, failures = self.strict, list(self._failures)
        errors = {name: list(meta.errors) for name, meta in self._meta.items()}
        self.strict = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PluginWarning)
                self.register_everything()
            return self._info()
        finally:
            self.strict = strict
            if strict:
                self._failures = failures
                for name, meta in self._meta.items():
                    meta.errors = errors.get(name, [])
                self._invalidate()

    def _info(self) -> list[dict[str, Any]]:
        return [
            {
                "name": meta.name,
                "version": meta.version,
                "source": meta.source,
                "distribution": meta.distribution,
                "entry_point": meta.entry_point,
                "hooks": list(meta.hooks),
                "error": "; ".join(meta.errors) or None,
            }
            for meta in sorted(self._meta.values(), key=lambda m: m.name)
        ]

    def __repr__(self) -> str:
        state = f"{len(self._meta)} plugins" if self._loaded else "not loaded"
        return f"<PluginHost {state}{' strict' if self.strict else ''}>"


_default: PluginHost | None = None


def default_host() -> PluginHost:
    """Return the process-wide plugin host, created (not loaded) on first use.

    It is strict when ``TIMELINE_STRICT_PLUGINS=1``.
    """
    global _default
    if _default is None:
        _default = PluginHost(strict=bool(parse_bool(os.environ.get(STRICT_ENV, ""))))
    return _default


def iter_hook_names() -> Iterable[str]:
    """Return the names of every hook a plugin can implement."""
    return _HOOK_NAMES
