"""EpisodeOfCare (the pathway, with phases, contact nurse and Min vårdplan) and Condition (its diagnosis):
read and search; create and update through ``services.pathways``."""

from __future__ import annotations

from canrehab.domain.model import Pathway
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.mapping.pathway import CONDITION_SUFFIX
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import (
    Handler,
    Json,
    check_version,
    kept_in,
    need_patients,
    patient_checked,
    refuse_unkept,
)
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import pathways


def episode_json(p: Pathway) -> Json:
    return as_json(m.episode_to_fhir(p))


def pathway_read(ctx: Ctx, rid: str, rtype: str) -> Pathway:
    pathway: Pathway = find(ctx.uow.pathways, rid, rtype)
    ctx.check_read(pathway.patient_id, "pathway", pathway.id)
    return pathway


def episode_read(ctx: Ctx, rid: str) -> Json:
    return episode_json(pathway_read(ctx, rid, "EpisodeOfCare"))


def pathways_of(ctx: Ctx, query: Query, rtype: str) -> list[Pathway]:
    out = []
    for patient_id in need_patients(query, rtype):
        patient_checked(ctx, patient_id)
        out += ctx.uow.pathways.for_patient(patient_id)
    return out


def episode_search(ctx: Ctx, query: Query) -> Page:
    return page_of((episode_json(p) for p in pathways_of(ctx, query, "EpisodeOfCare")), query)


def condition_read(ctx: Ctx, rid: str) -> Json:
    if not rid.endswith(CONDITION_SUFFIX):
        raise FhirError(404, f"Condition/{rid} not found.", code="not-found")
    return as_json(m.condition_to_fhir(pathway_read(ctx, rid.removesuffix(CONDITION_SUFFIX), "Condition")))


def condition_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.condition_to_fhir(p)) for p in pathways_of(ctx, query, "Condition")), query)


def _contained_condition(data: Json) -> Json:
    diagnoses = data.get("diagnosis") or []
    if not diagnoses:
        raise FhirError(
            422,
            "EpisodeOfCare.diagnosis: the Condition (ICD-10 diagnosis) is required.",
            code="required",
            expression=("EpisodeOfCare.diagnosis",),
        )
    reference = str((diagnoses[0].get("condition") or {}).get("reference", ""))
    contained = {str(c.get("id")): c for c in data.get("contained", []) or []}
    if reference.startswith("#") and reference[1:] in contained:
        return contained[reference[1:]]
    raise FhirError(
        422,
        "EpisodeOfCare.diagnosis[0].condition must reference a contained Condition (#id) or a Condition "
        "in the same transaction Bundle.",
        code="processing",
        expression=("EpisodeOfCare.diagnosis[0].condition",),
    )


def episode_create(ctx: Ctx, data: Json) -> Json:
    condition = _contained_condition(data)
    episode = {k: v for k, v in data.items() if k != "contained"}
    pathway = m.pathway_from_fhir(episode, condition)
    refuse_unkept(data, episode_json(pathway))
    refuse_unkept(condition, as_json(m.condition_to_fhir(pathway)))
    return episode_json(pathways.record(ctx.services, ctx.actor, pathway))


def episode_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Phases, contact nurse, Min vårdplan and closing through the pathway rules (``services.pathways``);
    a requested pathway the rules do not produce is refused, and what the use case stored rolls back."""
    current: Pathway = find(ctx.uow.pathways, rid, "EpisodeOfCare")
    ctx.check_write(current.patient_id, "pathway", rid)
    check_version(current.version, expected, f"EpisodeOfCare/{rid}")
    condition = as_json(m.condition_to_fhir(current))
    episode = {k: v for k, v in data.items() if k != "contained"}
    wanted = m.pathway_from_fhir({**episode, "id": rid}, condition)
    refuse_unkept(data, episode_json(wanted))
    saved = pathways.change(ctx.services, ctx.actor, rid, wanted, expected)
    if saved.model_copy(update={"version": 0}) != wanted.model_copy(update={"version": 0}):
        raise FhirError(
            422,
            "EpisodeOfCare update: only new phases, a new contact nurse, Min vårdplan steps (offer, "
            "establish, revise, decline) and closing can be changed; the requested resource differs in "
            "other elements (the diagnosis, unit and patient cannot change).",
            code="business-rule",
        )
    return episode_json(saved)


HANDLERS = (
    Handler(
        "EpisodeOfCare",
        episode_read,
        episode_search,
        episode_create,
        episode_update,
        kept_in("pathways", episode_json),
    ),
    Handler("Condition", condition_read, condition_search),
)
