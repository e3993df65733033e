"""Save-and-return and the thank-you page as a patient meets them on a phone (Chromium at 390 px): saving
after two domains goes on at the third (not back at the first), reopening the link offers "Fortsätt där du
slutade", and the thank-you page lists the answers by domain with each follow-up ("Vill du prata med någon
om detta?") beside the question it follows, and 1177 and 112 as numbers the phone can call."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_forms_reshow import patient_link
from tests.web.test_routes_access import World, world

__all__ = ["world"]
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _answer(page: Any, key: str) -> None:
    """Every question of the part: the first option, and "Ja" to talking about tiredness."""
    part = page.locator(f"#del-{key}")
    for fieldset in part.locator("fieldset.item").all():
        radios = fieldset.locator("input[type=radio]")
        if (radios.first.get_attribute("name") or "") == "q_trotthet.talk":
            fieldset.locator("input[value=true]").check()
        else:
            radios.first.check()


def test_saving_goes_on_where_the_answers_stop_and_the_thank_you_page_keeps_follow_ups_together(
    world: World,
) -> None:
    _id, token = patient_link(world)
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
        page.goto(f"{base}/skattning/{token}")
        _answer(page, "fysiskt")
        page.locator("#del-fysiskt").get_by_role("link", name="Nästa").click()
        _answer(page, "psykiskt")
        page.get_by_role("button", name="Spara och fortsätt senare").click()
        page.wait_for_load_state()
        assert page.url.endswith("#del-socialt"), page.url
        assert page.locator("#del-socialt").is_visible() and not page.locator("#del-fysiskt").is_visible()
        assert "Dina svar är sparade" in page.inner_text("body")

        page.goto(f"{base}/skattning/{token}")  # the link opened again, another day
        resume = page.get_by_role("link", name="Fortsätt där du slutade: Socialt")
        assert resume.is_visible()
        screenshot(page, "patient_form_resume")
        resume.click()
        assert page.locator("#del-socialt").is_visible()
        for key in ("socialt", "existentiellt", "levnadsvanor"):
            _answer(page, key)
            page.locator(f"#del-{key}").get_by_role("link", name="Nästa").click()
        page.get_by_role("button", name="Skicka in").click()
        page.wait_for_load_state()
        assert "Tack för dina svar" in page.inner_text("body")
        assert page.locator("h3").all_inner_texts()[:2] == ["Fysiskt", "Psykiskt"]
        questions = page.locator("dl.answers dt").all_inner_texts()
        assert "Vill du prata med någon om detta?" not in questions  # never alone, without its question
        tiredness = page.locator("dl.answers dt", has_text="Trötthet").locator(
            "xpath=following-sibling::dd[1]"
        )
        assert "Vill du prata med någon om detta? Ja" in tiredness.inner_text()
        assert (
            page.locator("a[href='tel:1177']").count() == 1 and page.locator("a[href='tel:112']").count() == 1
        )
        screenshot(page, "patient_form_thanks")
        page.context.close()
