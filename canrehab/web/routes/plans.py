from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import PlanCloseReason, PlanContent
from canrehab.services import patients as patient_service
from canrehab.services import plans as plan_service
from canrehab.services.context import Services
from canrehab.web import forms
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import error_page, flash, render
from canrehab.web.user import WebUser
from canrehab.web.views.patient import header
from canrehab.web.views.plan_document import plan_pdf_response, plan_print_page

router = APIRouter()

OP_MESSAGES = {
    "save": "Utkastet är sparat.",
    "establish": "Planen är upprättad (KVÅ AW020).",
    "follow_up": "Planen är uppföljd utan ändring (KVÅ AW024).",
    "revise": "Planen är uppföljd och reviderad (KVÅ AW027).",
}


def _editor(
    request: Request,
    services: Services,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    content: PlanContent | None,
    extra_rows: int = 2,
    *,
    error: str = "",
    entered: dict[str, str] | None = None,
) -> Response:
    """The plan editor; with ``error`` the refused form again, status 400, with everything typed kept
    (``content`` and the ``entered`` note / next follow-up) and the reason inline."""
    context = header(patient_service.patient_brief(services, user.actor, patient_id))
    plan = plan_service.current(services, user.actor, pathway_id)
    content = content or (plan.content if plan else PlanContent())
    goals, actions = forms.editor_rows(content, extra_rows)
    context.update(
        {
            "plan": plan,
            "content": content,
            "goal_rows": goals,
            "action_rows": actions,
            "pathway_id": pathway_id,
            "action": f"/patient/{patient_id}/plan",
            "error": error,
            "entered": entered or {},
        }
    )
    return render(request, "plan_edit.html", context, status_code=400 if error else 200)


@router.get("/patient/{patient_id}/plan")
def plan_page(
    request: Request, patient_id: str, pathway_id: str, services: ServicesDep, user: RecordReader
) -> Response:
    return _editor(request, services, user, patient_id, pathway_id, None)


@router.post("/patient/{patient_id}/plan")
async def plan_save(request: Request, patient_id: str, services: ServicesDep, user: UnitWorker) -> Response:
    form = await request.form()
    pathway_id = forms.text(form, "pathway_id", 64)
    content = forms.plan_content(form)
    op = forms.text(form, "op", 20)
    if op == "more":
        return _editor(request, services, user, patient_id, pathway_id, content, extra_rows=4)
    entered = {
        "note": forms.text(form, "note", 500),
        "next_follow_up_on": forms.text(form, "next_follow_up_on", 10),
    }

    def again(message: str) -> Response:
        return _editor(
            request, services, user, patient_id, pathway_id, content, error=message, entered=entered
        )

    if op not in OP_MESSAGES:
        return again("Välj en av knapparna i formuläret.")
    bad_dates = [
        label
        for name, label in (
            ("follow_up_on", "uppföljningsdatumet"),
            ("next_follow_up_on", "nästa uppföljning"),
        )
        if forms.text(form, name) and forms.opt_date(form, name) is None
    ]
    if bad_dates:
        return again(f"Ange {' och '.join(bad_dates)} som ÅÅÅÅ-MM-DD.")
    try:
        plan = plan_service.act(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=pathway_id,
            op=op,
            content=content,
            version=forms.int_field(form, "version"),
            note=entered["note"],
            next_follow_up_on=forms.opt_date(form, "next_follow_up_on") if op == "follow_up" else None,
        )
    except ConflictError:
        raise
    except DomainError as refused:
        if refused.code.endswith("not_found") or "access" in refused.code:
            raise
        return again(refused.message_sv)
    message = OP_MESSAGES[op]
    if op == "follow_up" and plan.content.follow_up_on and plan.events[-1].follow_up_on:
        message += f" Nästa uppföljning: {plan.content.follow_up_on.isoformat()}."
    flash(request, message)
    return RedirectResponse(f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}", status_code=303)


@router.post("/plan/{plan_id}/avsluta")
def plan_close(
    request: Request,
    plan_id: str,
    services: ServicesDep,
    user: UnitWorker,
    reason: str = Form(...),
    version: int = Form(...),
) -> Response:
    try:
        close_reason = PlanCloseReason(reason)
    except ValueError:
        return error_page(request, 400, "Ogiltig orsak", "Välj en orsak i listan.")
    plan = plan_service.close(services, user.actor, plan_id, close_reason, version)
    flash(request, "Planen är avslutad (KVÅ AW035).")
    return RedirectResponse(f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}", status_code=303)


@router.get("/plan/{plan_id}/pdf")
def plan_pdf(request: Request, plan_id: str, services: ServicesDep, user: RecordReader) -> Response:
    return plan_pdf_response(request, services, user.actor, plan_service.get(services, user.actor, plan_id))


@router.get("/plan/{plan_id}/utskrift")
def plan_print(request: Request, plan_id: str, services: ServicesDep, user: RecordReader) -> Response:
    plan = plan_service.get(services, user.actor, plan_id)
    back = f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}"
    return plan_print_page(request, services, user.actor, plan, back_url=back, pdf_url=f"/plan/{plan_id}/pdf")
