from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.decision_support import ADVICE_CODES
from canrehab.domain.model import AssessmentStatus, NeedsLevel
from canrehab.domain.permissions import Action
from canrehab.instruments import questionnaire_json
from canrehab.services import assessments as assessment_service
from canrehab.web import forms, questionnaire
from canrehab.web.deps import Clinician, RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import error_page, flash, render

router = APIRouter()


def _form_context(instrument: object, assessment: object, action: str) -> dict[str, object]:
    q = questionnaire.as_dict(instrument)
    answers = {k: questionnaire.form_value(v) for k, v in getattr(assessment, "answers", {}).items()}
    return {
        "title": q.get("title") or "Hälsoskattning",
        "intro": q.get("description", ""),
        "items": questionnaire.nodes(q),
        "answers": answers,
        "assessment": assessment,
        "action": action,
    }


@router.get("/bedomning/{assessment_id}")
def review(request: Request, assessment_id: str, services: ServicesDep, user: RecordReader) -> Response:
    assessment, patient = assessment_service.get(services, user.actor, assessment_id)
    instrument = questionnaire_json(assessment.instrument_id)
    q = questionnaire.as_dict(instrument)
    item_labels = questionnaire.labels(q)
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
            "levels": list(NeedsLevel),
            "can_confirm": user.may(Action.CHANGE_RECORD),
            "advice_codes": ADVICE_CODES,
        },
    )


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
    try:
        needs_level = NeedsLevel(level)
    except ValueError:
        return error_page(request, 400, "Ogiltig nivå", "Välj en av de fyra behovsnivåerna.")
    given = tuple(dict.fromkeys(code.strip()[:8] for code in advice[:10]))
    assessment_service.confirm(
        services,
        user.actor,
        assessment_id,
        level=needs_level,
        reason=override_reason.strip()[:2000],
        version=version,
        advice_given=given,
    )
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
    answers = questionnaire.parse_answers(instrument, form, form.getlist)
    submit = form.get("op") == "submit"
    saved = assessment_service.save_answers(
        services, user.actor, assessment_id, answers, forms.int_field(form, "version"), submit
    )
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
    answers = questionnaire.parse_answers(instrument, form, form.getlist)
    submit = form.get("op") == "submit"
    assessment_service.save_by_link(services, token, answers, forms.int_field(form, "version"), submit)
    if submit:
        return render(
            request,
            "patient_form_done.html",
            {
                "heading": "Tack för dina svar!",
                "message": "Dina svar är skickade till din kontaktsjuksköterska, "
                "som går igenom dem tillsammans med dig.",
            },
        )
    flash(request, "Dina svar är sparade. Du kan fortsätta senare med samma länk.")
    return RedirectResponse(f"/skattning/{token}", status_code=303)
