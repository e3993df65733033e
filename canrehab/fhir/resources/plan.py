"""CarePlan (the rehabilitation plan with its content versions, and Min vårdplan as a view of the pathway)
and Goal (the plan's goals): read, search and history; a plan is recorded and its steps taken through
``services.plans``."""

from __future__ import annotations

from canrehab.domain.model import Pathway, RehabPlan
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.mapping.pathway import MVP_SUFFIX
from canrehab.fhir.mapping.plan import is_min_vardplan, plan_version_to_fhir
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import (
    Handler,
    Json,
    Kept,
    check_version,
    children,
    fields_of,
    need_patients,
    refuse_unkept,
)
from canrehab.fhir.resources.pathway import pathway_read
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import plans

COMPARED = frozenset({"patient_id", "pathway_id", "unit_hsa_id", "content", "status", "close_reason"})


def care_plan_json(p: RehabPlan) -> Json:
    return as_json(m.care_plan_to_fhir(p))


def careplan_read(ctx: Ctx, rid: str) -> Json:
    if rid.endswith(MVP_SUFFIX):
        pathway = pathway_read(ctx, rid.removesuffix(MVP_SUFFIX), "CarePlan")
        return as_json(m.min_vardplan_to_fhir(pathway))
    return care_plan_json(_plan_read(ctx, rid))


def _plans_of(ctx: Ctx, query: Query, rtype: str) -> list[RehabPlan]:
    found: list[RehabPlan] = children(ctx, query, rtype, ctx.uow.plans)
    return found


def careplan_search(ctx: Ctx, query: Query) -> Page:
    out = [care_plan_json(p) for p in _plans_of(ctx, query, "CarePlan")]
    for patient_id in need_patients(query, "CarePlan"):
        for pathway in ctx.uow.pathways.for_patient(patient_id):
            if pathway.min_vardplan.status.value != "none":
                out.append(as_json(m.min_vardplan_to_fhir(pathway)))
    return page_of(out, query)


def _plan_read(ctx: Ctx, rid: str) -> RehabPlan:
    plan: RehabPlan = find(ctx.uow.plans, rid, "CarePlan")
    ctx.check_read(plan.patient_id, "plan", plan.id)
    return plan


def _careplan_version(_ctx: Ctx, record: RehabPlan | Pathway, rid: str) -> Json:
    """One kept version of the plan, or of the pathway for Min vårdplan (a view of it)."""
    if isinstance(record, Pathway):
        return as_json(m.min_vardplan_to_fhir(record))
    return care_plan_json(record)


def _careplan_source(rid: str) -> tuple[str, str]:
    return ("pathways", rid.removesuffix(MVP_SUFFIX)) if rid.endswith(MVP_SUFFIX) else ("plans", rid)


def content_versions(ctx: Ctx, rid: str) -> list[Json]:
    """The plan's content versions, newest first: each established or revised content is kept
    (PlanVersion) and can be read as version ``v<n>`` (a vread, not listed in ``_history``)."""
    if rid.endswith(MVP_SUFFIX):
        return []
    plan = _plan_read(ctx, rid)
    return [as_json(plan_version_to_fhir(plan, v.number)) for v in reversed(plan.versions)]


def careplan_create(ctx: Ctx, data: Json) -> Json:
    if is_min_vardplan(data):
        raise FhirError(
            422,
            "Min vårdplan is part of the pathway: change it through the EpisodeOfCare "
            "(extension min-vardplan).",
            code="not-supported",
            expression=("CarePlan.category",),
        )
    plan = m.rehab_plan_from_fhir(data)
    refuse_unkept(data, care_plan_json(plan))
    _refuse_unkept_goals(data, plan)
    return care_plan_json(plans.record(ctx.services, ctx.actor, plan))


def careplan_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Edit a draft, establish (AW020), follow up (AW024), revise (AW027), close (AW035): one plan-event per
    step, taken by ``services.plans.record_steps``. A requested plan the rules do not produce is refused
    (rolled back)."""
    if rid.endswith(MVP_SUFFIX):
        raise FhirError(
            422,
            "Min vårdplan is changed through the EpisodeOfCare (extension min-vardplan).",
            code="not-supported",
        )
    current: RehabPlan = find(ctx.uow.plans, rid, "CarePlan")
    ctx.check_write(current.patient_id, "plan", rid)
    check_version(current.version, expected, f"CarePlan/{rid}")
    wanted = m.rehab_plan_from_fhir({**data, "id": rid})
    refuse_unkept(data, care_plan_json(wanted))
    _refuse_unkept_goals(data, wanted)
    seen = {(e.kind, e.on, e.by) for e in current.events}
    saved = plans.record_steps(
        ctx.services,
        ctx.actor,
        rid,
        content=wanted.content,
        events=[e for e in wanted.events if (e.kind, e.on, e.by) not in seen],
        close_reason=wanted.close_reason,
        version=expected,
    )
    if fields_of(saved, COMPARED) != fields_of(wanted, COMPARED):
        raise FhirError(
            422,
            "CarePlan update: the requested plan is not what the plan rules produce. Add one plan-event "
            "(established, followed_up, revised, closed) per step with your staff id as 'by', or edit a "
            "draft's content; history (events, versions) cannot be rewritten.",
            code="business-rule",
        )
    return care_plan_json(saved)


def _refuse_unkept_goals(data: Json, plan: RehabPlan) -> None:
    """The goals the plan refers to (``goal``, contained ``#id``), each against the Goal canrehab serves."""
    contained = {c.get("id"): c for c in data.get("contained") or [] if c.get("resourceType") == "Goal"}
    served = list(goals_of(plan).values())
    for n, goal in enumerate(data.get("goal") or []):
        reference = str(goal.get("reference", ""))
        if reference.startswith("#") and reference[1:] in contained and n < len(served):
            refuse_unkept(contained[reference[1:]], served[n])


def goals_of(plan: RehabPlan) -> dict[str, Json]:
    """The plan's goals as Goal resources, by id (``<plan id>-g<n>``)."""
    from canrehab.fhir.mapping.plan import GOAL_STATUS, goal_resource

    out = {}
    for i, goal in enumerate(plan.content.goals):
        gid = f"{plan.id}-g{i + 1}"
        out[gid] = goal_resource(goal, gid, plan.patient_id, GOAL_STATUS[plan.status])
    return out


def goal_read(ctx: Ctx, rid: str) -> Json:
    plan_id, sep, number = rid.rpartition("-g")
    if not sep or not number.isdigit():
        raise FhirError(404, f"Goal/{rid} not found.", code="not-found")
    plan: RehabPlan = find(ctx.uow.plans, plan_id, "Goal")
    ctx.check_read(plan.patient_id, "plan", plan.id)
    goals = goals_of(plan)
    if rid not in goals:
        raise FhirError(404, f"Goal/{rid} not found.", code="not-found")
    return goals[rid]


def goal_search(ctx: Ctx, query: Query) -> Page:
    return page_of((g for p in _plans_of(ctx, query, "Goal") for g in goals_of(p).values()), query)


HANDLERS = (
    Handler(
        "CarePlan",
        careplan_read,
        careplan_search,
        careplan_create,
        careplan_update,
        Kept(_careplan_version, _careplan_source),
        content_versions,
    ),
    Handler("Goal", goal_read, goal_search),
)
