"""A child's pathway in headless Chromium (002 "Barn och ungdom"), screenshots at 1366 and 390 px with
axe-core on each: a 17-year-old registered at the barncancercentrum (the registration use case), the
konsultsjuksköterska named on the patient page, the needs level confirmed in the children's level set
(generella / särskilda individanpassade / avancerade insatser), the active handover from the
barncancercentrum to the home region's hospital, and the transition handover to adult care at 18 to a
physiotherapist; a transition without rehab staff is refused with the input kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from canrehab.domain.model import KeyMoment, Respondent
from canrehab.services import assessments
from canrehab.synth.demo import DEMO_PASSWORD
from tests.services.test_care_children_and_team import _answers
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_care_process_pages import BCC, _actor, _pathway, _register, child_world

pytestmark = pytest.mark.browser


def test_a_childs_pathway_from_the_barncancercentrum_to_adult_care(tmp_path: Path) -> None:
    world = child_world(tmp_path, patients_n=40)
    born = world.today - timedelta(days=365 * 17 + 120)  # 17: the transition to adult care is near
    patient_id = _register(world, born, "C91.0", BCC, "bcc")
    pathway_id = _pathway(world, patient_id)
    nurse = _actor(world, "bcc")
    started = assessments.start(
        world.services,
        nurse,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    submitted = assessments.save_answers(
        world.services, nurse, started.id, _answers(world.services, False), started.version, submit=True
    )
    with serve(world.app) as base, chromium() as browser:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.goto(f"{base}/logga-in")
        page.get_by_label("Användarnamn").fill("bcc")
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()

        page.goto(f"{base}/patient/{patient_id}")
        body = page.inner_text("body")
        assert "Barn och ungdom (0–17 år)" in body and "framtaget för vuxna" in body
        screenshot(page, "child_patient")

        page.get_by_label("Konsultsjuksköterska vid barncancercentrum").select_option("bcc-1")
        page.get_by_role("button", name="Utse konsultsjuksköterska").click()
        page.wait_for_load_state()
        body = page.inner_text("body")
        assert "Konsultsjuksköterska: Bea Barnsjuksköterska" in body
        # key visits by age (002: nyckelbesök), the last at about 25, shown as the routine's triggers
        assert "Nyckelbesök" in body and "25 år:" in body

        page.goto(f"{base}/bedomning/{submitted.id}")
        assert page.get_by_label("särskilda individanpassade insatser").count() == 1
        screenshot(page, "child_levels")
        page.get_by_label("särskilda individanpassade insatser").check()
        reason = page.locator("textarea[name=override_reason]")
        if reason.count():
            reason.fill("Behöver fysioterapeut i hemorten.")
        page.get_by_role("button", name="Bekräfta").first.click()
        page.wait_for_load_state()
        page.goto(f"{base}/patient/{patient_id}")
        assert "Behovsnivå: särskilda individanpassade insatser" in page.inner_text("body")

        page.locator(f"#overlamning-hemort-{pathway_id} summary").click()
        page.get_by_label("Sjukhus i barnets hemregion").select_option(world.onk)
        page.locator(f"#hem-needs-{pathway_id}").fill("Fysioterapi och skolkontakt i hemorten")
        page.locator(f"#hem-disease-{pathway_id}").fill("ALL, i remission")
        page.locator(f"#hem-treat-{pathway_id}").fill("Underhållsbehandling")
        page.get_by_role("button", name="Skicka överlämningen", exact=True).click()
        page.wait_for_load_state()
        assert "Överlämning till hemortssjukhuset" in page.inner_text("body")

        page.get_by_label("Mottagande enhet i vuxenvården").select_option(world.rehab)
        page.locator(f"#tr-needs-{pathway_id}").fill("Trötthet, gymnasiestudier")
        page.get_by_role("button", name="Skicka överlämningen till vuxenvården").click()
        page.wait_for_load_state()
        refused = page.inner_text("body")
        assert "rehabiliteringspersonal" in refused
        assert page.locator(f"#tr-needs-{pathway_id}").input_value() == "Trötthet, gymnasiestudier"
        page.get_by_label("Mottagande rehabiliteringspersonal").select_option("physiotherapist")
        page.get_by_role("button", name="Skicka överlämningen till vuxenvården").click()
        page.wait_for_load_state()
        assert "Överlämning till vuxenvården" in page.inner_text("body")
        screenshot(page, "child_transition")
