"""Every refusal answered with 403 is in the audit log as a ``denied`` event: who, role, units, what was
asked and, where the request names one, the patient — the page's role check as well as the care-unit check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from canrehab.services.context import SYSTEM
from tests.web.test_routes_access import World, audit, client_for, world

__all__ = ["world"]


def denials(world: World, username: str) -> list:  # type: ignore[type-arg]
    return [e for e in audit(world, actor=username) if e.action == "denied"]


@pytest.mark.parametrize(
    ("username", "method", "path", "patient_attr"),
    [
        ("ssk", "GET", "/uppfoljning", None),
        ("ssk", "GET", "/logg", None),
        ("patient", "GET", "/patient/{other_patient}", "other_patient"),
        ("patient", "GET", "/arbetslista", None),
        ("analytiker", "GET", "/bedomning/{other_assessment}", "other_patient"),
        ("analytiker", "GET", "/plan/{other_plan}/pdf", "plan"),
        ("analytiker", "GET", "/overlamning/{other_handover}", "handover"),
        ("chef", "POST", "/bedomning/{own_submitted}/bekrafta", "submitted"),
    ],
)
def test_a_refusal_by_role_is_answered_403_and_logged(
    world: World, username: str, method: str, path: str, patient_attr: str | None
) -> None:
    client = client_for(world, username)
    url = path.format(**world.__dict__)
    before = len(denials(world, username))
    r = client.request(method, url, data={"level": "1", "version": "1"} if method == "POST" else None)
    assert r.status_code == 403
    assert "Åtkomst nekad" in r.text
    rows = denials(world, username)
    assert len(rows) == before + 1, "exactly one denied event per refusal"
    event = rows[0]
    assert event.entity_type == "page"
    assert event.entity_id == url
    assert event.detail.startswith(f"{method} ")
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get(username)
        expected_patient = {
            None: None,
            "other_patient": world.other_patient,
            "plan": uow.plans.get(world.other_plan).patient_id,
            "handover": uow.handovers.get(world.other_handover).patient_id,
            "submitted": uow.assessments.get(world.own_submitted).patient_id,
        }[patient_attr]
    assert event.actor_role == account.role
    assert set(event.actor_units) == set(account.unit_hsa_ids)
    assert event.patient_id == expected_patient


def test_a_refusal_by_care_unit_is_logged_once_by_the_service(world: World) -> None:
    nurse = client_for(world, "ssk")
    before = len(denials(world, "ssk"))
    assert nurse.get(f"/patient/{world.other_patient}").status_code == 403
    rows = denials(world, "ssk")
    assert len(rows) == before + 1
    assert rows[0].entity_type == "patient" and rows[0].patient_id == world.other_patient


def test_a_personnummer_in_the_address_is_not_copied_into_the_log(world: World) -> None:
    patient = client_for(world, "patient")
    assert patient.get("/patient/191212121212").status_code == 403
    event = denials(world, "patient")[0]
    assert event.entity_id == "/patient/{patient_id}"
    assert "191212121212" not in event.detail
    assert event.patient_id is None


def test_nobody_logged_in_is_sent_to_the_login_page_not_logged(world: World) -> None:
    anonymous = TestClient(world.app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    before = len([e for e in audit(world) if e.action == "denied"])
    assert anonymous.get("/logg", follow_redirects=False).status_code == 303
    assert len([e for e in audit(world) if e.action == "denied"]) == before


def test_a_pathway_of_another_patient_is_answered_400_and_logged(world: World) -> None:
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        unit = uow.staff.get(uow.accounts.get("ssk").staff_id).unit_hsa_id
        foreign = next(p for p in uow.pathways.for_unit(unit) if p.patient_id != world.own_patient)
    client = client_for(world, "ssk")
    before = len(denials(world, "ssk"))
    url = f"/patient/{world.own_patient}/bedomning"
    r = client.post(url, data={"pathway_id": foreign.id, "mode": "staff"})
    assert r.status_code == 400
    rows = denials(world, "ssk")
    assert len(rows) == before + 1
    assert rows[0].patient_id == world.own_patient
    assert rows[0].entity_id == url
    assert "hör inte till patienten" in rows[0].detail


@pytest.mark.parametrize("headers", [{"x-csrf-token": "fel"}, {"Origin": "https://angripare.example"}])
def test_a_refused_post_of_a_logged_in_user_is_logged_with_the_route_and_patient(
    world: World, headers: dict[str, str]
) -> None:
    client = client_for(world, "ssk")
    before = len(denials(world, "ssk"))
    url = f"/patient/{world.own_patient}/bedomning"
    r = client.post(url, data={"pathway_id": world.own_pathway}, headers=headers)
    assert r.status_code == 403
    rows = denials(world, "ssk")
    assert len(rows) == before + 1
    assert rows[0].patient_id == world.own_patient
    assert rows[0].detail.startswith("POST /patient/{patient_id}/bedomning: ")
