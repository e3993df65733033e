"""Writes ``examples/pathway-bundle.json``: a complete synthetic pathway as a FHIR transaction Bundle.

Synthetic data only (the Skatteverket test person 19121212-1212). Built from domain entities through
``canrehab.fhir.mapping`` so the example always matches the mapping; entries refer to each other by
``urn:uuid`` fullUrls, as a sending system would. Run: ``.venv/bin/python examples/make_pathway_bundle.py``.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    CareUnit,
    ContactNurseAssignment,
    Diagnosis,
    Goal,
    Handover,
    HandoverContent,
    KeyMoment,
    KvaRecord,
    MinVardplan,
    MinVardplanStatus,
    NeedsLevel,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    PlanContent,
    PlanEvent,
    PlanEventKind,
    PlannedAction,
    PlanStatus,
    PlanVersion,
    Profession,
    Referral,
    RehabPlan,
    Respondent,
    Sex,
    Staff,
    Suggestion,
)
from canrehab.fhir import mapping as m
from canrehab.fhir.mapping.common import as_json
from canrehab.instruments import questionnaire_json

INSTRUMENTS = Path(__file__).resolve().parents[1] / "canrehab" / "instruments"
INSTRUMENT_VERSION = json.loads((INSTRUMENTS / "halsoskattning.json").read_text("utf-8"))["version"]

OUT = Path(__file__).with_name("pathway-bundle.json")
NS = uuid.UUID("6f1c1f4e-2b7a-4c55-9d0e-3c2a5b1e7a10")


def urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NS, name)}"


def build() -> dict[str, Any]:
    onk = CareUnit(
        hsa_id="SE2321000016-ONK1", name="Onkologiska kliniken, Universitetssjukhuset", county_code="01"
    )
    reh = CareUnit(hsa_id="SE2321000016-REH1", name="Rehabiliteringsmottagningen", county_code="01")
    nurse = Staff(
        id="nurse",
        hsa_id="SE2321000016-P0001",
        name="Karin Nilsson",
        profession=Profession.CONTACT_NURSE,
        unit_hsa_id=onk.hsa_id,
        assignment_hsa_id="SE2321000016-U0001",  # the assignment (medarbetaruppdrag) at the unit
    )
    patient = Patient(
        id="patient",
        personnummer="191212121212",
        pseudonym="",
        name="Tolvan Tolvansson",
        sex=Sex.MALE,
        birth_date=date(1912, 12, 12),
        county_code="01",
    )
    pathway = Pathway(
        id="pathway",
        patient_id=patient.id,
        unit_hsa_id=onk.hsa_id,
        diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2026, 2, 2), process="breast"),
        phases=(
            PhaseEntry(kind=PhaseKind.DIAGNOSIS, on=date(2026, 2, 2)),
            PhaseEntry(kind=PhaseKind.TREATMENT_START, on=date(2026, 2, 20)),
        ),
        contact_nurses=(
            ContactNurseAssignment(
                staff_id=nurse.id, offered_on=date(2026, 2, 2), from_date=date(2026, 2, 2)
            ),
        ),
        min_vardplan=MinVardplan(
            status=MinVardplanStatus.ESTABLISHED,
            offered_on=date(2026, 2, 2),
            established_on=date(2026, 2, 5),
            digital_1177=True,
        ),
        confirmed_level=NeedsLevel.SPECIAL,
        confirmed_level_on=date(2026, 2, 6),
    )
    answers: dict[str, Any] = {
        "trotthet": "2",
        "trotthet.talk": True,
        "aptit": "3",
        "aptit.talk": True,
        "oro": "1",
    }
    assessment = Assessment(
        id="assessment",
        patient_id=patient.id,
        pathway_id=pathway.id,
        unit_hsa_id=onk.hsa_id,
        instrument_id="halsoskattning",
        instrument_version=INSTRUMENT_VERSION,  # the shipped Hälsoskattning's current version
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.PATIENT,
        started_on=date(2026, 2, 4),
        submitted_on=date(2026, 2, 4),
        answers=answers,
        status=AssessmentStatus.CONFIRMED,
        suggestion=Suggestion(
            troublesome_areas=("trotthet", "aptit"),
            wants_to_talk=("trotthet", "aptit"),
            advice_codes=("DV141",),
            professions=(Profession.DIETITIAN,),
            level=NeedsLevel.SPECIAL,
            reasons=("Ganska eller mycket besvärande aptitproblem: dietist.",),
        ),
        confirmed_level=NeedsLevel.SPECIAL,
        confirmed_by=nurse.id,
        confirmed_on=date(2026, 2, 6),
    )
    content = PlanContent(
        summary="Trötthet och nedsatt aptit under cytostatikabehandling.",
        goals=(
            Goal(
                text="Behålla vikten under behandlingen",
                responsible="Dietist",
                profession=Profession.DIETITIAN,
                target_date=date(2026, 5, 1),
            ),
        ),
        actions=(
            PlannedAction(
                what="Kostrådgivning och energitäta mellanmål",
                who="Dietist",
                profession=Profession.DIETITIAN,
                unit_hsa_id=reh.hsa_id,
                when=date(2026, 2, 15),
            ),
        ),
        self_care="Små täta måltider, daglig promenad.",
        follow_up_on=date(2026, 3, 15),
    )
    plan = RehabPlan(
        id="plan",
        patient_id=patient.id,
        pathway_id=pathway.id,
        unit_hsa_id=onk.hsa_id,
        status=PlanStatus.ESTABLISHED,
        content=content,
        versions=(PlanVersion(number=1, content=content, created_on=date(2026, 2, 6), created_by=nurse.id),),
        events=(
            PlanEvent(
                kind=PlanEventKind.ESTABLISHED,
                on=date(2026, 2, 6),
                by=nurse.id,
                content_version=1,
                follow_up_on=date(2026, 3, 15),
            ),
        ),
    )
    referral = Referral(
        id="referral",
        patient_id=patient.id,
        pathway_id=pathway.id,
        from_unit_hsa_id=onk.hsa_id,
        from_staff_id=nurse.id,
        to_profession=Profession.DIETITIAN,
        to_unit_hsa_id=reh.hsa_id,
        reason="Viktnedgång och aptitlöshet",
        sent_on=date(2026, 2, 6),
    )
    handover = Handover(
        id="handover",
        patient_id=patient.id,
        pathway_id=pathway.id,
        from_unit_hsa_id=onk.hsa_id,
        to_unit_hsa_id=reh.hsa_id,
        from_staff_id=nurse.id,
        from_profession=Profession.CONTACT_NURSE,
        to_profession=Profession.DIETITIAN,
        content=HandoverContent(
            needs="Nutritionsstöd", wishes="Mottagning nära hemmet", plan_summary="Se rehabiliteringsplanen"
        ),
        sent_on=date(2026, 2, 7),
        patient_informed=True,
        patient_informed_on=date(2026, 2, 7),
    )
    kva = [
        KvaRecord(
            id="kva-au010",
            patient_id=patient.id,
            pathway_id=pathway.id,
            code="AU010",
            performed_on=date(2026, 2, 6),
            unit_hsa_id=onk.hsa_id,
            performer_id=nurse.id,
            profession_code="XS919",
            source="assessment:confirmed",
        ),
        KvaRecord(
            id="kva-aw020",
            patient_id=patient.id,
            pathway_id=pathway.id,
            code="AW020",
            performed_on=date(2026, 2, 6),
            unit_hsa_id=onk.hsa_id,
            performer_id=nurse.id,
            profession_code="XS919",
            source="plan:established",
        ),
        KvaRecord(
            id="kva-xv019",
            patient_id=patient.id,
            pathway_id=pathway.id,
            code="XV019",
            performed_on=date(2026, 2, 5),
            unit_hsa_id=onk.hsa_id,
            performer_id=nurse.id,
            profession_code="XS919",
            source="pathway:min_vardplan_established",
        ),
    ]
    care_plan = as_json(m.care_plan_to_fhir(plan))
    goal = care_plan.pop("contained")[
        0
    ]  # the current goal as its own Goal resource; the version stays contained
    care_plan["contained"] = [
        c for c in as_json(m.care_plan_to_fhir(plan))["contained"] if c["id"].startswith("v")
    ]
    care_plan["goal"] = [{"reference": "Goal/goal"}]
    goal["id"] = "goal"
    patient_json = as_json(m.patient_to_fhir(patient))  # no pseudonym: the server derives it
    resources = [
        as_json(m.organization_to_fhir(onk)),
        as_json(m.organization_to_fhir(reh)),
        as_json(m.practitioner_to_fhir(nurse)),
        as_json(m.practitioner_role_to_fhir(nurse)),
        patient_json,
        as_json(m.condition_to_fhir(pathway)),
        as_json(m.episode_to_fhir(pathway)),
        as_json(m.questionnaire_response_to_fhir(assessment, questionnaire_json("halsoskattning"))),
        care_plan,
        goal,
        as_json(m.service_request_to_fhir(referral)),
        as_json(m.task_to_fhir(handover)),
        *[as_json(m.procedure_to_fhir(k)) for k in kva],
    ]
    local = {f"{r['resourceType']}/{r['id']}": urn(f"{r['resourceType']}/{r['id']}") for r in resources}
    for r in resources:
        r.pop("meta", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (local.get(v, v) if k == "reference" else rewrite(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    entries = []
    for r in resources:
        full_url = local[f"{r['resourceType']}/{r['id']}"]
        body = rewrite({k: v for k, v in r.items() if k != "id"})
        entries.append(
            {"fullUrl": full_url, "resource": body, "request": {"method": "POST", "url": r["resourceType"]}}
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
