"""Every staff form refused in the browser shows itself again with the typed values kept and the reason
inline, in Swedish (no dead-end 400 page): the rehabilitation plan, the handover, the referral and the Min
vårdplan offer. Screenshots of each refused form at desktop and phone width, axe-core on each."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.services.context import SYSTEM
from canrehab.synth.demo import DEMO_PASSWORD
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_routes_access import World, world

__all__ = ["world"]
pytestmark = pytest.mark.browser


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{base}/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return page


def test_refused_staff_forms_keep_the_input_and_show_the_error_inline(world: World) -> None:
    patient, pathway = world.own_patient, world.own_pathway
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        own_unit = uow.accounts.get("ssk").unit_hsa_ids[0]
        other_unit = next(
            u.hsa_id
            for u in uow.units.list_all()
            if u.hsa_id != own_unit and u.county_code == uow.units.get(own_unit).county_code
        )
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = _login(browser, base, "ssk")

        # The plan: a follow-up date in the past is refused; the summary, a goal and the date stay.
        page.goto(f"{base}/patient/{patient}/plan?pathway_id={pathway}")
        page.fill("#summary", "Trött efter strålbehandlingen")
        page.fill("input[name=goal_text_0]", "Promenera 30 minuter om dagen")
        page.fill("#follow_up_on", "2001-02-03")
        page.locator("button[name=op][value=establish], button[name=op][value=revise]").first.click()
        page.wait_for_load_state()
        body = page.inner_text("body")
        assert "Planen sparades inte." in body and "Uppföljningsdatumet" in body
        assert page.input_value("#summary") == "Trött efter strålbehandlingen"
        assert page.input_value("#follow_up_on") == "2001-02-03"
        assert "Promenera 30 minuter om dagen" in [
            page.input_value(f"input[name=goal_text_{i}]")
            for i in range(page.locator("input[name^=goal_text_]").count())
        ]
        screenshot(page, "refused_plan")

        # The handover: to the sender's own unit is refused; the unit, the needs and the tick stay.
        page.goto(f"{base}/patient/{patient}/overlamning?pathway_id={pathway}")
        page.select_option("#to_unit", own_unit)
        page.fill("#needs", "Behöver stöd av dietist")
        page.check("input[name=patient_informed]")
        page.get_by_role("button", name="Skicka överlämning").click()
        page.wait_for_load_state()
        assert "Överlämningen skickades inte." in page.inner_text("body")
        assert page.input_value("#to_unit") == own_unit
        assert page.input_value("#needs") == "Behöver stöd av dietist"
        assert page.is_checked("input[name=patient_informed]")
        screenshot(page, "refused_handover")

        # The referral: without a question it is refused; the chosen unit and profession stay.
        page.goto(f"{base}/patient/{patient}/remiss?pathway_id={pathway}")
        page.select_option("#to_unit", other_unit)
        page.select_option("#to_profession", "physiotherapist")
        page.get_by_role("button", name="Skicka remiss").click()
        page.wait_for_load_state()
        assert "Remissen skickades inte." in page.inner_text("body")
        assert "Ange frågeställning" in page.inner_text("body")
        assert page.input_value("#to_unit") == other_unit
        assert page.input_value("#to_profession") == "physiotherapist"
        screenshot(page, "refused_referral")

        # The Min vårdplan offer: a date before the diagnosis is refused; the channel and the date stay.
        page.goto(f"{base}/patient/{patient}")
        offers = page.locator("details.offers").first
        offers.locator("summary").click()
        form = offers.locator("form")
        assert form.count() == 1, "the pathway offers Min vårdplan"
        form.get_by_label("på papper").check()
        form.get_by_label("Erbjuden den").fill("2000-01-02")
        form.get_by_role("button", name="Registrera erbjudandet").click()
        page.wait_for_load_state()
        refused = page.locator("details.offers[open]").first
        assert "Erbjudandet registrerades inte" in refused.inner_text()
        assert refused.get_by_label("på papper").is_checked()
        assert refused.get_by_label("Erbjuden den").input_value() == "2000-01-02"
        screenshot(page, "refused_offer")
        page.context.close()


def test_the_audit_log_fits_a_phone_and_its_filters_work_in_the_browser(world: World) -> None:
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = _login(browser, base, "ssk")
        page.goto(f"{base}/patient/{world.own_patient}")
        page.context.close()
        page = _login(browser, base, "processledare")
        page.goto(f"{base}/logg")
        page.select_option("#f-actor", "ssk")
        page.get_by_role("button", name="Filtrera").click()
        page.wait_for_load_state()
        assert "actor=ssk" in page.url
        assert "Läste patientuppgifter" in page.inner_text("table")
        screenshot(page, "audit_log")
        page.set_viewport_size({"width": 390, "height": 900})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide at 390 px"
        page.context.close()
