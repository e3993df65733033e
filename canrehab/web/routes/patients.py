from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.coordination import TEAM_LABEL_SV, TeamEventKind
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import HandoverContent, KeyMoment, Profession, Respondent
from canrehab.domain.permissions import Action
from canrehab.services import assessments as assessment_service
from canrehab.services import coordination as coordination_service
from canrehab.services import handovers as handover_service
from canrehab.services import idempotency, organisation, readmodel
from canrehab.services import patients as patient_service
from canrehab.services.context import Services
from canrehab.web import forms
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser
from canrehab.web.views import care_process as care_process_view
from canrehab.web.views import patient as patient_view
from canrehab.web.views.send_link import link_card

router = APIRouter()


@router.get("/patient/{patient_id}")
def overview(request: Request, patient_id: str, services: ServicesDep, user: RecordReader) -> Response:
    return overview_page(request, services, user, patient_id)


def overview_page(
    request: Request,
    services: Services,
    user: WebUser,
    patient_id: str,
    *,
    form_errors: dict[str, Any] | None = None,
    refused: tuple[str, str, dict[str, str]] | None = None,
) -> Response:
    """The patient page; with ``form_errors`` (a refused form on it: its error and the input, by form
    name) or ``refused`` (a care-process form: form id, Swedish message, the posted input) the page again,
    status 400, the refused form open with what was typed and the reason inline."""
    can_act = user.may(Action.CHANGE_RECORD)
    page = readmodel.patient_page(
        services, user.actor, patient_id, can_act=can_act, unit_work=user.may(Action.UNIT_WORK)
    )
    record = page.record
    context = patient_view.overview(record, services.today(), can_act=can_act, candidates=page.candidates)
    if page.worklist_rows is not None:
        context["todos"] = patient_view.todos(record, page.worklist_rows, services.today())
    context["key_moments"] = patient_view.default_key_moments(record, services.today())
    context["prem_instruments"] = [
        (i.id, i.title) for i in services.catalog.instruments.values() if not i.decision_support
    ]
    link = request.session.get("new_link")
    context["new_link"] = link_card(link) if link and link.get("patient_id") == patient_id else None
    context["form_errors"] = form_errors or {}
    context.update(
        care_process_view.context(
            services,
            user.actor,
            record,
            can_act=can_act,
            refused=refused,
            panels=page.panels,
            units=page.care_units,
        )
    )
    status = 400 if form_errors or refused else 200
    return render(request, "patient_overview.html", context, status_code=status)


def refused_form(
    request: Request,
    services: Services,
    user: WebUser,
    patient_id: str,
    name: str,
    form: Any,
    fields: tuple[str, ...],
    message: str,
) -> Response:
    """The patient page again (status 400) with the refused form ``name`` open, what was typed in
    ``fields`` kept and ``message`` (Swedish) inline."""
    entered = {f: forms.text(form, f, 2001) for f in ("pathway_id", *fields)}
    return overview_page(
        request, services, user, patient_id, form_errors={name: {"error": message, **entered}}
    )


def _refusal(error: DomainError) -> str:
    """The Swedish message of a refusal the user can correct; re-raises conflicts, missing records and
    denials (their own pages)."""
    if isinstance(error, ConflictError) or error.code.endswith("not_found") or "access" in error.code:
        raise error
    return error.message_sv


@router.post("/patient/{patient_id}/bedomning")
def start_assessment(
    request: Request,
    patient_id: str,
    services: ServicesDep,
    user: UnitWorker,
    pathway_id: str = Form(...),
    key_moment: str = Form(KeyMoment.OTHER.value),
    mode: str = Form("link"),
    instrument_id: str = Form(""),
    idempotency_key: str = Form(""),
) -> Response:
    instrument = services.catalog.instruments.get(instrument_id[:100] or services.default_instrument)
    if instrument is None:
        flash(request, "Okänt formulär; välj ett av formulären på sidan.", "error")
        return RedirectResponse(f"/patient/{patient_id}", status_code=303)
    if not instrument.decision_support:
        mode = "link"  # a PREM is the patient's own answer: never filled in together with staff
    try:
        moment = KeyMoment(key_moment)
    except ValueError:
        moment = KeyMoment.OTHER
    respondent = Respondent.PATIENT if mode == "link" else Respondent.STAFF_ON_BEHALF

    def start() -> str:
        assessment = assessment_service.start(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=pathway_id,
            key_moment=moment,
            respondent=respondent,
            instrument_id=instrument.id,
        )
        if mode != "link":
            return f"/bedomning/{assessment.id}/fyll-i"
        validity = request.app.state.web_settings.assessment_link_validity
        token, expires = assessment_service.create_link(
            services, user.actor, assessment.id, validity=validity
        )
        url = str(request.url_for("patient_form", token=token))
        request.session["new_link"] = {
            "url": url,
            "expires": expires.isoformat(),
            "assessment_id": assessment.id,
            "patient_id": patient_id,
        }
        what = "Hälsoskattning" if instrument.decision_support else f"enkäten ”{instrument.title}”"
        flash(request, f"En personlig länk till {what} har skapats. Skicka den till patienten.")
        return f"/patient/{patient_id}#lank"  # the link card, not the top of a long page (a phone)

    outcome = idempotency.once(services, user.actor, idempotency_key[:100] or None, "start_assessment", start)
    return RedirectResponse(outcome.result, status_code=303)


@router.get("/patient/{patient_id}/overlamning")
def handover_form(
    request: Request, patient_id: str, pathway_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    return _send_form(request, services, user, patient_id, pathway_id, "handover")


@router.post("/patient/{patient_id}/overlamning")
async def send_handover(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    entered = _entered(form)
    try:
        if not entered["to_unit"]:
            raise DomainError(
                "handover.to_unit_required", "Välj den enhet som ska ta emot patienten.", "no unit"
            )

        def send() -> str:
            handover = handover_service.send(
                services,
                user.actor,
                patient_id=patient_id,
                pathway_id=forms.text(form, "pathway_id", 64),
                to_unit_hsa_id=entered["to_unit"],
                to_profession=forms.opt_profession(form, "to_profession"),
                content=HandoverContent(
                    needs=entered["needs"],
                    wishes=entered["wishes"],
                    plan_summary=entered["plan_summary"],
                    ongoing_actions=entered["ongoing_actions"],
                    disease=entered["disease"],
                    treatment=entered["treatment"],
                ),
                patient_informed=entered["patient_informed"] == "1",
            )
            return f"/overlamning/{handover.id}"

        outcome = idempotency.once(services, user.actor, forms.idempotency_key(form), "send_handover", send)
    except DomainError as refused:
        return _refused(request, services, user, patient_id, form, "handover", refused, entered)
    if outcome.repeated:
        flash(
            request,
            "Överlämningen var redan skickad; formuläret skickades en gång till och ingen ny skapades.",
        )
    else:
        flash(
            request,
            "Överlämningen är skickad. Ni ansvarar tills mottagaren har bekräftat kontakt med patienten.",
        )
    return RedirectResponse(outcome.result, status_code=303)


@router.get("/patient/{patient_id}/remiss")
def referral_form(
    request: Request, patient_id: str, pathway_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    return _send_form(request, services, user, patient_id, pathway_id, "referral")


SEND_FIELDS = (
    "to_unit",
    "to_profession",
    "needs",
    "wishes",
    "plan_summary",
    "ongoing_actions",
    "disease",
    "treatment",
    "reason",
)


def _entered(form: Any) -> dict[str, str]:
    values = {name: forms.text(form, name, 64 if name.startswith("to_") else 4000) for name in SEND_FIELDS}
    values["patient_informed"] = forms.text(form, "patient_informed", 1)
    return values


def _refused(
    request: Request,
    services: Services,
    user: WebUser,
    patient_id: str,
    form: Any,
    kind: str,
    refused: DomainError,
    entered: dict[str, str],
) -> Response:
    """A refused send: the form again (400) with what was typed and the reason inline; a conflict, a
    refused access or a missing record keeps its own page."""
    if isinstance(refused, ConflictError) or refused.code.endswith("not_found") or "access" in refused.code:
        raise refused
    pathway_id = forms.text(form, "pathway_id", 64)
    return _send_form(
        request, services, user, patient_id, pathway_id, kind, error=refused.message_sv, entered=entered
    )


def _send_form(
    request: Request,
    services: Services,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    kind: str,
    *,
    error: str = "",
    entered: dict[str, str] | None = None,
) -> Response:
    """The form that sends a handover or a referral (``kind``) to another unit; with ``error`` the refused
    form again with the input kept."""
    context = patient_view.header(patient_service.patient_brief(services, user.actor, patient_id))
    units = organisation.care_units(services)
    # No unit outside the sender's county is preselected (issue 13): the own county's units come first
    # in their own group, and a handover starts with no unit chosen.
    own = {u.county_code for u in units if u.hsa_id in user.actor.unit_hsa_ids}
    context.update(
        {
            "pathway_id": pathway_id,
            "units": [u for u in units if u.county_code in own],
            "other_units": [u for u in units if u.county_code not in own],
            "kind": kind,
            "error": error,
            "entered": entered or {},
        }
    )
    return render(request, "send_form.html", context, status_code=400 if error else 200)


@router.post("/patient/{patient_id}/remiss")
async def send_referral(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    entered = _entered(form)
    profession = forms.opt_profession(form, "to_profession") or Profession.REHAB_TEAM
    try:

        def send() -> str:
            handover_service.send_referral(
                services,
                user.actor,
                patient_id=patient_id,
                pathway_id=forms.text(form, "pathway_id", 64),
                to_unit_hsa_id=entered["to_unit"] or None,
                to_profession=profession,
                reason=entered["reason"],
            )
            return f"/patient/{patient_id}"

        outcome = idempotency.once(services, user.actor, forms.idempotency_key(form), "send_referral", send)
    except DomainError as refused:
        return _refused(request, services, user, patient_id, form, "referral", refused, entered)
    flash(
        request,
        "Remissen var redan skickad; ingen ny skapades." if outcome.repeated else "Remissen är skickad.",
    )
    return RedirectResponse(outcome.result, status_code=303)


def _back(patient_id: str) -> Response:
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)


@router.post("/patient/{patient_id}/kontaktsjukskoterska")
async def assign_contact_nurse(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()

    def again(message: str) -> Response:
        fields = ("staff_id", "offered_on", "from_date")
        return refused_form(request, services, user, patient_id, "contact_nurse", form, fields, message)

    staff_id = forms.text(form, "staff_id", 64)
    if not staff_id:
        return again("Välj en sjuksköterska i listan.")
    offered_on, from_date = forms.opt_date(form, "offered_on"), forms.opt_date(form, "from_date")
    if (forms.text(form, "offered_on") and offered_on is None) or (
        forms.text(form, "from_date") and from_date is None
    ):
        return again("Ange datum som ÅÅÅÅ-MM-DD.")
    try:
        patient_service.assign_contact_nurse(
            services,
            user.actor,
            forms.text(form, "pathway_id", 64),
            staff_id,
            forms.int_field(form, "version"),
            from_date=from_date,
            offered_on=offered_on,
        )
    except DomainError as refused:
        return again(_refusal(refused))
    flash(request, "Kontaktsjuksköterskan är utsedd.")
    return _back(patient_id)


@router.post("/patient/{patient_id}/kontaktsjukskoterska/avsluta")
async def end_contact_nurse(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()

    def again(message: str) -> Response:
        return refused_form(
            request, services, user, patient_id, "contact_nurse_end", form, ("to_date",), message
        )

    on = forms.opt_date(form, "to_date")
    if on is None:
        return again("Ange slutdatum som ÅÅÅÅ-MM-DD.")
    try:
        patient_service.end_contact_nurse(
            services, user.actor, forms.text(form, "pathway_id", 64), on, forms.int_field(form, "version")
        )
    except DomainError as refused:
        return again(_refusal(refused))
    flash(request, "Uppdraget som kontaktsjuksköterska är avslutat.")
    return _back(patient_id)


@router.post("/patient/{patient_id}/sip")
async def record_sip(request: Request, patient_id: str, services: ServicesDep, user: UnitWorker) -> Response:
    form = await request.form()

    def again(message: str) -> Response:
        return refused_form(request, services, user, patient_id, "sip", form, ("on", "participants"), message)

    on = forms.opt_date(form, "on")
    if on is None:
        return again("Ange datum för SIP-mötet som ÅÅÅÅ-MM-DD.")
    try:
        coordination_service.record_sip(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            on=on,
            participants=forms.text(form, "participants", 2001),
        )
    except DomainError as refused:
        return again(_refusal(refused))
    flash(request, "SIP är registrerad (KVÅ AU124).")
    return _back(patient_id)


@router.post("/patient/{patient_id}/rehabteam")
async def record_team_event(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()

    def again(message: str) -> Response:
        fields = ("kind", "on", "note")
        return refused_form(request, services, user, patient_id, "team", form, fields, message)

    on = forms.opt_date(form, "on")
    if on is None:
        return again("Ange datum som ÅÅÅÅ-MM-DD.")
    try:
        kind = TeamEventKind(forms.text(form, "kind", 40))
    except ValueError:
        return again("Välj vad rehabiliteringsteamet gjorde.")
    try:
        meeting = coordination_service.record_team_event(
            services,
            user.actor,
            patient_id=patient_id,
            pathway_id=forms.text(form, "pathway_id", 64),
            kind=kind,
            on=on,
            note=forms.text(form, "note", 2001),
        )
    except DomainError as refused:
        return again(_refusal(refused))
    flash(request, f"{TEAM_LABEL_SV[kind]} är registrerad (KVÅ {meeting.code}).")
    return _back(patient_id)
