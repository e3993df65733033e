"""Per-pathway worklist flags: what is missing, due or overdue for a patient today, from a unit's view.

Pure: the services compute these for every pathway after each change (and nightly, as dates pass) and keep
them in an indexed table, so that a unit's worklist is a single query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from canrehab.domain.definitions import RoutineDef
from canrehab.domain.handover import UNCONFIRMED, is_overdue, overdue_on
from canrehab.domain.model import (
    Assessment,
    Handover,
    MinVardplanStatus,
    Pathway,
    Patient,
    Referral,
    RehabPlan,
)
from canrehab.domain.pathway import current_contact_nurse
from canrehab.domain.plan import follow_up_due, plan_required
from canrehab.domain.referral import is_waiting
from canrehab.domain.routines import DueItem, due_assessments

MVP_DONE = (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED, MinVardplanStatus.DECLINED)


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
            )
        )


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
) -> WorklistFlags:
    """The worklist flags of one pathway on a date, seen from ``unit_hsa_id`` (for the handover counts)."""
    if pathway.closed_on is not None or (patient.deceased_on is not None and patient.deceased_on <= today):
        return WorklistFlags()
    own_plans = [p for p in plans if p.pathway_id == pathway.id]
    own_handovers = [h for h in handovers if h.pathway_id == pathway.id]
    own_referrals = [r for r in referrals if r.pathway_id == pathway.id]
    dates: list[date] = []

    no_nurse = current_contact_nurse(pathway, today) is None
    no_mvp = pathway.min_vardplan.status not in MVP_DONE
    if no_nurse or no_mvp:
        dates.append(pathway.diagnosis.diagnosed_on)

    items = due_assessments(pathway, assessments, routine, today)
    pressing = [i for i in items if i.status != "upcoming"]
    assessment_due = min((i.due_on for i in pressing), default=None)
    if assessment_due is not None:
        dates.append(assessment_due)

    missing = plan_required(pathway, own_plans)
    if missing and pathway.confirmed_level_on is not None:
        dates.append(pathway.confirmed_level_on)
    follow_ups = [
        d for p in own_plans if (d := follow_up_due(p, today, plan_follow_up_window_days)) is not None
    ]
    follow_up_on = min(follow_ups, default=None)
    if follow_up_on is not None:
        dates.append(follow_up_on)

    waiting = [r for r in own_referrals if is_waiting(r)]
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
        due_items=tuple(items),
    )
