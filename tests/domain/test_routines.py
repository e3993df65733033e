from __future__ import annotations

from datetime import date, timedelta

from canrehab.domain.definitions import RoutineDef, RoutineTrigger
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    KeyMoment,
    Pathway,
    PhaseKind,
    Respondent,
)
from canrehab.domain.pathway import close_pathway, record_phase
from canrehab.domain.routines import due_assessments
from tests.domain.conftest import DIAGNOSED

D = DIAGNOSED
ROUTINE = RoutineDef(
    process="test",
    triggers=(
        RoutineTrigger(
            key_moment=KeyMoment.DIAGNOSIS, anchor=PhaseKind.DIAGNOSIS, grace_days=14, upcoming_days=0
        ),
        RoutineTrigger(key_moment=KeyMoment.END_OF_TREATMENT, anchor=PhaseKind.TREATMENT_END, grace_days=21),
        RoutineTrigger(
            key_moment=KeyMoment.FOLLOW_UP,
            anchor=PhaseKind.TREATMENT_END,
            offset_days=90,
            grace_days=30,
            tolerance_days=30,
            upcoming_days=14,
        ),
    ),
)


def day(n: int) -> date:
    return D + timedelta(days=n)


def assessment(
    pathway: Pathway,
    moment: KeyMoment,
    done: date | None,
    status: AssessmentStatus = AssessmentStatus.SUBMITTED,
) -> Assessment:
    return Assessment(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        unit_hsa_id="U",
        instrument_id="hs",
        instrument_version="1",
        key_moment=moment,
        respondent=Respondent.PATIENT,
        started_on=done or D,
        submitted_on=done,
        status=status,
    )


def test_diagnosis_assessment_due_then_overdue(pathway: Pathway) -> None:
    assert due_assessments(pathway, [], ROUTINE, day(-1)) == []
    [item] = due_assessments(pathway, [], ROUTINE, day(0))
    assert (item.kind, item.key_moment, item.due_on, item.overdue_on, item.status) == (
        "assessment",
        KeyMoment.DIAGNOSIS,
        day(0),
        day(14),
        "due",
    )
    assert due_assessments(pathway, [], ROUTINE, day(14))[0].status == "due"
    assert due_assessments(pathway, [], ROUTINE, day(15))[0].status == "overdue"


def test_satisfied_by_submitted_assessment_at_that_key_moment(pathway: Pathway) -> None:
    done = assessment(pathway, KeyMoment.DIAGNOSIS, day(3))
    assert due_assessments(pathway, [done], ROUTINE, day(20)) == []
    wrong_moment = assessment(pathway, KeyMoment.OTHER, day(3))
    assert len(due_assessments(pathway, [wrong_moment], ROUTINE, day(20))) == 1
    in_progress = assessment(pathway, KeyMoment.DIAGNOSIS, None, AssessmentStatus.IN_PROGRESS)
    assert len(due_assessments(pathway, [in_progress], ROUTINE, day(20))) == 1
    other_pathway = done.model_copy(update={"pathway_id": "other"})
    assert len(due_assessments(pathway, [other_pathway], ROUTINE, day(20))) == 1


def test_plus_90_days_after_treatment_end_with_tolerance(pathway: Pathway) -> None:
    p = record_phase(
        record_phase(pathway, PhaseKind.TREATMENT_START, day(20)), PhaseKind.TREATMENT_END, day(120)
    )
    end_done = assessment(p, KeyMoment.END_OF_TREATMENT, day(121))
    assert due_assessments(p, [end_done], ROUTINE, day(120 + 75)) == []
    [upcoming] = due_assessments(p, [end_done], ROUTINE, day(120 + 76))
    assert (upcoming.key_moment, upcoming.status, upcoming.due_on) == (
        KeyMoment.FOLLOW_UP,
        "upcoming",
        day(210),
    )
    assert due_assessments(p, [end_done], ROUTINE, day(241))[0].status == "overdue"
    early = assessment(p, KeyMoment.FOLLOW_UP, day(181))  # 29 days early: within tolerance
    assert due_assessments(p, [end_done, early], ROUTINE, day(241)) == []
    too_early = assessment(p, KeyMoment.FOLLOW_UP, day(179))
    assert len(due_assessments(p, [end_done, too_early], ROUTINE, day(241))) == 1


def test_missed_trigger_is_superseded_by_the_next(pathway: Pathway) -> None:
    p = record_phase(
        record_phase(pathway, PhaseKind.TREATMENT_START, day(20)), PhaseKind.TREATMENT_END, day(120)
    )
    items = due_assessments(p, [], ROUTINE, day(125))
    assert [i.key_moment for i in items] == [KeyMoment.END_OF_TREATMENT]


def test_expire_and_closed(pathway: Pathway) -> None:
    routine = RoutineDef(
        process="x",
        triggers=(
            RoutineTrigger(key_moment=KeyMoment.DIAGNOSIS, anchor=PhaseKind.DIAGNOSIS, expire_days=60),
        ),
    )
    assert len(due_assessments(pathway, [], routine, day(60))) == 1
    assert due_assessments(pathway, [], routine, day(61)) == []
    assert due_assessments(close_pathway(pathway, day(5)), [], ROUTINE, day(10)) == []


def test_shipped_breast_routine(pathway: Pathway, routines: dict) -> None:
    p = record_phase(
        record_phase(pathway, PhaseKind.TREATMENT_START, day(20)), PhaseKind.TREATMENT_END, day(120)
    )
    items = due_assessments(
        p, [assessment(p, KeyMoment.END_OF_TREATMENT, day(125))], routines["breast"], day(215)
    )
    assert [(i.key_moment, i.due_on, i.status) for i in items] == [(KeyMoment.FOLLOW_UP, day(210), "due")]
