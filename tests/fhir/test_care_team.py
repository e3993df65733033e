"""The patient's team in FHIR (issue 12 item 8): CareTeam with the named nurse (kontaktsjuksköterska, or the
child's konsultsjuksköterska: 002 "en roll som kallas konsultsjuksköterska vid samtliga BCC") and the rehab
professionals who assessed or treated the patient (AW019 at särskild/avancerad level, 004); the search
parameters ``EpisodeOfCare?care-manager-role``, ``PractitionerRole?role`` and ``CareTeam?role``, declared
with their definitions; CareTeam in the Bulk export. Every response is checked against the R4 JSON schema
(the client's hook) and the team's profile."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.domain.model import (
    ContactNurseAssignment,
    Diagnosis,
    KvaRecord,
    NurseRole,
    Pathway,
    Profession,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.team import care_team_json, rehab_members
from tests.fhir.harness import REH, Fhir
from tests.fhir.r4schema import check
from tests.fhir.test_api import locations, outcome
from tests.fhir.test_bulk_export import download, finished, kickoff

PROFESSIONS = {"konsult": Profession.CONSULTING_NURSE, "physio": Profession.PHYSIOTHERAPIST}


def _child_pathway() -> Pathway:
    return Pathway(
        id="pw-child",
        patient_id="child-1",
        unit_hsa_id="SE2321000016-BCC",
        diagnosis=Diagnosis(icd10="C910", diagnosed_on=date(2026, 3, 2), process="other"),
        contact_nurses=(
            ContactNurseAssignment(
                staff_id="konsult", from_date=date(2026, 3, 4), role=NurseRole.CONSULTING_NURSE
            ),
        ),
    )


def _record(code: str, performer: str, on: date, pathway_id: str = "pw-child") -> KvaRecord:
    return KvaRecord(
        patient_id="child-1",
        pathway_id=pathway_id,
        code=code,
        performed_on=on,
        unit_hsa_id="SE2321000016-REH",
        performer_id=performer,
    )


def test_the_childs_care_team_has_the_konsultsjukskoterska_and_the_rehab_professional_who_assessed() -> None:
    kva = [
        _record("AW020", "konsult", date(2026, 3, 10)),  # the nurse's plan: she is on the team as its nurse
        _record("AW019", "physio", date(2026, 4, 1)),
        _record("AW019", "physio", date(2026, 5, 6)),
        _record("AW019", "physio", date(2026, 6, 1), pathway_id="another-pathway"),
    ]
    pathway = _child_pathway()
    team = care_team_json(pathway, rehab_members(pathway.id, kva, PROFESSIONS.get))
    check(team, "CareTeam mapping")
    assert team["id"] == "pw-child-team" and team["status"] == "active"
    assert team["subject"] == {"reference": "Patient/child-1"}
    assert team["reasonReference"] == [{"reference": "Condition/pw-child-dx"}]
    nurse, physio = team["participant"]
    assert nurse["member"] == {"reference": "PractitionerRole/konsult"}
    assert nurse["role"][0]["coding"] == [
        {"system": systems.CS_NURSE_ROLE, "code": "consulting_nurse", "display": "konsultsjuksköterska"}
    ]
    assert physio["member"] == {"reference": "PractitionerRole/physio"}
    assert {(c["system"], c["code"]) for c in physio["role"][0]["coding"]} == {
        (systems.CS_PROFESSION, "physiotherapist"),
        (systems.KVA, "XS918"),
    }
    assert physio["period"] == {"start": "2026-04-01"}  # joined with the first assessment


def test_a_closed_pathways_team_is_inactive_with_the_period_ended() -> None:
    pathway = _child_pathway().model_copy(update={"closed_on": date(2026, 9, 1)})
    team = care_team_json(pathway, [])
    check(team, "CareTeam mapping")
    assert team["status"] == "inactive" and team["period"] == {"start": "2026-03-02", "end": "2026-09-01"}


def _with_aw019(fhir_app: FastAPI, patient_id: str, pathway_id: str) -> None:
    """The dietitian of the rehab unit records her needs assessment at särskild level (AW019)."""
    from canrehab.services.context import SYSTEM

    services = fhir_app.state.fhir_services
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.kva.add_many(
            [
                KvaRecord(
                    patient_id=patient_id,
                    pathway_id=pathway_id,
                    code="AW019",
                    performed_on=services.today(),
                    unit_hsa_id=REH,
                    performer_id="diet-reh",
                    profession_code="XS912",
                )
            ]
        )


def test_care_team_read_and_search_by_patient_with_the_contact_nurse_and_the_rehab_professional(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    _with_aw019(fhir_app, ids["Patient"], ids["EpisodeOfCare"])
    admin = Fhir(client, "admin")
    found = admin.get("CareTeam", patient=ids["Patient"]).json()
    assert found["total"] == 1
    team = found["entry"][0]["resource"]
    assert team["id"] == f"{ids['EpisodeOfCare']}-team" and team["meta"]["lastUpdated"]
    roles = {p["member"]["reference"]: p["role"][0]["coding"][0]["code"] for p in team["participant"]}
    assert roles["PractitionerRole/diet-reh"] == "dietitian"
    assert "contact_nurse" in roles.values()
    assert admin.get(f"CareTeam/{team['id']}").json()["participant"] == team["participant"]
    by_member = admin.get("CareTeam", patient=ids["Patient"], participant="PractitionerRole/diet-reh").json()
    assert by_member["total"] == 1
    by_role = admin.get("CareTeam", patient=ids["Patient"], role=f"{systems.CS_NURSE_ROLE}|consulting_nurse")
    assert by_role.json()["total"] == 0
    outcome(admin.get(f"CareTeam/{ids['EpisodeOfCare']}"), 404)  # the team's id is <pathway>-team
    outcome(admin.get("CareTeam"), 400)  # a search names the patient
    everything = admin.get(f"Patient/{ids['Patient']}/$everything").json()
    assert "CareTeam" in {e["resource"]["resourceType"] for e in everything["entry"]}


def test_episode_of_care_is_searched_by_the_care_managers_role_and_practitioner_role_by_role(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    contact = admin.get(
        "EpisodeOfCare",
        patient=ids["Patient"],
        **{"care-manager-role": f"{systems.CS_NURSE_ROLE}|contact_nurse"},
    ).json()
    assert [e["resource"]["id"] for e in contact["entry"]] == [ids["EpisodeOfCare"]]
    konsult = admin.get(
        "EpisodeOfCare", patient=ids["Patient"], **{"care-manager-role": "consulting_nurse"}
    ).json()
    assert konsult["total"] == 0
    dietitians = admin.get(
        "PractitionerRole", organization=REH, role=f"{systems.CS_PROFESSION}|dietitian"
    ).json()
    assert [e["resource"]["id"] for e in dietitians["entry"]] == ["diet-reh"]
    by_addon = admin.get("PractitionerRole", organization=REH, role=f"{systems.KVA}|XS912").json()
    assert [e["resource"]["id"] for e in by_addon["entry"]] == ["diet-reh"]
    nurses = admin.get("PractitionerRole", organization=REH, role=f"{systems.KVA}|XS919").json()
    assert nurses["total"] == 0
    anywhere = admin.get("PractitionerRole", role=f"{systems.CS_PROFESSION}|dietitian").json()
    assert [e["resource"]["id"] for e in anywhere["entry"]] == ["diet-reh"]  # staff by role, any unit


def test_the_capability_statement_declares_care_team_and_the_role_parameters_with_their_definitions(
    client: TestClient,
) -> None:
    statement = client.get("/fhir/metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    definitions = {
        (rtype, p["name"]): p["definition"]
        for rtype, r in resources.items()
        for p in r.get("searchParam", [])
    }
    own = f"{systems.CANREHAB_BASE}/SearchParameter"
    r4 = "http://hl7.org/fhir/SearchParameter"
    assert definitions[("EpisodeOfCare", "care-manager-role")] == f"{own}/EpisodeOfCare-care-manager-role"
    assert definitions[("PractitionerRole", "role")] == f"{r4}/PractitionerRole-role"
    assert definitions[("CareTeam", "patient")] == f"{r4}/clinical-patient"
    assert definitions[("CareTeam", "participant")] == f"{r4}/CareTeam-participant"
    assert definitions[("CareTeam", "role")] == f"{own}/CareTeam-role"
    care_team = resources["CareTeam"]
    assert care_team["profile"].endswith("/canrehab-careteam")
    assert {i["code"] for i in care_team["interaction"]} == {"read", "search-type"}


def test_the_bulk_export_has_the_care_team_with_its_members_resolving(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    _with_aw019(fhir_app, ids["Patient"], ids["EpisodeOfCare"])
    manifest = finished(
        client, "chef", kickoff(client, "chef", params={"_type": "CareTeam,PractitionerRole"})
    )
    files = download(client, "chef", manifest)
    (team,) = files["CareTeam"]
    members = {p["member"]["reference"] for p in team["participant"]}
    assert "PractitionerRole/diet-reh" in members
    assert members <= {f"PractitionerRole/{r['id']}" for r in files["PractitionerRole"]}


def test_a_new_member_updates_the_team_for_a_since_export_and_its_last_updated(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    """The team changes when a rehab professional records an assessment, though its pathway does not: the
    team's meta.lastUpdated is the newest of its pathway and its KVÅ records, and ``_since`` exports it."""
    ids = locations(imported)
    admin = Fhir(client, "admin")
    before = admin.get(f"CareTeam/{ids['EpisodeOfCare']}-team").json()["meta"]["lastUpdated"]
    time.sleep(0.05)
    since = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    time.sleep(0.05)
    unchanged = finished(
        client, "admin", kickoff(client, "admin", params={"_type": "CareTeam", "_since": since})
    )
    assert unchanged["output"] == []
    _with_aw019(fhir_app, ids["Patient"], ids["EpisodeOfCare"])
    after = admin.get(f"CareTeam/{ids['EpisodeOfCare']}-team").json()["meta"]["lastUpdated"]
    assert after > since > before
    params = {"_type": "CareTeam,EpisodeOfCare", "_since": since}
    files = download(client, "admin", finished(client, "admin", kickoff(client, "admin", params=params)))
    assert set(files) == {"CareTeam"}  # the pathway itself was not written again
    assert files["CareTeam"][0]["meta"]["lastUpdated"] == after
