from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.model import KeyMoment, Profession, Respondent
from canrehab.web import backend, forms
from canrehab.web.app import RECORD_ROLES, STAFF_ROLES, flash, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()


@router.get("/patient/{patient_id}")
def overview(request: Request, patient_id: str, user: WebUser = require_roles(*RECORD_ROLES)) -> Response:
    context = backend.patient_overview(request, user, patient_id)
    context["new_link"] = request.session.pop("new_link", None)
    return render(request, "patient_overview.html", context)


@router.post("/patient/{patient_id}/bedomning")
def start_assessment(
    request: Request,
    patient_id: str,
    pathway_id: str = Form(...),
    key_moment: str = Form(KeyMoment.OTHER.value),
    mode: str = Form("link"),
    user: WebUser = require_roles(*STAFF_ROLES),
) -> Response:
    try:
        moment = KeyMoment(key_moment)
    except ValueError:
        moment = KeyMoment.OTHER
    respondent = Respondent.PATIENT if mode == "link" else Respondent.STAFF_ON_BEHALF
    assessment = backend.start_assessment(request, user, patient_id, pathway_id, moment, respondent)
    if mode == "link":
        token, expires = backend.create_assessment_link(request, user, assessment)
        url = str(request.url_for("patient_form", token=token))
        request.session["new_link"] = {"url": url, "expires": expires.isoformat()}
        flash(request, "En personlig länk till Hälsoskattning har skapats. Skicka den till patienten.")
        return RedirectResponse(f"/patient/{patient_id}", status_code=303)
    return RedirectResponse(f"/bedomning/{assessment.id}/fyll-i", status_code=303)


@router.get("/patient/{patient_id}/overlamning")
def handover_form(
    request: Request, patient_id: str, pathway_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    context = backend.patient_header(request, user, patient_id)
    context.update({"pathway_id": pathway_id, "units": backend.units(request), "kind": "handover"})
    return render(request, "send_form.html", context)


@router.post("/patient/{patient_id}/overlamning")
async def send_handover(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    handover = backend.send_handover(
        request,
        user,
        patient_id=patient_id,
        pathway_id=forms.text(form, "pathway_id", 64),
        to_unit=forms.text(form, "to_unit", 64),
        to_profession=forms.opt_profession(form, "to_profession"),
        needs=forms.text(form, "needs"),
        wishes=forms.text(form, "wishes"),
        plan_summary=forms.text(form, "plan_summary"),
        ongoing_actions=forms.text(form, "ongoing_actions"),
        patient_informed=form.get("patient_informed") == "1",
    )
    flash(
        request, "Överlämningen är skickad. Ni ansvarar tills mottagaren har bekräftat kontakt med patienten."
    )
    return RedirectResponse(f"/overlamning/{handover.id}", status_code=303)


@router.get("/patient/{patient_id}/remiss")
def referral_form(
    request: Request, patient_id: str, pathway_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    context = backend.patient_header(request, user, patient_id)
    context.update({"pathway_id": pathway_id, "units": backend.units(request), "kind": "referral"})
    return render(request, "send_form.html", context)


@router.post("/patient/{patient_id}/remiss")
async def send_referral(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    profession = forms.opt_profession(form, "to_profession") or Profession.REHAB_TEAM
    backend.send_referral(
        request,
        user,
        patient_id=patient_id,
        pathway_id=forms.text(form, "pathway_id", 64),
        to_unit=forms.text(form, "to_unit", 64) or None,
        to_profession=profession,
        reason=forms.text(form, "reason"),
    )
    flash(request, "Remissen är skickad.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)
