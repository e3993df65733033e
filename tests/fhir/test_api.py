"""The FHIR REST API on a migrated database: authentication, read/search/create/update, versions, access by
care unit with audited refusals, bad input that stores nothing, transaction atomicity and the bulk export."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome

from canrehab.domain.login_backoff import Backoff
from canrehab.domain.model import MinVardplanStatus, PlanEvent, PlanEventKind, ReferralStatus
from canrehab.fhir import mapping as m
from canrehab.fhir.mapping.plan import event_ext
from canrehab.services.login_throttle import LoginThrottle
from tests.fhir.harness import FHIR, TODAY, Fhir, actor, auth

PNR = "191212121212"
PNR_SYSTEM = "http://electronichealth.se/identifier/personnummer"
NAME = "Tolvan Tolvansson"


def locations(result: dict[str, Any]) -> dict[str, str]:
    """resourceType -> list of ids from a transaction-response (first of each type)."""
    out: dict[str, str] = {}
    for e in result["entry"]:
        rtype, rid = e["response"]["location"].split("/")[:2]
        out.setdefault(rtype, rid)
    return out


def outcome(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    OperationOutcome.model_validate(body)
    return body


def audit_actions(app: FastAPI, action: str) -> list[Any]:
    services = app.state.fhir_services
    with services.uow(actor("admin"), log_reads=False) as uow:
        return [e for e in uow.audit.query(limit=10_000) if e.action == action]


def patient_count(app: FastAPI) -> int:
    services = app.state.fhir_services
    with services.uow(actor("admin"), log_reads=False) as uow:
        return 0 if uow.patients.get_by_personnummer(PNR) is None else 1


# ---------------------------------------------------------------------------------------------- basics


def test_metadata_is_a_capability_statement(client: TestClient) -> None:
    r = client.get("/fhir/metadata")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/fhir+json")
    cs = CapabilityStatement.model_validate(r.json())
    assert cs.rest is not None and cs.rest[0].resource is not None
    types = {res.type for res in cs.rest[0].resource}
    assert {"Patient", "EpisodeOfCare", "CarePlan", "Task", "Procedure", "AuditEvent"} <= types


def test_authentication_is_basic_without_cookies(client: TestClient) -> None:
    r = client.get("/fhir/Patient", params={"identifier": PNR})
    body = outcome(r, 401)
    assert r.headers["www-authenticate"].startswith("Basic")
    assert body["issue"][0]["code"] == "login"
    r = client.get("/fhir/Patient", params={"identifier": PNR}, headers=auth("karin", "fel"))
    outcome(r, 401)
    r = client.get("/fhir/Patient", params={"identifier": PNR}, headers=auth("okänd"))
    outcome(r, 401)
    r = client.get("/fhir/Patient", params={"identifier": PNR}, headers=auth("karin"))
    assert r.status_code == 200 and "set-cookie" not in r.headers


def test_basic_logins_are_throttled_and_parallel_guesses_get_only_the_free_attempts(
    fhir_app: FastAPI, client: TestClient
) -> None:
    """With a back-off on the FHIR keys: eight wrong passwords at once get three 401s (the ``user``
    policy's free attempts here) and five 429s; even the right password waits, then works after the wait,
    and right passwords count nothing (five in a row never lock)."""
    now = [1_000_000.0]
    fhir_app.state.throttle = LoginThrottle(
        fhir_app.state.fhir_services.engine,
        {"user": Backoff(free=3, base=30.0, cap=30.0)},
        clock=lambda: now[0],
    )
    start = Barrier(8)

    def guess(_: int) -> int:
        start.wait()
        return client.get(
            "/fhir/Patient", params={"identifier": PNR}, headers=auth("karin", "fel")
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(guess, range(8)))
    assert statuses == [401] * 3 + [429] * 5
    r = client.get("/fhir/Patient", params={"identifier": PNR}, headers=auth("karin"))
    assert r.status_code == 429 and r.json()["issue"][0]["code"] == "throttled"
    now[0] += 31
    for _ in range(5):  # right passwords do not add up to a lock
        r = client.get("/fhir/Patient", params={"identifier": PNR}, headers=auth("karin"))
        assert r.status_code == 200


# ------------------------------------------------------------------------------------------- example bundle


def test_example_bundle_imports_and_reads_back(
    client: TestClient, imported: dict[str, Any], example_bundle: dict[str, Any]
) -> None:
    Bundle.model_validate(imported)
    assert imported["type"] == "transaction-response"
    assert len(imported["entry"]) == len(example_bundle["entry"])
    assert all(e["response"]["status"] == "201 Created" for e in imported["entry"])
    ids = locations(imported)
    karin = Fhir(client, "karin")

    found = karin.get(
        "Patient", identifier=f"http://electronichealth.se/identifier/personnummer|{PNR}"
    ).json()
    assert found["total"] == 1
    patient = m.patient_from_fhir(found["entry"][0]["resource"])
    assert (patient.name, patient.personnummer, patient.id) == (NAME, PNR, ids["Patient"])
    assert len(patient.pseudonym) == 20

    episode = karin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}")
    assert episode.headers["etag"] == 'W/"1"'
    condition = karin.get(f"Condition/{ids['EpisodeOfCare']}-dx").json()
    pathway = m.pathway_from_fhir(episode.json(), condition)
    source = {e["resource"]["resourceType"]: e["resource"] for e in example_bundle["entry"]}
    assert pathway.diagnosis.icd10 == "C509" and pathway.min_vardplan.digital_1177
    assert pathway.contact_nurses[0].staff_id == ids["PractitionerRole"]
    assert episode.json()["careManager"]["reference"] == f"PractitionerRole/{ids['PractitionerRole']}"

    role = karin.get(f"PractitionerRole/{ids['PractitionerRole']}").json()
    assert m.staff_from_fhir(role).name == "Karin Nilsson"

    qr = karin.get(f"QuestionnaireResponse/{ids['QuestionnaireResponse']}").json()
    assessment = m.assessment_from_fhir(qr, karin.get("Questionnaire/halsoskattning").json())
    assert assessment.answers["aptit"] == "3" and assessment.answers["trotthet.talk"] is True
    assert assessment.confirmed_by == ids["PractitionerRole"]

    plan = m.rehab_plan_from_fhir(karin.get(f"CarePlan/{ids['CarePlan']}").json())
    assert [g.text for g in plan.content.goals] == ["Behålla vikten under behandlingen"]
    assert plan.versions[0].content == plan.content
    goal = karin.get(f"Goal/{ids['CarePlan']}-g1")
    assert goal.status_code == 200 and goal.json()["description"]["text"] == plan.content.goals[0].text

    task = karin.get("Task", patient=ids["Patient"]).json()
    assert (
        task["total"] == 1 and task["entry"][0]["resource"]["businessStatus"]["coding"][0]["code"] == "sent"
    )
    sr = karin.get("ServiceRequest", patient=ids["Patient"], status="active").json()
    assert sr["total"] == 1
    procedures = karin.get("Procedure", patient=ids["Patient"]).json()
    assert sorted(e["resource"]["code"]["coding"][0]["code"] for e in procedures["entry"]) == [
        "AU010",
        "AW020",
        "XV019",
    ]
    only_aw020 = karin.get("Procedure", patient=ids["Patient"], code="AW020").json()
    assert only_aw020["total"] == 1
    in_february = karin.get("Procedure", patient=ids["Patient"], date="ge2026-02-06").json()
    assert in_february["total"] == 2
    mvp = karin.get(f"CarePlan/{ids['EpisodeOfCare']}-mvp").json()
    assert mvp["category"][0]["coding"][0]["code"] == "min-vardplan" and mvp["status"] == "active"
    assert source["Patient"]["name"][0]["text"] == NAME


def test_a_second_pathway_bundle_reuses_the_known_contact_nurse(
    client: TestClient, imported: dict[str, Any], example_bundle: dict[str, Any]
) -> None:
    ids = locations(imported)
    second = copy.deepcopy(example_bundle)
    for e in second["entry"]:
        r = e["resource"]
        if r["resourceType"] == "Patient":  # another woman born 1940-04-04
            r["identifier"][0]["value"] = "194004041788"
            r["birthDate"], r["gender"] = "1940-04-04", "female"
            r["name"] = [{"use": "official", "text": "Greta Andersson"}]
    response = Fhir(client, "admin").post("", second)
    assert response.status_code == 200, response.text
    again = locations(response.json())
    assert again["PractitionerRole"] == ids["PractitionerRole"]  # the same nurse, by HSA-id
    assert again["Patient"] != ids["Patient"]
    episode = Fhir(client, "karin").get(f"EpisodeOfCare/{again['EpisodeOfCare']}").json()
    assert episode["careManager"]["reference"] == f"PractitionerRole/{ids['PractitionerRole']}"


def test_every_read_is_audited(fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    before = len(audit_actions(fhir_app, "read"))
    r = Fhir(client, "karin").get(f"Task/{ids['Task']}")
    assert r.status_code == 200
    reads = audit_actions(fhir_app, "read")
    assert len(reads) > before
    assert any(e.entity_id == ids["Task"] and e.actor_username == "karin" for e in reads)


# ---------------------------------------------------------------------------------------------- access


def test_other_units_patient_is_forbidden_and_audited(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    eva = Fhir(client, "eva")
    body = outcome(eva.get(f"Patient/{ids['Patient']}"), 403)
    assert body["issue"][0]["code"] == "forbidden"
    assert PNR not in json.dumps(body) and NAME not in json.dumps(body)
    denied = audit_actions(fhir_app, "denied")
    assert any(e.actor_username == "eva" and e.patient_id == ids["Patient"] for e in denied)
    outcome(eva.get("Procedure", patient=ids["Patient"]), 403)
    outcome(eva.get(f"CarePlan/{ids['CarePlan']}"), 403)


def test_refused_write_stores_nothing(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get("Procedure", patient=ids["Patient"]).json()["entry"][0]["resource"])
    procedure.pop("id")
    outcome(Fhir(client, "eva").post("Procedure", procedure), 403)
    assert karin.get("Procedure", patient=ids["Patient"]).json()["total"] == 3


def test_unknown_codes_and_dangling_staff_references_are_refused(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get("Procedure", patient=ids["Patient"]).json()["entry"][0]["resource"])
    procedure.pop("id")
    unknown = copy.deepcopy(procedure)
    unknown["code"]["coding"][0]["code"] = "ZZ999"
    body = outcome(karin.post("Procedure", unknown), 422)
    assert "ZZ999" in body["issue"][0]["diagnostics"]
    dangling = copy.deepcopy(procedure)
    dangling["performer"][0]["actor"]["reference"] = "PractitionerRole/does-not-exist"
    body = outcome(karin.post("Procedure", dangling), 422)
    assert "does-not-exist" in body["issue"][0]["diagnostics"]
    assert karin.get("Procedure", patient=ids["Patient"]).json()["total"] == 3
    assert karin.post("Procedure", procedure).status_code == 201


# ---------------------------------------------------------------------------------------------- versions


def test_stale_update_is_412_and_state_changes_go_through_the_rules(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    per = Fhir(client, "per")  # the dietitian at the receiving unit
    current = per.get(f"Task/{ids['Task']}")
    assert current.status_code == 200
    etag = current.headers["etag"]
    task = current.json()
    task["status"] = "accepted"
    task["businessStatus"] = {
        "coding": [{"system": task["businessStatus"]["coding"][0]["system"], "code": "received"}]
    }
    r = per.put(f"Task/{ids['Task']}", task, {"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == 'W/"2"'
    received = m.handover_from_fhir(r.json())
    assert received.status.value == "received" and received.received_on is not None

    stale = per.put(f"Task/{ids['Task']}", task, {"If-Match": etag})
    body = outcome(stale, 412)
    assert body["issue"][0]["code"] == "conflict"
    assert per.get(f"Task/{ids['Task']}").headers["etag"] == 'W/"2"'

    outcome(per.put(f"Task/{ids['Task']}", {k: v for k, v in task.items() if k != "meta"}), 428)

    backwards = r.json()
    backwards["status"], backwards["businessStatus"]["coding"][0]["code"] = "requested", "sent"
    outcome(per.put(f"Task/{ids['Task']}", backwards, {"If-Match": 'W/"2"'}), 422)

    sneaky = r.json()
    sneaky["input"][0]["valueString"] = "ändrat innehåll"
    outcome(per.put(f"Task/{ids['Task']}", sneaky, {"If-Match": 'W/"2"'}), 422)
    assert m.handover_from_fhir(per.get(f"Task/{ids['Task']}").json()).content == received.content


def test_patient_demographics_update_is_versioned_and_identity_is_fixed(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    current = karin.get(f"Patient/{ids['Patient']}")
    assert current.headers["etag"] == 'W/"1"'
    moved = current.json()
    moved["name"] = [{"use": "official", "text": "Tolvan Tolvansson Ek"}]
    moved["deceasedDateTime"] = (TODAY - timedelta(days=2)).isoformat()
    assert moved["address"][0]["state"] == "01"  # the county as SEBasePatient carries a place
    moved["address"][0]["state"] = "14"
    r = karin.put(f"Patient/{ids['Patient']}", moved, {"If-Match": 'W/"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == 'W/"2"'
    patient = m.patient_from_fhir(r.json())
    assert (patient.name, patient.county_code, str(patient.deceased_on)) == (
        "Tolvan Tolvansson Ek",
        "14",
        (TODAY - timedelta(days=2)).isoformat(),
    )
    assert patient.version == 2

    # a journal system working from the old version loses the race instead of overwriting
    body = outcome(karin.put(f"Patient/{ids['Patient']}", current.json(), {"If-Match": 'W/"1"'}), 412)
    assert body["issue"][0]["code"] == "conflict"

    # the identity cannot change through an update; nothing is stored
    renumbered = r.json()
    renumbered["identifier"][0]["value"] = "191010101010"
    body = outcome(karin.put(f"Patient/{ids['Patient']}", renumbered, {"If-Match": 'W/"2"'}), 422)
    assert "personnummer" in body["issue"][0]["diagnostics"]
    assert "191010101010" not in json.dumps(body)

    # what canrehab does not keep is refused, not dropped; a death date must be possible
    with_address = {**r.json(), "address": [{"city": "Göteborg"}]}
    body = outcome(karin.put(f"Patient/{ids['Patient']}", with_address, {"If-Match": 'W/"2"'}), 422)
    assert "Patient.address" in body["issue"][0]["diagnostics"]
    too_early = {**r.json(), "deceasedDateTime": "1900-01-01"}
    outcome(karin.put(f"Patient/{ids['Patient']}", too_early, {"If-Match": 'W/"2"'}), 422)
    wrong_birth = {**r.json(), "birthDate": "1955-01-01"}
    body = outcome(karin.put(f"Patient/{ids['Patient']}", wrong_birth, {"If-Match": 'W/"2"'}), 422)
    assert "birthDate" in json.dumps(body)
    new = {**r.json(), "identifier": [dict(r.json()["identifier"][0], value="194004041788")]}
    new.pop("id"), new.pop("meta"), new.pop("deceasedDateTime")
    body = outcome(karin.post("Patient", {**new, "birthDate": "1955-01-01"}), 422)
    assert "birthDate" in json.dumps(body)

    # another unit may not write, and the refusal is audited
    outcome(Fhir(client, "eva").put(f"Patient/{ids['Patient']}", r.json(), {"If-Match": 'W/"2"'}), 403)
    assert any(
        e.actor_username == "eva" and e.patient_id == ids["Patient"]
        for e in audit_actions(fhir_app, "denied")
    )
    assert karin.get(f"Patient/{ids['Patient']}").headers["etag"] == 'W/"2"'


def test_plan_established_via_rules_records_kva(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    plan = karin.get(f"CarePlan/{ids['CarePlan']}").json()
    plan.pop("id")
    plan.pop("meta")
    plan["replaces"] = []
    plan["contained"] = [
        c for c in plan["contained"] if c["resourceType"] == "Goal" and not c["id"].startswith("v")
    ]
    plan["extension"] = [
        e for e in plan["extension"] if not e["url"].endswith(("/plan-event", "/plan-status"))
    ]
    plan["status"] = "draft"
    plan.pop("period", None)
    created = karin.post("CarePlan", plan)
    assert created.status_code == 201, created.text
    new = created.json()
    assert created.headers["location"].endswith(f"/CarePlan/{new['id']}/_history/1")
    established = copy.deepcopy(new)
    event = PlanEvent(
        kind=PlanEventKind.ESTABLISHED,
        on=TODAY,
        by="nurse-onk",
        content_version=1,
        follow_up_on=None,
    )
    established["extension"].append(event_ext(event))
    established["status"] = "active"
    for ext in established["extension"]:
        if ext["url"].endswith("/plan-status"):
            ext["valueCoding"]["code"] = "established"
    r = karin.put(f"CarePlan/{new['id']}", established, {"If-Match": 'W/"1"'})
    assert r.status_code == 200, r.text
    after = m.rehab_plan_from_fhir(r.json())
    assert after.status.value == "established" and len(after.versions) == 1
    codes = [
        e["resource"]["code"]["coding"][0]["code"]
        for e in karin.get("Procedure", patient=ids["Patient"], code="AW020").json()["entry"]
    ]
    assert codes == ["AW020", "AW020"]


# ---------------------------------------------------------------------------------------------- bad input


def test_malformed_and_invalid_input_is_4xx_outcome_and_stores_nothing(
    fhir_app: FastAPI, client: TestClient
) -> None:
    karin = Fhir(client, "karin")
    r = client.post("/fhir/Patient", content=b"{not json", headers={**auth("karin"), **FHIR})
    outcome(r, 400)
    r = client.post("/fhir/Patient", content=b"[]", headers={**auth("karin"), **FHIR})
    outcome(r, 400)
    r = client.post("/fhir/Patient", content=b"{}", headers={**auth("karin"), "Content-Type": "text/plain"})
    outcome(r, 415)
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": "http://electronichealth.se/identifier/personnummer", "value": PNR}],
        "gender": "male",
        "birthDate": "1912-13-12",
    }
    body = outcome(karin.post("Patient", patient), 400)
    assert "birthDate" in body["issue"][0]["diagnostics"]
    outcome(karin.post("Patient", {**patient, "resourceType": "Observation"}), 400)
    outcome(karin.post("Patient", {**patient, "birthDate": "1912-12-12", "gender": "okänt"}), 422)
    outcome(karin.post("Patient", {**patient, "birthDate": "1912-12-12", "extra": 1}), 400)
    bad_pnr = {
        **patient,
        "birthDate": "1912-12-12",
        "identifier": [{"system": PNR_SYSTEM, "value": "191212121213"}],
    }
    body = outcome(karin.post("Patient", bad_pnr), 422)
    assert "191212121213" not in json.dumps(body)
    outcome(karin.get("Nonsense/1"), 404)
    outcome(karin.get("Patient/does-not-exist"), 404)
    outcome(karin.post("AuditEvent", {"resourceType": "AuditEvent"}), 405)
    assert patient_count(fhir_app) == 0
    ok = karin.post("Patient", {**patient, "birthDate": "1912-12-12"})
    assert ok.status_code == 201, ok.text
    assert patient_count(fhir_app) == 1
    outcome(karin.post("Patient", {**patient, "birthDate": "1912-12-12"}), 409)


def test_transaction_is_atomic(fhir_app: FastAPI, client: TestClient, example_bundle: dict[str, Any]) -> None:
    admin = Fhir(client, "admin")
    broken = copy.deepcopy(example_bundle)
    last = broken["entry"][-1]
    last["resource"]["performedDateTime"] = "2026-02-31"
    body = outcome(admin.post("", broken), 400)
    index = len(broken["entry"]) - 1
    assert f"Bundle.entry[{index}]" in body["issue"][0]["diagnostics"]
    assert last["fullUrl"] in body["issue"][0]["diagnostics"]
    assert patient_count(fhir_app) == 0

    late_failure = copy.deepcopy(example_bundle)  # valid FHIR, unknown care unit: fails while storing
    proc = [e for e in late_failure["entry"] if e["resource"]["resourceType"] == "Procedure"][-1]
    for ext in proc["resource"]["extension"]:
        if ext["url"].endswith("/care-unit"):
            ext["valueReference"] = {"reference": "Organization/SE0000000000-NONE"}
    body = outcome(admin.post("", late_failure), 404)
    assert "Bundle.entry[" in body["issue"][0]["diagnostics"]
    assert proc["fullUrl"] in body["issue"][0]["diagnostics"]
    assert patient_count(fhir_app) == 0

    wrong_type = copy.deepcopy(example_bundle)
    wrong_type["type"] = "collection"  # a batch is answered entry by entry (tests/fhir/test_operations.py)
    outcome(admin.post("", wrong_type), 400)
    orphan = copy.deepcopy(example_bundle)
    orphan["entry"] = [e for e in orphan["entry"] if e["resource"]["resourceType"] != "EpisodeOfCare"]
    outcome(admin.post("", orphan), 422)
    assert patient_count(fhir_app) == 0
    assert admin.post("", example_bundle).status_code == 200
    assert patient_count(fhir_app) == 1


# ---------------------------------------------------------------------------------------------- export


# The bulk export (FHIR Bulk Data IG v2): tests/fhir/test_bulk_export.py


def test_assessment_submitted_and_confirmed_through_the_rules(
    client: TestClient, imported: dict[str, Any]
) -> None:
    from canrehab.domain.model import Assessment, AssessmentStatus, KeyMoment, Respondent
    from canrehab.instruments import load_instruments, questionnaire_json

    ids = locations(imported)
    karin = Fhir(client, "karin")
    instrument = load_instruments()["halsoskattning"]
    questionnaire = questionnaire_json("halsoskattning")
    started = Assessment(
        id="new",
        patient_id=ids["Patient"],
        pathway_id=ids["EpisodeOfCare"],
        unit_hsa_id="SE2321000016-ONK1",
        instrument_id="halsoskattning",
        instrument_version=instrument.version,
        key_moment=KeyMoment.TREATMENT_START,
        respondent=Respondent.STAFF_ON_BEHALF,
        started_on=TODAY,
    )
    created = karin.post(
        "QuestionnaireResponse", m.as_json(m.questionnaire_response_to_fhir(started, questionnaire))
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if item.kind == "boolean":
            answers[item.link_id] = False
        elif item.options:
            answers[item.link_id] = (
                item.options[-1].value if item.link_id == "aptit" else item.options[0].value
            )
        elif item.kind == "integer":
            answers[item.link_id] = item.min_value or 0
    submitted = started.model_copy(
        update={"id": rid, "answers": answers, "status": AssessmentStatus.SUBMITTED, "submitted_on": TODAY}
    )
    r = karin.put(
        f"QuestionnaireResponse/{rid}",
        m.as_json(m.questionnaire_response_to_fhir(submitted, questionnaire)),
        {"If-Match": 'W/"1"'},
    )
    assert r.status_code == 200, r.text
    after = m.assessment_from_fhir(r.json(), questionnaire)
    assert after.status.value == "submitted" and after.suggestion is not None
    confirmed = after.model_copy(
        update={
            "status": AssessmentStatus.CONFIRMED,
            "confirmed_level": after.suggestion.level,
            "confirmed_on": TODAY,
        }
    )
    r = karin.put(
        f"QuestionnaireResponse/{rid}",
        m.as_json(m.questionnaire_response_to_fhir(confirmed, questionnaire)),
        {"If-Match": 'W/"2"'},
    )
    assert r.status_code == 200, r.text
    done = m.assessment_from_fhir(r.json(), questionnaire)
    assert done.status.value == "confirmed" and done.confirmed_by == "nurse-onk"
    # 004: every confirmed Hälsoskattning is coded AU010, whatever the level (AW019 is the rehab
    # professional's own assessment, not the confirmation of a self-rating)
    procedures = karin.get(
        "Procedure", patient=ids["Patient"], code="AU010", date=f"eq{TODAY.isoformat()}"
    ).json()
    assert procedures["total"] == 1
    stale = {k: v for k, v in r.json().items() if k != "meta"}
    outcome(karin.put(f"QuestionnaireResponse/{rid}", stale, {"If-Match": 'W/"2"'}), 412)


def test_pathway_and_referral_steps_through_the_rules(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    episode = karin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}").json()
    condition = karin.get(f"Condition/{ids['EpisodeOfCare']}-dx").json()
    pathway = m.pathway_from_fhir(episode, condition)
    mvp = pathway.min_vardplan.model_copy(
        update={"status": MinVardplanStatus.REVISED, "revised_on": (TODAY,)}
    )
    wanted = m.as_json(m.episode_to_fhir(pathway.model_copy(update={"min_vardplan": mvp})))
    r = karin.put(f"EpisodeOfCare/{ids['EpisodeOfCare']}", wanted, {"If-Match": 'W/"1"'})
    assert r.status_code == 200, r.text
    assert m.pathway_from_fhir(r.json(), condition).min_vardplan.revised_on == (TODAY,)
    xv020 = karin.get("Procedure", patient=ids["Patient"], code="XV020").json()
    assert xv020["total"] == 1
    assert xv020["entry"][0]["resource"]["performer"][0]["actor"]["reference"] == "PractitionerRole/nurse-onk"
    changed_dx = copy.deepcopy(r.json())
    outcome(
        karin.put(
            f"EpisodeOfCare/{ids['EpisodeOfCare']}",
            {**changed_dx, "managingOrganization": {"reference": "Organization/SE2321000016-KIR1"}},
            {"If-Match": 'W/"2"'},
        ),
        422,
    )

    per = Fhir(client, "per")
    sr = per.get("ServiceRequest", patient=ids["Patient"]).json()["entry"][0]["resource"]
    referral = m.referral_from_fhir(sr)
    accepted = referral.model_copy(update={"status": ReferralStatus.ACCEPTED, "answered_on": TODAY})
    r = per.put(
        f"ServiceRequest/{sr['id']}", m.as_json(m.service_request_to_fhir(accepted)), {"If-Match": 'W/"1"'}
    )
    assert r.status_code == 200, r.text
    assert m.referral_from_fhir(r.json()).status is ReferralStatus.ACCEPTED
    outcome(Fhir(client, "eva").put(f"ServiceRequest/{sr['id']}", r.json(), {"If-Match": 'W/"2"'}), 403)


def test_nul_in_a_search_parameter_or_id_is_a_400_outcome(client: TestClient) -> None:
    karin = Fhir(client, "karin")
    for response in (karin.get("Goal", patient="\x00"), karin.get("Patient/ab%00cd")):
        assert outcome(response, 400)["issue"][0]["code"] == "invalid"
