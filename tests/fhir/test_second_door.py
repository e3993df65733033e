"""The FHIR API is a second door to the services' use cases: what a resource holds that canrehab does not
keep is refused naming the element (never answered 2xx and dropped), a transaction Bundle is one unit of
work across the use cases, and an assessment is confirmed with the advice given as on the web."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.domain.model import Assessment, AssessmentStatus, KeyMoment, Respondent
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from tests.fhir.harness import ONK, TODAY, Fhir
from tests.fhir.test_api import locations, outcome, patient_count

PATIENT = {
    "resourceType": "Patient",
    "identifier": [{"system": "http://electronichealth.se/identifier/personnummer", "value": "191212121212"}],
    "gender": "male",
    "birthDate": "1912-12-12",
}


def _names_the_element(body: dict[str, Any], element: str) -> bool:
    issue = body["issue"][0]
    return element in issue["diagnostics"] and element in issue.get("expression", [])


def test_a_task_update_that_changes_only_the_description_is_refused_and_stores_nothing(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    per = Fhir(client, "per")
    current = per.get(f"Task/{ids['Task']}")
    task = {**current.json(), "description": "Överlämning till dietist, ring först"}
    body = outcome(per.put(f"Task/{ids['Task']}", task, {"If-Match": current.headers["etag"]}), 422)
    assert _names_the_element(body, "Task.description")
    after = per.get(f"Task/{ids['Task']}")
    assert after.headers["etag"] == current.headers["etag"] and after.json() == current.json()


def test_a_task_sent_back_as_it_was_read_changes_nothing_and_keeps_its_version(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    per = Fhir(client, "per")
    current = per.get(f"Task/{ids['Task']}")
    again = per.put(f"Task/{ids['Task']}", current.json(), {"If-Match": current.headers["etag"]})
    assert again.status_code == 200, again.text
    assert again.headers["etag"] == current.headers["etag"]


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("note", [{"text": "Patienten avböjde uppföljande samtal"}]),
        ("bodySite", [{"text": "Vänster bröst"}]),
        ("outcome", {"text": "Förbättrad aptit"}),
    ],
)
def test_a_procedure_element_canrehab_does_not_keep_is_refused_by_name_and_nothing_is_stored(
    client: TestClient, imported: dict[str, Any], element: str, value: Any
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get(f"Procedure/{ids['Procedure']}").json())
    procedure.pop("id")
    body = outcome(karin.post("Procedure", {**procedure, element: value}), 422)
    assert _names_the_element(body, f"Procedure.{element}")
    assert karin.get("Procedure", patient=ids["Patient"]).json()["total"] == 3
    assert karin.post("Procedure", procedure).status_code == 201  # the same record without it is kept


def test_an_unknown_extension_is_refused_by_its_url(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get(f"Procedure/{ids['Procedure']}").json())
    procedure.pop("id")
    url = "https://example.org/fhir/StructureDefinition/local-priority"
    procedure["extension"].append({"url": url, "valueString": "hög"})
    body = outcome(karin.post("Procedure", procedure), 422)
    assert _names_the_element(body, f"Procedure.extension('{url}')")


def test_a_transaction_whose_second_entry_fails_leaves_nothing_of_the_first(
    fhir_app: FastAPI, client: TestClient
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:first",
                "resource": PATIENT,
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:again",
                "resource": PATIENT,
                "request": {"method": "POST", "url": "Patient"},
            },
        ],
    }
    body = outcome(Fhir(client, "admin").post("", bundle), 409)  # the first is already there: one transaction
    assert "Bundle.entry[1] (urn:uuid:again)" in body["issue"][0]["diagnostics"]
    assert patient_count(fhir_app) == 0
    single = {**bundle, "entry": bundle["entry"][:1]}
    assert Fhir(client, "admin").post("", single).status_code == 200
    assert patient_count(fhir_app) == 1


def _submitted(karin: Fhir, ids: dict[str, str]) -> tuple[Assessment, dict[str, Any]]:
    """A new Hälsoskattning on the imported pathway, answered and submitted through the API."""
    from canrehab.instruments import load_instruments, questionnaire_json

    instrument = load_instruments()["halsoskattning"]
    form = questionnaire_json("halsoskattning")
    started = Assessment(
        id="new",
        patient_id=ids["Patient"],
        pathway_id=ids["EpisodeOfCare"],
        unit_hsa_id=ONK,
        instrument_id="halsoskattning",
        instrument_version=instrument.version,
        key_moment=KeyMoment.TREATMENT_START,
        respondent=Respondent.STAFF_ON_BEHALF,
        started_on=TODAY,
    )
    created = karin.post("QuestionnaireResponse", m.as_json(m.questionnaire_response_to_fhir(started, form)))
    assert created.status_code == 201, created.text
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if item.kind == "boolean":
            answers[item.link_id] = False
        elif item.options:
            answers[item.link_id] = item.options[0].value
        elif item.kind == "integer":
            answers[item.link_id] = item.min_value or 0
    rid = created.json()["id"]
    submitted = started.model_copy(
        update={"id": rid, "answers": answers, "status": AssessmentStatus.SUBMITTED, "submitted_on": TODAY}
    )
    r = karin.put(
        f"QuestionnaireResponse/{rid}",
        m.as_json(m.questionnaire_response_to_fhir(submitted, form)),
        {"If-Match": created.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    return m.assessment_from_fhir(r.json(), form), r.json()


def _confirmed(assessment: Assessment, advice: tuple[str, ...]) -> dict[str, Any]:
    from canrehab.instruments import questionnaire_json

    assert assessment.suggestion is not None
    confirmed = assessment.model_copy(
        update={
            "status": AssessmentStatus.CONFIRMED,
            "confirmed_level": assessment.suggestion.level,
            "confirmed_on": TODAY,
        }
    )
    resource = m.as_json(m.questionnaire_response_to_fhir(confirmed, questionnaire_json("halsoskattning")))
    confirmation = next(e for e in resource["extension"] if e["url"] == systems.EXT_CONFIRMED_LEVEL)
    confirmation["extension"] += [
        {"url": "advice", "valueCoding": {"system": systems.KVA, "code": code}} for code in advice
    ]
    return resource


def test_confirming_an_assessment_with_advice_records_the_advice_codes_as_the_web_confirm_does(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    assessment, _ = _submitted(karin, ids)
    r = karin.put(
        f"QuestionnaireResponse/{assessment.id}",
        _confirmed(assessment, ("DV111", "DV131")),
        {"If-Match": f'W/"{assessment.version}"'},
    )
    assert r.status_code == 200, r.text
    for code in ("DV111", "DV131"):
        found = karin.get("Procedure", patient=ids["Patient"], code=code).json()
        assert found["total"] == 1, code
        record = m.kva_record_from_fhir(found["entry"][0]["resource"])
        # as services.assessments.confirm records it for the web form: by the clinician, from the assessment
        assert (record.performer_id, record.performed_on) == ("nurse-onk", TODAY)
        assert record.source == f"assessment:{assessment.id}:{code}"
    assert karin.get("Procedure", patient=ids["Patient"], code="DV121").json()["total"] == 0


def test_an_unknown_advice_code_is_refused_and_the_assessment_stays_submitted(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    assessment, _ = _submitted(karin, ids)
    url = f"QuestionnaireResponse/{assessment.id}"
    body = outcome(karin.put(url, _confirmed(assessment, ("AW020",)), {"If-Match": 'W/"2"'}), 422)
    assert "assessment.advice_invalid" in body["issue"][0]["diagnostics"]
    after = karin.get(url)
    assert after.headers["etag"] == 'W/"2"' and after.json()["status"] == "completed"
    from canrehab.instruments import questionnaire_json

    status = m.assessment_from_fhir(after.json(), questionnaire_json("halsoskattning")).status
    assert status is AssessmentStatus.SUBMITTED


@pytest.mark.parametrize(
    ("rtype", "element", "value"),
    [
        ("Condition", "note", [{"text": "Misstänkt spridning"}]),
        ("Condition", "severity", {"text": "svår"}),
        ("Goal", "note", [{"text": "Väg dig varje vecka"}]),
        ("Practitioner", "telecom", [{"system": "phone", "value": "010-123 45 67"}]),
    ],
)
def test_what_a_bundle_s_absorbed_resources_hold_that_canrehab_does_not_keep_is_refused_by_name(
    fhir_app: FastAPI,
    client: TestClient,
    example_bundle: dict[str, Any],
    rtype: str,
    element: str,
    value: Any,
) -> None:
    bundle = copy.deepcopy(example_bundle)
    entry = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == rtype)
    entry["resource"][element] = value
    body = outcome(Fhir(client, "admin").post("", bundle), 422)
    assert f"{rtype}.{element}" in body["issue"][0]["diagnostics"]
    assert patient_count(fhir_app) == 0
