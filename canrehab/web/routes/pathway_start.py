"""A new pathway (``/patient/{id}/nytt-vardforlopp``), started at diagnosis (ICD-10 and the date) or at
välgrundad misstanke (SVF: the SVF pathway, the suspicion date, the diagnosis process); and on the patient
page, a suspicion's "Bekräfta diagnos" and "Avskriv misstanke". A refused form comes back with what was typed
and the Swedish reason. HTTP only: the use cases are ``services.patients.open_pathway`` and
``services.suspicion``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import DomainError
from canrehab.services import organisation
from canrehab.services import patients as patient_service
from canrehab.services import suspicion as suspicion_service
from canrehab.services.svf import load_definitions
from canrehab.web import forms
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.routes.patients import _refusal, refused_form
from canrehab.web.user import WebUser

router = APIRouter()

START_FIELDS = ("start", "unit_hsa_id", "icd10", "diagnosed_on", "svf_pathway", "suspicion_on", "process")
STARTS = {"diagnosis": "Diagnos", "suspicion": "Välgrundad misstanke (SVF)"}


def _page(
    request: Request,
    services: ServicesDep,
    user: WebUser,
    patient_id: str,
    values: dict[str, str],
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    patient = suspicion_service.patient_for_new_pathway(services, user.actor, patient_id)
    context: dict[str, Any] = {
        "patient": patient,
        "values": values,
        "error": error,
        "starts": STARTS,
        "svf_pathways": load_definitions().pathways,
        "processes": services.catalog.processes,
        "units": user.unit_hsa_ids,
        "unit_name": {u.hsa_id: u.name for u in organisation.care_units(services)}.get,
        "today": services.today().isoformat(),
    }
    return render(request, "pathway_new.html", context, status_code=status_code)


@router.get("/nytt-vardforlopp")
def lookup_form(request: Request, user: UnitWorker) -> Response:
    """A new pathway for a patient looked up by personnummer (no care relation at the unit needed)."""
    return render(request, "pathway_lookup.html", {"personnummer": "", "error": ""})


@router.post("/nytt-vardforlopp")
async def lookup(request: Request, services: ServicesDep, user: UnitWorker) -> Response:
    """The personnummer comes in the body (never a URL or an access log); the form goes on by the id."""
    form = await request.form()
    personnummer = forms.text(form, "personnummer", 20)
    start = "suspicion" if forms.text(form, "start", 20) == "suspicion" else "diagnosis"
    try:
        if not personnummer:
            raise DomainError("form.personnummer", "Ange personnummer (ÅÅÅÅMMDD-NNNN).", "no personnummer")
        patient_id = suspicion_service.patient_for_new_pathway_by_personnummer(
            services, user.actor, personnummer
        )
    except DomainError as refused:
        context = {"personnummer": personnummer, "error": _refusal(refused)}
        return render(request, "pathway_lookup.html", context, status_code=400)
    return RedirectResponse(f"/patient/{patient_id}/nytt-vardforlopp?start={start}", status_code=303)


@router.get("/patient/{patient_id}/nytt-vardforlopp")
def new_pathway_form(request: Request, patient_id: str, services: ServicesDep, user: UnitWorker) -> Response:
    start = request.query_params.get("start", "diagnosis")
    values = dict.fromkeys(START_FIELDS, "")
    values.update(
        start=start if start in STARTS else "diagnosis", unit_hsa_id=(user.unit_hsa_ids or ("",))[0]
    )
    return _page(request, services, user, patient_id, values)


def _required_date(form: Any, name: str, label: str) -> Any:
    on = forms.opt_date(form, name)
    if on is None:
        raise DomainError("form.date", f"Ange {label} som ÅÅÅÅ-MM-DD.", f"{name} is not a date")
    return on


@router.post("/patient/{patient_id}/nytt-vardforlopp")
async def start_pathway(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    typed = {name: forms.text(form, name, 40) for name in START_FIELDS}
    try:
        if typed["start"] == "suspicion":
            pathway = suspicion_service.start(
                services,
                user.actor,
                patient_id=patient_id,
                unit_hsa_id=typed["unit_hsa_id"],
                svf_pathway=typed["svf_pathway"],
                suspicion_on=_required_date(form, "suspicion_on", "datum för välgrundad misstanke"),
                process=typed["process"],
            )
        else:
            if not typed["icd10"]:
                raise DomainError("form.icd10", "Ange diagnos (ICD-10), t.ex. C50.9.", "no ICD-10 code")
            pathway = patient_service.open_pathway(
                services,
                user.actor,
                patient_id=patient_id,
                icd10=typed["icd10"],
                diagnosed_on=_required_date(form, "diagnosed_on", "diagnosdatum"),
                unit_hsa_id=typed["unit_hsa_id"],
            )
    except DomainError as refused:
        return _page(request, services, user, patient_id, typed, error=_refusal(refused), status_code=400)
    what = "vid välgrundad misstanke" if pathway.suspicion_on else "vid diagnos"
    flash(request, f"Vårdförloppet är startat {what}.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)


@router.post("/patient/{patient_id}/misstanke/bekrafta")
async def confirm_diagnosis(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    fields = ("icd10", "diagnosed_on")
    try:
        suspicion_service.confirm(
            services,
            user.actor,
            forms.text(form, "pathway_id", 64),
            forms.int_field(form, "version"),
            icd10=forms.text(form, "icd10", 12),
            diagnosed_on=_required_date(form, "diagnosed_on", "diagnosdatum"),
        )
    except DomainError as refused:
        message = _refusal(refused)
        return refused_form(request, services, user, patient_id, "confirm", form, fields, message)
    flash(request, "Diagnosen är bekräftad.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)


@router.post("/patient/{patient_id}/misstanke/avskriv")
async def dismiss_suspicion(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    try:
        suspicion_service.dismiss(
            services,
            user.actor,
            forms.text(form, "pathway_id", 64),
            forms.int_field(form, "version"),
            on=_required_date(form, "dismissed_on", "datum då misstanken avskrevs"),
        )
    except DomainError as refused:
        message = _refusal(refused)
        return refused_form(request, services, user, patient_id, "dismiss", form, ("dismissed_on",), message)
    flash(request, "Misstanken är avskriven och vårdförloppet avslutat.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)
