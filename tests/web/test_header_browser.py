"""The staff header in Chromium: on a phone one row with a "Meny" button (a <details> summary, no JavaScript
needed) that opens the menu over the page; on a desktop the menu as before, all links in the header row.
Screenshots and axe-core at both widths, closed and open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve

pytestmark = pytest.mark.browser
MENU_LINKS = ("Arbetslista", "Överlämningar", "Remisser", "Uppföljning", "Statistik", "Åtkomstlogg")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("header")), secret_key="header-secret")
    build_demo(settings, patients=40, seed=5, analytics_persons=100)
    with serve(create_app(settings)) as url:
        yield url


def _header_height(page: object) -> float:
    return float(page.eval_on_selector("header.top", "e => e.getBoundingClientRect().height"))  # type: ignore[attr-defined]


def test_on_a_phone_the_header_is_one_row_with_a_menu_button(base: str, logged_in_page: LoginPage) -> None:
    with chromium() as browser:
        page = logged_in_page(browser, base, "chef", width=390)
        menu = page.locator("header.top details.menu > summary")  # Chromium: a disclosure with its state
        assert menu.is_visible() and menu.inner_text().startswith("Meny")
        assert not page.get_by_role("link", name="Arbetslista").is_visible()
        assert _header_height(page) < 80, "one row"
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390
        screenshot(page, "header-phone-closed")  # axe at both widths, closed
        page.set_viewport_size({"width": 390, "height": 900})
        # keyboard: the skip link, the logo, then the menu button; Enter opens it with a visible focus ring
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", "the focus is visible"
        page.keyboard.press("Enter")
        for name in MENU_LINKS:
            assert page.get_by_role("link", name=name, exact=True).is_visible(), name
        assert page.get_by_role("button", name="Logga ut").is_visible()
        assert _header_height(page) < 80, "the open menu lies over the page, the header row stays one row"
        page.screenshot(
            path=str(
                Path(__file__).resolve().parents[2]
                / "test-artifacts"
                / "screenshots"
                / "header-phone-open.png"
            )
        )
        from tests.web.axe import assert_accessible

        assert_accessible(page, "header-phone-open")
        page.get_by_role("link", name="Remisser", exact=True).click()
        page.wait_for_load_state()
        assert page.url.endswith("/remisser")
        page.context.close()


def test_the_menu_opens_without_javascript(base: str, logged_in_page: LoginPage) -> None:
    with chromium() as browser:
        page = logged_in_page(browser, base, "ssk", width=390, java_script=False)
        assert not page.get_by_role("link", name="Överlämningar").is_visible()
        page.locator("header.top summary").click()
        assert page.get_by_role("link", name="Överlämningar").is_visible()
        page.get_by_role("link", name="Överlämningar").click()
        page.wait_for_load_state()
        assert page.url.endswith("/overlamningar")
        page.context.close()


def test_on_a_desktop_every_link_is_in_the_header_row_and_no_menu_button(
    base: str, logged_in_page: LoginPage
) -> None:
    with chromium() as browser:
        page = logged_in_page(browser, base, "chef", width=1366)
        assert not page.locator("header.top summary").is_visible()
        for name in MENU_LINKS:
            assert page.get_by_role("link", name=name, exact=True).is_visible(), name
        assert page.get_by_role("button", name="Logga ut").is_visible()
        assert _header_height(page) < 100
        screenshot(page, "header-desktop")
        page.context.close()
