"""The ``html`` export in a real headless Chromium (Debian's, driven by Playwright).

Under ``CI=true`` these tests must run (``.ci/run`` installs Chromium); elsewhere
they skip, with one line saying how to enable them, when Chromium or Playwright
is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import timeline
from timeline.testing import FixedClock
from timeline_html._browser import DRAWN_ITEMS, browser_problem, session

pytestmark = pytest.mark.browser

#: Where the sample's screenshot is written for a person to look at (build/ is not committed).
SCREENSHOT = Path(__file__).resolve().parent.parent / "build" / "screenshots" / "relos.png"

VISIT = {
    "id": "visit-2025",
    "kind": "visit.state",
    "when": "2025-12-04/2025-12-05",
    "title": "State visit to New Delhi",
    "actors": ["RUS", "IND"],
    "sources": [{"url": "https://tass.com/visit", "publisher": "TASS"}],
}
AROUND = (
    {
        "id": "duma",
        "kind": "treaty.ratified",
        "when": "2025-12-02",
        "title": "Duma",
        "actors": ["RUS"],
    },
    {
        "id": "nss",
        "kind": "document.published",
        "when": "2025-12-08",
        "title": "NSS",
        "actors": ["USA"],
    },
)


@pytest.fixture(autouse=True)
def _browser() -> Iterator[None]:
    problem = browser_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the browser tests must run, but {problem}")
        pytest.skip(f"browser test skipped: {problem}")
    return


class TestSample:
    """The sample dataset's page, offline."""

    def test_offline_all_drawn_fuzzy_styled_screenshot(self, tmp_path: Path) -> None:
        """No request but the page; every event drawn; fuzzy items hatched; a screenshot."""
        tl = timeline.datasets.load("relos")
        path = tmp_path / "relos.html"
        count = tl.export("html", path, title="RELOS sample").written
        with session(path) as s:
            assert count == s.wait_drawn(count)
            data = s.page.evaluate("window.geotimeline.data")
            fuzzy = [i for i in data["items"] if "gt-fuzzy" in i["className"].split()]
            assert fuzzy, "the sample has fuzzy dates"
            drawn_fuzzy = s.page.locator(f"{DRAWN_ITEMS}.gt-fuzzy")
            assert len(fuzzy) == drawn_fuzzy.count()
            style = drawn_fuzzy.first.evaluate(
                "e => [getComputedStyle(e).backgroundImage, getComputedStyle(e).borderStyle]"
            )
            assert "repeating-linear-gradient" in style[0]
            assert "dashed" in style[1]
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            s.page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert [] == s.blocked
            assert [s.url] == s.requests
            assert [] == s.errors
        assert SCREENSHOT.stat().st_size > 10_000
        print(f"screenshot: {SCREENSHOT} ({count} events drawn)")


class TestDaysInEveryTimeZone:
    """An all-day 4-5 December visit covers the axis days 4 and 5, west and east of UTC."""

    @pytest.mark.parametrize(("tz", "offset"), [("America/Los_Angeles", 480), ("Asia/Tokyo", -540)])
    def test_visit_spans_the_4th_and_5th(self, tmp_path: Path, tz: str, offset: int) -> None:
        """The bar starts at the "4" tick and ends at the "6" tick; its panel links the source."""
        tl = timeline.Timeline(timeline.MemoryStore(), clock=FixedClock(), snapshot_every=0)
        tl.record_many([VISIT, *AROUND])
        path = tmp_path / "visit.html"
        tl.export("html", path, group_by="none")
        with session(path, tz=tz) as s:
            assert 3 == s.wait_drawn(3)
            assert offset == s.page.evaluate("new Date(2025, 11, 4).getTimezoneOffset()")
            ticks = s.page.evaluate(
                """() => Array.from(document.querySelectorAll('.vis-text.vis-minor'))
                    .map(e => [e.textContent.trim().split(' ').pop(),
                               e.getBoundingClientRect().left])"""
            )
            left = dict(ticks)
            bar = s.page.locator(DRAWN_ITEMS, has_text="State visit").bounding_box()
            assert bar is not None
            assert abs(left["4"] - bar["x"]) <= 2, (ticks, bar)
            assert abs(left["6"] - (bar["x"] + bar["width"])) <= 2, (ticks, bar)
            s.page.locator(DRAWN_ITEMS, has_text="State visit").click()
            link = s.page.locator(".gt-detail a")
            assert "https://tass.com/visit" == link.get_attribute("href")
            assert "noopener noreferrer" == link.get_attribute("rel")
            assert [] == s.blocked
            assert [] == s.errors


class TestNotebookFragments:
    """Two notebook fragments in one page (as in a notebook) each draw their own items."""

    def test_two_cells(self, tmp_path: Path) -> None:
        """A lifecycle result and a capped event list draw side by side, offline."""
        from timeline_html import notebook_html

        tl = timeline.datasets.load("relos")
        lifecycle = tl.analyze("lifecycle", treaty="RELOS")
        cells = [lifecycle._repr_html_() or "", notebook_html(tl.events(), limit=5)]
        path = tmp_path / "notebook.html"
        path.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
            + "".join(f"<div class='cell'>{c}</div>" for c in cells)
            + "</body></html>",
            encoding="utf-8",
        )
        steps = len(lifecycle.agreement("RELOS").steps)
        with session(path) as s:
            s.wait_drawn(steps + 5)
            counts = s.page.evaluate(
                """() => Array.from(document.querySelectorAll('.gt-root')).map(
                    r => r.querySelectorAll('.vis-item:not(.vis-background)').length)"""
            )
            assert [steps, 5] == counts
            assert [] == s.blocked
            assert [] == s.errors
