"""domain -> FHIR -> domain gives the same entity, for every mapped type; every produced resource validates
as FHIR (fhir.resources R4B) from its JSON."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.fhir import mapping as m
from canrehab.fhir.mapping.common import to_model
from tests.fhir import strategies as s

settings.register_profile("fhir", max_examples=60, deadline=None)
settings.load_profile("fhir")


def revalidated(resource: Any) -> dict[str, Any]:
    """The resource's JSON, parsed back through its fhir.resources model (validation of the wire form)."""
    text = resource.model_dump_json(exclude_none=True)
    data = json.loads(text)
    model = type(resource).model_validate_json(text)
    assert model.model_dump(mode="json", exclude_none=True) == data
    to_model(data)
    return data


@given(s.patients())
def test_patient(patient: Any) -> None:
    data = revalidated(m.patient_to_fhir(patient))
    assert m.patient_from_fhir(data) == patient


@given(s.patients())
def test_pseudonymised_patient_has_no_identity(patient: Any) -> None:
    data = revalidated(m.patient_to_fhir(patient, pseudonymised=True))
    text = json.dumps(data)
    assert patient.personnummer not in text
    assert "name" not in data and "address" not in data
    assert data["identifier"] == [
        {"system": "https://canrehab.example/fhir/identifier/pseudonym", "value": patient.pseudonym}
    ]
    assert data["birthDate"] == str(patient.birth_date.year)


@given(s.units)
def test_organization(unit: Any) -> None:
    assert m.organization_from_fhir(revalidated(m.organization_to_fhir(unit))) == unit


@given(s.staff)
def test_practitioner_role(staff: Any) -> None:
    assert m.staff_from_fhir(revalidated(m.practitioner_role_to_fhir(staff))) == staff
    practitioner = revalidated(m.practitioner_to_fhir(staff))
    assert practitioner["id"] == staff.id


@given(s.pathways())
def test_episode_of_care_and_condition(pathway: Any) -> None:
    episode = revalidated(m.episode_to_fhir(pathway))
    condition = revalidated(m.condition_to_fhir(pathway))
    assert m.pathway_from_fhir(episode, condition) == pathway
    current = [a for a in pathway.contact_nurses if a.to_date is None]
    if current:
        assert episode["careManager"]["reference"] == f"PractitionerRole/{current[-1].staff_id}"


@given(s.pathways())
def test_min_vardplan(pathway: Any) -> None:
    data = revalidated(m.min_vardplan_to_fhir(pathway))
    assert m.min_vardplan_from_fhir(data) == (pathway.id, pathway.min_vardplan)
    assert data["category"][0]["coding"][0]["code"] == "min-vardplan"


@given(s.assessments())
def test_questionnaire_response(assessment: Any) -> None:
    assert m.assessment_from_fhir(revalidated(m.questionnaire_response_to_fhir(assessment))) == assessment


@given(s.plans())
def test_care_plan(plan: Any) -> None:
    data = revalidated(m.care_plan_to_fhir(plan))
    assert m.rehab_plan_from_fhir(data) == plan
    assert data["meta"]["versionId"] == str(plan.version)
    assert len(data.get("replaces", [])) == len(plan.versions)


@given(s.referrals)
def test_service_request(referral: Any) -> None:
    assert m.referral_from_fhir(revalidated(m.service_request_to_fhir(referral))) == referral


@given(s.handovers)
def test_task(handover: Any) -> None:
    data = revalidated(m.task_to_fhir(handover))
    assert m.handover_from_fhir(data) == handover
    assert data["businessStatus"]["coding"][0]["code"] == handover.status.value


@given(s.kva_records)
def test_procedure(record: Any) -> None:
    data = revalidated(m.procedure_to_fhir(record))
    assert m.kva_record_from_fhir(data) == record
    assert data["code"]["coding"][0] == {k: v for k, v in data["code"]["coding"][0].items()}
    assert data["code"]["coding"][0]["system"] == "urn:oid:1.2.752.116.1.3.2.1.4"


@given(s.audit_records)
def test_audit_event(entry: Any) -> None:
    assert m.audit_record_from_fhir(revalidated(m.audit_event_to_fhir(entry))) == entry


@given(s.goals, st.booleans())
def test_goal(goal: Any, active: bool) -> None:
    from canrehab.fhir.mapping.plan import goal_from_json, goal_resource

    data = revalidated(
        to_model(goal_resource(goal, "p1-g1", "patient-1", "active" if active else "completed"))
    )
    assert data["subject"] == {"reference": "Patient/patient-1"}
    assert goal_from_json(data, "Goal") == goal


@given(s.plans())
def test_care_plan_content_versions(plan: Any) -> None:
    from canrehab.fhir.mapping.plan import plan_version_from_fhir, plan_version_to_fhir

    for version in plan.versions:
        data = revalidated(plan_version_to_fhir(plan, version.number))
        assert data["meta"]["versionId"] == f"v{version.number}"
        assert plan_version_from_fhir(data) == (plan.id, version)


def test_questionnaire_for_every_instrument() -> None:
    """Each shipped instrument: the served Questionnaire validates and parses back to the same instrument."""
    from fhir.resources.R4B.questionnaire import Questionnaire

    from canrehab.domain.instrument import Instrument
    from canrehab.instruments import load_instruments, questionnaire_json

    instruments = load_instruments()
    assert instruments
    for instrument_id, instrument in instruments.items():
        data = questionnaire_json(instrument_id)
        Questionnaire.model_validate(data)
        assert Instrument.from_questionnaire(data) == instrument
