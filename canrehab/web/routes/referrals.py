"""Referrals to a rehabilitation profession or team: the receiving unit's inbox and its steps."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.services import handovers as handover_service
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash, render

router = APIRouter()

STEPS = {
    "accept": "Remissen är accepterad.",
    "reject": "Remissen är avvisad.",
    "complete": "Remissen är slutförd.",
}


@router.get("/remisser")
def referral_inbox(request: Request, services: ServicesDep, user: UnitWorker) -> Response:
    return render(
        request, "referrals.html", {"referrals": handover_service.referral_inbox(services, user.actor)}
    )


@router.post("/remiss/{referral_id}/{step}")
def referral_step(
    request: Request,
    referral_id: str,
    step: str,
    services: ServicesDep,
    user: UnitWorker,
    version: int = Form(...),
    reason: str = Form(""),
) -> Response:
    if step not in STEPS:
        return render(request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404)
    handover_service.referral_step(services, user.actor, referral_id, step, version, reason.strip()[:500])
    flash(request, STEPS[step])
    return RedirectResponse("/remisser", status_code=303)
