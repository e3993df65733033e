from __future__ import annotations

from dataclasses import fields
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.permissions import Action
from canrehab.services import handovers as handover_service
from canrehab.web.deps import RecordReader, ServicesDep, UnitWorker
from canrehab.web.pages import flash, render

router = APIRouter()


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
    context = _context(handover_service.detail(services, user.actor, handover_id))
    context["can_act"] = user.may(Action.CHANGE_RECORD)
    return render(request, "handover_detail.html", context)


@router.post("/overlamning/{handover_id}/patient-informerad")
def handover_patient_informed(
    request: Request, handover_id: str, services: ServicesDep, user: UnitWorker, version: int = Form(...)
) -> Response:
    """The sender records that the patient has been informed (declared before the receiver's steps)."""
    handover_service.inform_patient(services, user.actor, handover_id, version)
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
) -> Response:
    if step not in MESSAGES:
        return render(request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404)
    handover_service.step(services, user.actor, handover_id, step, version, reason.strip()[:500])
    flash(request, MESSAGES[step])
    return RedirectResponse(f"/overlamning/{handover_id}", status_code=303)
