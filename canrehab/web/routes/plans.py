from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import PlanCloseReason, PlanContent
from canrehab.services import patients as patient_service
from canrehab.services import plans as plan_service
from canrehab.services.context import Services
from canrehab.web import forms
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
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
    typed: Mapping[str, Any] | None = None,
    field_errors: dict[str, str] | None = None,
    close_error: str = "",
) -> Response:
    """The plan editor; with ``error`` the refused form again, status 400, with everything typed kept
    (``typed``: the posted form, its goal and action rows as they were sent, even a date that does not
    parse; ``entered``: the note / next follow-up) and the reasons inline (``field_errors`` by field name,
    ``close_error`` at the close form)."""
    context = header(patient_service.patient_brief(services, user.actor, patient_id))
    plan = plan_service.current(services, user.actor, pathway_id)
    content = content or (plan.content if plan else PlanContent())
    goals: list[Any]  # the domain rows, or the rows as typed (dicts of raw text) when refused
    actions: list[Any]
    if typed is not None:
        goals, actions = _typed_rows(typed, extra_rows)
    else:
        goals, actions = forms.editor_rows(content, extra_rows)
    refused = bool(error or close_error)
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
            "field_errors": field_errors or {},
            "close_error": close_error,
        }
    )
    if typed is not None:
        context["typed_follow_up"] = forms.text(typed, "follow_up_on", 10)
    return render(request, "plan_edit.html", context, status_code=400 if refused else 200)


GOAL_FIELDS = {
    "text": "goal_text",
    "responsible": "goal_responsible",
    "profession": "goal_profession",
    "target_date": "goal_date",
}
ACTION_FIELDS = {
    "what": "action_what",
    "who": "action_who",
    "profession": "action_profession",
    "when": "action_date",
}


def _rows(form: Mapping[str, Any], count_field: str, names: dict[str, str]) -> list[dict[str, str]]:
    """The rows of a goal or action table as they were posted (raw text, a date that does not parse
    included), so a refused form shows exactly what was typed."""
    count = min(forms.int_field(form, count_field), forms.MAX_ROWS)
    return [
        {
            key: forms.text(form, f"{prefix}_{i}", 10 if prefix.endswith("date") else 500)
            for key, prefix in names.items()
        }
        for i in range(count)
    ]


def _typed_rows(form: Mapping[str, Any], extra: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    blank_goal = dict.fromkeys(GOAL_FIELDS, "")
    blank_action = dict.fromkeys(ACTION_FIELDS, "")
    goals = _rows(form, "goal_rows", GOAL_FIELDS) + [dict(blank_goal) for _ in range(extra)]
    actions = _rows(form, "action_rows", ACTION_FIELDS) + [dict(blank_action) for _ in range(extra)]
    return goals, actions


def _field_errors(form: Mapping[str, Any]) -> dict[str, str]:
    """What the form itself shows is wrong, by field name, in Swedish: a date that is not a date, and a goal
    or action row with details but no text (it would otherwise be dropped without a word)."""
    errors: dict[str, str] = {}
    for name, label in (("follow_up_on", "Uppföljningsdatumet"), ("next_follow_up_on", "Nästa uppföljning")):
        if forms.text(form, name) and forms.opt_date(form, name) is None:
            errors[name] = f"{label} ({forms.text(form, name, 20)}) är inte ett datum: ange ÅÅÅÅ-MM-DD."
    for i, row in enumerate(_rows(form, "goal_rows", GOAL_FIELDS), start=0):
        if row["target_date"] and forms.opt_date(form, f"goal_date_{i}") is None:
            errors[f"goal_date_{i}"] = f"Måldatumet för mål {i + 1} är inte ett datum: ange ÅÅÅÅ-MM-DD."
        if not row["text"] and (row["responsible"] or row["profession"] or row["target_date"]):
            errors[f"goal_text_{i}"] = f"Skriv mål {i + 1}, eller töm raden."
    for i, row in enumerate(_rows(form, "action_rows", ACTION_FIELDS), start=0):
        if row["when"] and forms.opt_date(form, f"action_date_{i}") is None:
            errors[f"action_date_{i}"] = f"Datumet för åtgärd {i + 1} är inte ett datum: ange ÅÅÅÅ-MM-DD."
        if not row["what"] and (row["who"] or row["profession"] or row["when"]):
            errors[f"action_what_{i}"] = f"Skriv åtgärd {i + 1}, eller töm raden."
    return errors


# The field a rule of the plan (domain/plan.py) refused, by the words of its developer message, so the reason
# stands next to the field as well as at the top of the form.
REFUSED_FIELD = (
    ("next follow-up date", "next_follow_up_on"),
    ("follow-up date", "follow_up_on"),
    ("goal", "goal_text_0"),
)


def _marked(refused: DomainError) -> dict[str, str]:
    marked: dict[str, str] = {}
    if refused.code != "plan.invalid":
        return marked
    said = refused.message_en
    for words, field in REFUSED_FIELD:
        if words in said:
            marked[field] = refused.message_sv
            said = said.replace(words, "")  # "next follow-up date" is not also "follow-up date"
    return marked


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
    entered = {
        "note": forms.text(form, "note", 500),
        "next_follow_up_on": forms.text(form, "next_follow_up_on", 10),
    }
    if op == "more":
        return _editor(
            request,
            services,
            user,
            patient_id,
            pathway_id,
            content,
            extra_rows=4,
            entered=entered,
            typed=form,
        )

    def again(message: str, field_errors: dict[str, str] | None = None) -> Response:
        return _editor(
            request,
            services,
            user,
            patient_id,
            pathway_id,
            content,
            error=message,
            entered=entered,
            typed=form,
            field_errors=field_errors,
        )

    if op not in OP_MESSAGES:
        return again("Välj en av knapparna i formuläret.")
    field_errors = _field_errors(form)
    if field_errors:
        return again(" ".join(field_errors.values()), field_errors)
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
        return again(refused.message_sv, _marked(refused))
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
    reason: str = Form(""),
    version: int = Form(...),
) -> Response:
    """Close the plan (AW035); refused (no reason from the list, or the plan can no longer be closed) the
    plan page again, status 400, with the chosen reason kept and the refusal next to the close form."""
    plan = plan_service.get(services, user.actor, plan_id)

    def again(message: str) -> Response:
        entered = {"close_reason": reason[:40]}
        return _editor(
            request,
            services,
            user,
            plan.patient_id,
            plan.pathway_id,
            None,
            entered=entered,
            close_error=message,
        )

    try:
        close_reason = PlanCloseReason(reason)
    except ValueError:
        return again("Välj en orsak i listan.")
    try:
        plan = plan_service.close(services, user.actor, plan_id, close_reason, version)
    except ConflictError:
        raise
    except DomainError as refused:
        if refused.code.endswith("not_found") or "access" in refused.code:
            raise
        return again(refused.message_sv)
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
