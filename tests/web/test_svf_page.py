"""A pathway's SVF page on a real (SQLite) demo database: the nurse records the suspicion, MDK and treatment
start (with the kind of the first treatment where the SVF's maximum depends on it) and sees the lead time
against the pathway's maximum for that kind; wrong dates, a missing or unknown kind show the form again with
what was typed and the Swedish message at its field, and write nothing; the dashboard can be restricted to
SVF patients; in Chromium at desktop and phone width."""

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
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")


@dataclass
class World:
    app: object
    services: Services
    patient_id: str
    pathway_id: str
    other_patient_id: str  # a second pathway without SVF: the first-treatment tests
    other_pathway_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("svf"), secret_key="svf-secret")
    build_demo(settings, patients=30, seed=11, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        pathways = [p for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None]
    pathway, other = [p for p in pathways if svf.find(services, LEADER, p.patient_id, p.id) is None][:2]
    yield World(create_app(settings), services, pathway.patient_id, pathway.id, other.patient_id, other.id)
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


def _vulva_form(world: World, version: str, **fields: str) -> dict[str, str]:
    today = world.services.today()
    return {
        "version": version,
        "svf_pathway": "vulvacancer",
        "suspicion_on": (today - timedelta(days=40)).isoformat(),
        "mdk": "ja",
        "treatment_start_on": (today - timedelta(days=7)).isoformat(),
        **fields,
    }


def test_a_vulva_treatment_start_needs_its_kind_and_is_judged_against_that_kinds_maximum(
    world: World,
) -> None:
    client = logged_in(world.app, "ssk")
    url = f"/patient/{world.other_patient_id}/svf/{world.other_pathway_id}"
    missing = client.post(url, data=_vulva_form(world, "0"))
    assert missing.status_code == 400
    assert 'id="e-first_treatment">Ange typ av första behandling: ledtiden för Vulvacancer' in missing.text
    assert 'aria-invalid="true"' in missing.text and 'value="vulvacancer" selected' in missing.text
    assert f'value="{(world.services.today() - timedelta(days=7)).isoformat()}"' in missing.text
    unknown = client.post(url, data=_vulva_form(world, "0", first_treatment="robotkirurgi"))
    assert unknown.status_code == 400 and "Okänd typ av första behandling (”robotkirurgi”)" in unknown.text
    not_vulva = client.post(url, data=_vulva_form(world, "0", first_treatment="exspektans"))
    assert not_vulva.status_code == 400 and "Vulvacancer har ingen ledtid för exspektans" in not_vulva.text
    assert 'value="exspektans" selected' in not_vulva.text
    assert svf.find(world.services, LEADER, world.other_patient_id, world.other_pathway_id) is None
    saved = client.post(url, data=_vulva_form(world, "0", first_treatment="stralbehandling"))
    assert saved.status_code == 200 and "SVF-uppgifterna är sparade" in saved.text  # followed the redirect
    assert "33 dagar</strong> (max 34 för strålbehandling)" in saved.text and "inom ledtiden" in saved.text
    found = svf.find(world.services, LEADER, world.other_patient_id, world.other_pathway_id)
    assert found is not None and found[0].first_treatment == "stralbehandling"


def test_the_first_treatment_refusal_in_chromium_at_desktop_and_phone_width(
    world: World, logged_in_page: LoginPage
) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = logged_in_page(browser, base, "ssk", width=width)
            page.goto(f"{base}/patient/{world.other_patient_id}/svf/{world.other_pathway_id}")
            page.get_by_label("Vårdförlopp", exact=True).select_option("vulvacancer")
            page.get_by_label("Datum för start av första behandling").fill(
                (world.services.today() - timedelta(days=7)).isoformat()
            )
            page.get_by_label("Typ av första behandling").select_option("")
            page.get_by_role("button", name="Spara").click()
            error = page.locator("#e-first_treatment")
            assert error.is_visible() and "Ange typ av första behandling" in error.inner_text()
            assert page.get_by_label("Typ av första behandling").get_attribute("aria-invalid") == "true"
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            screenshot(page, f"svf-first-treatment-refused-{width}")
