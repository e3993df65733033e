"""What a local assessment routine asks for on a given day.

A trigger of the routine is due ``offset_days`` after the latest date of its anchor, a pathway event: a
phase (diagnosis, prehabilitation, treatment start or end, follow-up, progression, ...) or an active
handover to another unit (sent, not rejected; optionally only from and to given care levels, e.g. from
specialised care to primary care, 004). It is overdue
``grace_days`` later, and shown as upcoming ``upcoming_days`` before. It is satisfied by a submitted or
confirmed assessment at the trigger's key moment on or after the due date minus ``tolerance_days``. A missed
trigger stops being asked for when the next trigger of the routine falls due (the patient has moved on) or
``expire_days`` after its due date. Nothing is due on a closed pathway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from canrehab.domain.definitions import RoutineDef, RoutineTrigger
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    Handover,
    HandoverStatus,
    KeyMoment,
    Pathway,
    PhaseKind,
)
from canrehab.domain.pathway import latest_phase_date

DueStatus = Literal["due", "overdue", "upcoming"]
DONE = (AssessmentStatus.SUBMITTED, AssessmentStatus.CONFIRMED)


@dataclass(frozen=True)
class DueItem:
    kind: str  # "assessment"
    key_moment: KeyMoment
    due_on: date
    overdue_on: date
    status: DueStatus


def trigger_anchor(pathway: Pathway, kind: PhaseKind) -> date | None:
    """The date a routine trigger anchored on a phase counts from (the diagnosis date stands in for a
    missing diagnosis phase)."""
    found = latest_phase_date(pathway, kind)
    if found is None and kind is PhaseKind.DIAGNOSIS:
        return pathway.diagnosis.diagnosed_on
    return found


def _handover_matches(trigger: RoutineTrigger, h: Handover) -> bool:
    if h.status is HandoverStatus.REJECTED:
        return False
    if trigger.handover_from and h.from_care_level not in trigger.handover_from:
        return False
    return not trigger.handover_to or h.to_care_level in trigger.handover_to


def anchor_date(pathway: Pathway, trigger: RoutineTrigger, handovers: Sequence[Handover] = ()) -> date | None:
    """The latest date of the pathway event a trigger anchors on (``None`` when there is none yet)."""
    if isinstance(trigger.anchor, PhaseKind):
        return trigger_anchor(pathway, trigger.anchor)
    sent = [h.sent_on for h in handovers if h.pathway_id == pathway.id and _handover_matches(trigger, h)]
    return max(sent, default=None)


def _done_on(a: Assessment) -> date | None:
    return a.submitted_on or a.confirmed_on


def _satisfied(trigger: RoutineTrigger, due_on: date, assessments: Sequence[Assessment]) -> bool:
    earliest = due_on - timedelta(days=trigger.tolerance_days)
    for a in assessments:
        done = _done_on(a)
        if a.key_moment is trigger.key_moment and a.status in DONE and done is not None and done >= earliest:
            return True
    return False


def due_assessments(
    pathway: Pathway,
    assessments: Sequence[Assessment],
    routine: RoutineDef,
    today: date,
    *,
    handovers: Sequence[Handover] = (),
) -> list[DueItem]:
    """The assessments the routine asks for that are upcoming, due or overdue today, by due date. Triggers
    anchored on handovers need the pathway's ``handovers``."""
    if pathway.closed_on is not None:
        return []
    own = [a for a in assessments if a.pathway_id == pathway.id]
    scheduled: list[tuple[date, RoutineTrigger]] = []
    for trigger in routine.triggers:
        anchor = anchor_date(pathway, trigger, handovers)
        if anchor is not None:
            scheduled.append((anchor + timedelta(days=trigger.offset_days), trigger))
    scheduled.sort(key=lambda x: x[0])
    items: list[DueItem] = []
    for n, (due_on, trigger) in enumerate(scheduled):
        if today < due_on - timedelta(days=trigger.upcoming_days):
            continue
        if trigger.expire_days is not None and today > due_on + timedelta(days=trigger.expire_days):
            continue
        superseded = any(later_due <= today for later_due, _t in scheduled[n + 1 :] if later_due > due_on)
        if superseded or _satisfied(trigger, due_on, own):
            continue
        overdue_on = due_on + timedelta(days=trigger.grace_days)
        status: DueStatus = "upcoming" if today < due_on else ("overdue" if today > overdue_on else "due")
        items.append(
            DueItem(
                kind="assessment",
                key_moment=trigger.key_moment,
                due_on=due_on,
                overdue_on=overdue_on,
                status=status,
            )
        )
    return items
