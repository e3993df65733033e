"""Min vårdplan in headless Chromium as the patient meets it (issue 13 item 7; 001 "Min vårdplan"): after a
handover to primary care the page says who is responsible now and since when, shows the treatment summary,
advice with its content, the patient's own answers, and how to reach the contact nurse. Screenshots at
1366 and 390 px under test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import CareLevel, ContactMethod, HandoverContent, PhaseKind
from canrehab.services import handovers
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve

pytestmark = pytest.mark.browser


def _hand_over_to_primary_care(services: Services) -> str:
    """The demo patient's pathway: treatment ended, handed over to a vårdcentral that confirmed contact."""
    with services.uow(SYSTEM, log_reads=False) as uow:
        patient_id = uow.accounts.get("patient").patient_id
        pathway = [p for p in uow.pathways.for_patient(patient_id) if p.closed_on is None][-1]
        nurse = next(
            s for s in uow.staff.for_unit(pathway.unit_hsa_id) if s.profession.value == "contact_nurse"
        )
        primary = next(
            u
            for u in uow.units.list_all()
            if u.level is CareLevel.REGIONAL_PRIMARY
            and u.county_code == uow.units.get(pathway.unit_hsa_id).county_code
        )
        receiver = uow.staff.for_unit(primary.hsa_id)[0]
    sender = Actor(
        role="nurse",
        staff_id=nurse.id,
        unit_hsa_ids=frozenset({nurse.unit_hsa_id}),
        patient_id=None,
        username="x",
    )
    receiving = Actor(
        role="nurse",
        staff_id=receiver.id,
        unit_hsa_ids=frozenset({primary.hsa_id}),
        patient_id=None,
        username="y",
    )
    today = services.today()
    ended = max(today - timedelta(days=3), pathway.started_on)
    if not any(p.kind is PhaseKind.TREATMENT_END for p in pathway.phases):
        patient_service.record_phase(
            services, sender, pathway.id, PhaseKind.TREATMENT_END, ended, pathway.version
        )
    h = handovers.send(
        services,
        sender,
        patient_id=patient_id,
        pathway_id=pathway.id,
        to_unit_hsa_id=primary.hsa_id,
        to_profession=None,
        content=HandoverContent(
            disease="Lungcancer",
            treatment="Cytostatika i fyra cykler",
            needs="Trötthet och nedsatt ork",
            plan_summary="Sjuksköterskan på vårdcentralen följer upp om tre månader",
        ),
        patient_informed=True,
    )
    handovers.step(
        services,
        receiving,
        h.id,
        "patientkontakt",
        h.version,
        contact_method=ContactMethod.PHONE,
        contacted_on=today,
    )
    return primary.name


@pytest.mark.parametrize("width", [1366, 390])
def test_min_vardplan_shows_the_new_responsible_unit_after_a_handover(
    tmp_path_factory: pytest.TempPathFactory, width: int
) -> None:
    settings = Settings(data_dir=tmp_path_factory.mktemp("mvp"), secret_key="mvp-secret")
    build_demo(settings, patients=60, seed=5, analytics_persons=200)
    services = Services.open(settings)
    primary_name = _hand_over_to_primary_care(services)
    with serve(create_app(settings)) as base, chromium() as browser:
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{base}/logga-in")
        page.get_by_label("Användarnamn").fill("patient")
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{base}/min-vardplan")
        text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        assert f"ansvarar {primary_name}" in text
        assert "Sammanfattning efter avslutad behandling" in text and "Cytostatika i fyra cykler" in text
        assert "1177" in text and "112" in text
        screenshot(page, f"min_vardplan_{width}")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
        links = page.locator("a[href^='/min-vardplan/skattning/']")
        if links.count():
            links.first.click()
            assert "Dina svar" in page.inner_text("body")
            screenshot(page, f"min_vardplan_answers_{width}")
