"""Referrals to a rehabilitation profession or team: the receiving unit's inbox and its steps."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.web import backend
from canrehab.web.app import STAFF_ROLES, flash, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()

STEPS = {
    "accept": "Remissen är accepterad.",
    "reject": "Remissen är avvisad.",
    "complete": "Remissen är slutförd.",
}


@router.get("/remisser")
def referral_inbox(request: Request, user: WebUser = require_roles(*STAFF_ROLES)) -> Response:
    return render(request, "referrals.html", {"referrals": backend.referral_inbox(request, user)})


@router.post("/remiss/{referral_id}/{step}")
def referral_step(
    request: Request,
    referral_id: str,
    step: str,
    version: int = Form(...),
    reason: str = Form(""),
    user: WebUser = require_roles(*STAFF_ROLES),
) -> Response:
    if step not in STEPS:
        return render(request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404)
    backend.referral_step(request, user, referral_id, step, version, reason.strip()[:500])
    flash(request, STEPS[step])
    return RedirectResponse("/remisser", status_code=303)
