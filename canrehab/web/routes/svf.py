"""A pathway's SVF page (``/patient/{id}/svf/{pathway_id}``): the SVF pathway, the date of välgrundad
misstanke, MDK (discussed yes/no and when) and the start of the first treatment with its kind, with the lead
time against the pathway's maximum (for that kind, when the SVF gives one per kind of first treatment). A
refused save shows the form again with what was typed and the Swedish message, at its field where it has one.
HTTP only: the use cases are ``canrehab.services.svf``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain import svf as svf_rules
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.permissions import Action
from canrehab.domain.svf import FIRST_TREATMENT_SV, SvfDefinitions, SvfRecord
from canrehab.services import patients as patient_service
from canrehab.services import svf as svf_service
from canrehab.services.guard import AccessRefused
from canrehab.web import forms
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()

MDK_CHOICES = {"ja": True, "nej": False, "": None}

ERROR_FIELD = {
    "svf.no_suspicion": "suspicion_on",
    "svf.mdk_date_without_mdk": "mdk_on",
    "svf.not_yes_no": "mdk",
    "svf.unknown_first_treatment": "first_treatment",
    "svf.first_treatment_required": "first_treatment",
    "svf.first_treatment_not_in_pathway": "first_treatment",
    "svf.first_treatment_without_start": "first_treatment",
}
"""The field a refusal is shown at (inline, with the field marked invalid); others above the form."""


def _values(record: SvfRecord | None, definitions: SvfDefinitions, process: str) -> dict[str, str]:
    """The form's values: the record's, or for a pathway with none the SVF of its diagnosis process."""
    if record is None:
        suggested = next((d.id for d in definitions.pathways if process in d.processes), "")
        return {
            "svf_pathway": suggested,
            "suspicion_on": "",
            "mdk": "",
            "mdk_on": "",
            "treatment_start_on": "",
            "first_treatment": "",
        }
    mdk = "" if record.mdk_discussed is None else ("ja" if record.mdk_discussed else "nej")
    return {
        "svf_pathway": record.svf_pathway,
        "suspicion_on": record.suspicion_on.isoformat(),
        "mdk": mdk,
        "mdk_on": record.mdk_on.isoformat() if record.mdk_on else "",
        "treatment_start_on": record.treatment_start_on.isoformat() if record.treatment_start_on else "",
        "first_treatment": record.first_treatment.value if record.first_treatment else "",
    }


def _page(
    request: Request,
    services: ServicesDep,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    *,
    values: dict[str, str] | None = None,
    error: str = "",
    error_field: str = "",
    version: int | None = None,
    status_code: int = 200,
) -> Response:
    record = patient_service.patient_record(services, user.actor, patient_id)
    pathway = next((p for p in record.pathways if p.id == pathway_id), None)
    if pathway is None:
        raise DomainError("pathway.not_found", "Vårdförloppet finns inte för patienten.", "no such pathway")
    found = svf_service.find(services, user.actor, patient_id, pathway_id)
    current, current_version = found if found else (None, 0)
    definitions = svf_service.load_definitions()
    lead: dict[str, Any] | None = None
    if current is not None:
        svf = definitions.pathway(current.svf_pathway)
        kind = current.first_treatment
        lead = {
            "days": svf_rules.lead_time_days(current),
            "max": svf_rules.max_days_of(current, definitions),
            "maxima": svf.maxima_sv(),
            "kind": FIRST_TREATMENT_SV[kind].lower() if kind is not None else "",
            "by_treatment": svf.by_treatment,
            "within": svf_rules.within_max(current, definitions),
            "source": svf.source,
        }
    context = {
        "patient": record.patient,
        "pathway": pathway,
        "definitions": definitions.pathways,
        "first_treatments": FIRST_TREATMENT_SV,
        "values": values if values is not None else _values(current, definitions, pathway.diagnosis.process),
        "version": current_version if version is None else version,
        "recorded": current is not None,
        "lead": lead,
        "error": error,
        "error_field": error_field,
        "can_edit": user.may(Action.UNIT_WORK) and pathway.closed_on is None,
        "today": services.today().isoformat(),
    }
    return render(request, "svf_edit.html", context, status_code=status_code)


@router.get("/patient/{patient_id}/svf/{pathway_id}")
def svf_form(
    request: Request, patient_id: str, pathway_id: str, services: ServicesDep, user: RecordReader
) -> Response:
    return _page(request, services, user, patient_id, pathway_id)


def _date(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        message = f"{label} ska vara ett datum (ÅÅÅÅ-MM-DD)."
        raise DomainError("svf.not_a_date", message, "not a date") from None


@router.post("/patient/{patient_id}/svf/{pathway_id}")
async def save_svf(
    request: Request, patient_id: str, pathway_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    typed = {
        name: forms.text(form, name, 40)
        for name in ("svf_pathway", "suspicion_on", "mdk", "mdk_on", "treatment_start_on", "first_treatment")
    }
    version = forms.int_field(form, "version")
    try:
        suspicion = _date(typed["suspicion_on"], "Datum för välgrundad misstanke")
        if suspicion is None:
            raise DomainError("svf.no_suspicion", "Ange datum för välgrundad misstanke.", "no suspicion date")
        if typed["mdk"] not in MDK_CHOICES:
            raise DomainError("svf.not_yes_no", "”Diskuterad på MDK” ska vara Ja, Nej eller ej känt.", "mdk")
        record = SvfRecord(
            svf_pathway=typed["svf_pathway"],
            suspicion_on=suspicion,
            mdk_discussed=MDK_CHOICES[typed["mdk"]],
            mdk_on=_date(typed["mdk_on"], "Datum för MDK"),
            treatment_start_on=_date(typed["treatment_start_on"], "Datum för start av första behandling"),
            first_treatment=svf_rules.parse_first_treatment(typed["first_treatment"]),
        )
        svf_service.record(services, user.actor, patient_id, pathway_id, record, expected_version=version)
    except ConflictError as err:
        return _page(
            request,
            services,
            user,
            patient_id,
            pathway_id,
            values=typed,
            error=err.message_sv,
            status_code=409,
        )
    except DomainError as err:
        if isinstance(err, AccessRefused) or err.code.startswith("pathway."):
            raise
        return _page(
            request,
            services,
            user,
            patient_id,
            pathway_id,
            values=typed,
            error=err.message_sv,
            error_field=ERROR_FIELD.get(err.code, ""),
            version=version,
            status_code=400,
        )
    flash(request, "SVF-uppgifterna är sparade.")
    return RedirectResponse(f"/patient/{patient_id}/svf/{pathway_id}", status_code=303)
