"""The ``html`` and ``timelinejs`` exporters, ``timeline view``, and notebook rendering.

``html`` writes one self-contained page that draws the timeline with
vis-timeline (vendored from npm, inlined, checked against ``_vendor/VENDOR.json``)
and works offline from a file:// URL; ``timelinejs`` writes Knight Lab's
TimelineJS 3 JSON; ``timeline view`` opens the page in the system browser;
``notebook_html`` draws events, an ``as_of`` view or a lifecycle result inline
in Jupyter. Registered through the ``timeline`` entry-point group
(``html = "timeline_html"``), like any third-party plugin.
"""

from __future__ import annotations

from collections.abc import Callable

import click

import timeline
from timeline.hookspecs import hookimpl

from ._command import view
from ._html import HtmlExporter, LargeTimelineWarning
from ._notebook import NOTEBOOK_LIMIT, notebook_html
from ._timelinejs import TimelineJsExporter, TooManySlidesWarning

__all__ = [
    "NOTEBOOK_LIMIT",
    "HtmlExporter",
    "LargeTimelineWarning",
    "TimelineJsExporter",
    "TooManySlidesWarning",
    "notebook_html",
    "timeline_register_commands",
    "timeline_register_exporters",
]


@hookimpl
def timeline_register_exporters(register: Callable[[timeline.Exporter], None]) -> None:
    """Register the ``html`` and ``timelinejs`` exporters."""
    register(HtmlExporter())
    register(TimelineJsExporter())


@hookimpl
def timeline_register_commands(register: Callable[[click.Command], None]) -> None:
    """Register ``timeline view``."""
    register(view)
