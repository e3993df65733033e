"""Min vårdplan: the patient's own view (own data only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus, Respondent
from canrehab.instruments import questionnaire_json
from canrehab.services import assessments as assessment_service
from canrehab.services import min_vardplan as min_vardplan_service
from canrehab.services import plans as plan_service
from canrehab.services.context import Services
from canrehab.web.deps import PatientSelf, ServicesDep
from canrehab.web.pages import render
from canrehab.web.settings import WebSettings
from canrehab.web.user import WebUser
from canrehab.web.views.plan_document import plan_pdf_response, plan_print_page

router = APIRouter()
FOLLOW_UP_SUFFIXES = (".talk",)  # halsoskattning.json: "<area>.talk" asks whether to talk about <area>


def _min_vardplan(services: Services, user: WebUser, web: WebSettings) -> dict[str, Any]:
    """The page's context: the read model (``services.min_vardplan``) and the patient's open links."""
    who = user.actor
    view = min_vardplan_service.for_patient_self(services, who)
    open_assessments = []
    for a in view.assessments:
        if a.status == AssessmentStatus.IN_PROGRESS and a.respondent == Respondent.PATIENT:
            token, _expires = assessment_service.own_link(
                services, who, a.id, validity=web.assessment_link_validity
            )
            title = questionnaire_json(a.instrument_id).get("title", a.instrument_id)
            open_assessments.append({"url": f"/skattning/{token}", "title": title})
    titles = {key: questionnaire_json(key).get("title", key) for key in services.catalog.instruments}
    return {"view": view, "open_assessments": open_assessments, "instrument_titles": titles}


def _answer_rows(services: Services, assessment: Any) -> list[tuple[str, str]]:
    """The patient's own answers as (question, answer) in the instrument's order, option codes shown by
    their Swedish text."""
    instrument = services.catalog.instruments.get(assessment.instrument_id)
    if instrument is None:
        return [(k, str(v)) for k, v in assessment.answers.items()]
    rows: list[tuple[str, str]] = []
    for item in instrument.items:
        if item.link_id not in assessment.answers:
            continue
        value = assessment.answers[item.link_id]
        shown = {o.value: o.display for o in item.options}
        if isinstance(value, tuple | list):
            text = ", ".join(str(shown.get(v, v)) for v in value)
        elif isinstance(value, bool):
            text = "ja" if value else "nej"
        else:
            text = str(shown.get(value, value)) if value is not None else "–"  # type: ignore[arg-type]
        if rows and item.link_id.endswith(FOLLOW_UP_SUFFIXES):
            # "Vill du prata med någon om detta?" belongs to the area above it: one line per area
            question, answer = rows[-1]
            rows[-1] = (question, f"{answer}; vill prata med någon: {text}")
            continue
        rows.append((item.text, text))
    return rows


@router.get("/min-vardplan")
def min_vardplan(request: Request, services: ServicesDep, user: PatientSelf) -> Response:
    return render(request, "min_vardplan.html", _min_vardplan(services, user, request.app.state.web_settings))


@router.get("/min-vardplan/plan.pdf")
def min_vardplan_pdf(request: Request, services: ServicesDep, user: PatientSelf) -> Response:
    plan = plan_service.for_patient_self(services, user.actor)
    if plan is None:
        raise DomainError("plan.not_found", "Du har ingen rehabiliteringsplan ännu.", "no plan")
    return plan_pdf_response(request, services, user.actor, plan)


@router.get("/min-vardplan/plan")
def min_vardplan_print(request: Request, services: ServicesDep, user: PatientSelf) -> Response:
    plan = plan_service.for_patient_self(services, user.actor)
    if plan is None:
        raise DomainError("plan.not_found", "Du har ingen rehabiliteringsplan ännu.", "no plan")
    return plan_print_page(
        request, services, user.actor, plan, back_url="/min-vardplan", pdf_url="/min-vardplan/plan.pdf"
    )


@router.get("/min-vardplan/skattning/{assessment_id}")
def own_answers(request: Request, assessment_id: str, services: ServicesDep, user: PatientSelf) -> Response:
    """The patient reads their own answers to one assessment."""
    assessment = min_vardplan_service.own_assessment(services, user.actor, assessment_id)
    title = questionnaire_json(assessment.instrument_id).get("title", assessment.instrument_id)
    return render(
        request,
        "min_vardplan_answers.html",
        {"assessment": assessment, "title": title, "rows": _answer_rows(services, assessment)},
    )
