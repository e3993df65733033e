"""Skicka länk on a phone (Chromium at 390 px): the patient page is long, so after "Skicka länk till
Hälsoskattning" the nurse lands on the link card itself (the link, the copy button, the QR code) instead
of the top of the page with a message pointing at something out of sight."""

from __future__ import annotations

import pytest

from canrehab.web.app import create_app
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.test_routes_access import World, world

__all__ = ["world"]
pytestmark = pytest.mark.browser


def test_the_new_link_card_is_in_view_on_a_phone(world: World, logged_in_page: LoginPage) -> None:
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk", width=390)
        page.goto(f"{base}/patient/{world.own_patient}")
        page.locator(f"#bedomning-{world.own_pathway}").get_by_role(
            "button", name="Skicka länk till Hälsoskattning"
        ).click()
        page.wait_for_load_state()
        assert page.url.endswith("#lank"), page.url
        card = page.locator("#lank")
        box = card.bounding_box()
        assert box is not None and -1 <= box["y"] < 844, f"the link card is at y = {box}, out of sight"
        assert page.locator("#patient-link").is_visible()
        assert page.get_by_role("button", name="Kopiera länken").is_visible()
        assert page.get_by_text("Visa QR-kod för patientens mobil").is_visible()
        assert_fits_phone(page, "patient_link_card")
        screenshot(page, "patient_link_card")
        page.context.close()


def test_the_copy_button_copies_the_link_or_says_how_to_copy_it(
    world: World, logged_in_page: LoginPage
) -> None:
    """With the clipboard allowed the link is on it and the button says so; where the browser refuses the
    clipboard (an http address, a denied permission) the button no longer does nothing: the link is
    selected and the nurse is told to copy it with Ctrl+C."""
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        for allowed in (True, False):
            page = logged_in_page(browser, base, "ssk", width=390)
            if allowed:
                page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            page.goto(f"{base}/patient/{world.own_patient}")
            page.locator(f"#bedomning-{world.own_pathway}").get_by_role(
                "button", name="Skicka länk till Hälsoskattning"
            ).click()
            page.wait_for_load_state()
            if not allowed:  # as on a page served over plain http: no asynchronous clipboard at all
                page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
            url = page.locator("#patient-link").inner_text().strip()
            page.get_by_role("button", name="Kopiera länken").click()
            status = page.locator("#copy-status")
            status.wait_for(state="visible")
            if allowed:
                assert "Länken är kopierad" in status.inner_text()
                assert page.evaluate("navigator.clipboard.readText()") == url
            else:  # copied the older way (the selection), or the nurse is told how
                said = status.inner_text()
                assert "Länken är kopierad" in said or "Ctrl+C" in said
                assert page.evaluate("String(window.getSelection())").strip() == url
            page.context.close()
