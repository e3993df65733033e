"""The offers partial on the patient page: the nurse records that Min vårdplan was offered and the patient's
choice (digital via 1177 or paper); a bad choice gets a Swedish message and writes nothing; another unit's
clinician is refused. In Chromium at 1366 and 390 px the form is shown and submitted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import MinVardplanStatus, Pathway
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.login import logged_in

TODAY = date.today()


@dataclass
class World:
    app: object
    services: Services
    patient_id: str
    pathway_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("offers")), secret_key="offers-secret")
    build_demo(settings, patients=20, seed=5, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        staff = uow.staff.get(uow.accounts.get("ssk").staff_id)
    nurse = Actor(
        role="nurse", staff_id=staff.id, unit_hsa_ids=frozenset({staff.unit_hsa_id}), username="ssk"
    )
    patient = patient_service.register_patient(
        services, nurse, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pw = patient_service.open_pathway(
        services,
        nurse,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=TODAY - timedelta(days=20),
        unit_hsa_id=staff.unit_hsa_id,
    )
    yield World(create_app(settings), services, patient.id, pw.id)
    services.engine.dispose()


def stored(world: World) -> Pathway:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return uow.pathways.get(world.pathway_id)  # type: ignore[no-any-return]


def test_offers_partial_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width, name in ((1366, "offers-desktop"), (390, "offers-phone")):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/logga-in")
            page.get_by_label("Användarnamn").fill("ssk")
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.goto(f"{base}/patient/{world.patient_id}")
            page.locator("details.offers summary").first.click()
            screenshot(page, name)
            assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_offer_form_records_the_channel_and_a_bad_choice_writes_nothing(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/patient/{world.patient_id}").text
    action = f'action="/patient/{world.patient_id}/erbjudande/min-vardplan"'
    assert action in page and "digitalt via 1177" in page and "på papper" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    data = {
        "csrf_token": token.group(1),
        "pathway_id": world.pathway_id,
        "version": str(stored(world).version),
    }
    before = stored(world)
    r = nurse.post(f"/patient/{world.patient_id}/erbjudande/min-vardplan", data={**data, "channel": "fax"})
    assert r.status_code == 400 and "1177" in r.text and stored(world) == before
    on = TODAY - timedelta(days=2)
    r = nurse.post(
        f"/patient/{world.patient_id}/erbjudande/min-vardplan",
        data={**data, "channel": "paper", "offered_on": on.isoformat()},
        follow_redirects=False,
    )
    assert r.status_code == 303
    mvp = stored(world).min_vardplan
    assert (mvp.status, mvp.offered_on, mvp.digital_1177) == (MinVardplanStatus.OFFERED, on, False)
    assert "på papper" in nurse.get(f"/patient/{world.patient_id}").text


def test_a_clinician_without_care_relation_cannot_record_an_offer(world: World) -> None:
    # the physiotherapist of the rehab unit has no care relation with the oncology patient
    client = logged_in(world.app, "fysioterapeut")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/arbetslista").text)
    assert token
    before = stored(world)
    r = client.post(
        f"/patient/{world.patient_id}/erbjudande/min-vardplan",
        data={
            "csrf_token": token.group(1),
            "pathway_id": world.pathway_id,
            "version": str(before.version),
            "channel": "digital_1177",
        },
    )
    assert r.status_code == 403 and stored(world) == before
