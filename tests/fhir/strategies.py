"""Hypothesis strategies for the domain entities, shaped as the care process produces them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from hypothesis import strategies as st

from canrehab.domain.identity import generate_personnummer
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
    NurseRole,
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
from canrehab.fhir.mapping.audit import AuditRecord

ids = st.uuids().map(lambda u: u.hex)
hsa_ids = st.from_regex(r"SE[0-9]{10}-[A-Z0-9]{3,8}", fullmatch=True)
texts = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ABCXYZ0123456789.,-:()'\"<>&", min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
opt_texts = st.one_of(st.just(""), texts)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
opt_dates = st.none() | dates
professions = st.sampled_from(Profession)
kva_codes = st.sampled_from(["AU010", "AW019", "AW020", "AW024", "AW027", "AW035", "XV019", "XV020", "DV111"])
county_codes = st.sampled_from(["01", "03", "12", "14", "25"])
icd10 = st.from_regex(r"C[0-9]{2}[0-9]?", fullmatch=True)


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    birth = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)))
    sex = draw(st.sampled_from(Sex))
    coordination = draw(st.booleans())
    pnr = generate_personnummer(random.Random(draw(st.integers(0, 10_000))), birth, sex, coordination)
    return Patient(
        id=draw(ids),
        personnummer=pnr,
        pseudonym=draw(st.from_regex(r"[0-9a-f]{20}", fullmatch=True)),
        is_coordination_number=coordination,
        name=draw(opt_texts),
        sex=sex,
        birth_date=birth,
        county_code=draw(st.none() | county_codes),
        deceased_on=draw(opt_dates),
    )


units = st.builds(
    CareUnit, hsa_id=hsa_ids, name=texts, county_code=county_codes, level=st.sampled_from(CareLevel)
)
staff = st.builds(
    Staff,
    id=ids,
    hsa_id=hsa_ids,
    name=opt_texts,
    profession=professions,
    unit_hsa_id=hsa_ids,
    assignment_hsa_id=st.none() | hsa_ids,
).filter(lambda s: s.assignment_hsa_id != s.hsa_id)


@st.composite
def pathways(draw: st.DrawFn) -> Pathway:
    nurses = draw(
        st.lists(
            st.builds(
                ContactNurseAssignment,
                staff_id=ids,
                offered_on=opt_dates,
                from_date=dates,
                to_date=opt_dates,
                role=st.sampled_from(NurseRole),
            ),
            max_size=3,
        )
    )
    level = draw(st.none() | st.sampled_from(NeedsLevel))
    return Pathway(
        id=draw(ids),
        patient_id=draw(ids),
        unit_hsa_id=draw(hsa_ids),
        diagnosis=Diagnosis(
            icd10=draw(icd10),
            diagnosed_on=draw(dates),
            process=draw(st.sampled_from(["breast", "lung", "other"])),
        ),
        phases=tuple(
            draw(st.lists(st.builds(PhaseEntry, kind=st.sampled_from(PhaseKind), on=dates), max_size=4))
        ),
        contact_nurses=tuple(nurses),
        min_vardplan=draw(
            st.builds(
                MinVardplan,
                status=st.sampled_from(MinVardplanStatus),
                offered_on=opt_dates,
                established_on=opt_dates,
                revised_on=st.lists(dates, max_size=3).map(tuple),
                declined_on=opt_dates,
                digital_1177=st.booleans(),
            )
        ),
        confirmed_level=level,
        confirmed_level_on=draw(opt_dates) if level is not None else None,
        closed_on=draw(opt_dates),
        version=draw(st.integers(1, 50)),
    )


link_ids = st.from_regex(r"[a-z][a-z0-9_.]{0,12}", fullmatch=True)
answer_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100),
    texts,
    st.lists(st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True), max_size=3).map(tuple),
)


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    status = draw(st.sampled_from(AssessmentStatus))
    suggestion = draw(
        st.none()
        | st.builds(
            Suggestion,
            troublesome_areas=st.lists(link_ids, max_size=3).map(tuple),
            wants_to_talk=st.lists(link_ids, max_size=2).map(tuple),
            advice_codes=st.lists(st.sampled_from(["DV111", "DV121", "DV131", "DV141"]), max_size=2).map(
                tuple
            ),
            professions=st.lists(professions, max_size=3).map(tuple),
            level=st.sampled_from(NeedsLevel),
            reasons=st.lists(texts, max_size=2).map(tuple),
        )
    )
    confirmed = status is AssessmentStatus.CONFIRMED
    return Assessment(
        id=draw(ids),
        patient_id=draw(ids),
        pathway_id=draw(ids),
        unit_hsa_id=draw(hsa_ids),
        instrument_id=draw(st.sampled_from(["halsoskattning", "hantering-av-angest"])),
        instrument_version=draw(st.sampled_from(["1.0.0", "2023"])),
        key_moment=draw(st.sampled_from(KeyMoment)),
        respondent=draw(st.sampled_from(Respondent)),
        started_on=draw(dates),
        submitted_on=draw(opt_dates) if status is not AssessmentStatus.IN_PROGRESS else None,
        answers=draw(st.dictionaries(link_ids, answer_values, max_size=6)),
        status=status,
        suggestion=suggestion,
        confirmed_level=draw(st.sampled_from(NeedsLevel)) if confirmed else None,
        level_overridden=draw(st.booleans()) if confirmed else False,
        override_reason=draw(opt_texts) if confirmed else "",
        confirmed_by=draw(ids) if confirmed else None,
        confirmed_on=draw(dates) if confirmed else None,
        version=draw(st.integers(1, 20)),
    )


goals = st.builds(
    Goal, text=texts, responsible=opt_texts, profession=st.none() | professions, target_date=opt_dates
)
actions = st.builds(
    PlannedAction,
    what=texts,
    who=opt_texts,
    profession=st.none() | professions,
    unit_hsa_id=st.none() | hsa_ids,
    when=opt_dates,
)
contents = st.builds(
    PlanContent,
    summary=opt_texts,
    goals=st.lists(goals, max_size=3).map(tuple),
    actions=st.lists(actions, max_size=3).map(tuple),
    self_care=opt_texts,
    follow_up_on=opt_dates,
    part_of_min_vardplan=st.booleans(),
)


@st.composite
def plans(draw: st.DrawFn) -> RehabPlan:
    versions = tuple(
        PlanVersion(number=i + 1, content=draw(contents), created_on=draw(dates), created_by=draw(ids))
        for i in range(draw(st.integers(0, 3)))
    )
    events = tuple(
        draw(
            st.lists(
                st.builds(
                    PlanEvent,
                    kind=st.sampled_from(PlanEventKind),
                    on=dates,
                    by=ids,
                    content_version=st.integers(1, 4),
                    note=opt_texts,
                ),
                max_size=3,
            )
        )
    )
    status = draw(st.sampled_from(PlanStatus))
    closed = status is PlanStatus.CLOSED
    return RehabPlan(
        id=draw(ids),
        patient_id=draw(ids),
        pathway_id=draw(ids),
        unit_hsa_id=draw(hsa_ids),
        status=status,
        content=draw(contents),
        versions=versions,
        events=events,
        close_reason=draw(st.sampled_from(PlanCloseReason)) if closed else None,
        closed_on=draw(dates) if closed else None,
        version=draw(st.integers(1, 30)),
    )


referrals = st.builds(
    Referral,
    id=ids,
    patient_id=ids,
    pathway_id=ids,
    from_unit_hsa_id=hsa_ids,
    from_staff_id=ids,
    to_profession=professions,
    to_unit_hsa_id=st.none() | hsa_ids,
    is_mdk_rehab=st.booleans(),
    reason=opt_texts,
    status=st.sampled_from(ReferralStatus),
    sent_on=dates,
    answered_on=opt_dates,
    completed_on=opt_dates,
    reject_reason=opt_texts,
    version=st.integers(1, 10),
)
handovers = st.builds(
    Handover,
    id=ids,
    patient_id=ids,
    pathway_id=ids,
    from_unit_hsa_id=hsa_ids,
    to_unit_hsa_id=hsa_ids,
    from_staff_id=ids,
    from_profession=st.none() | professions,
    to_profession=st.none() | professions,
    to_staff_id=st.none() | ids,
    content=st.builds(
        HandoverContent,
        needs=opt_texts,
        wishes=opt_texts,
        plan_summary=opt_texts,
        ongoing_actions=opt_texts,
        disease=opt_texts,
        treatment=opt_texts,
    ),
    status=st.sampled_from(HandoverStatus),
    sent_on=dates,
    received_on=opt_dates,
    patient_contacted_on=opt_dates,
    completed_on=opt_dates,
    rejected_on=opt_dates,
    reject_reason=opt_texts,
    patient_informed=st.booleans(),
    patient_informed_on=opt_dates,
    version=st.integers(1, 10),
)
aware_datetimes = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)
kva_records = st.builds(
    KvaRecord,
    id=ids,
    patient_id=ids,
    pathway_id=ids,
    code=kva_codes,
    performed_on=dates,
    unit_hsa_id=hsa_ids,
    performer_id=st.none() | ids,
    profession_code=st.none() | st.sampled_from(["XS910", "XS912", "XS919"]),
    care_type=st.sampled_from(CareType),
    source=opt_texts,
    recorded_at=st.none() | aware_datetimes,
)
audit_records = st.builds(
    AuditRecord,
    id=st.integers(1, 10**9).map(str),
    at=aware_datetimes,
    actor_username=st.from_regex(r"[a-z][a-z0-9._]{1,12}", fullmatch=True),
    actor_role=st.sampled_from(["nurse", "doctor", "unit_manager", "admin", "regional_analyst"]),
    actor_unit_hsa_ids=st.lists(hsa_ids, max_size=2).map(tuple),
    action=st.sampled_from(["read", "create", "update", "denied", "export"]),
    entity_type=st.sampled_from(["patient", "pathway", "assessment", "plan", "handover"]),
    entity_id=ids,
    patient_id=st.none() | ids,
    detail=opt_texts,
)
