"""Mapping details: questionnaire-shaped answers, accepted identifier forms, precise errors on bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from canrehab.domain.model import Assessment, KeyMoment, Respondent
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import MappingError
from canrehab.instruments import questionnaire_json


def _assessment(answers: dict[str, Any]) -> Assessment:
    return Assessment(
        patient_id="p1",
        pathway_id="pw1",
        unit_hsa_id="SE2321000016-AB1",
        instrument_id="halsoskattning",
        instrument_version="1.0.0",
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.PATIENT,
        started_on=date(2024, 3, 1),
        answers=answers,
    )


def test_answers_follow_the_questionnaire_structure() -> None:
    q = questionnaire_json("halsoskattning")
    a = _assessment({"trotthet": "2", "trotthet.talk": True, "oro": "0"})
    data = m.as_json(m.questionnaire_response_to_fhir(a, q))
    assert data["questionnaire"] == f"{q['url']}|1.0.0"
    group = data["item"][0]
    assert group["linkId"] == "fysiskt"
    trotthet = group["item"][0]
    coding = trotthet["answer"][0]["valueCoding"]
    assert coding["code"] == "2" and coding.get("system") and coding.get("display")
    assert trotthet["answer"][0]["item"][0] == {
        "linkId": "trotthet.talk",
        "text": trotthet["answer"][0]["item"][0]["text"],
        "answer": [{"valueBoolean": True}],
    }
    assert m.assessment_from_fhir(data, q) == a


def test_answer_not_in_questionnaire_is_kept_not_dropped() -> None:
    q = questionnaire_json("halsoskattning")
    a = _assessment({"unknown_item": "fritext"})
    data = m.as_json(m.questionnaire_response_to_fhir(a, q))
    assert data["item"] == [{"linkId": "unknown_item", "answer": [{"valueString": "fritext"}]}]
    assert m.assessment_from_fhir(data, q) == a


def _patient_json(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": systems.PERSONNUMMER, "value": "191212121212"}],
        "gender": "male",
        "birthDate": "1912-12-12",
    }
    data.update(changes)
    return data


def test_patient_accepts_the_rivta_oid_form() -> None:
    patient = m.patient_from_fhir(
        _patient_json(identifier=[{"system": systems.PERSONNUMMER_OID, "value": "191212121212"}])
    )
    assert patient.personnummer == "191212121212" and not patient.is_coordination_number


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"identifier": []}, "Patient.identifier"),
        (
            {"identifier": [{"system": systems.PERSONNUMMER, "value": "191212121213"}]},
            "Patient.identifier[0].value",
        ),
        (
            {"identifier": [{"system": systems.SAMORDNINGSNUMMER, "value": "191212121212"}]},
            "Patient.identifier[0].system",
        ),
        ({"gender": "unknown"}, "Patient.gender"),
        ({"birthDate": None}, "Patient.birthDate"),
    ],
)
def test_patient_errors_name_the_element(changes: dict[str, Any], path: str) -> None:
    data = {k: v for k, v in _patient_json(**changes).items() if v is not None}
    with pytest.raises(MappingError) as err:
        m.patient_from_fhir(data)
    assert err.value.path == path
    assert "191212121213" not in str(err.value)  # identifiers are never echoed


def test_invalid_fhir_is_reported_with_the_element() -> None:
    with pytest.raises(MappingError) as err:
        m.to_model({"resourceType": "Patient", "birthDate": "1950-13-01"})
    assert "birthDate" in err.value.message


def test_task_status_must_agree_with_business_status() -> None:
    from canrehab.domain.model import Handover

    h = Handover(
        patient_id="p",
        pathway_id="pw",
        from_unit_hsa_id="U1",
        to_unit_hsa_id="U2",
        from_staff_id="s",
        sent_on=date(2024, 1, 1),
    )
    data = m.as_json(m.task_to_fhir(h))
    data["status"] = "completed"
    with pytest.raises(MappingError) as err:
        m.handover_from_fhir(data)
    assert err.value.path == "Task.status"


def test_wrong_reference_type_is_rejected() -> None:
    from canrehab.domain.model import KvaRecord

    r = KvaRecord(
        patient_id="p", pathway_id="pw", code="AW020", performed_on=date(2024, 1, 1), unit_hsa_id="U1"
    )
    data = m.as_json(m.procedure_to_fhir(r))
    data["subject"] = {"reference": "Group/g1"}
    with pytest.raises(MappingError) as err:
        m.kva_record_from_fhir(data)
    assert err.value.path == "Procedure.subject" and "Patient" in err.value.message
