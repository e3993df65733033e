"""A pathway's SVF page on a real (SQLite) demo database: the nurse records the suspicion, MDK and treatment
start and sees the lead time against the pathway's maximum; wrong dates show the form again with what was
typed and write nothing; the dashboard can be restricted to SVF patients; in Chromium at desktop and phone
width."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import svf
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")


@dataclass
class World:
    app: object
    services: Services
    patient_id: str
    pathway_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("svf"), secret_key="svf-secret")
    build_demo(settings, patients=30, seed=11, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        pathways = [p for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None]
    pathway = next(p for p in pathways if svf.find(services, LEADER, p.patient_id, p.id) is None)
    yield World(create_app(settings), services, pathway.patient_id, pathway.id)
    services.engine.dispose()


def test_a_treatment_start_before_the_suspicion_is_refused_with_the_typed_dates_kept(world: World) -> None:
    client = logged_in(world.app, "ssk")
    url = f"/patient/{world.patient_id}/svf/{world.pathway_id}"
    today = world.services.today()
    answer = client.post(
        url,
        data={
            "version": "0",
            "svf_pathway": "brostcancer",
            "suspicion_on": (today - timedelta(days=10)).isoformat(),
            "mdk": "ja",
            "treatment_start_on": (today - timedelta(days=20)).isoformat(),
        },
    )
    assert answer.status_code == 400 and "kan inte ligga före den välgrundade misstanken" in answer.text
    assert f'value="{(today - timedelta(days=20)).isoformat()}"' in answer.text
    assert 'value="brostcancer" selected' in answer.text
    assert svf.find(world.services, LEADER, world.patient_id, world.pathway_id) is None


def test_the_nurse_records_the_svf_and_sees_the_lead_time(world: World) -> None:
    client = logged_in(world.app, "ssk")
    url = f"/patient/{world.patient_id}/svf/{world.pathway_id}"
    today = world.services.today()
    saved = client.post(
        url,
        data={
            "version": "0",
            "svf_pathway": "brostcancer",
            "suspicion_on": (today - timedelta(days=40)).isoformat(),
            "mdk": "ja",
            "mdk_on": (today - timedelta(days=30)).isoformat(),
            "treatment_start_on": (today - timedelta(days=2)).isoformat(),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(url).text
    assert "38 dagar</strong> (max 35)" in page and "över ledtiden" in page
    stale_form = {"version": "0", "svf_pathway": "brostcancer", "suspicion_on": "2026-01-01"}
    stale = client.post(url, data=stale_form)
    assert stale.status_code == 409 and "har ändrats av någon annan" in stale.text
    record = svf.find(world.services, LEADER, world.patient_id, world.pathway_id)
    assert record is not None and record[1] == 1 and record[0].mdk_discussed is True


def test_the_dashboard_restricted_to_svf_patients(world: World) -> None:
    client = logged_in(world.app, "chef")
    page = client.get("/uppfoljning?svf=ja").text
    assert "Endast patienter i standardiserat vårdförlopp (SVF)." in page
    assert 'name="svf" value="ja" checked' in page


def test_the_svf_page_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/logga-in")
            page.get_by_label("Användarnamn").fill("ssk")
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.goto(f"{base}/patient/{world.patient_id}")
            page.get_by_role("link", name="SVF och MDK").first.click()
            assert page.get_by_role("heading", name="Standardiserat vårdförlopp (SVF)").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            screenshot(page, f"svf-{width}")
