"""Bulk export of a period's data as NDJSON per resource type (``$export``-style, synchronous).

Scope: the pathways active in the period (diagnosed on or before its end, not closed before its start)
that the caller may see: all pathways for admin/system and regional analysts, the pathways of the caller's
units for a unit manager. Pseudonymised unless the caller's role sees identities: the Patient is its
analytical pseudonym only (no name, no personnummer, birth year only), every reference to it uses the
pseudonym, free text (answers, handover content, reasons, plan texts, staff names) is removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from canrehab.domain.model import Pathway, Patient
from canrehab.domain.permissions import Action, allowed
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.assessment import questionnaire_response_json
from canrehab.fhir.resources.plan import goals_of

Json = dict[str, Any]
TYPES = (
    "Patient",
    "EpisodeOfCare",
    "Condition",
    "QuestionnaireResponse",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Task",
    "Procedure",
)
REMOVED = "(borttaget vid pseudonymisering)"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def overlaps(self, p: Pathway) -> bool:
        return p.diagnosis.diagnosed_on <= self.end and (p.closed_on is None or p.closed_on >= self.start)

    def contains(self, d: date | None) -> bool:
        return d is not None and self.start <= d <= self.end


def parse_period(start: str | None, end: str | None) -> Period:
    try:
        s = date.fromisoformat(start) if start else date.min
        e = date.fromisoformat(end) if end else date.max
    except ValueError as exc:
        raise FhirError(400, "start and end must be dates (YYYY-MM-DD).", code="value") from exc
    if e < s:
        raise FhirError(400, "end is before start.", code="value")
    return Period(s, e)


def parse_types(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return TYPES
    wanted = tuple(t.strip() for t in raw.split(",") if t.strip())
    unknown = [t for t in wanted if t not in TYPES]
    if unknown:
        raise FhirError(
            400,
            f"_type: cannot export {', '.join(unknown)} (one of {', '.join(TYPES)}).",
            code="not-supported",
            expression=("_type",),
        )
    return wanted


def _pathways(ctx: Ctx, period: Period) -> list[Pathway]:
    ctx.require_action(Action.BULK_EXPORT, "export data")
    repo = ctx.uow.pathways
    if allowed(ctx.actor.role, Action.BULK_EXPORT_ALL_UNITS):
        found = [repo.get(pid) for pid in repo.all_ids()]
    else:
        found = [p for unit in sorted(ctx.actor.unit_hsa_ids) for p in repo.for_unit(unit)]
    unique = {p.id: p for p in found}
    return sorted((p for p in unique.values() if period.overlaps(p)), key=lambda p: p.id)


def _scrub(node: Any, patient_refs: dict[str, str]) -> Any:
    """Pseudonymises references to patients and removes free text."""
    if isinstance(node, dict):
        out: Json = {}
        for k, v in node.items():
            if k == "reference" and isinstance(v, str) and v in patient_refs:
                out[k] = patient_refs[v]
            elif (
                k == "display"
                and "reference" in node
                and not str(node["reference"]).startswith("Organization/")
            ):
                continue  # staff names
            elif k in ("valueString", "description", "text") and isinstance(v, str):
                out[k] = REMOVED
            else:
                out[k] = _scrub(v, patient_refs)
        return out
    if isinstance(node, list):
        return [_scrub(v, patient_refs) for v in node]
    return node


def resources(ctx: Ctx, period: Period, types: tuple[str, ...]) -> Iterator[Json]:
    """The export's resources, grouped by type in ``types`` order."""
    pseudonymised = not ctx.sees_identities
    pathways = _pathways(ctx, period)
    pathway_ids = {p.id for p in pathways}
    patients: dict[str, Patient] = {}
    for p in pathways:
        patients.setdefault(p.patient_id, ctx.uow.patients.get(p.patient_id))
    refs = {f"Patient/{pid}": f"Patient/{pat.pseudonym}" for pid, pat in patients.items()}

    def out(resource: Json) -> Json:
        return _scrub(resource, refs) if pseudonymised else resource

    for rtype in types:
        if rtype == "Patient":
            for pat in patients.values():
                yield as_json(m.patient_to_fhir(pat, pseudonymised=pseudonymised))
        elif rtype == "EpisodeOfCare":
            for p in pathways:
                yield out(as_json(m.episode_to_fhir(p)))
        elif rtype == "Condition":
            for p in pathways:
                yield out(as_json(m.condition_to_fhir(p)))
        for pid in patients:
            if rtype == "QuestionnaireResponse":
                for a in ctx.uow.assessments.for_patient(pid):
                    if a.pathway_id in pathway_ids and period.contains(a.submitted_on or a.started_on):
                        yield out(questionnaire_response_json(a))
            elif rtype in ("CarePlan", "Goal"):
                for plan in ctx.uow.plans.for_patient(pid):
                    if plan.pathway_id not in pathway_ids:
                        continue
                    if rtype == "CarePlan":
                        yield out(as_json(m.care_plan_to_fhir(plan)))
                    else:
                        yield from (out(g) for g in goals_of(plan).values())
            elif rtype == "ServiceRequest":
                for r in ctx.uow.referrals.for_patient(pid):
                    if r.pathway_id in pathway_ids and period.contains(r.sent_on):
                        yield out(as_json(m.service_request_to_fhir(r)))
            elif rtype == "Task":
                for h in ctx.uow.handovers.for_patient(pid):
                    if h.pathway_id in pathway_ids and period.contains(h.sent_on):
                        yield out(as_json(m.task_to_fhir(h)))
            elif rtype == "Procedure":
                for k in ctx.uow.kva.for_patient(pid):
                    if k.pathway_id in pathway_ids and period.contains(k.performed_on):
                        yield out(as_json(m.procedure_to_fhir(k)))


def ndjson(items: Iterator[Json]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in items)
