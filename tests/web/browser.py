"""Headless Chromium (Debian's, never a downloaded one) for the end-to-end tests. Every page a test
screenshots is saved at desktop and phone width and checked with axe-core (``tests/web/axe.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.web.axe import assert_accessible

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 1366, "phone": 390}


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> None:
    """Save the page at its own size and at desktop and phone width, and check it with axe-core at each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert_accessible(page, name)
    viewport = page.viewport_size
    try:
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": (viewport or {}).get("height", 900)})
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
            assert_accessible(page, f"{name} at {width} px")
    finally:
        if viewport is not None:
            page.set_viewport_size(viewport)


def assert_fits_phone(page: Any, name: str) -> None:
    """At 390 px the page is no wider than the viewport (a table may scroll inside its ``.table-scroll``
    region); the viewport is restored afterwards."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    try:
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1 && !e.closest('.table-scroll'))"
            ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTHS["phone"] + 1, f"{name} is {width} px wide at {WIDTHS['phone']} px: {wide}"
    finally:
        if viewport is not None:
            page.set_viewport_size(viewport)
