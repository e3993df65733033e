from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.coordination import TEAM_LABEL_SV, TeamEventKind
from canrehab.domain.model import KeyMoment, Profession, Respondent
from canrehab.web import backend, forms
from canrehab.web.app import RECORD_ROLES, STAFF_ROLES, error_page, flash, render
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


def _back(patient_id: str) -> Response:
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)


@router.post("/patient/{patient_id}/kontaktsjukskoterska")
async def assign_contact_nurse(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    staff_id = forms.text(form, "staff_id", 64)
    if not staff_id:
        return error_page(request, 400, "Välj kontaktsjuksköterska", "Välj en sjuksköterska i listan.")
    offered_on, from_date = forms.opt_date(form, "offered_on"), forms.opt_date(form, "from_date")
    if (forms.text(form, "offered_on") and offered_on is None) or (
        forms.text(form, "from_date") and from_date is None
    ):
        return error_page(request, 400, "Ogiltigt datum", "Ange datum som ÅÅÅÅ-MM-DD.")
    backend.assign_contact_nurse(
        request,
        user,
        forms.text(form, "pathway_id", 64),
        staff_id,
        forms.int_field(form, "version"),
        from_date=from_date,
        offered_on=offered_on,
    )
    flash(request, "Kontaktsjuksköterskan är utsedd.")
    return _back(patient_id)


@router.post("/patient/{patient_id}/kontaktsjukskoterska/avsluta")
async def end_contact_nurse(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    on = forms.opt_date(form, "to_date")
    if on is None:
        return error_page(request, 400, "Ogiltigt datum", "Ange slutdatum som ÅÅÅÅ-MM-DD.")
    backend.end_contact_nurse(
        request, user, forms.text(form, "pathway_id", 64), on, forms.int_field(form, "version")
    )
    flash(request, "Uppdraget som kontaktsjuksköterska är avslutat.")
    return _back(patient_id)


@router.post("/patient/{patient_id}/sip")
async def record_sip(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    on = forms.opt_date(form, "on")
    if on is None:
        return error_page(request, 400, "Ogiltigt datum", "Ange datum för SIP-mötet som ÅÅÅÅ-MM-DD.")
    backend.record_sip(
        request,
        user,
        patient_id,
        forms.text(form, "pathway_id", 64),
        on,
        forms.text(form, "participants", 2001),
    )
    flash(request, "SIP är registrerad (KVÅ AU124).")
    return _back(patient_id)


@router.post("/patient/{patient_id}/rehabteam")
async def record_team_event(
    request: Request, patient_id: str, user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    form = await request.form()
    on = forms.opt_date(form, "on")
    if on is None:
        return error_page(request, 400, "Ogiltigt datum", "Ange datum som ÅÅÅÅ-MM-DD.")
    try:
        kind = TeamEventKind(forms.text(form, "kind", 40))
    except ValueError:
        return error_page(request, 400, "Okänd åtgärd", "Välj vad rehabiliteringsteamet gjorde.")
    meeting = backend.record_team_event(
        request,
        user,
        patient_id,
        forms.text(form, "pathway_id", 64),
        kind,
        on,
        forms.text(form, "note", 2001),
    )
    flash(request, f"{TEAM_LABEL_SV[kind]} är registrerad (KVÅ {meeting.code}).")
    return _back(patient_id)
