"""The self-contained page (and notebook fragment): engine, styles, data and legend inline.

Nothing is fetched: the engine's script and stylesheet are inlined from the
vendored files, the data sits in a ``<script type="application/json">``
element, and the page's Content-Security-Policy forbids every network fetch,
so a regression that adds one fails loudly instead of quietly phoning home.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any

import timeline

from ._vendored import asset, manifest

__all__ = ["CSP", "DATA_ID", "ENGINE_CSS", "ENGINE_JS", "fragment", "page", "script_json"]

#: Scripts and styles only inline, images only as data: URLs, no fetch, frame, form or base.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
#: The id of the page's data element.
DATA_ID = "geotimeline-data"
ENGINE_JS = "vis-timeline-graph2d.min.js"
ENGINE_CSS = "vis-timeline-graph2d.min.css"

# A trailing source-map comment would make a browser's developer tools fetch a .map file.
_SOURCE_MAP = re.compile(r"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$")
# Inside <script> and <style> only these sequences can end the element early.
_CLOSERS = re.compile(r"</(script|style)|<!--", re.IGNORECASE)

_STYLE = """
.gt-root { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a202c; }
.gt-root h1 { font-size: 20px; margin: 0 0 4px; }
.gt-root .gt-meta { color: #4a5568; margin: 0 0 8px; }
.gt-root .gt-note { color: #9c4221; margin: 0 0 8px; }
.gt-root .vis-timeline { border: 1px solid #cbd5e0; background: #fff; }
.gt-root .vis-item.gt-item { background: #bee3f8; border: 1px solid #2b6cb0; color: #1a202c; }
.gt-root .vis-item.gt-item.vis-selected { background: #fefcbf; border-color: #b7791f; }
.gt-root .gt-swatch.gt-fuzzy, .gt-root .vis-item.gt-fuzzy {
  background: repeating-linear-gradient(135deg, rgba(43,108,176,.35) 0 5px,
    rgba(43,108,176,.08) 5px 10px);
  border-style: dashed; }
.gt-root .vis-item.gt-approx .vis-item-content::after { content: " ~"; font-weight: bold; }
.gt-root .vis-item.gt-uncertain .vis-item-content::after { content: " ?"; font-weight: bold; }
.gt-root .vis-item.gt-approx.gt-uncertain .vis-item-content::after { content: " ?~"; }
.gt-root .gt-swatch.gt-approx, .gt-root .gt-swatch.gt-uncertain,
.gt-root .vis-item.gt-approx, .gt-root .vis-item.gt-uncertain { opacity: .75; }
.gt-root .gt-swatch.gt-open-start, .gt-root .vis-item.gt-open-start {
  border-left-width: 0;
  -webkit-mask-image: linear-gradient(to right, transparent, #000 48px);
  mask-image: linear-gradient(to right, transparent, #000 48px); }
.gt-root .gt-swatch.gt-open-end, .gt-root .vis-item.gt-open-end {
  border-right-width: 0;
  -webkit-mask-image: linear-gradient(to left, transparent, #000 48px);
  mask-image: linear-gradient(to left, transparent, #000 48px); }
.gt-root .gt-swatch.gt-m-planned, .gt-root .vis-item.gt-m-planned {
  background-color: #fefcbf; border-color: #b7791f; border-style: dotted; }
.gt-root .gt-swatch.gt-m-reported, .gt-root .vis-item.gt-m-reported {
  background-color: #e9d8fd; border-color: #6b46c1; }
.gt-root .gt-swatch.gt-m-hypothetical, .gt-root .vis-item.gt-m-hypothetical {
  background-color: #edf2f7; border-color: #718096; border-style: dotted; font-style: italic; }
.gt-root .gt-swatch.gt-m-negated, .gt-root .vis-item.gt-m-negated,
.gt-root .gt-swatch.gt-retracted, .gt-root .vis-item.gt-retracted {
  text-decoration: line-through; opacity: .5; }
.gt-root .gt-legend { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 8px 0;
  padding: 0; list-style: none; color: #2d3748; }
.gt-root .gt-swatch { display: inline-block; width: 36px; height: 12px; margin-right: 6px;
  vertical-align: middle; background-color: #bee3f8; border: 1px solid #2b6cb0; }
.gt-root .gt-detail { margin-top: 8px; padding: 8px 12px; border: 1px solid #cbd5e0;
  background: #f7fafc; min-height: 2em; }
.gt-root .gt-detail dt { font-weight: bold; float: left; clear: left; width: 7em; }
.gt-root .gt-detail dd { margin: 0 0 2px 7.5em; }
.gt-root .gt-notice { color: #718096; font-size: 12px; margin-top: 8px; }
"""

# Dates are drawn in UTC (the engine's moment option): items are UTC instants, so an
# all-day 4-5 December visit covers the axis days 4 and 5 in any viewer's time zone.
_SCRIPT = """
(function () {
  "use strict";
  var here = document.currentScript;
  var root = (here && here.parentNode.closest(".gt-root")) ||
    document.getElementById(%(root_id)s);
  var data = JSON.parse(root.querySelector("script.gt-data").textContent);
  var items = new vis.DataSet(data.items);
  var options = {
    moment: function (date) { return vis.moment(date).utc(); },
    start: data.window.start, end: data.window.end,
    zoomMin: 3600000, stack: true, showCurrentTime: false, selectable: true,
    orientation: {axis: "top", item: "top"}, groupOrder: "order",
    tooltip: {followMouse: true, overflowMethod: "cap"}
  };
  var container = root.querySelector(".gt-timeline");
  var view = data.groups.length ?
    new vis.Timeline(container, items, new vis.DataSet(data.groups), options) :
    new vis.Timeline(container, items, options);
  var panel = root.querySelector(".gt-detail");
  function row(list, name, value) {
    if (value === null || value === undefined || value === "" || value.length === 0) return;
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = name;
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    list.appendChild(dt); list.appendChild(dd);
  }
  function show(id) {
    var item = id === null || id === undefined ? null : items.get(id);
    panel.textContent = "";
    if (!item) { panel.textContent = "Click an event to see its dates and sources."; return; }
    var d = item.detail, list = document.createElement("dl");
    row(list, "Event", d.title); row(list, "Summary", d.summary); row(list, "Kind", d.kind);
    row(list, "Date", d.date); row(list, "EDTF", d.edtf); row(list, "Bounds", d.bounds);
    row(list, "Precision", [d.precision].concat(d.qualifiers).join(", "));
    row(list, "Modality", d.modality); row(list, "Actors", d.actors.join(", "));
    row(list, "Treaty", d.treaty);
    if (d.sources.length) {
      var links = document.createElement("span");
      d.sources.forEach(function (s, i) {
        var a = document.createElement(s.url ? "a" : "span");
        if (s.url) { a.href = s.url; a.rel = "noopener noreferrer"; a.target = "_blank"; }
        a.textContent = s.label;
        if (i) links.appendChild(document.createTextNode("; "));
        links.appendChild(a);
      });
      row(list, "Sources", links);
    }
    panel.appendChild(list);
  }
  view.on("select", function (props) { show(props.items[0]); });
  show(null);
  window.geotimeline = {timeline: view, items: items, data: data};
})();
"""

_LEGEND = (
    ("gt-exact", "exact: a known day, span of days or instant"),
    ("gt-fuzzy", "fuzzy: known only to a month, season, part of a month or span (hatched)"),
    ("gt-approx", "approximate (~) or uncertain (?)"),
    ("gt-open-start", "open start: no earliest date (fades in)"),
    ("gt-open-end", "open end: still going (fades out)"),
    ("gt-m-planned", "planned"),
    ("gt-m-reported", "reported"),
    ("gt-m-hypothetical", "hypothetical"),
    ("gt-retracted", "retracted or negated"),
)


def script_json(data: Any) -> str:
    r"""Return ``data`` as JSON that cannot end its ``<script>`` element early.

    ``<``, ``>`` and ``&`` become ``\u003c``-style escapes (so ``</script>`` and
    ``<!--`` in a title stay text), and U+2028/U+2029 are escaped too; the JSON
    reads back the same.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _text(value: str) -> str:
    """Escape text for HTML; the line and paragraph separators become character references."""
    return html.escape(value).replace("\u2028", "&#8232;").replace("\u2029", "&#8233;")


def _inline(name: str) -> str:
    text = _SOURCE_MAP.sub("", asset(name))
    if _CLOSERS.search(text):
        raise timeline.TimelineError(f"vendored file {name} cannot be inlined: it closes its tag")
    return text


def _notice() -> str:
    engine = manifest()[0]
    return (
        f"Drawn with {engine.package} {engine.version} (licence {engine.license}; "
        "Copyright (c) 2014-2017 Almende B.V. and contributors, (c) 2017-2019 vis.js "
        "contributors), inlined unmodified; its licence texts ship with the timeline_html "
        "plugin (_vendor/LICENSE.*)."
    )


def _body(data: dict[str, Any], root_id: str, note: str | None) -> str:
    e = _text
    legend = "".join(
        f'<li><span class="gt-swatch {cls}"></span>{e(text)}</li>' for cls, text in _LEGEND
    )
    count = data["events"]
    meta = f"{count} event{'' if count == 1 else 's'}" + (
        f" · log seq {data['seq']}" if data.get("seq") is not None else ""
    )
    note_html = f'<p class="gt-note">{e(note)}</p>' if note else ""
    return (
        f'<div class="gt-root" id="{e(root_id)}">\n'
        f"<h1>{e(data['title'])}</h1>\n"
        f'<p class="gt-meta">{e(meta)} · dates in UTC, drawn as days · '
        "drag to pan, scroll to zoom, click an event for its sources</p>\n"
        f"{note_html}"
        '<div class="gt-timeline"></div>\n'
        f'<ul class="gt-legend">{legend}</ul>\n'
        '<div class="gt-detail"></div>\n'
        f'<p class="gt-notice">{e(_notice())}</p>\n'
        f'<script type="application/json" class="gt-data" id="{DATA_ID}">'
        f"{script_json(data)}</script>\n"
        f"<script>{_inline(ENGINE_JS)}</script>\n"
        f"<script>{_SCRIPT % {'root_id': json.dumps(root_id)}}</script>\n"
        "</div>\n"
    )


def page(data: dict[str, Any]) -> str:
    """Return the whole self-contained HTML page for the data."""
    e = _text
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="geotimeline timeline_html">\n'
        f"<title>{e(data['title'])}</title>\n"
        f"<style>{_inline(ENGINE_CSS)}</style>\n"
        f"<style>{_STYLE}</style>\n"
        "</head>\n<body>\n"
        f"{_body(data, 'geotimeline', data.get('note'))}"
        "</body>\n</html>\n"
    )


def fragment(data: dict[str, Any], note: str | None = None) -> str:
    """Return an HTML fragment (no ``<html>``) for a notebook cell: styles and scripts inline.

    Its root id is derived from the data, so two cells showing different data
    do not collide; the data element has no id (cells may repeat).
    """
    digest = hashlib.sha256(script_json(data).encode("utf-8")).hexdigest()[:12]
    body = _body(data, f"geotimeline-{digest}", note).replace(f' id="{DATA_ID}"', "", 1)
    return f"<style>{_inline(ENGINE_CSS)}</style>\n<style>{_STYLE}</style>\n{body}"
