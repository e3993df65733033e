"""Min vårdplan: the patient's own view (own data only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus, Respondent
from canrehab.instruments import questionnaire_json
from canrehab.services import assessments as assessment_service
from canrehab.services import patients as patient_service
from canrehab.services import plans as plan_service
from canrehab.services.context import Services
from canrehab.web.deps import PatientSelf, ServicesDep
from canrehab.web.pages import render
from canrehab.web.settings import WebSettings
from canrehab.web.user import WebUser
from canrehab.web.views.plan_document import contacts, plan_pdf_response, plan_print_page

router = APIRouter()


def _own_patient_id(user: WebUser) -> str:
    if not user.patient_id:
        raise DomainError("access.denied", "Kontot är inte kopplat till en patient.", "no patient on account")
    return user.patient_id


def _min_vardplan(services: Services, user: WebUser, web: WebSettings) -> dict[str, Any]:
    """The page's context: contacts, the patient's open assessment links, the plan, the advice given."""
    who = user.actor
    record = patient_service.patient_record(services, who, _own_patient_id(user))
    found_contacts, _unit = contacts(record, services.today())
    plan = plan_service.for_patient_self(services, who)
    advice: list[str] = []
    for a in record.assessments:
        if a.suggestion is not None:
            advice.extend(c for c in a.suggestion.advice_codes if c not in advice)
    open_assessments = []
    for a in record.assessments:
        if a.status == AssessmentStatus.IN_PROGRESS and a.respondent == Respondent.PATIENT:
            token, _expires = assessment_service.own_link(
                services, who, a.id, validity=web.assessment_link_validity
            )
            title = questionnaire_json(a.instrument_id).get("title", a.instrument_id)
            open_assessments.append({"url": f"/skattning/{token}", "title": title})
    titles = {key: questionnaire_json(key).get("title", key) for key in services.catalog.instruments}
    return {
        "patient": record.patient,
        "contacts": found_contacts,
        "open_assessments": open_assessments,
        "plan": plan,
        "advice": advice,
        "assessments": record.assessments,
        "instrument_titles": titles,
    }


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
