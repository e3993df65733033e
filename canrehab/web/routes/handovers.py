from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.web import backend
from canrehab.web.app import CLINICAL_ROLES, RECORD_ROLES, STAFF_ROLES, flash, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()


@router.get("/overlamningar")
def handover_lists(request: Request, user: WebUser = require_roles(*STAFF_ROLES)) -> Response:
    inbox, outbox = backend.handover_boxes(request, user)
    return render(request, "handovers.html", {"inbox": inbox, "outbox": outbox})


@router.get("/overlamning/{handover_id}")
def handover_detail(
    request: Request, handover_id: str, user: WebUser = require_roles(*RECORD_ROLES)
) -> Response:
    context = backend.handover_detail(request, user, handover_id)
    context["can_act"] = user.role in CLINICAL_ROLES
    return render(request, "handover_detail.html", context)


@router.post("/overlamning/{handover_id}/patient-informerad")
def handover_patient_informed(
    request: Request, handover_id: str, version: int = Form(...), user: WebUser = require_roles(*STAFF_ROLES)
) -> Response:
    """The sender records that the patient has been informed (declared before the receiver's steps)."""
    backend.handover_inform_patient(request, user, handover_id, version)
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
    version: int = Form(...),
    reason: str = Form(""),
    user: WebUser = require_roles(*STAFF_ROLES),
) -> Response:
    if step not in MESSAGES:
        return render(request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404)
    backend.handover_step(request, user, handover_id, step, version, reason.strip()[:500])
    flash(request, MESSAGES[step])
    return RedirectResponse(f"/overlamning/{handover_id}", status_code=303)
