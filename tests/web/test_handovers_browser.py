"""The handover list and a rejected handover in headless Chromium at desktop and phone width (screenshots
under test-artifacts/screenshots/): the rejected one comes first with its reason, and the confirmation form
asks for the date and the contact method."""

from __future__ import annotations

import pytest

from canrehab.synth.demo import DEMO_PASSWORD
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_handovers_pages import World, _send, world

__all__ = ["world"]
pytestmark = pytest.mark.browser


def test_handover_pages_at_desktop_and_phone_width(world: World) -> None:
    from canrehab.services import handovers

    rejected = _send(world, "Behöver stöd av fysioterapeut")
    h = handovers.detail(world.services, world.physio, rejected).handover
    handovers.step(world.services, world.physio, rejected, "avvisa", h.version, "Fel mottagare")
    waiting = _send(world, "Lymfödem i armen")
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        for width in (1366, 390):
            for username, path, name in (
                ("ssk", "/overlamningar", "handovers"),
                ("ssk", f"/overlamning/{rejected}", "handover_rejected"),
                ("fysioterapeut", f"/overlamning/{waiting}", "handover_confirm"),
            ):
                page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
                page.goto(f"{base}/logga-in")
                page.get_by_label("Användarnamn").fill(username)
                page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Logga in").click()
                page.wait_for_load_state()
                page.goto(f"{base}{path}")
                screenshot(page, f"{name}_{width}")
                if name == "handover_rejected":
                    assert "Fel mottagare" in page.inner_text("body")
                if name == "handover_confirm":
                    assert page.get_by_label("Hur ni hade kontakt").count() == 1
                page.context.close()
