from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canrehab.codes.catalog import load_professions
from canrehab.domain.handover import (
    confirm_patient_contact,
    pathway_responsible_unit,
    receive,
    reject,
    send_handover,
)
from canrehab.domain.model import (
    CareUnit,
    Goal,
    HandoverContent,
    NeedsLevel,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    PlanContent,
    Profession,
    Staff,
)
from canrehab.domain.pathway import assign_contact_nurse, close_pathway, establish_min_vardplan
from canrehab.domain.plan import draft_plan, establish
from canrehab.domain.referral import send_referral
from canrehab.domain.worklist import WorklistFlags, flags_change_on, worklist_flags, worklist_units
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
    # the receiver sees the handover only; the care flags stay with the sender until it is confirmed
    assert incoming.assessment_due is None and incoming.next_action_on == day(10)
    assert flags(patient, p, routines, day(25), unit.hsa_id, handovers=[ho]).assessment_due == D


def test_confirmed_handover_moves_the_care_flags_to_the_receiving_unit(
    patient: Patient,
    pathway: Pathway,
    routines: dict,
    unit: CareUnit,
    nurse: Staff,
    other_unit: CareUnit,
    receiver: Staff,
) -> None:
    ho = send_handover(
        pathway,
        from_staff=nurse,
        to_unit=other_unit,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning"),
        patient_informed=True,
        on=day(3),
    )
    ref = send_referral(
        pathway,
        from_staff=nurse,
        to_profession=Profession.DIETITIAN,
        to_unit_hsa_id=None,
        reason="Aptit",
        on=day(4),
    )
    assert worklist_units(pathway, [ho], [ref]) == (unit.hsa_id, [other_unit.hsa_id])
    confirmed = confirm_patient_contact(ho, by=receiver, on=day(5))
    assert pathway_responsible_unit(pathway, [confirmed]) == other_unit.hsa_id
    assert worklist_units(pathway, [confirmed], [ref]) == (other_unit.hsa_id, [unit.hsa_id])
    receiving = flags(patient, pathway, routines, day(6), other_unit.hsa_id, handovers=[confirmed])
    assert (
        receiving.no_contact_nurse and receiving.assessment_due == D and receiving.handovers_in_awaiting == 0
    )
    sending = flags(patient, pathway, routines, day(6), unit.hsa_id, handovers=[confirmed], referrals=[ref])
    assert not sending.no_contact_nurse and sending.assessment_due is None
    assert sending.referrals_waiting == 1  # the internal referral it sent still waits for its answer
    rejected = reject(ho, by=receiver, on=day(5), reason="Fel mottagare")
    assert worklist_units(pathway, [rejected], []) == (unit.hsa_id, [])


def test_closed_pathway_or_deceased_patient_has_no_flags(
    patient: Patient, pathway: Pathway, routines: dict, unit: CareUnit
) -> None:
    assert flags(patient, close_pathway(pathway, day(3)), routines, day(5), unit.hsa_id) == WorklistFlags()
    dead = patient.model_copy(update={"deceased_on": day(2)})
    assert not flags(dead, pathway, routines, day(5), unit.hsa_id).anything


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(min_value=-30, max_value=400),
    nurse_days=st.tuples(st.integers(0, 200), st.none() | st.integers(0, 200)),
    follow_up=st.integers(1, 300),
    handover_day=st.none() | st.integers(0, 300),
    phase_days=st.lists(st.tuples(st.sampled_from(list(PhaseKind)), st.integers(0, 400)), max_size=4),
    process=st.sampled_from(["default", "breast", "colorectal"]),
)
def test_flags_do_not_change_before_the_date_flags_change_on_gives(
    patient: Patient,
    pathway: Pathway,
    routines: dict,
    unit: CareUnit,
    nurse: Staff,
    other_unit: CareUnit,
    start: int,
    nurse_days: tuple[int, int | None],
    follow_up: int,
    handover_day: int | None,
    phase_days: list[tuple[PhaseKind, int]],
    process: str,
) -> None:
    """Between ``today`` and the date ``flags_change_on`` gives, the flags of every unit are the same on
    every day: refreshing on that date is enough to keep a stored row exact."""
    routine = routines.get(process, routines["default"])
    frm, length = nurse_days
    p = assign_contact_nurse(pathway, nurse, day(frm))
    if length is not None:
        p = p.model_copy(
            update={
                "contact_nurses": tuple(
                    a.model_copy(update={"to_date": day(frm + length)}) for a in p.contact_nurses
                )
            }
        )
    p = p.model_copy(
        update={
            "phases": (*p.phases, *(PhaseEntry(kind=k, on=day(n)) for k, n in phase_days)),
            "confirmed_level": NeedsLevel.SPECIAL,
            "confirmed_level_on": day(1),
        }
    )
    content = PlanContent(goals=(Goal(text="Gå"),), follow_up_on=day(follow_up))
    plan, _ = establish(draft_plan(p, content, on=day(1)), by=nurse, on=day(1), professions=PROFESSIONS)
    handovers = []
    if handover_day is not None:
        handovers.append(
            send_handover(
                p,
                from_staff=nurse,
                to_unit=other_unit,
                to_profession=None,
                content=HandoverContent(needs="PT"),
                patient_informed=False,
                on=day(handover_day),
            )
        )
    today = day(start)
    change = flags_change_on(
        patient, p, handovers, [plan], routine, today, handover_overdue_days=14, plan_follow_up_window_days=7
    )
    last = (change - timedelta(days=1)) if change is not None else today + timedelta(days=500)
    for unit_id in (unit.hsa_id, other_unit.hsa_id):
        seen = {
            _comparable(
                worklist_flags(
                    patient,
                    p,
                    [],
                    [plan],
                    handovers,
                    [],
                    routine,
                    d,
                    handover_overdue_days=14,
                    plan_follow_up_window_days=7,
                    unit_hsa_id=unit_id,
                )
            )
            for d in _days(today, last)
        }
        assert len(seen) == 1, (unit_id, today, change)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _comparable(f: WorklistFlags) -> tuple:
    return (*astuple_without_items(f), tuple((i.key_moment, i.due_on, i.status) for i in f.due_items))


def astuple_without_items(f: WorklistFlags) -> tuple:
    return tuple(getattr(f, name) for name in WorklistFlags.__dataclass_fields__ if name != "due_items")
