from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.handover import require_contact_method
from canrehab.domain.model import ContactMethod
from canrehab.domain.permissions import Action
from canrehab.services import handovers as handover_service
from canrehab.services.context import Services
from canrehab.web import forms
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()
METHODS = {m.value for m in ContactMethod}


def _context(view: handover_service.HandoverView) -> dict[str, Any]:
    """A handover as the templates read it: the view's fields by name."""
    return {f.name: getattr(view, f.name) for f in fields(view)}


@router.get("/overlamningar")
def handover_lists(request: Request, services: ServicesDep, user: UnitWorker) -> Response:
    inbox, outbox = handover_service.boxes(services, user.actor)
    return render(
        request,
        "handovers.html",
        {"inbox": [_context(v) for v in inbox], "outbox": [_context(v) for v in outbox]},
    )


@router.get("/overlamning/{handover_id}")
def handover_detail(
    request: Request, handover_id: str, services: ServicesDep, user: RecordReader
) -> Response:
    return _detail(request, services, user, handover_id)


def _detail(
    request: Request,
    services: Services,
    user: WebUser,
    handover_id: str,
    refused: dict[str, str] | None = None,
) -> Response:
    """The handover page; with ``refused`` (the step, its error and the input) the page again, status 400,
    with the refused step's form filled in as it was sent and the reason inline."""
    context = _context(handover_service.detail(services, user.actor, handover_id))
    context["can_act"] = user.may(Action.CHANGE_RECORD)
    context["contact_methods"] = list(ContactMethod)
    context["today"] = services.today()
    context["refused"] = refused or {}
    return render(request, "handover_detail.html", context, status_code=400 if refused else 200)


@router.post("/overlamning/{handover_id}/patient-informerad")
def handover_patient_informed(
    request: Request, handover_id: str, services: ServicesDep, user: UnitWorker, version: int = Form(...)
) -> Response:
    """The sender records that the patient has been informed (declared before the receiver's steps);
    refused (already recorded, rejected, not the sender) the handover page again with the reason inline."""
    try:
        handover_service.inform_patient(services, user.actor, handover_id, version)
    except DomainError as error:
        if isinstance(error, ConflictError) or error.code.endswith("not_found") or "access" in error.code:
            raise
        return _detail(
            request, services, user, handover_id, {"step": "informerad", "error": error.message_sv}
        )
    flash(request, "Det är registrerat att patienten är informerad om överlämningen.")
    return RedirectResponse(f"/overlamning/{handover_id}", status_code=303)


MESSAGES = {
    "mottagen": "Överlämningen är kvitterad som mottagen.",
    "patientkontakt": "Kontakt med patienten är bekräftad. Ni har nu ansvaret.",
    "avvisa": "Överlämningen är avvisad.",
}


@router.post("/overlamning/{handover_id}/{step}")
def handover_step(
    request: Request,
    handover_id: str,
    step: str,
    services: ServicesDep,
    user: UnitWorker,
    version: int = Form(...),
    reason: str = Form(""),
    contact_method: str = Form(""),
    contacted_on: str = Form(""),
) -> Response:
    if step not in MESSAGES:
        return render(request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404)
    how: ContactMethod | None = None
    when: date | None = None
    try:
        if step == "patientkontakt":
            how = require_contact_method(ContactMethod(contact_method) if contact_method in METHODS else None)
            when = forms.opt_date({"contacted_on": contacted_on}, "contacted_on")
            if contacted_on.strip() and when is None:
                raise DomainError(
                    "handover.contact_date_invalid",
                    f"Datumet för patientkontakten ({contacted_on.strip()[:20]}) är inte ett giltigt datum "
                    "(ÅÅÅÅ-MM-DD).",
                    "invalid contact date",
                )
        handover_service.step(
            services,
            user.actor,
            handover_id,
            step,
            version,
            reason.strip()[:500],
            contact_method=how,
            contacted_on=when,
        )
    except DomainError as error:
        if isinstance(error, ConflictError) or error.code.endswith("not_found") or "access" in error.code:
            raise
        entered = {
            "step": step,
            "error": error.message_sv,
            "reason": reason.strip()[:500],
            "contact_method": contact_method.strip()[:40],
            "contacted_on": contacted_on.strip()[:20],
        }
        return _detail(request, services, user, handover_id, entered)
    flash(request, MESSAGES[step])
    return RedirectResponse(f"/overlamning/{handover_id}", status_code=303)
