from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.decision_support import ADVICE_CODES
from canrehab.domain.model import AssessmentStatus, NeedsLevel
from canrehab.web import backend, forms, questionnaire
from canrehab.web.app import RECORD_ROLES, STAFF_ROLES, error_page, flash, render
from canrehab.web.auth import WebUser, require_roles

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
def review(request: Request, assessment_id: str, user: WebUser = require_roles(*RECORD_ROLES)) -> Response:
    assessment, patient = backend.get_assessment(request, user, assessment_id)
    instrument = backend.instrument(assessment.instrument_id)
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
            "can_confirm": user.role in ("nurse", "doctor", "rehab_professional"),
            "advice_codes": ADVICE_CODES,
        },
    )


@router.post("/bedomning/{assessment_id}/bekrafta")
def confirm(
    request: Request,
    assessment_id: str,
    level: int = Form(...),
    override_reason: str = Form(""),
    version: int = Form(...),
    advice: list[str] = Form([]),
    user: WebUser = require_roles("nurse", "doctor", "rehab_professional"),
) -> Response:
    try:
        needs_level = NeedsLevel(level)
    except ValueError:
        return error_page(request, 400, "Ogiltig nivå", "Välj en av de fyra behovsnivåerna.")
    given = tuple(dict.fromkeys(code.strip()[:8] for code in advice[:10]))
    backend.confirm_level(
        request, user, assessment_id, needs_level, override_reason.strip()[:2000], version, given
    )
    message = f"Behovsnivån är bekräftad: {needs_level.label_sv}."
    if given:
        message += f" Registrerade råd: {', '.join(given)}."
    flash(request, message)
    return RedirectResponse(f"/bedomning/{assessment_id}", status_code=303)


@router.get("/bedomning/{assessment_id}/fyll-i")
def staff_form(request: Request, assessment_id: str, user: WebUser = require_roles(*STAFF_ROLES)) -> Response:
    assessment, _patient = backend.get_assessment(request, user, assessment_id)
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        return RedirectResponse(f"/bedomning/{assessment_id}", status_code=303)
    instrument = backend.instrument(assessment.instrument_id)
    return render(
        request,
        "patient_form.html",
        _form_context(instrument, assessment, f"/bedomning/{assessment_id}/fyll-i"),
    )


@router.post("/bedomning/{assessment_id}/fyll-i")
async def staff_form_save(
    request: Request, assessment_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    assessment, _patient = backend.get_assessment(request, user, assessment_id)
    instrument = backend.instrument(assessment.instrument_id)
    answers = questionnaire.parse_answers(instrument, form, form.getlist)
    submit = form.get("op") == "submit"
    saved = backend.save_answers(
        request, user, assessment_id, answers, forms.int_field(form, "version"), submit
    )
    if submit:
        flash(request, "Skattningen är inskickad. Gå igenom förslaget och bekräfta behovsnivån.")
        return RedirectResponse(f"/bedomning/{saved.id}", status_code=303)
    flash(request, "Svaren är sparade.")
    return RedirectResponse(f"/bedomning/{saved.id}/fyll-i", status_code=303)


# ------------------------------------------------------------------------------ the patient's personal link


@router.get("/skattning/{token}", name="patient_form")
def patient_form(request: Request, token: str) -> Response:
    found = backend.assessment_for_link(request, token)
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
    instrument = backend.instrument(assessment.instrument_id)
    context = _form_context(instrument, assessment, f"/skattning/{token}")
    context["expires_on"] = expires
    return render(request, "patient_form.html", context)


@router.post("/skattning/{token}")
async def patient_form_save(request: Request, token: str) -> Response:
    form = await request.form()
    found = backend.assessment_for_link(request, token)
    if found is None:
        return render(
            request,
            "patient_form_done.html",
            {"heading": "Länken fungerar inte", "message": "Länken är ogiltig eller har gått ut."},
            status_code=404,
        )
    assessment, _expires = found
    instrument = backend.instrument(assessment.instrument_id)
    answers = questionnaire.parse_answers(instrument, form, form.getlist)
    submit = form.get("op") == "submit"
    backend.save_answers_by_link(request, token, answers, forms.int_field(form, "version"), submit)
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
