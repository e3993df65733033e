"""Fully populated sample entities (every optional field set) for round-trip and repository tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    CareLevel,
    CareType,
    CareUnit,
    ContactNurseAssignment,
    Diagnosis,
    Goal,
    Handover,
    HandoverContent,
    HandoverStatus,
    KeyMoment,
    KvaRecord,
    MinVardplan,
    MinVardplanStatus,
    NeedsLevel,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    PlanCloseReason,
    PlanContent,
    PlanEvent,
    PlanEventKind,
    PlannedAction,
    PlanStatus,
    PlanVersion,
    Profession,
    Referral,
    ReferralStatus,
    RehabPlan,
    Respondent,
    Sex,
    Staff,
    Suggestion,
)

D = date(2026, 1, 10)


def unit(hsa_id: str = "SE2321000016-ONK", level: CareLevel = CareLevel.REGIONAL_PRIMARY) -> CareUnit:
    return CareUnit(hsa_id=hsa_id, name="Onkologiska kliniken, Akademiska", county_code="03", level=level)


def staff(unit_hsa_id: str = "SE2321000016-ONK", id: str = "staff-1") -> Staff:
    return Staff(
        id=id,
        hsa_id=f"SE2321000016-{id}",
        name="Karin Nilsson",
        profession=Profession.CONTACT_NURSE,
        unit_hsa_id=unit_hsa_id,
    )


def patient(id: str = "pat-1", pnr: str = "191212121212") -> Patient:
    return Patient(
        id=id,
        personnummer=pnr,
        pseudonym=f"ps-{id}",
        is_coordination_number=False,
        name="Tolvan Tolvansson",
        sex=Sex.MALE,
        birth_date=date(1912, 12, 12),
        county_code="03",
        deceased_on=date(2026, 6, 1),
    )


def pathway(patient_id: str = "pat-1", unit_hsa_id: str = "SE2321000016-ONK", id: str = "pw-1") -> Pathway:
    return Pathway(
        id=id,
        patient_id=patient_id,
        unit_hsa_id=unit_hsa_id,
        diagnosis=Diagnosis(icd10="C509", diagnosed_on=D, process="breast"),
        phases=(PhaseEntry(kind=PhaseKind.DIAGNOSIS, on=D), PhaseEntry(kind=PhaseKind.TREATMENT_START, on=D)),
        contact_nurses=(ContactNurseAssignment(staff_id="staff-1", offered_on=D, from_date=D, to_date=None),),
        min_vardplan=MinVardplan(
            status=MinVardplanStatus.REVISED,
            offered_on=D,
            established_on=D,
            revised_on=(date(2026, 2, 1), date(2026, 3, 1)),
            digital_1177=True,
        ),
        confirmed_level=NeedsLevel.ADVANCED,
        confirmed_level_on=D,
        closed_on=None,
    )


def assessment(patient_id: str = "pat-1", pathway_id: str = "pw-1", id: str = "as-1") -> Assessment:
    return Assessment(
        id=id,
        patient_id=patient_id,
        pathway_id=pathway_id,
        unit_hsa_id="SE2321000016-ONK",
        instrument_id="halsoskattning",
        instrument_version="2024.1",
        key_moment=KeyMoment.END_OF_TREATMENT,
        respondent=Respondent.STAFF_ON_BEHALF,
        started_on=D,
        submitted_on=D,
        answers={"fatigue": 3, "note": "trött", "talk": True, "areas": ("sleep", "pain"), "skipped": None},
        status=AssessmentStatus.CONFIRMED,
        suggestion=Suggestion(
            troublesome_areas=("fatigue",),
            wants_to_talk=("talk",),
            advice_codes=("DV111",),
            professions=(Profession.PHYSIOTHERAPIST, Profession.DIETITIAN),
            level=NeedsLevel.SPECIAL,
            reasons=("trötthet 3",),
        ),
        confirmed_level=NeedsLevel.ADVANCED,
        level_overridden=True,
        override_reason="klinisk bedömning",
        confirmed_by="staff-1",
        confirmed_on=D,
    )


def plan(patient_id: str = "pat-1", pathway_id: str = "pw-1", id: str = "plan-1") -> RehabPlan:
    content = PlanContent(
        summary="Trötthet och smärta.",
        goals=(
            Goal(
                text="Gå 2 km",
                responsible="Per",
                profession=Profession.PHYSIOTHERAPIST,
                target_date=date(2026, 5, 1),
            ),
        ),
        actions=(
            PlannedAction(
                what="Träning",
                who="Per",
                profession=Profession.PHYSIOTHERAPIST,
                unit_hsa_id="SE2321000016-REH",
                when=date(2026, 2, 1),
            ),
        ),
        self_care="Promenader",
        follow_up_on=date(2026, 4, 1),
        part_of_min_vardplan=False,
    )
    return RehabPlan(
        id=id,
        patient_id=patient_id,
        pathway_id=pathway_id,
        unit_hsa_id="SE2321000016-ONK",
        status=PlanStatus.CLOSED,
        content=content,
        versions=(PlanVersion(number=1, content=content, created_on=D, created_by="staff-1"),),
        events=(
            PlanEvent(
                kind=PlanEventKind.ESTABLISHED,
                on=D,
                by="staff-1",
                content_version=1,
                note="ok",
                follow_up_on=date(2026, 4, 1),
            ),
            PlanEvent(kind=PlanEventKind.CLOSED, on=date(2026, 5, 2), by="staff-1", content_version=1),
        ),
        close_reason=PlanCloseReason.GOALS_REACHED,
        closed_on=date(2026, 5, 2),
    )


def handover(
    patient_id: str = "pat-1",
    pathway_id: str = "pw-1",
    id: str = "ho-1",
    to_unit: str = "SE2321000016-REH",
    status: HandoverStatus = HandoverStatus.SENT,
    sent_on: date = D,
) -> Handover:
    return Handover(
        id=id,
        patient_id=patient_id,
        pathway_id=pathway_id,
        from_unit_hsa_id="SE2321000016-ONK",
        to_unit_hsa_id=to_unit,
        from_staff_id="staff-1",
        from_profession=Profession.CONTACT_NURSE,
        to_profession=Profession.PHYSIOTHERAPIST,
        to_staff_id="staff-2",
        content=HandoverContent(needs="Smärta", wishes="Träna", plan_summary="Plan", ongoing_actions="FYS"),
        status=status,
        sent_on=sent_on,
        received_on=D if status != HandoverStatus.SENT else None,
        reject_reason="",
        patient_informed=True,
        patient_informed_on=D,
    )


def referral(patient_id: str = "pat-1", pathway_id: str = "pw-1", id: str = "ref-1") -> Referral:
    return Referral(
        id=id,
        patient_id=patient_id,
        pathway_id=pathway_id,
        from_unit_hsa_id="SE2321000016-ONK",
        from_staff_id="staff-1",
        to_profession=Profession.REHAB_TEAM,
        to_unit_hsa_id="SE2321000016-MDK",
        is_mdk_rehab=True,
        reason="Komplexa behov",
        status=ReferralStatus.ACCEPTED,
        sent_on=D,
        answered_on=date(2026, 1, 12),
        completed_on=None,
        reject_reason="",
    )


def kva(
    patient_id: str = "pat-1", pathway_id: str = "pw-1", id: str = "kva-1", code: str = "AW020", on: date = D
) -> KvaRecord:
    return KvaRecord(
        id=id,
        patient_id=patient_id,
        pathway_id=pathway_id,
        code=code,
        performed_on=on,
        unit_hsa_id="SE2321000016-ONK",
        performer_id="staff-1",
        profession_code="XS911",
        care_type=CareType.INPATIENT,
        source="plan:plan-1:established",
        recorded_at=datetime(2026, 1, 10, 9, 30, 15, tzinfo=UTC),
    )
