"""The new-pathway page: started at diagnosis or at välgrundad misstanke (SVF); a refused start comes back
with what was typed and the Swedish reason, nothing written; on the patient page a suspicion is confirmed
("Bekräfta diagnos") or dismissed ("Avskriv misstanke"). In Chromium the nurse walks it at 1366 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.model import ClosedReason, Pathway
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.conftest import login_page
from tests.web.live_server import serve
from tests.web.login import logged_in

TODAY = date.today()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class World:
    app: object
    services: Services
    patient_id: str
    unit: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("start")), secret_key="start-secret")
    build_demo(settings, patients=20, seed=5, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        staff = uow.staff.get(uow.accounts.get("ssk").staff_id)
        # a patient of the nurse's unit: a new suspicion of cancer is investigated for them
        patient_id = next(p.patient_id for p in uow.pathways.for_unit(staff.unit_hsa_id))
    yield World(create_app(settings), services, patient_id, staff.unit_hsa_id)
    services.engine.dispose()


def pathways(world: World) -> list[Pathway]:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.pathways.for_patient(world.patient_id))


def _form(page: str) -> dict[str, str]:
    token = CSRF.search(page)
    assert token
    return {"csrf_token": token.group(1)}


def test_a_refused_start_keeps_what_was_typed_and_writes_nothing(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    url = f"/patient/{world.patient_id}/nytt-vardforlopp"
    page = nurse.get(url + "?start=suspicion").text
    assert "Välgrundad misstanke (SVF)" in page and 'value="suspicion" checked' in page
    # an SVF with a maximum per kind of first treatment is offered as such (it has no one maximum)
    assert ">Vulvacancer (ledtid per behandling)</option>" in page and "max None" not in page
    before = len(pathways(world))
    future = (TODAY + timedelta(days=3)).isoformat()
    typed = {
        **_form(page),
        "start": "suspicion",
        "unit_hsa_id": world.unit,
        "svf_pathway": "brostcancer",
        "suspicion_on": future,
    }
    refused = nurse.post(url, data=typed, follow_redirects=False)
    assert refused.status_code == 400
    assert (
        "Vårdförloppet startades inte." in refused.text
        and "kan inte ligga efter dagens datum" in refused.text
    )
    assert f'value="{future}"' in refused.text and '<option value="brostcancer" selected>' in refused.text
    assert 'value="suspicion" checked' in refused.text
    no_code = nurse.post(url, data={**typed, "start": "diagnosis", "icd10": ""}, follow_redirects=False)
    assert no_code.status_code == 400 and "Ange diagnos (ICD-10)" in no_code.text
    assert len(pathways(world)) == before


def test_the_nurse_starts_at_suspicion_then_confirms_on_the_patient_page(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    url = f"/patient/{world.patient_id}/nytt-vardforlopp"
    suspected_on = TODAY - timedelta(days=12)
    data = {
        **_form(nurse.get(url).text),
        "start": "suspicion",
        "unit_hsa_id": world.unit,
        "svf_pathway": "brostcancer",
        "suspicion_on": suspected_on.isoformat(),
    }
    assert nurse.post(url, data=data, follow_redirects=False).status_code == 303
    new = next(p for p in pathways(world) if p.suspicion_on == suspected_on and p.closed_on is None)
    page = nurse.get(f"/patient/{world.patient_id}").text
    assert "diagnos ej fastställd" in page and "Bekräfta diagnos" in page and "Avskriv misstanke" in page
    confirm = {**_form(page), "pathway_id": new.id, "version": str(new.version)}
    bad = {**confirm, "icd10": "D05.1", "diagnosed_on": TODAY.isoformat()}
    refused = nurse.post(f"/patient/{world.patient_id}/misstanke/bekrafta", data=bad, follow_redirects=False)
    assert refused.status_code == 400 and "inte en cancerdiagnos" in refused.text
    assert 'value="D05.1"' in refused.text  # what was typed is kept in the refused form
    good = {**confirm, "icd10": "C50.9", "diagnosed_on": (TODAY - timedelta(days=2)).isoformat()}
    done = nurse.post(f"/patient/{world.patient_id}/misstanke/bekrafta", data=good, follow_redirects=False)
    assert done.status_code == 303
    confirmed = next(p for p in pathways(world) if p.id == new.id)
    assert confirmed.diagnosis.icd10 == "C509" and confirmed.suspicion_on == suspected_on


def test_the_nurse_dismisses_a_suspicion(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    url = f"/patient/{world.patient_id}/nytt-vardforlopp"
    data = {
        **_form(nurse.get(url).text),
        "start": "suspicion",
        "unit_hsa_id": world.unit,
        "svf_pathway": "brostcancer",
        "suspicion_on": (TODAY - timedelta(days=5)).isoformat(),
    }
    assert nurse.post(url, data=data, follow_redirects=False).status_code == 303
    new = next(p for p in pathways(world) if p.suspicion_on == TODAY - timedelta(days=5))
    form = {**_form(nurse.get(f"/patient/{world.patient_id}").text), "pathway_id": new.id, "version": "1"}
    early = {**form, "dismissed_on": (TODAY - timedelta(days=9)).isoformat()}
    refused = nurse.post(f"/patient/{world.patient_id}/misstanke/avskriv", data=early, follow_redirects=False)
    assert refused.status_code == 400 and "välgrundad misstanke" in refused.text
    ok = {**form, "dismissed_on": TODAY.isoformat()}
    assert (
        nurse.post(
            f"/patient/{world.patient_id}/misstanke/avskriv", data=ok, follow_redirects=False
        ).status_code
        == 303
    )
    dismissed = next(p for p in pathways(world) if p.id == new.id)
    assert dismissed.closed_reason is ClosedReason.SUSPICION_DISMISSED
    assert "avskriven misstanke" in nurse.get(f"/patient/{world.patient_id}").text


def test_the_start_at_suspicion_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        page = login_page(browser, base, "ssk")
        page.goto(f"{base}/patient/{world.patient_id}")
        page.get_by_role("link", name="vid välgrundad misstanke (SVF)").click()
        page.get_by_label("Standardiserat vårdförlopp").select_option("brostcancer")
        page.get_by_label("Datum för välgrundad misstanke").fill((TODAY - timedelta(days=20)).isoformat())
        screenshot(page, "pathway-start-suspicion")
        page.get_by_role("button", name="Starta vårdförloppet").click()
        page.wait_for_url(f"{base}/patient/{world.patient_id}")
        assert page.get_by_text("Vårdförloppet är startat vid välgrundad misstanke.").is_visible()
        screenshot(page, "pathway-suspicion-patient-page")
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(f"{base}/patient/{world.patient_id}/nytt-vardforlopp?start=suspicion")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _stranger(world: World) -> tuple[str, str]:
    """A patient with no pathway at the nurse's unit: (patient id, personnummer)."""
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        ours = {p.patient_id for p in uow.pathways.for_unit(world.unit)}
        for unit in uow.units.list_all():
            for p in uow.pathways.for_unit(unit.hsa_id):
                if p.patient_id not in ours:
                    return p.patient_id, uow.patients.get(p.patient_id).personnummer
    raise AssertionError("the demo region has a patient of another unit")


def test_a_nurse_starts_a_pathway_for_a_patient_she_looks_up_without_reading_the_record(world: World) -> None:
    patient_id, personnummer = _stranger(world)
    nurse = logged_in(world.app, "ssk")
    assert nurse.get(f"/patient/{patient_id}").status_code == 403
    lookup = nurse.get("/nytt-vardforlopp")
    assert lookup.status_code == 200 and "Personnummer" in lookup.text
    unknown = nurse.post("/nytt-vardforlopp", data={**_form(lookup.text), "personnummer": "19101010-1010"})
    assert unknown.status_code == 400 and "Ingen patient är registrerad med det personnumret." in unknown.text
    found = nurse.post(
        "/nytt-vardforlopp",
        data={**_form(lookup.text), "personnummer": personnummer, "start": "suspicion"},
        follow_redirects=False,
    )
    assert found.status_code == 303
    assert found.headers["location"] == f"/patient/{patient_id}/nytt-vardforlopp?start=suspicion"
    assert personnummer not in found.headers["location"]
    form = nurse.get(found.headers["location"])
    assert form.status_code == 200 and 'value="suspicion" checked' in form.text
    # the page opened nothing else: the patient's record is still refused
    assert nurse.get(f"/patient/{patient_id}").status_code == 403
    started = nurse.post(
        f"/patient/{patient_id}/nytt-vardforlopp",
        data={
            **_form(form.text),
            "start": "suspicion",
            "unit_hsa_id": world.unit,
            "svf_pathway": "brostcancer",
            "suspicion_on": (TODAY - timedelta(days=1)).isoformat(),
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    assert nurse.get(f"/patient/{patient_id}").status_code == 200  # the care relation exists now


def test_the_lookup_page_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        page = login_page(browser, base, "ssk")
        page.goto(f"{base}/nytt-vardforlopp")
        page.get_by_label("Personnummer").fill("19101010-1010")
        page.get_by_role("button", name="Sök och fortsätt").click()
        assert page.get_by_text("Ingen patient är registrerad med det personnumret.").is_visible()
        screenshot(page, "pathway-lookup")  # at its own size, 1366 and 390 px, axe-core at each
        page.set_viewport_size({"width": 390, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
