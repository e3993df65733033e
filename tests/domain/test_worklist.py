from __future__ import annotations

from datetime import date, timedelta

from canrehab.codes.catalog import load_professions
from canrehab.domain.handover import receive, send_handover
from canrehab.domain.model import (
    CareUnit,
    Goal,
    HandoverContent,
    NeedsLevel,
    Pathway,
    Patient,
    PlanContent,
    Profession,
    Staff,
)
from canrehab.domain.pathway import assign_contact_nurse, close_pathway, establish_min_vardplan
from canrehab.domain.plan import draft_plan, establish
from canrehab.domain.referral import send_referral
from canrehab.domain.worklist import WorklistFlags, worklist_flags
from tests.domain.conftest import DIAGNOSED

D = DIAGNOSED
PROFESSIONS = load_professions()


def day(n: int) -> date:
    return D + timedelta(days=n)


def flags(
    patient: Patient, pathway: Pathway, routines: dict, today: date, unit: str, **lists: list
) -> WorklistFlags:
    return worklist_flags(
        patient,
        pathway,
        lists.get("assessments", []),
        lists.get("plans", []),
        lists.get("handovers", []),
        lists.get("referrals", []),
        routines["default"],
        today,
        handover_overdue_days=14,
        plan_follow_up_window_days=7,
        unit_hsa_id=unit,
    )


def test_new_pathway_lacks_everything(
    patient: Patient, pathway: Pathway, routines: dict, unit: CareUnit
) -> None:
    f = flags(patient, pathway, routines, day(1), unit.hsa_id)
    assert f.no_contact_nurse and f.no_min_vardplan and f.assessment_due == D and not f.assessment_overdue
    assert not f.plan_missing and f.next_action_on == D and f.anything
    assert flags(patient, pathway, routines, day(31), unit.hsa_id).assessment_overdue


def test_everything_in_place(
    patient: Patient,
    pathway: Pathway,
    routines: dict,
    unit: CareUnit,
    nurse: Staff,
    other_unit: CareUnit,
    receiver: Staff,
) -> None:
    p = assign_contact_nurse(pathway, nurse, day(1))
    p, _ = establish_min_vardplan(p, nurse, unit, day(2), PROFESSIONS)
    p = p.model_copy(update={"confirmed_level": NeedsLevel.SPECIAL, "confirmed_level_on": day(5)})
    f = flags(patient, p, routines, day(6), unit.hsa_id)
    assert not f.no_contact_nurse and not f.no_min_vardplan and f.plan_missing and f.next_action_on == D

    content = PlanContent(goals=(Goal(text="Gå 30 min"),), follow_up_on=day(40))
    plan, _ = establish(draft_plan(p, content, on=day(6)), by=nurse, on=day(6), professions=PROFESSIONS)
    f = flags(patient, p, routines, day(33), unit.hsa_id, plans=[plan])
    assert not f.plan_missing and f.plan_follow_up_due == day(40)

    ho = send_handover(
        p,
        from_staff=nurse,
        to_unit=other_unit,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="PT"),
        patient_informed=True,
        on=day(10),
    )
    ref = send_referral(
        p,
        from_staff=nurse,
        to_profession=Profession.DIETITIAN,
        to_unit_hsa_id=None,
        reason="Aptit",
        on=day(8),
    )
    f = flags(patient, p, routines, day(20), unit.hsa_id, plans=[plan], handovers=[ho], referrals=[ref])
    assert (
        f.referrals_waiting,
        f.handovers_out_unconfirmed,
        f.handovers_out_overdue,
        f.handovers_in_awaiting,
    ) == (1, 1, 0, 0)
    f = flags(patient, p, routines, day(25), unit.hsa_id, handovers=[receive(ho, by=receiver, on=day(11))])
    assert (f.handovers_out_unconfirmed, f.handovers_out_overdue) == (1, 1)
    incoming = flags(patient, p, routines, day(25), other_unit.hsa_id, handovers=[ho])
    assert (incoming.handovers_in_awaiting, incoming.handovers_out_unconfirmed) == (1, 0)
    assert incoming.next_action_on == D  # the diagnosis assessment is still due


def test_closed_pathway_or_deceased_patient_has_no_flags(
    patient: Patient, pathway: Pathway, routines: dict, unit: CareUnit
) -> None:
    assert flags(patient, close_pathway(pathway, day(3)), routines, day(5), unit.hsa_id) == WorklistFlags()
    dead = patient.model_copy(update={"deceased_on": day(2)})
    assert not flags(dead, pathway, routines, day(5), unit.hsa_id).anything
