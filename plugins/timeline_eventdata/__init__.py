"""The ``gdelt``, ``icews`` and ``polecat`` importers: machine-coded event data in.

Each importer streams its files (plain, ``.gz`` or single-member ``.zip``),
keeps the slice its options select while reading, gives every row a
deterministic id (``gdelt-<GLOBALEVENTID>``, ``icews-<Event ID>-<Event Date>``,
``polecat-<Event ID>``) and records it with modality ``reported``: these are
codings of news reports, not verified facts. Kinds come from the CAMEO or
PLOVER code through ``CAMEO_KINDS`` and ``PLOVER_KINDS``; every other code is a
``cameo.<code>`` or ``plover.<type>[.<mode>]`` kind, which this plugin
registers. See docs/importers.md. Registered through the ``timeline``
entry-point group (``eventdata = "timeline_eventdata"``).
"""

from __future__ import annotations

from collections.abc import Callable

import timeline
from timeline.hookspecs import hookimpl

from ._codes import CAMEO_KINDS, PLOVER_KINDS, cameo_kind, cameo_label, plover_kind
from ._gdelt import GDELT_COLUMNS, GdeltImporter
from ._icews import ICEWS_COLUMNS, IcewsImporter
from ._polecat import POLECAT_COLUMNS, PolecatImporter
from ._select import Selection

__all__ = [
    "CAMEO_KINDS",
    "GDELT_COLUMNS",
    "ICEWS_COLUMNS",
    "PLOVER_KINDS",
    "POLECAT_COLUMNS",
    "GdeltImporter",
    "IcewsImporter",
    "PolecatImporter",
    "Selection",
    "cameo_kind",
    "cameo_label",
    "plover_kind",
    "timeline_register_importers",
    "timeline_register_kinds",
]


@hookimpl
def timeline_register_importers(register: Callable[[timeline.Importer], None]) -> None:
    """Register the ``gdelt``, ``icews`` and ``polecat`` importers."""
    register(GdeltImporter())
    register(IcewsImporter())
    register(PolecatImporter())


@hookimpl
def timeline_register_kinds(register: Callable[[timeline.Kind], None]) -> None:
    """Register the kinds the CAMEO and PLOVER codes map to (``cameo.010``, ...)."""
    from ._codes import registered_kinds

    for kind in registered_kinds():
        register(kind)
