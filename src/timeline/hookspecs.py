"""The hooks a timeline plugin can implement (pluggy hook specifications).

A plugin is a module or object with functions named after these hooks and
marked with ``@hookimpl``; it is found through the ``timeline`` entry-point
group. Every registration hook is called once per plugin host (never per
event) with a ``register`` callback; the host validates what it receives.
Implementations may take fewer arguments than the spec (pluggy's opt-in
arguments), so hooks only ever gain arguments.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from ._codec import Upcaster
    from ._extensions import Analysis, Exporter, Importer
    from ._kinds import Kind
    from ._records import Record
    from ._storetype import StoreType

__all__ = [
    "hookimpl",
    "hookspec",
    "timeline_on_append",
    "timeline_register_analyses",
    "timeline_register_commands",
    "timeline_register_exporters",
    "timeline_register_importers",
    "timeline_register_kinds",
    "timeline_register_stores",
    "timeline_register_upcasters",
]

#: Marks the hook specifications below (for the host only).
hookspec = pluggy.HookspecMarker("timeline")
#: Marks a plugin's hook implementations: ``@hookimpl def timeline_register_exporters(...)``.
hookimpl = pluggy.HookimplMarker("timeline")


@hookspec
def timeline_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Call ``register(exporter)`` once per exporter the plugin provides.

    Args:
        register: takes an instance of a ``timeline.Exporter`` subclass; a name
            another plugin registered already is refused with ``PluginError``.

    """


@hookspec
def timeline_register_importers(register: Callable[[Importer], None]) -> None:
    """Call ``register(importer)`` once per importer the plugin provides.

    Args:
        register: takes an instance of a ``timeline.Importer`` subclass.

    """


@hookspec
def timeline_register_analyses(register: Callable[[Analysis], None]) -> None:
    """Call ``register(analysis)`` once per analysis the plugin provides.

    Args:
        register: takes an instance of a ``timeline.Analysis`` subclass.

    """


@hookspec
def timeline_register_kinds(register: Callable[[Kind], None]) -> None:
    """Call ``register(kind)`` once per event kind the plugin adds.

    Args:
        register: takes a ``timeline.Kind`` (name, description, CAMEO and PLOVER
            codes); redefining a built-in kind differently is refused.

    """


@hookspec
def timeline_register_upcasters(register: Callable[[Upcaster], None]) -> None:
    """Call ``register(upcaster)`` once per payload migration the plugin provides.

    Args:
        register: takes a ``timeline.Upcaster`` (record type, schema it reads, function).

    """


@hookspec
def timeline_register_commands(register: Callable[[click.Command], None]) -> None:
    """Call ``register(command)`` once per click command the plugin adds to ``timeline``.

    Args:
        register: takes a ``click.Command``; its name must not be a built-in
            command's or another plugin's (refused with ``PluginError``).

    """


@hookspec
def timeline_register_stores(register: Callable[[StoreType], None]) -> None:
    """Call ``register(store_type)`` once per kind of store (log backend) the plugin adds.

    Args:
        register: takes a ``timeline.StoreType``: a name, a factory taking the
            location (returning a ``timeline.Backend``, which gets the record layer
            put over it, or a whole ``timeline.Store``), and the URL schemes, path
            suffixes or exact names it opens.
            A scheme or suffix another store claims is refused with ``PluginError``.

    .. versionadded:: 0.2

    """


@hookspec
def timeline_on_append(records: Sequence[Record]) -> None:
    """Be told about records right after they were appended to a log.

    Called once per successful append (one call for a whole ``record_many``),
    never during replay or when a log is opened. The records are durable
    already: raising here does not undo the append.

    Args:
        records: the new records, in seq order.

    """
