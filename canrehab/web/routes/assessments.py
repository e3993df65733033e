from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.decision_support import ADVICE_CODES
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import AssessmentStatus, NeedsLevel
from canrehab.domain.permissions import Action
from canrehab.instruments import questionnaire_json
from canrehab.services import assessments as assessment_service
from canrehab.services.context import Services
from canrehab.web import forms, questionnaire
from canrehab.web.deps import Clinician, RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()


def _shown_in_form(refused: DomainError) -> bool:
    """Whether a refusal is about what was entered (the form shows itself again) rather than access, a
    missing record or a stale version (the app's own pages for those)."""
    return not (
        isinstance(refused, ConflictError)
        or refused.code.startswith("access")
        or refused.code.endswith("not_found")
    )


def _form_context(instrument: object, assessment: object, action: str) -> dict[str, object]:
    q = questionnaire.as_dict(instrument)
    answers = {k: questionnaire.form_value(v) for k, v in getattr(assessment, "answers", {}).items()}
    return {
        "title": q.get("title") or "Hälsoskattning",
        "intro": q.get("description", ""),
        "items": questionnaire.nodes(q),
        "parts": questionnaire.parts(questionnaire.nodes(q)),
        "answers": answers,
        "assessment": assessment,
        "action": action,
    }


@router.get("/bedomning/{assessment_id}")
def review(request: Request, assessment_id: str, services: ServicesDep, user: RecordReader) -> Response:
    return _review(request, assessment_id, services, user)


def _review(
    request: Request,
    assessment_id: str,
    services: Services,
    user: WebUser,
    entered: dict[str, object] | None = None,
    error: str = "",
) -> Response:
    """The review page; after a refused confirmation, with what was entered kept and the error inline."""
    assessment, patient = assessment_service.get(services, user.actor, assessment_id)
    instrument = questionnaire_json(assessment.instrument_id)
    q = questionnaire.as_dict(instrument)
    item_labels = questionnaire.short_labels(q)
    option_labels = questionnaire.option_labels(q)

    def answer_text(link_id: str, value: object) -> str:
        opts = option_labels.get(link_id, {})
        if isinstance(value, tuple):
            return ", ".join(opts.get(str(v), str(v)) for v in value)
        return opts.get(str(questionnaire.form_value(value)), str(value))  # type: ignore[arg-type]

    return render(
        request,
        "assessment_review.html",
        {
            "assessment": assessment,
            "patient": patient,
            "instrument_title": q.get("title") or assessment.instrument_id,
            "item_labels": item_labels,
            "answer_text": answer_text,
            **_levels(services, patient),
            "can_confirm": user.may(Action.CHANGE_RECORD),
            "advice_codes": ADVICE_CODES,
            "entered": entered,
            "error": error,
        },
        status_code=422 if error else 200,
    )


def _levels(services: ServicesDep, patient: Any) -> dict[str, Any]:
    """The levels the clinician chooses from and their names: the patient's level set (the children's for
    a patient under 18, else the region's)."""
    from canrehab.services.children import level_set_for

    level_set = level_set_for(services, patient, services.today())
    if level_set is None:
        return {"levels": list(NeedsLevel), "level_name": lambda v: NeedsLevel(int(v)).label_sv}
    return {"levels": list(level_set.ranks), "level_name": level_set.label}


@router.post("/bedomning/{assessment_id}/bekrafta")
def confirm(
    request: Request,
    assessment_id: str,
    services: ServicesDep,
    user: Clinician,
    level: int = Form(...),
    override_reason: str = Form(""),
    version: int = Form(...),
    advice: list[str] = Form([]),
) -> Response:
    given = tuple(dict.fromkeys(code.strip()[:8] for code in advice[:10]))
    entered: dict[str, object] = {"level": level, "reason": override_reason[:2000], "advice": given}
    try:
        needs_level = NeedsLevel(level)
    except ValueError:
        return _review(request, assessment_id, services, user, entered, "Välj en av behovsnivåerna.")
    try:
        assessment_service.confirm(
            services,
            user.actor,
            assessment_id,
            level=needs_level,
            reason=override_reason.strip()[:2000],
            version=version,
            advice_given=given,
        )
    except DomainError as refused:
        if not _shown_in_form(refused):
            raise
        return _review(request, assessment_id, services, user, entered, refused.message_sv)
    message = f"Behovsnivån är bekräftad: {needs_level.label_sv}."
    if given:
        message += f" Registrerade råd: {', '.join(given)}."
    flash(request, message)
    return RedirectResponse(f"/bedomning/{assessment_id}", status_code=303)


@router.get("/bedomning/{assessment_id}/fyll-i")
def staff_form(request: Request, assessment_id: str, services: ServicesDep, user: UnitWorker) -> Response:
    assessment, _patient = assessment_service.get(services, user.actor, assessment_id)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return RedirectResponse(f"/bedomning/{assessment_id}", status_code=303)
    instrument = questionnaire_json(assessment.instrument_id)
    return render(
        request,
        "patient_form.html",
        _form_context(instrument, assessment, f"/bedomning/{assessment_id}/fyll-i"),
    )


@router.post("/bedomning/{assessment_id}/fyll-i")
async def staff_form_save(
    request: Request, assessment_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    assessment, _patient = assessment_service.get(services, user.actor, assessment_id)
    instrument = questionnaire_json(assessment.instrument_id)
    submit = form.get("op") == "submit"
    try:
        answers = questionnaire.parse_answers(instrument, form, form.getlist)
        saved = assessment_service.save_answers(
            services, user.actor, assessment_id, answers, forms.int_field(form, "version"), submit
        )
    except DomainError as refused:
        if not _shown_in_form(refused):
            raise
        context = _form_context(instrument, assessment, f"/bedomning/{assessment_id}/fyll-i")
        context.update(questionnaire.reshow(instrument, form, form.getlist, refused.message_sv, submit))
        return render(request, "patient_form.html", context, status_code=422)
    if submit:
        flash(request, "Skattningen är inskickad. Gå igenom förslaget och bekräfta behovsnivån.")
        return RedirectResponse(f"/bedomning/{saved.id}", status_code=303)
    flash(request, "Svaren är sparade.")
    return RedirectResponse(f"/bedomning/{saved.id}/fyll-i", status_code=303)


# The patient's personal link (no login: the token is the credential).


@router.get("/skattning/{token}", name="patient_form")
def patient_form(request: Request, token: str, services: ServicesDep) -> Response:
    found = assessment_service.for_link(services, token)
    if found is None:
        return render(
            request,
            "patient_form_done.html",
            {
                "heading": "Länken fungerar inte",
                "message": "Länken är ogiltig, har gått ut eller har redan använts. "
                "Kontakta din kontaktsjuksköterska om du vill få en ny länk.",
            },
            status_code=404,
        )
    assessment, expires = found
    instrument = questionnaire_json(assessment.instrument_id)
    context = _form_context(instrument, assessment, f"/skattning/{token}")
    context["expires_on"] = expires
    if assessment.answers:  # a saved draft: offer to go on where the answers stop
        open_part = questionnaire.first_open_part(instrument, assessment.answers)
        context["resume"] = next((p for p in context["parts"] if p.key == open_part), None)  # type: ignore[attr-defined]
    return render(request, "patient_form.html", context)


@router.post("/skattning/{token}")
async def patient_form_save(request: Request, token: str, services: ServicesDep) -> Response:
    form = await request.form()
    found = assessment_service.for_link(services, token)
    if found is None:
        return render(
            request,
            "patient_form_done.html",
            {"heading": "Länken fungerar inte", "message": "Länken är ogiltig eller har gått ut."},
            status_code=404,
        )
    assessment, _expires = found
    instrument = questionnaire_json(assessment.instrument_id)
    submit = form.get("op") == "submit"
    try:
        answers = questionnaire.parse_answers(instrument, form, form.getlist)
        assessment_service.save_by_link(services, token, answers, forms.int_field(form, "version"), submit)
    except DomainError as refused:
        if not _shown_in_form(refused):
            raise
        assessment, draft_saved = _keep_draft(services, token, instrument, form, submit, assessment)
        context = _form_context(instrument, assessment, f"/skattning/{token}")
        context.update(questionnaire.reshow(instrument, form, form.getlist, refused.message_sv, submit))
        context.update({"expires_on": _expires, "draft_saved": draft_saved})
        return render(request, "patient_form.html", context, status_code=422)
    if submit:
        return render(
            request,
            "patient_form_done.html",
            {
                "heading": "Tack för dina svar!",
                "message": "Dina svar är skickade till din kontaktsjuksköterska, "
                "som går igenom dem tillsammans med dig.",
                "summary": questionnaire.answer_summary(instrument, answers),
            },
        )
    flash(request, "Dina svar är sparade. Du kan fortsätta senare med samma länk.")
    open_part = questionnaire.first_open_part(instrument, answers)  # go on where the answers stop
    return RedirectResponse(
        f"/skattning/{token}" + (f"#del-{open_part}" if open_part else ""), status_code=303
    )


def _keep_draft(
    services: Services, token: str, instrument: object, form: Any, submit: bool, assessment: Any
) -> tuple[Any, bool]:
    """After a refused submission, save what was answered as a draft, so that reopening the link shows it;
    the assessment (with its new version) and whether the draft was saved."""
    if not submit:
        return assessment, False
    try:
        answers = questionnaire.parse_answers(instrument, form, form.getlist)
        assessment_service.save_by_link(services, token, answers, forms.int_field(form, "version"), False)
    except DomainError:
        return assessment, False
    found = assessment_service.for_link(services, token)
    return (found[0], True) if found is not None else (assessment, False)
