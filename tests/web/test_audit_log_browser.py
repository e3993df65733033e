"""The audit log as the process leader reads it on a phone (Chromium at 390 px): each event is a card with
its labels, so what happened and to whom is on screen, not in a table scrolled sideways out of sight."""

from __future__ import annotations

import pytest

from canrehab.web.app import create_app
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.test_routes_access import World, client_for, world

__all__ = ["world"]
pytestmark = pytest.mark.browser


def test_every_event_and_its_patient_are_on_screen_at_phone_width(
    world: World, logged_in_page: LoginPage
) -> None:
    client_for(world, "ssk").get(f"/patient/{world.own_patient}")
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "processledare", width=390)
        page.goto(f"{base}/logg?actor=ssk")
        cells = page.locator("table.audit tbody tr").first.locator("td")
        for label in ("Händelse", "Patient", "Vem"):
            cell = cells.and_(page.locator(f"td[data-label='{label}']"))
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391, (label, box)
            before = cell.evaluate("e => getComputedStyle(e, '::before').content")
            assert label in before  # the label beside the value, as the header is hidden
        assert "Läste patientuppgifter" in cells.and_(page.locator("td.event")).inner_text()
        scroller = page.locator(".table-scroll").first
        assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        assert_fits_phone(page, "audit_log_phone")
        screenshot(page, "audit_log_phone")
        page.context.close()
