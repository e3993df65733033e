"""Every staff form refused in the browser shows itself again with the typed values kept and the reason
inline, in Swedish (no dead-end 400 page): the rehabilitation plan, the handover, the referral and the Min
vårdplan offer. Screenshots of each refused form at desktop and phone width, axe-core on each."""

from __future__ import annotations

import pytest

from canrehab.domain.offers import offer_state
from canrehab.services.context import SYSTEM
from canrehab.web.app import create_app
from tests.web.browser import assert_fits_phone, chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.test_forms_reshow import established_plan, sent_handover
from tests.web.test_routes_access import World, world

__all__ = ["established_plan", "sent_handover", "world"]
pytestmark = pytest.mark.browser


def test_refused_staff_forms_keep_the_input_and_show_the_error_inline(
    world: World, logged_in_page: LoginPage
) -> None:
    patient, pathway = world.own_patient, world.own_pathway
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        own_unit = uow.accounts.get("ssk").unit_hsa_ids[0]
        other_unit = next(
            u.hsa_id
            for u in uow.units.list_all()
            if u.hsa_id != own_unit and u.county_code == uow.units.get(own_unit).county_code
        )
        offerable = next(  # a patient of the unit whose pathway can still be offered Min vårdplan
            p.patient_id for p in uow.pathways.for_unit(own_unit) if offer_state(p).can_offer_min_vardplan
        )
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")

        # The plan: a follow-up date in the past is refused; the summary, a goal and the date stay.
        page.goto(f"{base}/patient/{patient}/plan?pathway_id={pathway}")
        assert_fits_phone(page, "the plan editor")  # goal and action rows are cards on a phone
        goal = page.get_by_label("Mål 1", exact=True)  # the goal's text field is visible with its label
        assert goal.bounding_box()["width"] > 100
        page.set_viewport_size({"width": 390, "height": 900})
        assert goal.bounding_box()["width"] > 300
        page.set_viewport_size({"width": 1366, "height": 900})
        page.fill("#summary", "Trött efter strålbehandlingen")
        goal.fill("Promenera 30 minuter om dagen")
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
        page.goto(f"{base}/patient/{offerable}")
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


def test_refused_patient_page_forms_keep_the_input_and_show_the_error_inline(
    world: World, logged_in_page: LoginPage
) -> None:
    """The contact nurse, SIP and rehab team forms on the patient page: refused, the page comes back with the
    form open, what was typed kept and the reason next to it."""
    patient, pathway = world.own_patient, world.own_pathway
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")

        # The contact nurse from a date before the diagnosis: refused by the care process rules.
        page.goto(f"{base}/patient/{patient}")
        box = page.locator(f"#kontaktsjukskoterska-{pathway}")
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        chosen = box.locator("select[name=staff_id] option").nth(1).get_attribute("value")
        assert chosen
        box.locator("select[name=staff_id]").select_option(chosen)
        box.locator("input[name=from_date]").fill("2000-01-02")
        box.get_by_role("button", name="Utse kontaktsjuksköterska").click()
        page.wait_for_load_state()
        box = page.locator(f"#kontaktsjukskoterska-{pathway}")
        assert box.get_attribute("open") is not None
        assert "Kontaktsjuksköterskan utsågs inte" in box.inner_text()
        assert box.locator("select[name=staff_id]").input_value() == chosen
        assert box.locator("input[name=from_date]").input_value() == "2000-01-02"
        screenshot(page, "refused_contact_nurse")

        # SIP without a date (a browser that does not check "required"): the participants stay.
        sip = page.locator(f"#sip-{pathway}")
        sip.locator("summary").click()
        sip.locator("textarea[name=participants]").fill("Patienten, socialtjänsten och vårdcentralen")
        sip.locator("input[name=on]").evaluate("e => { e.required = false; e.value = ''; }")
        sip.get_by_role("button", name="Registrera upprättad SIP (AU124)").click()
        page.wait_for_load_state()
        sip = page.locator(f"#sip-{pathway}")
        assert sip.get_attribute("open") is not None
        assert "SIP registrerades inte: Ange datum för SIP-mötet" in sip.inner_text()
        assert sip.locator("textarea[name=participants]").input_value() == (
            "Patienten, socialtjänsten och vårdcentralen"
        )
        screenshot(page, "refused_sip")

        # The rehab team's action without a date: the kind and the note stay.
        team = page.locator(f"#rehabteam-{pathway}")
        team.locator("summary").click()
        kinds = team.locator("select[name=kind] option")
        kind = kinds.nth(kinds.count() - 1).get_attribute("value")
        assert kind
        team.locator("select[name=kind]").select_option(kind)
        team.locator("textarea[name=note]").fill("Fysioterapeut och kurator deltog")
        team.locator("input[name=on]").evaluate("e => { e.required = false; e.value = ''; }")
        team.get_by_role("button", name="Registrera").click()
        page.wait_for_load_state()
        team = page.locator(f"#rehabteam-{pathway}")
        assert team.get_attribute("open") is not None
        assert "Teamets åtgärd registrerades inte" in team.inner_text()
        assert team.locator("select[name=kind]").input_value() == kind
        assert team.locator("textarea[name=note]").input_value() == "Fysioterapeut och kurator deltog"
        screenshot(page, "refused_team")
        page.context.close()


def test_the_audit_log_fits_a_phone_and_its_filters_work_in_the_browser(
    world: World, logged_in_page: LoginPage
) -> None:
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")
        page.goto(f"{base}/patient/{world.own_patient}")
        page.context.close()
        page = logged_in_page(browser, base, "processledare")
        page.goto(f"{base}/logg")
        page.select_option("#f-actor", "ssk")
        page.get_by_role("button", name="Filtrera").click()
        page.wait_for_load_state()
        assert "actor=ssk" in page.url
        assert "Läste patientuppgifter" in page.inner_text("table")
        screenshot(page, "audit_log")
        # The process leader's own reads name every unit of the region: two, then "och N till" to open.
        page.goto(f"{base}/logg?actor=processledare")
        units = page.locator("table tbody tr").first.locator("td").nth(3)
        assert units.locator("details summary").inner_text().endswith(" till")
        assert units.bounding_box()["height"] < 130, "a unit list taller than a few lines"
        page.set_viewport_size({"width": 390, "height": 900})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide at 390 px"
        page.context.close()


def test_refused_follow_up_close_and_handover_steps_keep_the_input_in_the_browser(
    world: World, logged_in_page: LoginPage, established_plan: str, sent_handover: str
) -> None:
    """The plan's follow-up without change (next date before today), the handover's reject without a reason
    and its contact confirmation (a date before the handover, a browser that does not check min): each
    comes back on its own page with what was typed and the reason next to the form."""
    from datetime import timedelta

    yesterday = (world.services.today() - timedelta(days=1)).isoformat()
    with serve(create_app(world.services.settings)) as base, chromium() as browser:
        page = logged_in_page(browser, base, "ssk")
        page.goto(f"{base}/patient/{world.own_patient}/plan?pathway_id={world.own_pathway}")
        page.fill("#note", "Mår bättre, orkar mer")
        page.fill("#next_follow_up_on", yesterday)
        page.get_by_role("button", name="Följ upp utan ändring (AW024)").click()
        page.wait_for_load_state()
        assert "Nästa uppföljning kan inte ligga före dagens uppföljning." in page.inner_text("body")
        assert page.input_value("#note") == "Mår bättre, orkar mer"
        assert page.input_value("#next_follow_up_on") == yesterday
        screenshot(page, "refused_plan_follow_up")
        page.context.close()

        page = logged_in_page(browser, base, "fysioterapeut")
        page.goto(f"{base}/overlamning/{sent_handover}")
        page.get_by_role("button", name="Avvisa").click()
        page.wait_for_load_state()
        assert "Överlämningen avvisades inte: Ange varför överlämningen avvisas." in page.inner_text("body")
        assert page.get_attribute("#reason", "aria-invalid") == "true"
        before = (world.services.today() - timedelta(days=400)).isoformat()
        page.locator("#contacted_on").evaluate("e => { e.removeAttribute('min'); }")
        page.fill("#contacted_on", before)
        page.select_option("#contact_method", "video")
        page.get_by_role("button", name="Bekräfta att vi har haft kontakt med patienten").click()
        page.wait_for_load_state()
        assert "Kontakten registrerades inte:" in page.inner_text("body")
        assert page.input_value("#contacted_on") == before
        assert page.input_value("#contact_method") == "video"
        screenshot(page, "refused_handover_contact")
        page.context.close()
