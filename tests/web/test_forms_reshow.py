"""A refused form shows itself again with the input kept and the errors inline, in Swedish, for patients and
staff: the patient who submits the Hälsoskattning with questions open keeps (and on reopening the link
finds) the answers given, and never lands on the staff login; a needs-level override without a reason keeps
the chosen level and advice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from canrehab.domain.access import Actor
from canrehab.domain.model import KeyMoment, Respondent
from canrehab.services import assessments
from canrehab.services.context import SYSTEM
from tests.web.login import CSRF_RE, logged_in
from tests.web.test_routes_access import World, world

__all__ = ["world"]
RADIO_RE = re.compile(r'<input type="radio" name="(q_[^"]+)" value="([^"]+)"')


def _nurse(world: World) -> Actor:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get("ssk")
    return Actor(
        role="nurse", staff_id=account.staff_id, unit_hsa_ids=frozenset(account.unit_hsa_ids), username="ssk"
    )


@pytest.fixture(scope="module")
def token(world: World) -> str:
    nurse = _nurse(world)
    started = assessments.start(
        world.services,
        nurse,
        patient_id=world.own_patient,
        pathway_id=world.own_pathway,
        key_moment=KeyMoment.FOLLOW_UP,
        respondent=Respondent.PATIENT,
    )
    link, _expires = assessments.create_link(world.services, nurse, started.id, validity=timedelta(days=3))
    return link


def test_a_patient_submitting_with_questions_open_keeps_the_answers_and_sees_which_are_open(
    world: World, token: str
) -> None:
    patient = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    form = patient.get(f"/skattning/{token}").text
    csrf = CSRF_RE.search(form).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    first_name, first_value = RADIO_RE.findall(form)[0]
    r = patient.post(
        f"/skattning/{token}",
        data={"csrf_token": csrf, "version": version, "op": "submit", first_name: first_value},
    )
    assert r.status_code == 422
    assert "Svaren är inte inskickade ännu" in r.text
    assert "Svara på den här frågan innan du skickar in." in r.text  # inline, at each open question
    assert f'name="{first_name}" value="{first_value}" checked' in r.text  # the answer is kept
    assert "/logga-in" not in r.text
    # reopening the link shows the answer given
    again = patient.get(f"/skattning/{token}").text
    assert f'name="{first_name}" value="{first_value}" checked' in again


def test_an_override_without_a_reason_shows_the_form_again_with_the_choice_kept(world: World) -> None:
    nurse = logged_in(world.app, "ssk")
    page = nurse.get(f"/bedomning/{world.own_submitted}").text
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    suggested = re.search(r'name="level" value="(\d+)" checked', page)
    assert suggested is not None
    other = "3" if suggested.group(1) != "3" else "1"
    r = nurse.post(
        f"/bedomning/{world.own_submitted}/bekrafta",
        data={
            "csrf_token": csrf,
            "version": version,
            "level": other,
            "override_reason": "",
            "advice": "DV131",
        },
    )
    assert r.status_code == 422
    assert "Nivån är inte bekräftad" in r.text and 'aria-invalid="true"' in r.text
    assert f'name="level" value="{other}" checked' in r.text
    assert 'value="DV131" checked' in r.text


def test_an_error_page_for_a_patient_link_leads_back_to_the_form_not_the_staff_login(world: World) -> None:
    anonymous = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    r = anonymous.get("/skattning/not-a-real-token")
    assert r.status_code == 404
    assert 'href="/"' not in r.text.split("</header>")[-1]
