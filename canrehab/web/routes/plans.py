from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.model import PlanCloseReason, PlanContent
from canrehab.web import backend, forms
from canrehab.web.app import RECORD_ROLES, STAFF_ROLES, error_page, flash, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()

OP_MESSAGES = {
    "save": "Utkastet är sparat.",
    "establish": "Planen är upprättad (KVÅ AW020).",
    "follow_up": "Planen är uppföljd utan ändring (KVÅ AW024).",
    "revise": "Planen är uppföljd och reviderad (KVÅ AW027).",
}


def _editor(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    content: PlanContent | None,
    extra_rows: int = 2,
) -> Response:
    context = backend.patient_header(request, user, patient_id)
    plan = backend.current_plan(request, user, pathway_id)
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
        }
    )
    return render(request, "plan_edit.html", context)


@router.get("/patient/{patient_id}/plan")
def plan_page(
    request: Request, patient_id: str, pathway_id: str, user: WebUser = require_roles(*RECORD_ROLES)
) -> Response:
    return _editor(request, user, patient_id, pathway_id, None)


@router.post("/patient/{patient_id}/plan")
async def plan_save(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    pathway_id = forms.text(form, "pathway_id", 64)
    content = forms.plan_content(form)
    op = forms.text(form, "op", 20)
    if op == "more":
        return _editor(request, user, patient_id, pathway_id, content, extra_rows=4)
    if op not in OP_MESSAGES:
        return error_page(request, 400, "Okänd åtgärd", "Välj en av knapparna i formuläret.")
    plan = backend.plan_action(
        request,
        user,
        patient_id,
        pathway_id,
        op,
        content,
        forms.int_field(form, "version"),
        forms.text(form, "note", 500),
        next_follow_up_on=forms.opt_date(form, "next_follow_up_on") if op == "follow_up" else None,
    )
    message = OP_MESSAGES[op]
    if op == "follow_up" and plan.content.follow_up_on and plan.events[-1].follow_up_on:
        message += f" Nästa uppföljning: {plan.content.follow_up_on.isoformat()}."
    flash(request, message)
    return RedirectResponse(f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}", status_code=303)


@router.post("/plan/{plan_id}/avsluta")
def plan_close(
    request: Request,
    plan_id: str,
    reason: str = Form(...),
    version: int = Form(...),
    user: WebUser = require_roles(*STAFF_ROLES),
) -> Response:
    try:
        close_reason = PlanCloseReason(reason)
    except ValueError:
        return error_page(request, 400, "Ogiltig orsak", "Välj en orsak i listan.")
    plan = backend.close_plan(request, user, plan_id, close_reason, version)
    flash(request, "Planen är avslutad (KVÅ AW035).")
    return RedirectResponse(f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}", status_code=303)


@router.get("/plan/{plan_id}/pdf")
def plan_pdf(request: Request, plan_id: str, user: WebUser = require_roles(*RECORD_ROLES)) -> Response:
    data = backend.plan_pdf(request, user, plan_id=plan_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="min-vardplan.pdf"'},
    )
