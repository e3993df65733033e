"""Per-pathway worklist flags: what is missing, due or overdue for a patient today, from a unit's view.

Pure: the services compute these for every pathway and each unit it concerns after each change, and again
on the date the flags next change by themselves (``flags_change_on``), and keep them in an indexed table,
so that a unit's worklist is a single query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from canrehab.domain.definitions import RoutineDef
from canrehab.domain.handover import UNCONFIRMED, is_overdue, overdue_on, pathway_responsible_unit
from canrehab.domain.mdk_rehab import MdkRehabCase, team_missing
from canrehab.domain.model import (
    Assessment,
    Handover,
    KeyMoment,
    MinVardplanStatus,
    Pathway,
    Patient,
    PhaseKind,
    Referral,
    RehabPlan,
)
from canrehab.domain.pathway import current_contact_nurse
from canrehab.domain.plan import follow_up_due, plan_required
from canrehab.domain.referral import is_waiting, receiving_unit
from canrehab.domain.routines import DueItem, anchor_date, due_assessments
from canrehab.domain.svf import SvfRecord

MVP_DONE = (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED, MinVardplanStatus.DECLINED)
MAX_GRACE_DAYS = 90  # a longer grace period would hide what is late


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (the end of "Denna vecka")."""
    return today + timedelta(days=6 - today.weekday())


def date_group(on: date, today: date, grace_days: int) -> str:
    """Which worklist group a date puts a row in: ``overdue`` only when more than the unit's grace period
    has passed, ``today`` for a date up to today within the grace period, then ``week`` and ``later``."""
    if on < today - timedelta(days=grace_days):
        return "overdue"
    if on <= today:
        return "today"
    return "week" if on <= week_end(today) else "later"


def is_late(on: date | None, today: date, grace_days: int) -> bool:
    """Whether an item dated ``on`` is shown as late (red): past its date by more than the grace period."""
    return on is not None and date_group(on, today, grace_days) == "overdue"


@dataclass(frozen=True)
class WorklistFlags:
    no_contact_nurse: bool = False
    no_min_vardplan: bool = False
    assessment_due: date | None = None  # earliest due date of a due or overdue assessment
    assessment_overdue: bool = False
    plan_missing: bool = False
    plan_follow_up_due: date | None = None
    referrals_waiting: int = 0
    handovers_in_awaiting: int = 0  # sent to this unit, patient contact not yet confirmed by us
    handovers_out_unconfirmed: int = 0  # sent by this unit, receiver has not confirmed patient contact
    handovers_out_overdue: int = 0
    next_action_on: date | None = None  # earliest date that matters, for sorting
    team_missing: bool = False  # avancerad or higher, no rehab-team referral nor MDK-rehab case (001)
    svf_mdk_due: date | None = None  # SVF waiting for MDK: suspicion + the SVF's maximum lead time
    svf_treatment_due: date | None = None  # SVF waiting for the first treatment (MDK held or not to be held)
    due_items: tuple[DueItem, ...] = field(default=(), compare=False)

    @property
    def anything(self) -> bool:
        return any(
            (
                self.no_contact_nurse,
                self.no_min_vardplan,
                self.assessment_due is not None,
                self.assessment_overdue,
                self.plan_missing,
                self.plan_follow_up_due is not None,
                self.referrals_waiting,
                self.handovers_in_awaiting,
                self.handovers_out_unconfirmed,
                self.team_missing,
                self.svf_mdk_due is not None,
                self.svf_treatment_due is not None,
            )
        )


def svf_waiting(svf: SvfRecord | None, max_days: int | None) -> tuple[date | None, date | None]:
    """An SVF pathway's open step and its due date, as (waiting for MDK, waiting for treatment start): the
    due date is the suspicion date plus the SVF's maximum lead time (``codes/svf.yaml``), the lead time
    ending at the start of the first treatment. Waiting for MDK while the MDK is neither recorded as held
    nor as not to be held; then waiting for the treatment start; nothing once the treatment has started."""
    if svf is None or max_days is None or svf.treatment_start_on is not None:
        return None, None
    due = svf.suspicion_on + timedelta(days=max_days)
    return (due, None) if svf.mdk_discussed is None else (None, due)


def worklist_units(
    pathway: Pathway, handovers: Sequence[Handover], referrals: Sequence[Referral]
) -> tuple[str, list[str]]:
    """The units whose worklist the pathway belongs on: the responsible unit first (it carries the care
    flags), then the other units with an open handover or a waiting referral of the pathway (sender or
    receiver), each of which sees that handover or referral from its side."""
    responsible = pathway_responsible_unit(pathway, handovers)
    others: set[str] = set()
    for h in handovers:
        if h.pathway_id == pathway.id and h.status in UNCONFIRMED:
            others.update((h.from_unit_hsa_id, h.to_unit_hsa_id))
    for r in referrals:
        if r.pathway_id == pathway.id and is_waiting(r):
            others.update((r.from_unit_hsa_id, receiving_unit(r)))
    others.discard(responsible)
    return responsible, sorted(others)


def worklist_flags(
    patient: Patient,
    pathway: Pathway,
    assessments: Sequence[Assessment],
    plans: Sequence[RehabPlan],
    handovers: Sequence[Handover],
    referrals: Sequence[Referral],
    routine: RoutineDef,
    today: date,
    *,
    handover_overdue_days: int,
    plan_follow_up_window_days: int,
    unit_hsa_id: str,
    mdk_rehab_cases: Sequence[MdkRehabCase] = (),
    svf: SvfRecord | None = None,
    svf_max_days: int | None = None,
) -> WorklistFlags:
    """The worklist flags of one pathway on a date, seen from ``unit_hsa_id``.

    The care flags (contact nurse, Min vårdplan, assessments, plan) are raised only for the unit responsible
    for the pathway now (``domain.handover.pathway_responsible_unit``); the handover and referral counts
    for any unit, from its side: handovers to it awaiting its confirmation, handovers from it not yet
    confirmed (and overdue), referrals it sent or must answer that are waiting for an answer. An SVF pathway
    (``svf``, with its maximum lead time ``svf_max_days``) waits for its MDK or its treatment start
    (``svf_waiting``), a care flag dated by its due date."""
    if pathway.closed_on is not None or (patient.deceased_on is not None and patient.deceased_on <= today):
        return WorklistFlags()
    own_plans = [p for p in plans if p.pathway_id == pathway.id]
    own_handovers = [h for h in handovers if h.pathway_id == pathway.id]
    own_referrals = [r for r in referrals if r.pathway_id == pathway.id]
    responsible = pathway_responsible_unit(pathway, own_handovers) == unit_hsa_id
    dates: list[date] = []

    no_nurse = responsible and current_contact_nurse(pathway, today) is None
    no_mvp = responsible and pathway.min_vardplan.status not in MVP_DONE
    if no_nurse or no_mvp:
        dates.append(pathway.started_on)

    items = (
        due_assessments(pathway, assessments, routine, today, handovers=own_handovers) if responsible else []
    )
    pressing = [i for i in items if i.status != "upcoming"]
    assessment_due = min((i.due_on for i in pressing), default=None)
    if assessment_due is not None:
        dates.append(assessment_due)

    missing = responsible and plan_required(pathway, own_plans)
    if missing and pathway.confirmed_level_on is not None:
        dates.append(pathway.confirmed_level_on)
    follow_ups = [
        d
        for p in own_plans
        if responsible and (d := follow_up_due(p, today, plan_follow_up_window_days)) is not None
    ]
    follow_up_on = min(follow_ups, default=None)
    if follow_up_on is not None:
        dates.append(follow_up_on)

    no_team = responsible and team_missing(pathway, own_referrals, mdk_rehab_cases)
    if no_team and pathway.confirmed_level_on is not None:
        dates.append(pathway.confirmed_level_on)

    svf_mdk_due, svf_treatment_due = svf_waiting(svf, svf_max_days) if responsible else (None, None)
    dates.extend(d for d in (svf_mdk_due, svf_treatment_due) if d is not None)

    waiting = [
        r for r in own_referrals if is_waiting(r) and unit_hsa_id in (r.from_unit_hsa_id, receiving_unit(r))
    ]
    dates.extend(r.sent_on for r in waiting)

    incoming = [h for h in own_handovers if h.to_unit_hsa_id == unit_hsa_id and h.status in UNCONFIRMED]
    outgoing = [h for h in own_handovers if h.from_unit_hsa_id == unit_hsa_id and h.status in UNCONFIRMED]
    overdue = [h for h in outgoing if is_overdue(h, today, handover_overdue_days)]
    dates.extend(h.sent_on for h in incoming)
    dates.extend(overdue_on(h, handover_overdue_days) for h in outgoing)

    return WorklistFlags(
        no_contact_nurse=no_nurse,
        no_min_vardplan=no_mvp,
        assessment_due=assessment_due,
        assessment_overdue=any(i.status == "overdue" for i in items),
        plan_missing=missing,
        plan_follow_up_due=follow_up_on,
        referrals_waiting=len(waiting),
        handovers_in_awaiting=len(incoming),
        handovers_out_unconfirmed=len(outgoing),
        handovers_out_overdue=len(overdue),
        next_action_on=min(dates, default=None),
        team_missing=no_team,
        svf_mdk_due=svf_mdk_due,
        svf_treatment_due=svf_treatment_due,
        due_items=tuple(items),
    )


def flags_change_on(
    patient: Patient,
    pathway: Pathway,
    handovers: Sequence[Handover],
    plans: Sequence[RehabPlan],
    routine: RoutineDef,
    today: date,
    *,
    handover_overdue_days: int,
    plan_follow_up_window_days: int,
) -> date | None:
    """The first date after ``today`` on which the worklist flags of the pathway (for any unit) may differ
    from today's without anything being recorded: the breakpoints of every date-driven rule (a routine's
    trigger turning upcoming, due, overdue or expiring; a contact nurse assignment starting or ending; a
    phase starting; a plan follow-up entering its window; a handover becoming overdue; a recorded death).
    ``None`` when no date will change them. Refreshing a row on this date keeps it exact."""
    if pathway.closed_on is not None:
        return None
    candidates: list[date] = []
    if patient.deceased_on is not None:
        candidates.append(patient.deceased_on)
    for trigger in routine.triggers:
        anchor = anchor_date(pathway, trigger, handovers)
        if anchor is None:
            continue
        due_on = anchor + timedelta(days=trigger.offset_days)
        candidates += [
            due_on - timedelta(days=trigger.upcoming_days),
            due_on,
            due_on + timedelta(days=trigger.grace_days + 1),
        ]
        if trigger.expire_days is not None:
            candidates.append(due_on + timedelta(days=trigger.expire_days + 1))
    for a in pathway.contact_nurses:
        candidates.append(a.from_date)
        if a.to_date is not None:
            candidates.append(a.to_date + timedelta(days=1))
    candidates += [p.on for p in pathway.phases]
    for plan in plans:
        if plan.pathway_id == pathway.id and plan.content.follow_up_on is not None:
            candidates.append(plan.content.follow_up_on - timedelta(days=plan_follow_up_window_days))
    for h in handovers:
        if h.pathway_id == pathway.id and h.status in UNCONFIRMED:
            candidates.append(overdue_on(h, handover_overdue_days) + timedelta(days=1))
    return min((d for d in candidates if d > today), default=None)


# The key moment an assessment started now most likely belongs to, by the pathway's current phase (004's
# nyckeltillfällen); the nurse can still choose another.
KEY_MOMENT_FOR_PHASE: dict[PhaseKind | None, KeyMoment] = {
    None: KeyMoment.DIAGNOSIS,
    PhaseKind.INVESTIGATION: KeyMoment.DIAGNOSIS,
    PhaseKind.DIAGNOSIS: KeyMoment.DIAGNOSIS,
    PhaseKind.PREHABILITATION: KeyMoment.DIAGNOSIS,
    PhaseKind.TREATMENT_START: KeyMoment.DURING_TREATMENT,
    PhaseKind.TREATMENT_END: KeyMoment.END_OF_TREATMENT,
    PhaseKind.FOLLOW_UP: KeyMoment.FOLLOW_UP,
    PhaseKind.CHRONIC: KeyMoment.FOLLOW_UP,
    PhaseKind.PALLIATIVE: KeyMoment.PROGRESSION,
    PhaseKind.PROGRESSION: KeyMoment.PROGRESSION,
}
