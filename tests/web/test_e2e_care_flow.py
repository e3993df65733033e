"""The main user flow end to end in real headless Chromium, on a synthetic demo region:

a patient fills in Hälsoskattning through a personal link; the nurse sees it on the worklist, confirms the
needs level and establishes a rehab plan; hands the patient over to a physiotherapist at another unit; the
receiver acknowledges and confirms patient contact; the unit manager's dashboard figures change.
Screenshots of the key pages are saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve

pytestmark = pytest.mark.browser


@dataclass
class Demo:
    base: str
    patient_id: str
    pathway_id: str
    rehab_unit: str
    services: Services


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("e2e"), secret_key="e2e-secret")
    build_demo(settings, patients=400, seed=11, analytics_persons=2000)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse_account = uow.accounts.get("ssk")
        nurse = uow.staff.get(nurse_account.staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
    nurse_actor = Actor(
        role="nurse",
        staff_id=nurse.id,
        unit_hsa_ids=frozenset({nurse.unit_hsa_id}),
        patient_id=None,
        username="ssk",
    )
    patient = patient_service.register_patient(
        services, nurse_actor, personnummer="19121212-1212", name="Testa Testsson", county_code="05"
    )
    pathway = patient_service.open_pathway(
        services,
        nurse_actor,
        patient_id=patient.id,
        icd10="C34.9",
        diagnosed_on=date.today() - timedelta(days=2),
        unit_hsa_id=nurse.unit_hsa_id,
    )
    pathway = patient_service.assign_contact_nurse(
        services, nurse_actor, pathway.id, nurse.id, pathway.version
    )
    app = create_app(settings)
    with serve(app) as base:
        yield Demo(base, patient.id, pathway.id, physio.unit_hsa_id, services)


def login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context().new_page()
    page.goto(f"{base}/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    return page


def indicator_row(page: Any, base: str, indicator: str) -> str:
    page.goto(f"{base}/uppfoljning")
    section = page.locator(f"section:has(h2#ind-{indicator})")
    return str(section.locator("tbody tr").last.inner_text())


def test_patient_link_to_confirmed_handover(demo: Demo) -> None:
    base = demo.base
    with chromium() as browser:
        manager = login(browser, base, "chef")
        plans_before = indicator_row(manager, base, "plan_when_needed")
        handovers_before = indicator_row(manager, base, "handover_confirmed")
        screenshot(manager, "08-dashboard-before")

        # The nurse sends the patient a personal link to Hälsoskattning.
        nurse = login(browser, base, "ssk")
        assert nurse.url.endswith("/arbetslista")
        screenshot(nurse, "02-worklist")
        nurse.goto(f"{base}/patient/{demo.patient_id}")
        nurse.get_by_label("Tillfälle").select_option("diagnosis")
        nurse.get_by_role("button", name="Skicka länk till Hälsoskattning").click()
        link = nurse.locator("#patient-link").get_attribute("href")
        assert link and "/skattning/" in link
        screenshot(nurse, "03-patient-overview-link")

        # The patient answers on their own device (no login), marking three areas very troublesome.
        patient = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        patient.goto(link)
        parts = patient.locator("section.part")
        assert parts.count() >= 5  # paged by domain, one part shown at a time
        troublesome = 0
        for p in range(parts.count()):
            part = parts.nth(p)
            assert part.is_visible() and f"Del {p + 1} av {parts.count()}" in part.inner_text()
            groups = part.locator("fieldset.item")
            for i in range(groups.count()):
                radios = groups.nth(i).locator("input[type=radio]")
                if radios.count() >= 4 and troublesome < 3:
                    radios.last.check()
                    troublesome += 1
                elif radios.count():
                    radios.first.check()
            if p == 0:
                screenshot(patient, "04-halsoskattning-mobile")
            if p < parts.count() - 1:
                part.get_by_role("link", name="Nästa").click()
        patient.get_by_role("button", name="Skicka in").click()
        assert "Tack för dina svar" in patient.content()
        assert "1177" in patient.content() and "Dina svar" in patient.content()
        screenshot(patient, "04b-tack")
        # The link is used up once submitted.
        patient.goto(link)
        assert "Länken fungerar inte" in patient.content()

        # The nurse sees it on the worklist and confirms the level.
        nurse.goto(f"{base}/arbetslista?due=assessments_to_confirm")
        assert "Testa Testsson" in nurse.content()
        nurse.get_by_role("link", name="Testa Testsson").click()
        nurse.locator("a[href^='/bedomning/']").first.click()
        assert nurse.locator("li.highlight").count() >= 3
        screenshot(nurse, "05-assessment-review")
        nurse.locator("input[name=level][value='2']").check()
        reason = nurse.locator("#override_reason")
        reason.fill("Bedömt i samtal med patienten.")
        nurse.get_by_role("button", name="Bekräfta nivå").click()
        assert "Bekräftad nivå" in nurse.content()

        # ... and establishes a rehab plan (AW020).
        nurse.goto(f"{base}/patient/{demo.patient_id}/plan?pathway_id={demo.pathway_id}")
        nurse.locator("#summary").fill("Trötthet och oro efter diagnos.")
        nurse.locator("input[name=goal_text_0]").fill("Kunna promenera 30 minuter")
        nurse.locator("#follow_up_on").fill((date.today() + timedelta(days=60)).isoformat())
        nurse.get_by_role("button", name="Upprätta plan (AW020)").click()
        assert "AW020" in nurse.content()
        assert re.search(r"Status:\s*upprättad", nurse.locator("main").inner_text())
        screenshot(nurse, "06-plan")

        # Active handover to a physiotherapist at the rehabilitation unit.
        nurse.goto(f"{base}/patient/{demo.patient_id}/overlamning?pathway_id={demo.pathway_id}")
        nurse.locator("#to_unit").select_option(demo.rehab_unit)
        nurse.locator("#to_profession").select_option("physiotherapist")
        nurse.locator("#needs").fill("Träning för ork och kondition.")
        nurse.get_by_label("Patienten är informerad om överlämningen").check()
        nurse.get_by_role("button", name="Skicka överlämning").click()
        assert "Avsändaren ansvarar" in nurse.content()

        # The receiver acknowledges and confirms contact with the patient.
        physio = login(browser, base, "fysioterapeut")
        physio.goto(f"{base}/overlamningar")
        inbox = physio.locator("#inkorg + .table-scroll table")
        assert "Testa Testsson" in inbox.inner_text()
        screenshot(physio, "07-handover-inbox")
        inbox.locator("tr", has_text="Testa Testsson").get_by_role("link", name="Öppna").click()
        physio.get_by_role("button", name="Kvittera mottagen").click()
        physio.select_option("#contact_method", "phone")
        physio.get_by_role("button", name="Bekräfta att vi har haft kontakt med patienten").click()
        assert "Mottagaren har tagit över ansvaret" in physio.content()

        # The sender now sees that the receiver is responsible.
        nurse.goto(f"{base}/overlamningar")
        outbox_row = nurse.locator("#utkorg + .table-scroll table tr", has_text="Testa Testsson")
        assert "Mottagaren ansvarar" in outbox_row.inner_text()

        # The unit manager's figures changed.
        assert indicator_row(manager, base, "plan_when_needed") != plans_before
        assert indicator_row(manager, base, "handover_confirmed") != handovers_before
        screenshot(manager, "09-dashboard-after")

    # Every step left its KVÅ code.
    with demo.services.uow(SYSTEM, log_reads=False) as uow:
        codes = {k.code for k in uow.kva.for_patient(demo.patient_id)}
    # 004: the confirmed Hälsoskattning is AU010 whatever the level (AW019 is the rehab professional's own)
    assert {"AU010", "AW020"} <= codes
