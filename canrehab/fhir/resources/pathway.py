"""EpisodeOfCare (the pathway, with phases, contact nurse and Min vårdplan) and Condition (its diagnosis):
read and search; create and update through ``services.pathways`` (a pathway started at välgrundad misstanke,
created with its SVF record through ``services.suspicion.record``). Updating the Condition of a pathway
started at välgrundad misstanke confirms the diagnosis (verificationStatus ``confirmed``, the ICD-10-SE code
and ``recordedDate``) or dismisses the suspicion (``refuted`` with ``abatementDateTime``) through
``services.suspicion``, the use cases the web pages call. The pathway's SVF record travels in the
EpisodeOfCare's extension ``svf`` (read and written through ``services.svf``: ``resources.svf``)."""

from __future__ import annotations

from canrehab.domain.model import Pathway
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import MappingError, as_json, parse_date
from canrehab.fhir.mapping.pathway import CONDITION_SUFFIX
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import (
    Handler,
    Json,
    Kept,
    check_version,
    need_patients,
    patient_checked,
    refuse_unkept,
)
from canrehab.fhir.resources.svf import record_sent, stored_svf
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import pathways, suspicion


def episode_json(p: Pathway, svf: m.SvfState | None = None) -> Json:
    return as_json(m.episode_to_fhir(p, svf))


def episode_of(ctx: Ctx, p: Pathway) -> Json:
    """The pathway's EpisodeOfCare with its SVF record (every read, search and version serves this)."""
    return episode_json(p, stored_svf(ctx, p))


def pathway_read(ctx: Ctx, rid: str, rtype: str) -> Pathway:
    pathway: Pathway = find(ctx.uow.pathways, rid, rtype)
    ctx.check_read(pathway.patient_id, "pathway", pathway.id)
    return pathway


def episode_read(ctx: Ctx, rid: str) -> Json:
    return episode_of(ctx, pathway_read(ctx, rid, "EpisodeOfCare"))


def pathways_of(ctx: Ctx, query: Query, rtype: str) -> list[Pathway]:
    out = []
    for patient_id in need_patients(query, rtype):
        patient_checked(ctx, patient_id)
        out += ctx.uow.pathways.for_patient(patient_id)
    return out


def episode_search(ctx: Ctx, query: Query) -> Page:
    return page_of((episode_of(ctx, p) for p in pathways_of(ctx, query, "EpisodeOfCare")), query)


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
    sent = m.svf_from_fhir(episode)
    refuse_unkept(data, episode_json(pathway, sent))
    refuse_unkept(condition, as_json(m.condition_to_fhir(pathway)))
    if pathway.suspicion_on is not None and sent is None:
        # started at välgrundad misstanke: the pathway with the SVF record of its diagnosis process, as the
        # web page starts it
        saved = suspicion.record(ctx.services, ctx.actor, pathway)
        return episode_of(ctx, saved)
    # the SVF record as sent (any SVF pathway, its dates), with the pathway in one unit of work
    saved = pathways.record(ctx.services, ctx.actor, pathway)
    svf = record_sent(ctx, saved, sent, None, creating=True)
    return episode_json(_again(ctx, saved, svf), svf)


def _again(ctx: Ctx, saved: Pathway, svf: m.SvfState | None) -> Pathway:
    """The pathway as stored after its SVF record was written (recording it moves the pathway's version)."""
    if svf is None:
        return saved
    again: Pathway = find(ctx.uow.pathways, saved.id, "EpisodeOfCare")
    return again


def episode_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Phases, contact nurse, Min vårdplan and closing through the pathway rules (``services.pathways``),
    then the SVF record (``services.svf``, its own version); a requested pathway the rules do not produce, or
    a refused SVF record, is refused, and what the use cases stored rolls back."""
    current: Pathway = find(ctx.uow.pathways, rid, "EpisodeOfCare")
    ctx.check_write(current.patient_id, "pathway", rid)
    check_version(current.version, expected, f"EpisodeOfCare/{rid}")
    condition = as_json(m.condition_to_fhir(current))
    episode = {k: v for k, v in data.items() if k != "contained"}
    wanted = m.pathway_from_fhir({**episode, "id": rid}, condition)
    sent = m.svf_from_fhir(episode)
    refuse_unkept(data, episode_json(wanted, sent))
    stored = stored_svf(ctx, current)
    saved = pathways.change(ctx.services, ctx.actor, rid, wanted, expected)
    if saved.model_copy(update={"version": 0}) != wanted.model_copy(update={"version": 0}):
        raise FhirError(
            422,
            "EpisodeOfCare update: only new phases, a new contact nurse, Min vårdplan steps (offer, "
            "establish, revise, decline) and closing can be changed; the requested resource differs in "
            "other elements (the diagnosis, unit and patient cannot change).",
            code="business-rule",
        )
    svf = record_sent(ctx, saved, sent, stored)
    return episode_json(_again(ctx, saved, svf), svf)


def condition_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Confirm or dismiss the suspicion of the Condition's pathway; a Condition that asks for nothing else
    than what is stored changes nothing, any other change is refused (422)."""
    if not rid.endswith(CONDITION_SUFFIX):
        raise FhirError(404, f"Condition/{rid} not found.", code="not-found")
    current = pathway_read(ctx, rid.removesuffix(CONDITION_SUFFIX), "Condition")
    ctx.check_write(current.patient_id, "pathway", current.id)
    check_version(current.version, expected, f"Condition/{rid}")
    stored = as_json(m.condition_to_fhir(current))
    wanted = m.condition_verification(data)
    saved = current
    if wanted == "confirmed" and not current.diagnosis.confirmed:
        diagnosis = m.diagnosis_from_fhir(data)
        assert diagnosis.icd10 is not None and diagnosis.diagnosed_on is not None
        saved = suspicion.confirm(
            ctx.services,
            ctx.actor,
            current.id,
            expected,
            icd10=diagnosis.icd10,
            diagnosed_on=diagnosis.diagnosed_on,
        )
    elif wanted == "refuted" and not current.suspicion_dismissed:
        raw = data.get("abatementDateTime")
        if raw is None:
            raise MappingError(
                "Condition.abatementDateTime", "the day the suspicion was dismissed is required"
            )
        on = parse_date(raw, "Condition.abatementDateTime")
        saved = suspicion.dismiss(ctx.services, ctx.actor, current.id, expected, on=on)
    result = as_json(m.condition_to_fhir(saved))
    refuse_unkept(data, result)
    if saved is current and m.condition_verification(stored) != wanted:
        raise FhirError(
            422,
            f"Condition update: a {m.condition_verification(stored)} Condition cannot become {wanted}.",
            code="business-rule",
        )
    return result


HANDLERS = (
    Handler(
        "EpisodeOfCare",
        episode_read,
        episode_search,
        episode_create,
        episode_update,
        Kept(lambda ctx, p, _rid: episode_of(ctx, p), lambda rid: ("pathways", rid)),
    ),
    Handler("Condition", condition_read, condition_search, update=condition_update),
)
