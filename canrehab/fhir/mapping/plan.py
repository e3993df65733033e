"""RehabPlan -> CarePlan (category rehabiliteringsplan) with contained Goals and activity.detail per action.

``meta.versionId`` is the plan's optimistic-locking version (the ETag). The content versions of the plan
(PlanVersion: established, revised) are contained CarePlans ``#v<n>`` listed in ``replaces``, each with
contained goals ``#v<n>-g<i>``; the plan events (established, followed up, revised, closed — each with a KVÅ
code in the care process) are ``plan-event`` extensions.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.careplan import CarePlan

from canrehab.domain.model import (
    Goal,
    PlanCloseReason,
    PlanContent,
    PlanEvent,
    PlanEventKind,
    PlannedAction,
    PlanStatus,
    PlanVersion,
    Profession,
    RehabPlan,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    codes_in,
    coding,
    complex_ext,
    concept,
    expect_type,
    ext,
    ext_one,
    ext_value,
    exts,
    iso,
    meta_version,
    opt_date,
    parse_date,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    split_ref,
    sub,
    to_model,
    version_of,
)
from canrehab.fhir.mapping.pathway import _one, _sub_values
from canrehab.fhir.mapping.vocab import profession_label

REHAB_CATEGORY = concept(systems.CS_CAREPLAN_CATEGORY, "rehabiliteringsplan", "Rehabiliteringsplan")
CAREPLAN_STATUS = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.ESTABLISHED: "active",
    PlanStatus.CLOSED: "completed",
}
GOAL_STATUS = {PlanStatus.DRAFT: "proposed", PlanStatus.ESTABLISHED: "active", PlanStatus.CLOSED: "completed"}


def _profession_ext(p: Profession | None) -> Json | None:
    if p is None:
        return None
    return ext(
        systems.EXT_PROFESSION, valueCoding=coding(systems.CS_PROFESSION, p.value, profession_label(p))
    )


def _profession_of(data: Json, path: str) -> Profession | None:
    value = ext_value(data, systems.EXT_PROFESSION, "valueCoding", path)
    return (
        None
        if value is None
        else parse_enum(Profession, value.get("code"), f"{path}.extension('profession')")
    )


# ---------------------------------------------------------------------------------------------- content


def goal_resource(goal: Goal, goal_id: str, patient_id: str, lifecycle: str = "active") -> Json:
    extensions = [
        e
        for e in [
            ext(systems.EXT_RESPONSIBLE, valueString=goal.responsible) if goal.responsible else None,
            _profession_ext(goal.profession),
        ]
        if e
    ]
    return clean(
        {
            "resourceType": "Goal",
            "id": goal_id,
            "extension": extensions,
            "lifecycleStatus": lifecycle,
            "description": {"text": goal.text},
            "subject": ref("Patient", patient_id),
            "target": [{"dueDate": iso(goal.target_date)}] if goal.target_date else None,
        }
    )


def goal_from_json(data: Json, path: str) -> Goal:
    expect_type(data, "Goal")
    description = data.get("description") or {}
    text = description.get("text") or next(
        (c.get("display") for c in description.get("coding", []) if c.get("display")), None
    )
    if not text:
        raise MappingError(f"{path}.description.text", "the goal text is required")
    targets = data.get("target") or []
    due = next((t.get("dueDate") for t in targets if t.get("dueDate")), None)
    return Goal(
        text=str(text),
        responsible=str(ext_value(data, systems.EXT_RESPONSIBLE, "valueString", path) or ""),
        profession=_profession_of(data, path),
        target_date=opt_date(due, f"{path}.target.dueDate"),
    )


def _action_activity(a: PlannedAction) -> Json:
    performers = []
    if a.who:
        performers.append({"display": a.who})
    if a.unit_hsa_id:
        performers.append(ref("Organization", a.unit_hsa_id))
    detail = clean(
        {
            "extension": [e for e in [_profession_ext(a.profession)] if e],
            "status": "not-started",
            "description": a.what,
            "performer": performers,
            "scheduledPeriod": {"start": iso(a.when)} if a.when else None,
        }
    )
    return {"detail": detail}


def _action_from(activity: Json, path: str) -> PlannedAction:
    detail = activity.get("detail")
    if not detail:
        raise MappingError(f"{path}.detail", "planned actions need activity.detail")
    what = detail.get("description")
    if not what:
        raise MappingError(f"{path}.detail.description", "what is to be done is required")
    who = ""
    unit = None
    for i, perf in enumerate(detail.get("performer", []) or []):
        if perf.get("reference"):
            unit = ref_id(perf, "Organization", f"{path}.detail.performer[{i}]")
        elif perf.get("display"):
            who = str(perf["display"])
    start = (detail.get("scheduledPeriod") or {}).get("start")
    return PlannedAction(
        what=str(what),
        who=who,
        profession=_profession_of(detail, f"{path}.detail"),
        unit_hsa_id=unit,
        when=opt_date(start, f"{path}.detail.scheduledPeriod.start"),
    )


def _content_fields(content: PlanContent, goal_ids: list[str]) -> Json:
    extensions = [
        ext(systems.EXT_SELF_CARE, valueString=content.self_care) if content.self_care else None,
        ext(systems.EXT_FOLLOW_UP, valueDate=iso(content.follow_up_on)) if content.follow_up_on else None,
        ext(systems.EXT_PART_OF_MVP, valueBoolean=content.part_of_min_vardplan),
    ]
    return {
        "extension": [e for e in extensions if e],
        "description": content.summary or None,
        "goal": [{"reference": f"#{g}"} for g in goal_ids],
        "activity": [_action_activity(a) for a in content.actions],
    }


def _content_from(data: Json, contained: dict[str, Json], path: str) -> PlanContent:
    goals = []
    for i, g in enumerate(data.get("goal", []) or []):
        reference = str(g.get("reference", ""))
        target = contained.get(reference[1:]) if reference.startswith("#") else None
        if target is None:
            raise MappingError(
                f"{path}.goal[{i}]", "goals must be contained resources (#id) or resolved by the server"
            )
        goals.append(goal_from_json(target, f"{path}.contained('{reference[1:]}')"))
    part = ext_value(data, systems.EXT_PART_OF_MVP, "valueBoolean", path)
    return PlanContent(
        summary=str(data.get("description") or ""),
        goals=tuple(goals),
        actions=tuple(
            _action_from(a, f"{path}.activity[{i}]") for i, a in enumerate(data.get("activity", []) or [])
        ),
        self_care=str(ext_value(data, systems.EXT_SELF_CARE, "valueString", path) or ""),
        follow_up_on=opt_date(ext_value(data, systems.EXT_FOLLOW_UP, "valueDate", path), path),
        part_of_min_vardplan=True if part is None else bool(part),
    )


# ---------------------------------------------------------------------------------------------- CarePlan


def event_ext(e: PlanEvent) -> Json:
    return complex_ext(
        systems.EXT_PLAN_EVENT,
        sub("kind", valueCoding=coding(systems.CS_PLAN_EVENT, e.kind.value)),
        sub("on", valueDate=iso(e.on)),
        sub("by", valueReference=ref("PractitionerRole", e.by)),
        sub("contentVersion", valueInteger=e.content_version),
        sub("note", valueString=e.note or None),
        sub("followUp", valueDate=iso(e.follow_up_on)),
    )


def _event_from(e: Json, path: str) -> PlanEvent:
    parts = _sub_values(e)
    kind = _one(parts, "kind", path, required=True)
    return PlanEvent(
        kind=parse_enum(PlanEventKind, (kind or {}).get("code"), path),
        on=parse_date(_one(parts, "on", path, required=True), path),
        by=ref_id(_one(parts, "by", path, required=True), "PractitionerRole", path),
        content_version=int(_one(parts, "contentVersion", path, required=True)),
        note=str(_one(parts, "note", path) or ""),
        follow_up_on=opt_date(_one(parts, "followUp", path), path),
    )


def care_plan_json(plan: RehabPlan) -> Json:
    contained: list[Json] = []
    lifecycle = GOAL_STATUS[plan.status]
    goal_ids = [f"g{i + 1}" for i in range(len(plan.content.goals))]
    contained += [
        goal_resource(g, gid, plan.patient_id, lifecycle)
        for g, gid in zip(plan.content.goals, goal_ids, strict=True)
    ]
    replaces = []
    for v in plan.versions:
        vid = f"v{v.number}"
        v_goal_ids = [f"{vid}-g{i + 1}" for i in range(len(v.content.goals))]
        contained += [
            goal_resource(g, gid, plan.patient_id, "cancelled")
            for g, gid in zip(v.content.goals, v_goal_ids, strict=True)
        ]
        fields = _content_fields(v.content, v_goal_ids)
        fields["extension"].insert(0, ext(systems.EXT_PLAN_VERSION, valueInteger=v.number))
        contained.append(
            clean(
                {
                    "resourceType": "CarePlan",
                    "id": vid,
                    **fields,
                    "status": "revoked",
                    "intent": "plan",
                    "category": [REHAB_CATEGORY],
                    "subject": ref("Patient", plan.patient_id),
                    "created": iso(v.created_on),
                    "author": ref("PractitionerRole", v.created_by),
                }
            )
        )
        replaces.append({"reference": f"#{vid}"})
    fields = _content_fields(plan.content, goal_ids)
    extensions = [
        ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", plan.pathway_id)),
        ext(systems.EXT_PLAN_STATUS, valueCoding=coding(systems.CS_PLAN_STATUS, plan.status.value)),
        *fields.pop("extension"),
        *[event_ext(e) for e in plan.events],
    ]
    if plan.close_reason is not None:
        extensions.append(
            ext(
                systems.EXT_CLOSE_REASON,
                valueCoding=coding(systems.CS_PLAN_CLOSE_REASON, plan.close_reason.value),
            )
        )
    established = next((e.on for e in plan.events if e.kind is PlanEventKind.ESTABLISHED), None)
    data = {
        "resourceType": "CarePlan",
        "id": plan.id,
        "meta": meta_version(plan.version),
        "contained": contained,
        "extension": extensions,
        "replaces": replaces,
        "status": CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "category": [REHAB_CATEGORY],
        "title": "Rehabiliteringsplan",
        "subject": ref("Patient", plan.patient_id),
        "period": clean({"start": iso(established), "end": iso(plan.closed_on)}),
        "author": ref("Organization", plan.unit_hsa_id),
        **fields,
    }
    return clean(data)


def care_plan_to_fhir(plan: RehabPlan) -> CarePlan:
    model: CarePlan = to_model(care_plan_json(plan))  # type: ignore[assignment]
    return model


def plan_version_to_fhir(plan: RehabPlan, number: int) -> CarePlan:
    """Content version ``number`` of the plan as a CarePlan of its own (the plan's history): id the plan's,
    ``meta.versionId`` ``v<number>``, the content with its goals contained, created on/by as recorded.
    A superseded version is ``revoked``; the latest has the plan's status. KeyError: no such version."""
    version = next((v for v in plan.versions if v.number == number), None)
    if version is None:
        raise KeyError(number)
    latest = number == plan.versions[-1].number
    goal_ids = [f"g{i + 1}" for i in range(len(version.content.goals))]
    lifecycle = GOAL_STATUS[plan.status] if latest else "cancelled"
    fields = _content_fields(version.content, goal_ids)
    extensions = [
        ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", plan.pathway_id)),
        ext(systems.EXT_PLAN_VERSION, valueInteger=number),
        *fields.pop("extension"),
    ]
    data = {
        "resourceType": "CarePlan",
        "id": plan.id,
        "meta": {"versionId": f"v{number}"},
        "contained": [
            goal_resource(g, gid, plan.patient_id, lifecycle)
            for g, gid in zip(version.content.goals, goal_ids, strict=True)
        ],
        "extension": extensions,
        "status": CAREPLAN_STATUS[plan.status] if latest else "revoked",
        "intent": "plan",
        "category": [REHAB_CATEGORY],
        "title": "Rehabiliteringsplan",
        "subject": ref("Patient", plan.patient_id),
        "created": iso(version.created_on),
        "author": ref("PractitionerRole", version.created_by),
        **fields,
    }
    model: CarePlan = to_model(clean(data))  # type: ignore[assignment]
    return model


def plan_version_from_fhir(resource: Any) -> tuple[str, PlanVersion]:
    """The plan id and the content version of a CarePlan made by ``plan_version_to_fhir``."""
    data = as_json(resource)
    expect_type(data, "CarePlan")
    path = "CarePlan"
    number = ext_value(data, systems.EXT_PLAN_VERSION, "valueInteger", path)
    if not isinstance(number, int):
        raise MappingError(f"{path}.extension('plan-version')", "the version number is required")
    contained = {str(c.get("id")): c for c in data.get("contained", []) or []}
    return resource_id(data), PlanVersion(
        number=number,
        content=_content_from(data, contained, path),
        created_on=parse_date(require(data, "created", path), f"{path}.created"),
        created_by=ref_id(data.get("author"), "PractitionerRole", f"{path}.author"),
    )


def is_min_vardplan(data: Json) -> bool:
    return any(
        "min-vardplan" in codes_in(c, systems.CS_CAREPLAN_CATEGORY) for c in data.get("category", []) or []
    )


def rehab_plan_from_fhir(resource: Any) -> RehabPlan:
    data = as_json(resource)
    expect_type(data, "CarePlan")
    path = "CarePlan"
    contained = {str(c.get("id")): c for c in data.get("contained", []) or []}
    versions = []
    for i, r in enumerate(data.get("replaces", []) or []):
        reference = str(r.get("reference", ""))
        if not reference.startswith("#") or reference[1:] not in contained:
            split_ref(r, f"{path}.replaces[{i}]")
            continue  # a replaced plan elsewhere: not a content version of this plan
        v = contained[reference[1:]]
        vp = f"{path}.contained('{reference[1:]}')"
        number = ext_value(v, systems.EXT_PLAN_VERSION, "valueInteger", vp)
        if not isinstance(number, int):
            raise MappingError(f"{vp}.extension('plan-version')", "the version number is required")
        versions.append(
            PlanVersion(
                number=number,
                content=_content_from(v, contained, vp),
                created_on=parse_date(require(v, "created", vp), f"{vp}.created"),
                created_by=ref_id(v.get("author"), "PractitionerRole", f"{vp}.author"),
            )
        )
    status_code = ext_value(data, systems.EXT_PLAN_STATUS, "valueCoding", path)
    if status_code is not None:
        status = parse_enum(PlanStatus, status_code.get("code"), f"{path}.extension('plan-status')")
    else:
        reverse = {v: k for k, v in CAREPLAN_STATUS.items()}
        if data.get("status") not in reverse:
            raise MappingError(f"{path}.status", "a rehab plan is draft, active or completed")
        status = reverse[data["status"]]
    if CAREPLAN_STATUS[status] != data.get("status"):
        raise MappingError(
            f"{path}.status", f"{data.get('status')!r} does not agree with plan status {status}"
        )
    close = ext_value(data, systems.EXT_CLOSE_REASON, "valueCoding", path)
    pathway = ext_one(data, systems.EXT_PATHWAY, path)
    if pathway is None:
        raise MappingError(f"{path}.extension('pathway')", "the pathway (EpisodeOfCare) is required")
    return RehabPlan(
        id=resource_id(data),
        patient_id=ref_id(data.get("subject"), "Patient", f"{path}.subject"),
        pathway_id=ref_id(pathway.get("valueReference"), "EpisodeOfCare", f"{path}.extension('pathway')"),
        unit_hsa_id=ref_id(data.get("author"), "Organization", f"{path}.author"),
        status=status,
        content=_content_from(data, contained, path),
        versions=tuple(versions),
        events=tuple(
            _event_from(e, f"{path}.extension('plan-event')[{i}]")
            for i, e in enumerate(exts(data, systems.EXT_PLAN_EVENT))
        ),
        close_reason=parse_enum(PlanCloseReason, close.get("code"), f"{path}.extension('plan-close-reason')")
        if close
        else None,
        closed_on=opt_date((data.get("period") or {}).get("end"), f"{path}.period.end"),
        version=version_of(data),
    )
