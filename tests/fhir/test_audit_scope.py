"""The audit log's unit scope, resource types and refusals (issue 14 item 6), measured through the FHIR API:
a unit manager's AuditEvent search never returns entries about another unit's patient because the actor was
a multi-unit administrator; every row a FHIR read or search writes names the resource type; a 403 on
AuditEvent and a pathway that does not belong to the patient leave a ``denied`` row."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.domain.identity import generate_personnummer
from canrehab.domain.model import Patient, Sex
from canrehab.fhir.api import interaction
from canrehab.services.context import SYSTEM
from canrehab.store.audit import AuditEntry
from tests.fhir.harness import CHEAP_HASHER, KIR, ONK, PASSWORD, Fhir, actor


def _audit(app: FastAPI) -> list[AuditEntry]:
    with app.state.fhir_services.uow(actor("admin"), log_reads=False) as uow:
        return list(uow.audit.query(limit=10_000))


def _patient_of(imported: dict[str, Any]) -> str:
    return next(
        e["response"]["location"].split("/")[1]
        for e in imported["entry"]
        if e["response"]["location"].startswith("Patient/")
    )


def _new_rows(app: FastAPI, before: int) -> list[AuditEntry]:
    rows = _audit(app)
    return rows[: len(rows) - before]


@pytest.fixture
def kir_patient(fhir_app: FastAPI, make_patient: Any, make_pathway: Any) -> Patient:
    """A patient treated only at the surgical clinic (KIR), and an administrator who is also a member of
    both the oncology (ONK) and the surgical clinic."""
    birth = date(1961, 4, 5)
    patient = make_patient(personnummer=generate_personnummer(random.Random(61), birth, Sex.FEMALE))
    with fhir_app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        uow.patients.add(patient)
        uow.pathways.add(make_pathway(patient, uow.units.get(KIR)))
        uow.accounts.create(
            username="forvaltare",
            password_hash=CHEAP_HASHER.hash(PASSWORD),
            role="admin",
            display_name="Förvaltare",
            staff_id=None,
            unit_hsa_ids=(ONK, KIR),
        )
    return patient


def test_a_unit_manager_does_not_see_a_multi_unit_admins_reads_of_another_units_patient(
    fhir_app: FastAPI, client: TestClient, kir_patient: Patient
) -> None:
    admin = Fhir(client, "forvaltare")
    assert admin.get(f"Patient/{kir_patient.id}").status_code == 200
    assert admin.get("Procedure", patient=kir_patient.id).status_code == 200
    assert admin.get("AuditEvent", _count="1").status_code == 200  # an action about no patient
    rows = [
        e for e in _audit(fhir_app) if e.patient_id == kir_patient.id and e.actor_username == "forvaltare"
    ]
    assert rows and all(ONK in e.actor_units for e in rows)  # the admin is an ONK member too

    chef = Fhir(client, "chef")  # the ONK unit manager
    about = chef.get("AuditEvent", patient=kir_patient.id).json()
    assert about["total"] == 0 and not about.get("entry")
    everything = chef.get("AuditEvent", _count="1000").json()
    shown = {str(e["resource"]["id"]) for e in everything.get("entry", [])}
    assert not shown & {str(e.id) for e in rows}
    assert chef.get(f"AuditEvent/{rows[0].id}").status_code == 404
    # the admin's own actions that concern no patient are still the ONK manager's to see (staff of ONK)
    mine = [e for e in _audit(fhir_app) if e.actor_username == "forvaltare" and e.patient_id is None]
    assert mine and str(mine[0].id) in shown
    # and the surgical clinic's patient's entries reach the region's administrator
    assert Fhir(client, "admin").get("AuditEvent", patient=kir_patient.id).json()["total"] >= len(rows)


def test_a_unit_manager_still_sees_everything_about_their_own_units_patient(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any], kir_patient: Patient
) -> None:
    pid = _patient_of(imported)
    assert Fhir(client, "forvaltare").get(f"Patient/{pid}").status_code == 200  # ONK's patient
    assert Fhir(client, "eva").get(f"Patient/{pid}").status_code == 403  # KIR's nurse, refused
    found = Fhir(client, "chef").get("AuditEvent", patient=pid, _count="1000").json()
    who = {e["resource"]["agent"][0]["who"]["identifier"]["value"] for e in found["entry"]}
    assert {"forvaltare", "eva", "admin"} <= who


@pytest.mark.parametrize(
    ("kind", "url", "params"),
    [
        ("Patient read", "Patient/{pid}", {}),
        ("Procedure search", "Procedure", {"patient": "{pid}"}),
        ("EpisodeOfCare search", "EpisodeOfCare", {"patient": "{pid}"}),
        ("CarePlan search", "CarePlan", {"patient": "{pid}"}),
        ("QuestionnaireResponse search", "QuestionnaireResponse", {"patient": "{pid}"}),
        ("Patient $everything", "Patient/{pid}/$everything", {}),
    ],
)
def test_every_row_a_fhir_read_or_search_writes_names_its_resource_type(
    fhir_app: FastAPI,
    client: TestClient,
    imported: dict[str, Any],
    kind: str,
    url: str,
    params: dict[str, str],
) -> None:
    pid = _patient_of(imported)
    before = len(_audit(fhir_app))
    r = Fhir(client, "karin").get(url.format(pid=pid), **{k: v.format(pid=pid) for k, v in params.items()})
    assert r.status_code == 200, r.text
    rows = _new_rows(fhir_app, before)
    assert rows and all(f"FHIR {kind}" in e.detail for e in rows), [e.detail for e in rows]


def test_a_refused_audit_event_search_is_audited(fhir_app: FastAPI, client: TestClient) -> None:
    before = len(_audit(fhir_app))
    r = Fhir(client, "karin").get("AuditEvent")
    assert r.status_code == 403 and r.json()["resourceType"] == "OperationOutcome"
    rows = _new_rows(fhir_app, before)
    assert [(e.action, e.actor_username, e.entity_type) for e in rows] == [("denied", "karin", "fhir")]
    assert "FHIR AuditEvent search" in rows[0].detail


def test_a_procedure_naming_another_patients_pathway_is_refused_and_audited(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any], kir_patient: Patient
) -> None:
    karin = Fhir(client, "karin")
    procedure = karin.get("Procedure", patient=_patient_of(imported)).json()["entry"][0]["resource"]
    forged = {k: v for k, v in procedure.items() if k not in ("id", "meta")}
    forged["subject"] = {"reference": f"Patient/{kir_patient.id}"}  # the pathway stays the ONK patient's
    before = len(_audit(fhir_app))
    r = karin.post("Procedure", forged)
    assert 400 <= r.status_code < 500 and r.json()["resourceType"] == "OperationOutcome"
    assert "pathway.mismatch" in r.text, r.text
    rows = [e for e in _new_rows(fhir_app, before) if e.action == "denied"]
    assert [(e.actor_username, e.entity_type) for e in rows] == [("karin", "fhir")]
    assert "FHIR Procedure create" in rows[0].detail


@pytest.mark.parametrize(
    ("method", "route", "expected"),
    [
        ("GET", "/fhir/Patient", "FHIR Patient search"),
        ("GET", "/fhir/Patient/{rid}", "FHIR Patient read"),
        ("GET", "/fhir/CarePlan/{rid}/_history", "FHIR CarePlan history"),
        ("GET", "/fhir/CarePlan/{rid}/_history/{vid}", "FHIR CarePlan vread"),
        ("GET", "/fhir/Patient/{rid}/$everything", "FHIR Patient $everything"),
        ("POST", "/fhir/Procedure", "FHIR Procedure create"),
        ("PUT", "/fhir/Patient/{rid}", "FHIR Patient update"),
        ("POST", "/fhir", "FHIR transaction"),
        ("GET", "/fhir/$export/{rtype}", "FHIR $export"),
    ],
)
def test_interaction_names(method: str, route: str, expected: str) -> None:
    assert interaction(method, route) == expected
