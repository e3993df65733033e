"""The rehabilitation plan: a state machine with KVÅ codes.

    draft --establish (AW020)--> established --follow_up (AW024)--> established
                                             --revise (AW027, new version)--> established
                                             --close (AW035, with reason)--> closed

Who took part is recorded on every event (``PlanParticipation``): the patient, relatives (only those who
have the patient's consent, 002: "med patientens medgivande") and several professions; the performer's
profession is always among them. A plan for return to work (``PlanContent.return_to_work``) is established
with DV077 instead of AW020 (002 Bilaga 2).

Establishing and revising need at least one goal and a follow-up date; every established or revised content
is kept as a ``PlanVersion``. Anything else (following up a closed plan, revising a draft, establishing
twice ...) raises ``plan.illegal_transition`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE, record_for
from canrehab.domain.model import (
    CareType,
    KvaRecord,
    NeedsLevel,
    Pathway,
    PlanCloseReason,
    PlanContent,
    PlanEvent,
    PlanEventKind,
    PlanParticipation,
    PlanStatus,
    PlanVersion,
    Profession,
    RehabPlan,
    Staff,
)
from canrehab.domain.pathway import require_open

# "Planen är ett utkast": the status label with its article where Swedish needs one in a sentence.
STATUS_IN_SENTENCE_SV = {PlanStatus.DRAFT: "ett utkast"}
ACTION_LABEL_SV = {
    "edit_draft": "ändras som utkast",
    "establish": "upprättas",
    "follow_up": "följas upp",
    "revise": "revideras",
    "close": "avslutas",
}
CODES = {
    PlanEventKind.ESTABLISHED: "AW020",
    PlanEventKind.FOLLOWED_UP: "AW024",
    PlanEventKind.REVISED: "AW027",
    PlanEventKind.CLOSED: "AW035",
}
RETURN_TO_WORK_CODE = "DV077"  # instead of AW020 for a plan for return to work (002 Bilaga 2)


def event_code(plan: RehabPlan, kind: PlanEventKind) -> str:
    """The KVÅ code of a plan event: DV077 instead of AW020 when the plan is a return-to-work plan."""
    if kind is PlanEventKind.ESTABLISHED and plan.content.return_to_work:
        return RETURN_TO_WORK_CODE
    return CODES[kind]


def participation_of(
    participation: PlanParticipation | None, by: Staff, consenting_relatives: Collection[str]
) -> PlanParticipation:
    """The participation as recorded: the performer's profession added, each profession once, and every
    relative one with the patient's consent (``plan.relative_without_consent`` otherwise)."""
    given = participation or PlanParticipation()
    without = [r for r in given.relative_ids if r not in consenting_relatives]
    if without:
        raise DomainError(
            "plan.relative_without_consent",
            "En närstående kan delta i planeringen bara med patientens medgivande; medgivande saknas för "
            f"{len(without)} av de angivna närstående.",
            f"relatives without the patient's consent: {without}",
        )
    professions = tuple(dict.fromkeys((by.profession, *given.professions)))
    return given.model_copy(
        update={"relative_ids": tuple(dict.fromkeys(given.relative_ids)), "professions": professions}
    )


def _illegal(plan: RehabPlan, action: str) -> DomainError:
    return DomainError(
        "plan.illegal_transition",
        f"Rehabiliteringsplanen är {STATUS_IN_SENTENCE_SV.get(plan.status, plan.status.label_sv)} "
        f"och kan inte {ACTION_LABEL_SV[action]}.",
        f"plan is {plan.status.value}; cannot {action}",
    )


def _require(plan: RehabPlan, status: PlanStatus, action: str) -> None:
    if plan.status is not status:
        raise _illegal(plan, action)


def _validate_content(content: PlanContent, on: date) -> None:
    problems_sv: list[str] = []
    problems_en: list[str] = []
    if not content.goals or not any(g.text.strip() for g in content.goals):
        problems_sv.append("minst ett mål")
        problems_en.append("at least one goal")
    if content.follow_up_on is None:
        problems_sv.append("ett datum för uppföljning")
        problems_en.append("a follow-up date")
    elif content.follow_up_on < on:
        raise DomainError(
            "plan.invalid",
            f"Uppföljningsdatumet ({content.follow_up_on.isoformat()}) ligger före dagens datum för planen "
            f"({on.isoformat()}).",
            "follow-up date is before the plan date",
        )
    if any(not g.text.strip() for g in content.goals):
        problems_sv.append("text i varje mål")
        problems_en.append("text in every goal")
    if problems_sv:
        raise DomainError(
            "plan.invalid",
            f"Planen behöver {' och '.join(problems_sv)} för att kunna upprättas eller revideras.",
            f"plan needs {' and '.join(problems_en)}",
        )


def _last_event_date(plan: RehabPlan) -> date | None:
    return max((e.on for e in plan.events), default=None)


def _not_before_last(plan: RehabPlan, on: date) -> None:
    last = _last_event_date(plan)
    if last is not None and on < last:
        raise DomainError(
            "plan.date_order",
            f"Datumet {on.isoformat()} ligger före planens senaste händelse ({last.isoformat()}).",
            f"date {on.isoformat()} is before the last plan event {last.isoformat()}",
        )


def _record(
    plan: RehabPlan,
    kind: PlanEventKind,
    by: Staff,
    on: date,
    professions: Mapping[Profession, ProfessionDef],
    care_type: CareType,
    codes: Mapping[str, KvaDef] | None,
) -> KvaRecord:
    return record_for(
        care_type=care_type,
        codes=codes,
        code=event_code(plan, kind),
        patient_id=plan.patient_id,
        pathway_id=plan.pathway_id,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=professions,
        source=f"plan:{plan.id}:{kind.value}:{len(plan.events) + 1}",
    )


def _current_version(plan: RehabPlan) -> int:
    return plan.versions[-1].number if plan.versions else 0


def draft_plan(pathway: Pathway, content: PlanContent, *, on: date) -> RehabPlan:
    """A new draft plan on an open pathway (nothing is coded until it is established)."""
    require_open(pathway)
    return RehabPlan(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        unit_hsa_id=pathway.unit_hsa_id,
        content=content,
    )


def edit_draft(plan: RehabPlan, content: PlanContent) -> RehabPlan:
    _require(plan, PlanStatus.DRAFT, "edit_draft")
    return plan.model_copy(update={"content": content})


def establish(
    plan: RehabPlan,
    *,
    by: Staff,
    on: date,
    professions: Mapping[Profession, ProfessionDef],
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
    participation: PlanParticipation | None = None,
    consenting_relatives: Collection[str] = (),
) -> tuple[RehabPlan, list[KvaRecord]]:
    """Establish the draft (AW020): version 1 of the content."""
    _require(plan, PlanStatus.DRAFT, "establish")
    _validate_content(plan.content, on)
    version = PlanVersion(number=1, content=plan.content, created_on=on, created_by=by.id)
    taking_part = participation_of(participation, by, consenting_relatives)
    event = PlanEvent(
        participation=taking_part,
        kind=PlanEventKind.ESTABLISHED,
        on=on,
        by=by.id,
        content_version=1,
        follow_up_on=plan.content.follow_up_on,
    )
    record = _record(plan, PlanEventKind.ESTABLISHED, by, on, professions, care_type, codes)
    changed = plan.model_copy(
        update={"status": PlanStatus.ESTABLISHED, "versions": (version,), "events": (event,)}
    )
    return changed, [record]


def follow_up(
    plan: RehabPlan,
    *,
    by: Staff,
    on: date,
    note: str,
    professions: Mapping[Profession, ProfessionDef],
    next_follow_up_on: date | None = None,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
    participation: PlanParticipation | None = None,
    consenting_relatives: Collection[str] = (),
) -> tuple[RehabPlan, list[KvaRecord]]:
    """Follow up without revising the plan (AW024). ``next_follow_up_on`` sets the next follow-up date
    (only the date: changing goals or actions is a revision)."""
    _require(plan, PlanStatus.ESTABLISHED, "follow_up")
    _not_before_last(plan, on)
    if next_follow_up_on is not None and next_follow_up_on < on:
        raise DomainError(
            "plan.invalid",
            "Nästa uppföljning kan inte ligga före dagens uppföljning.",
            "next follow-up date before this follow-up",
        )
    taking_part = participation_of(participation, by, consenting_relatives)
    event = PlanEvent(
        participation=taking_part,
        kind=PlanEventKind.FOLLOWED_UP,
        on=on,
        by=by.id,
        content_version=_current_version(plan),
        note=note,
        follow_up_on=next_follow_up_on,
    )
    record = _record(plan, PlanEventKind.FOLLOWED_UP, by, on, professions, care_type, codes)
    update: dict[str, object] = {"events": (*plan.events, event)}
    if next_follow_up_on is not None:
        update["content"] = plan.content.model_copy(update={"follow_up_on": next_follow_up_on})
    return plan.model_copy(update=update), [record]


def revise(
    plan: RehabPlan,
    content: PlanContent,
    *,
    by: Staff,
    on: date,
    note: str,
    professions: Mapping[Profession, ProfessionDef],
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
    participation: PlanParticipation | None = None,
    consenting_relatives: Collection[str] = (),
) -> tuple[RehabPlan, list[KvaRecord]]:
    """Follow up and revise (AW027): a new version of the content; earlier versions are kept."""
    _require(plan, PlanStatus.ESTABLISHED, "revise")
    _not_before_last(plan, on)
    _validate_content(content, on)
    number = _current_version(plan) + 1
    version = PlanVersion(number=number, content=content, created_on=on, created_by=by.id)
    taking_part = participation_of(participation, by, consenting_relatives)
    event = PlanEvent(
        participation=taking_part,
        kind=PlanEventKind.REVISED,
        on=on,
        by=by.id,
        content_version=number,
        note=note,
        follow_up_on=content.follow_up_on,
    )
    record = _record(plan, PlanEventKind.REVISED, by, on, professions, care_type, codes)
    changed = plan.model_copy(
        update={"content": content, "versions": (*plan.versions, version), "events": (*plan.events, event)}
    )
    return changed, [record]


def close(
    plan: RehabPlan,
    reason: PlanCloseReason,
    *,
    by: Staff,
    on: date,
    professions: Mapping[Profession, ProfessionDef],
    note: str = "",
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
    participation: PlanParticipation | None = None,
    consenting_relatives: Collection[str] = (),
) -> tuple[RehabPlan, list[KvaRecord]]:
    """Close an established plan with a reason (AW035)."""
    _require(plan, PlanStatus.ESTABLISHED, "close")
    _not_before_last(plan, on)
    reason = PlanCloseReason(reason)
    taking_part = participation_of(participation, by, consenting_relatives)
    event = PlanEvent(
        participation=taking_part,
        kind=PlanEventKind.CLOSED,
        on=on,
        by=by.id,
        content_version=_current_version(plan),
        note=note or reason.label_sv,
    )
    record = _record(plan, PlanEventKind.CLOSED, by, on, professions, care_type, codes)
    changed = plan.model_copy(
        update={
            "status": PlanStatus.CLOSED,
            "close_reason": reason,
            "closed_on": on,
            "events": (*plan.events, event),
        }
    )
    return changed, [record]


def plan_in_place(pathway: Pathway, plans: Sequence[RehabPlan], on: date | None = None) -> bool:
    """The one definition of "the pathway has its rehabilitation plan" on day ``on`` (None: as stored now),
    used by the worklist's "Rehabplan saknas" and by the indicator "Rehabiliteringsplan vid
    rehabiliteringsbehov" (has_plan): a plan of the pathway established (AW020) by then and either still in
    force, or closed on or after the day the needs level was confirmed (closed as handled)."""
    confirmed_on = pathway.confirmed_level_on
    for p in plans:
        if p.pathway_id != pathway.id or p.status is PlanStatus.DRAFT or not p.events:
            continue
        if on is not None and p.events[0].on > on:
            continue
        closed_on = p.closed_on
        if p.status is not PlanStatus.CLOSED or (on is not None and closed_on is not None and closed_on > on):
            return True  # in force (on that day)
        if closed_on is not None and (confirmed_on is None or closed_on >= confirmed_on):
            return True  # closed as handled, after the level was confirmed
    return False


def plan_required(pathway: Pathway, plans: Sequence[RehabPlan], on: date | None = None) -> bool:
    """A plan is required when the pathway is open, its confirmed level is särskild or higher and it has no
    plan in place (``plan_in_place``)."""
    if pathway.closed_on is not None or pathway.confirmed_level is None:
        return False
    if pathway.confirmed_level < NeedsLevel.SPECIAL:
        return False
    return not plan_in_place(pathway, plans, on)


def follow_up_due(plan: RehabPlan, today: date, window_days: int) -> date | None:
    """The planned follow-up date when it is pending and lies within ``window_days`` from today (or is past).

    The date is pending when the latest event planned it (establishing, revising, or a follow-up that set
    the next date); a follow-up without a new date means the planned follow-up was done.
    """
    if plan.status is not PlanStatus.ESTABLISHED or plan.content.follow_up_on is None or not plan.events:
        return None
    last = plan.events[-1]
    planned = last.follow_up_on is not None or last.kind in (PlanEventKind.ESTABLISHED, PlanEventKind.REVISED)
    if not planned:
        return None
    due = plan.content.follow_up_on
    if today < due - timedelta(days=window_days):
        return None
    return due
