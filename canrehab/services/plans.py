"""Rehabilitation plans: draft, establish (AW020), follow up (AW024), revise (AW027), close (AW035)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import plan as plan_rules
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE
from canrehab.domain.model import (
    CareType,
    PlanCloseReason,
    PlanContent,
    PlanEvent,
    PlanEventKind,
    PlanParticipation,
    PlanStatus,
    RehabPlan,
)
from canrehab.domain.relatives import consenting
from canrehab.services.guard import acting_staff, pathway_of, require_read, require_write
from canrehab.services.procedures import code_list
from canrehab.services.relatives import relatives_of

if TYPE_CHECKING:
    from canrehab.services.context import Services

OPERATIONS = ("save", "establish", "follow_up", "revise")


def current(services: Services, actor: Actor, pathway_id: str) -> RehabPlan | None:
    """The open (draft or established) plan of a pathway, else the latest closed one, else None."""
    with services.uow(actor) as uow:
        pathway = uow.pathways.get(pathway_id)
        require_read(services, uow, actor, pathway.patient_id, "rehab_plan")
        return _current(uow, pathway.patient_id, pathway_id)


def _current(uow: Any, patient_id: str, pathway_id: str) -> RehabPlan | None:
    plans = [p for p in uow.plans.for_patient(patient_id) if p.pathway_id == pathway_id]
    open_plans = [p for p in plans if p.status != PlanStatus.CLOSED]
    if open_plans:
        return open_plans[-1]  # type: ignore[no-any-return]
    return plans[-1] if plans else None


def act(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    op: str,
    content: PlanContent,
    version: int,
    note: str = "",
    next_follow_up_on: date | None = None,
    care_type: CareType = DEFAULT_CARE_TYPE,
    participation: PlanParticipation | None = None,
) -> RehabPlan:
    """One editor action on the pathway's plan; creates the draft on the first save or establish.

    ``next_follow_up_on`` is for ``follow_up`` (AW024, no revision): the next planned follow-up date; without
    it the planned follow-up counts as done. Other operations take the date from ``content``.
    ``participation`` says who took part (the patient, relatives with the patient's consent, professions).
    """
    if op not in OPERATIONS:
        raise DomainError("plan.unknown_op", "Okänd åtgärd för planen.", f"unknown plan operation {op}")
    today = services.today()
    professions = services.catalog.professions
    coding: dict[str, Any] = {"care_type": care_type, "codes": code_list(services)}
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, "rehab_plan")
        staff = acting_staff(uow, actor)
        plan = _current(uow, patient_id, pathway_id)
        if op != "save":
            coding["participation"] = participation
            coding["consenting_relatives"] = _consenting(uow, patient_id)
        records: list[Any] = []
        if plan is None or plan.status == PlanStatus.CLOSED:
            if op not in ("save", "establish"):
                raise DomainError(
                    "plan.illegal_transition",
                    "Det finns ingen upprättad plan att följa upp.",
                    "no established plan to follow up",
                )
            draft = plan_rules.draft_plan(pathway, content, on=today)
            if op == "establish":
                draft, records = plan_rules.establish(
                    draft, by=staff, on=today, professions=professions, **coding
                )
            saved: RehabPlan = uow.plans.add(draft)
        else:
            if op == "save":
                changed = plan_rules.edit_draft(plan, content)
            elif op == "establish":
                changed, records = plan_rules.establish(
                    plan_rules.edit_draft(plan, content),
                    by=staff,
                    on=today,
                    professions=professions,
                    **coding,
                )
            elif op == "follow_up":
                changed, records = plan_rules.follow_up(
                    plan,
                    by=staff,
                    on=today,
                    note=note,
                    professions=professions,
                    next_follow_up_on=next_follow_up_on,
                    **coding,
                )
            else:
                changed, records = plan_rules.revise(
                    plan, content, by=staff, on=today, note=note, professions=professions, **coding
                )
            saved = uow.plans.update(changed, expected_version=version)
        if records:
            uow.kva.add_many(records)
        uow.refresh_worklist(pathway_id)
        return saved


def _consenting(uow: Any, patient_id: str) -> frozenset[str]:
    return consenting(relatives_of(uow).for_patient(patient_id))


def close(
    services: Services,
    actor: Actor,
    plan_id: str,
    reason: PlanCloseReason,
    version: int,
    *,
    care_type: CareType = DEFAULT_CARE_TYPE,
    participation: PlanParticipation | None = None,
) -> RehabPlan:
    with services.uow(actor) as uow:
        plan = uow.plans.get(plan_id)
        require_write(services, uow, actor, plan.patient_id, "rehab_plan", plan_id)
        staff = acting_staff(uow, actor)
        closed, records = plan_rules.close(
            plan,
            reason,
            by=staff,
            on=services.today(),
            professions=services.catalog.professions,
            care_type=care_type,
            codes=code_list(services),
            participation=participation,
            consenting_relatives=_consenting(uow, plan.patient_id),
        )
        saved: RehabPlan = uow.plans.update(closed, expected_version=version)
        uow.kva.add_many(records)
        uow.refresh_worklist(plan.pathway_id)
        return saved


def get(services: Services, actor: Actor, plan_id: str) -> RehabPlan:
    with services.uow(actor) as uow:
        plan: RehabPlan = uow.plans.get(plan_id)
        require_read(services, uow, actor, plan.patient_id, "rehab_plan", plan_id)
        return plan


def for_patient_self(services: Services, actor: Actor) -> RehabPlan | None:
    """The patient's own current plan that is part of Min vårdplan (patient role only)."""
    if actor.role != "patient" or not actor.patient_id:
        raise DomainError("access.denied", "Bara patienten själv ser sin plan här.", "patient only")
    with services.uow(actor) as uow:
        plans = [
            p
            for p in uow.plans.for_patient(actor.patient_id)
            if p.status != PlanStatus.DRAFT and p.content.part_of_min_vardplan
        ]
        return plans[-1] if plans else None


def record(services: Services, actor: Actor, plan: RehabPlan) -> RehabPlan:
    """Store a plan as another system recorded it (its pathway must be the patient's, its unit exist)."""
    from canrehab.services.guard import pathway_named

    with services.uow(actor) as uow:
        pathway = pathway_named(uow, plan.pathway_id, plan.patient_id)
        if plan.unit_hsa_id != pathway.unit_hsa_id:
            uow.units.get(plan.unit_hsa_id)
        require_write(services, uow, actor, plan.patient_id, "rehab_plan", plan.id)
        saved: RehabPlan = uow.plans.add(plan.model_copy(update={"version": 1}))
        uow.refresh_worklist(saved.pathway_id)
        return saved


def record_steps(
    services: Services,
    actor: Actor,
    plan_id: str,
    *,
    content: PlanContent,
    events: Sequence[PlanEvent],
    close_reason: PlanCloseReason | None,
    version: int,
) -> RehabPlan:
    """The steps another system recorded on a plan, with their dates: a draft's new ``content``, then each
    of ``events`` in order (establish AW020, follow up AW024, revise AW027 to ``content``, close AW035 with
    ``close_reason``), each by the plan rules, performed by the acting clinician. Nothing to do stores
    nothing."""
    with services.uow(actor) as uow:
        current: RehabPlan = uow.plans.get(plan_id)
        require_write(services, uow, actor, current.patient_id, "rehab_plan", plan_id)
        result = current
        if current.status == PlanStatus.DRAFT and content != current.content:
            result = plan_rules.edit_draft(result, content)
        records: list[Any] = []
        for event in events:
            result, done = _plan_step(services, uow, actor, result, event, content, close_reason)
            records += done
        if result == current:
            return current
        saved: RehabPlan = uow.plans.update(result, expected_version=version)
        if records:
            uow.kva.add_many(records)
        uow.refresh_worklist(saved.pathway_id)
        return saved


def _plan_step(
    services: Services,
    uow: Any,
    actor: Actor,
    plan: RehabPlan,
    event: PlanEvent,
    content: PlanContent,
    close_reason: PlanCloseReason | None,
) -> tuple[RehabPlan, list[Any]]:
    staff = acting_staff(uow, actor)
    professions = services.catalog.professions
    if event.kind is PlanEventKind.ESTABLISHED:
        return plan_rules.establish(plan, by=staff, on=event.on, professions=professions)
    if event.kind is PlanEventKind.FOLLOWED_UP:
        return plan_rules.follow_up(
            plan,
            by=staff,
            on=event.on,
            note=event.note,
            professions=professions,
            next_follow_up_on=event.follow_up_on,
        )
    if event.kind is PlanEventKind.REVISED:
        return plan_rules.revise(
            plan, content, by=staff, on=event.on, note=event.note, professions=professions
        )
    if close_reason is None:
        raise DomainError(
            "plan.close_reason_required", "Ange varför planen avslutas.", "closing a plan requires a reason"
        )
    return plan_rules.close(
        plan, close_reason, by=staff, on=event.on, professions=professions, note=event.note
    )
