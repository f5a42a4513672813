"""Drive the system's Chromium (Playwright) over an exported page: the browser tests, screenshots.

Playwright comes from PyPI (the ``test`` extra) and drives Debian's
``/usr/bin/chromium`` through ``executable_path``; its own browser download is
never used. Every request other than the page itself is aborted and recorded,
so a page that tries to fetch anything is caught. ``make screenshot`` runs
this module to redraw ``docs/relos-timeline.png`` from the sample dataset.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import timeline

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "DRAWN_ITEMS", "Session", "browser_problem", "session"]

#: Debian's Chromium (``apt-get install -y chromium``); ``TIMELINE_CHROMIUM`` overrides it.
CHROMIUM = os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium")
#: Flags that work on a headless, GPU-less machine running as root; no background traffic.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: The CSS selector of the items the engine drew (background areas excluded).
DRAWN_ITEMS = ".gt-timeline .vis-item:not(.vis-background)"


def browser_problem() -> str | None:
    """Say why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401 - only checking that it is installed
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@attrs.define
class Session:
    """An open page in a fresh Chromium profile, and what it asked for."""

    page: Page
    """The Playwright page, showing the file."""
    url: str
    """The page's file:// URL."""
    requests: list[str] = attrs.field(factory=list)
    """Every request made, the page's own included."""
    blocked: list[str] = attrs.field(factory=list)
    """The requests that were not the page itself (all aborted)."""
    errors: list[str] = attrs.field(factory=list)
    """Console errors and uncaught exceptions (a CSP violation is one)."""

    def wait_drawn(self, count: int, timeout_ms: float = 20_000) -> int:
        """Wait until the engine drew ``count`` items; return how many it drew."""
        self.page.wait_for_function(
            # The engine shows its root only once the first full redraw is done.
            "([selector, n]) => document.querySelectorAll(selector).length >= n && "
            "getComputedStyle(document.querySelector('.vis-timeline')).visibility === 'visible'",
            arg=[DRAWN_ITEMS, count],
            timeout=timeout_ms,
        )
        return int(self.page.locator(DRAWN_ITEMS).count())


@contextlib.contextmanager
def session(
    path: str | os.PathLike[str],
    *,
    tz: str = "UTC",
    width: int = 1400,
    height: int = 900,
) -> Iterator[Session]:
    """Open ``path`` in headless Chromium with the time zone ``tz``; abort every other request.

    Raises:
        TimelineError: Playwright or Chromium is missing.
    """
    problem = browser_problem()
    if problem is not None:
        raise timeline.TimelineError(f"cannot drive a browser: {problem}")
    from playwright.sync_api import sync_playwright

    url = Path(path).resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            env={**os.environ, "TZ": tz},
            viewport={"width": width, "height": height},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            found = Session(page=page, url=url)

            def guard(route: Route) -> None:
                if route.request.url == url:
                    route.continue_()
                else:
                    found.blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            context.on("request", lambda request: found.requests.append(request.url))
            page.on(
                "console",
                lambda msg: found.errors.append(msg.text) if msg.type == "error" else None,
            )
            page.on("pageerror", lambda exc: found.errors.append(str(exc)))
            page.goto(url)
            yield found
        finally:
            context.close()


def screenshot(
    html_path: str | os.PathLike[str],
    png_path: str | os.PathLike[str],
    window: tuple[str, str] | None = None,
) -> int:
    """Draw ``html_path`` and write a screenshot of it to ``png_path``; return the items drawn.

    Args:
        html_path: an ``html`` export.
        png_path: where the PNG goes.
        window: the first and last instants shown (ISO, UTC); the whole data when omitted.

    Raises:
        TimelineError: the browser is missing, or the page fetched something.
    """
    with session(html_path, width=1400, height=820) as s:
        events = int(s.page.evaluate("window.geotimeline.data.items.length"))
        drawn = s.wait_drawn(events)
        if window is not None:
            s.page.evaluate(
                "w => window.geotimeline.timeline.setWindow(w[0], w[1], {animation: false})",
                list(window),
            )
            s.page.wait_for_timeout(500)  # the engine redraws on its next animation frame
            drawn = int(s.page.locator(DRAWN_ITEMS).count())
        s.page.screenshot(path=str(png_path), full_page=True)
        if s.blocked:
            raise timeline.TimelineError(f"the page tried to fetch {s.blocked}")
    return drawn


#: The sample's pictures in docs/: the whole timeline, and December 2025 day by day.
SAMPLE_PICTURES: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("relos-timeline.png", None),
    ("relos-december-2025.png", ("2025-11-26T00:00:00Z", "2025-12-18T00:00:00Z")),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Redraw the sample's screenshots (``make screenshot``): ``python -m ... [DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0] if args else "docs")
    tl = timeline.datasets.load("relos")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "relos.html"
        tl.export("html", page_path, title="RELOS and the events around it (sample dataset)")
        for name, window in SAMPLE_PICTURES:
            try:
                drawn = screenshot(page_path, out_dir / name, window)
            except timeline.TimelineError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            print(f"wrote {out_dir / name} ({drawn} items drawn)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
