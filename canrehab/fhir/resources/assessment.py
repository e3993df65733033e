"""QuestionnaireResponse (the structured needs assessment) and Questionnaire (the instruments): read and
search; an assessment is recorded through ``services.assessments.record`` and changed through the web's
use cases: ``save_answers`` (save, submit) and ``confirm`` (the level, the advice given, KVÅ)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from canrehab import instruments as instruments_package
from canrehab.domain.model import Assessment, AssessmentStatus
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.assessment import advice_given_from_fhir, parse_canonical
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import (
    Handler,
    Json,
    check_version,
    fields_of,
    instant,
    kept_in,
    patient_record,
    questionnaire,
    refuse_unkept,
    with_instant,
)
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import assessments

COMPARED = frozenset(
    {
        "patient_id",
        "pathway_id",
        "unit_hsa_id",
        "instrument_id",
        "instrument_version",
        "key_moment",
        "respondent",
        "answers",
        "status",
        "confirmed_level",
    }
)


def questionnaire_response_json(a: Assessment) -> Json:
    return as_json(m.questionnaire_response_to_fhir(a, questionnaire(a.instrument_id)))


questionnaire_response_read, questionnaire_response_search = patient_record(
    "QuestionnaireResponse", "assessments", "assessment", questionnaire_response_json
)


def questionnaire_response_create(ctx: Ctx, data: Json) -> Json:
    canonical = data.get("questionnaire")
    if not canonical:
        raise FhirError(
            422,
            "QuestionnaireResponse.questionnaire is required.",
            code="required",
            expression=("QuestionnaireResponse.questionnaire",),
        )
    instrument_id, _ = parse_canonical(str(canonical), "QuestionnaireResponse.questionnaire")
    form = questionnaire(instrument_id)
    if form is None or instrument_id not in ctx.services.catalog.instruments:
        raise FhirError(
            422,
            f"QuestionnaireResponse.questionnaire: unknown instrument {instrument_id!r}.",
            code="not-found",
            expression=("QuestionnaireResponse.questionnaire",),
        )
    assessment = m.assessment_from_fhir(data, form)
    refuse_unkept(data, as_json(m.questionnaire_response_to_fhir(assessment, form)))
    return questionnaire_response_json(assessments.record(ctx.services, ctx.actor, assessment))


def questionnaire_response_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """Save answers and submit (the suggestion is computed), then confirm the level with the advice given
    (AU010/AW019 and DV1x1): the web's use cases, so the pathway gets the confirmed level and the KVÅ
    records are made as there. A requested assessment the rules do not produce is refused (rolled back)."""
    current: Assessment = find(ctx.uow.assessments, rid, "QuestionnaireResponse")
    ctx.check_write(current.patient_id, "assessment", rid)
    check_version(current.version, expected, f"QuestionnaireResponse/{rid}")
    form = questionnaire(current.instrument_id)
    wanted = m.assessment_from_fhir({**data, "id": rid}, form)
    refuse_unkept(data, as_json(m.questionnaire_response_to_fhir(wanted, form)))
    advice = advice_given_from_fhir(data)
    result = current
    submit = (
        wanted.status is not AssessmentStatus.IN_PROGRESS and current.status is not AssessmentStatus.CONFIRMED
    )
    changed = {k: v for k, v in wanted.answers.items() if current.answers.get(k, None) != v}
    changed.update({k: None for k in current.answers if k not in wanted.answers})
    if changed or (submit and current.status is AssessmentStatus.IN_PROGRESS):
        result = assessments.save_answers(
            ctx.services, ctx.actor, rid, changed, result.version, submit, on=wanted.submitted_on
        )
    if wanted.status is AssessmentStatus.CONFIRMED and result.status is not AssessmentStatus.CONFIRMED:
        if wanted.confirmed_level is None:
            raise FhirError(
                422, "Confirming needs the confirmed-needs-level extension with a level.", code="required"
            )
        result = assessments.confirm(
            ctx.services,
            ctx.actor,
            rid,
            level=wanted.confirmed_level,
            reason=wanted.override_reason,
            version=result.version,
            advice_given=advice,
            on=wanted.confirmed_on,
        )
    elif advice:
        raise FhirError(
            422,
            "QuestionnaireResponse.extension('confirmed-needs-level').advice: the advice given is recorded "
            "when the level is confirmed, not afterwards.",
            code="business-rule",
            expression=("QuestionnaireResponse.extension('confirmed-needs-level').advice",),
        )
    if fields_of(result, COMPARED) != fields_of(wanted, COMPARED):
        raise FhirError(
            422,
            "QuestionnaireResponse update: only answers, submitting (status completed) and confirming the "
            "needs level can change; the result of the assessment rules differs from the requested resource.",
            code="business-rule",
        )
    return questionnaire_response_json(result)


def _instrument_questionnaire(instrument_id: str) -> Json | None:
    """The instrument's Questionnaire, ``meta.lastUpdated`` the time its definition file last changed."""
    found = questionnaire(instrument_id)
    if found is None:
        return None
    source = Path(instruments_package.__file__).parent / f"{instrument_id}.json"
    if not source.is_file():
        return found
    changed = datetime.fromtimestamp(source.stat().st_mtime, UTC)
    return with_instant(found, instant(changed))


def questionnaire_read(ctx: Ctx, rid: str) -> Json:
    found = _instrument_questionnaire(rid) if rid in ctx.services.catalog.instruments else None
    if found is None:
        raise FhirError(404, f"Questionnaire/{rid} not found.", code="not-found")
    return found


def questionnaire_search(ctx: Ctx, query: Query) -> Page:
    instruments = sorted(ctx.services.catalog.instruments)
    found = (q for q in (_instrument_questionnaire(i) for i in instruments) if q is not None)
    return page_of(found, query)


HANDLERS = (
    Handler(
        "QuestionnaireResponse",
        questionnaire_response_read,
        questionnaire_response_search,
        questionnaire_response_create,
        questionnaire_response_update,
        kept_in("assessments", questionnaire_response_json),
    ),
    Handler("Questionnaire", questionnaire_read, questionnaire_search),
)
