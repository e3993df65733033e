"""Referrals to a rehabilitation profession or team: the receiving unit's inbox and its steps."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.services import handovers as handover_service
from canrehab.services.context import Services
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()

STEPS = {
    "accept": "Remissen är accepterad.",
    "reject": "Remissen är avvisad.",
    "complete": "Remissen är slutförd.",
}


@router.get("/remisser")
def referral_inbox(request: Request, services: ServicesDep, user: UnitWorker) -> Response:
    return _inbox(request, services, user)


def _inbox(
    request: Request, services: Services, user: WebUser, refused: dict[str, str] | None = None
) -> Response:
    """The inbox; with ``refused`` (a referral's step, its error and the input) again with status 400, the
    refused row's form as it was sent and the reason inline."""
    return render(
        request,
        "referrals.html",
        {"referrals": handover_service.referral_inbox(services, user.actor), "refused": refused or {}},
        status_code=400 if refused else 200,
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
    try:
        handover_service.referral_step(services, user.actor, referral_id, step, version, reason.strip()[:500])
    except DomainError as error:
        if isinstance(error, ConflictError) or error.code.endswith("not_found") or "access" in error.code:
            raise
        entered = {"id": referral_id, "step": step, "error": error.message_sv, "reason": reason.strip()[:500]}
        return _inbox(request, services, user, entered)
    flash(request, STEPS[step])
    return RedirectResponse("/remisser", status_code=303)
