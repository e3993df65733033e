"""Each role's first pages in real headless Chromium, checked with axe-core at desktop and phone width
(``tests.web.browser.screenshot``): the nurse's worklist (mine and the unit, grouped by date), a patient page
with a new link (copy, QR, within a phone's width), the printable plan, the manager's worklist with the
grace period, the statistics pages, and the patient's Min vårdplan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canrehab.config import Settings
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.test_e2e_care_flow import login

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Services]]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("roles")), secret_key="roles-secret")
    build_demo(settings, patients=300, seed=3, analytics_persons=800)
    services = Services.open(settings)
    with serve(create_app(settings)) as base:
        yield base, services
    services.engine.dispose()


def _phone_width(page: Any) -> int:
    page.set_viewport_size({"width": 390, "height": 844})
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    page.set_viewport_size({"width": 1366, "height": 900})
    return width


def test_each_roles_pages_are_accessible_and_fit_a_phone(site: tuple[str, Services]) -> None:
    base, services = site
    with services.uow(SYSTEM, log_reads=False) as uow:
        unit = uow.accounts.get("ssk").unit_hsa_ids[0]
        pathway = next(p for p in uow.pathways.for_unit(unit) if p.closed_on is None)
        plan = next((p for p in uow.plans.for_patient(pathway.patient_id) if p.status == "established"), None)
    with chromium() as browser:
        nurse = login(browser, base, "ssk")
        nurse.goto(f"{base}/arbetslista")
        assert nurse.locator("tr.group-head").count() >= 1
        screenshot(nurse, "10-worklist-unit")
        nurse.get_by_role("link", name="Mina patienter").click()
        screenshot(nurse, "11-worklist-mine")

        nurse.goto(f"{base}/patient/{pathway.patient_id}")
        nurse.get_by_role("button", name="Skicka länk till Hälsoskattning").first.click()
        assert nurse.locator("#patient-link").is_visible()
        assert nurse.get_by_role("button", name="Kopiera länken").is_visible()  # shown where JS runs
        nurse.get_by_text("Visa QR-kod för patientens mobil").click()
        screenshot(nurse, "12-patient-link")
        assert _phone_width(nurse) <= 390
        if plan is not None:
            nurse.goto(f"{base}/plan/{plan.id}/utskrift")
            screenshot(nurse, "13-plan-print")

        manager = login(browser, base, "chef")
        manager.goto(f"{base}/arbetslista")
        assert manager.locator("#karenstid").is_visible()
        screenshot(manager, "14-worklist-manager")
        manager.goto(f"{base}/statistik")
        screenshot(manager, "15-statistik")

        patient = login(browser, base, "patient")
        patient.goto(f"{base}/min-vardplan")
        screenshot(patient, "16-min-vardplan")
        patient.goto(f"{base}/min-vardplan/plan")
        screenshot(patient, "17-min-vardplan-plan")
