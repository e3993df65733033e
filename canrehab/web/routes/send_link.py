"""Sending the patient's new personal link by e-mail or SMS (``services.notify``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import DomainError
from canrehab.services import idempotency, notify
from canrehab.web.deps import Clinician, ServicesDep
from canrehab.web.pages import flash

router = APIRouter()

SENT_SV = {"email": "Länken är skickad med e-post.", "sms": "Länken är skickad med SMS."}


@router.post("/patient/{patient_id}/skicka-lank")
def send_link(
    request: Request,
    patient_id: str,
    services: ServicesDep,
    user: Clinician,
    channel: str = Form(...),
    to: str = Form(""),
    idempotency_key: str = Form(""),
) -> Response:
    link = request.session.get("new_link")
    back = RedirectResponse(f"/patient/{patient_id}#lank", status_code=303)
    if not link or link.get("patient_id") != patient_id:
        flash(request, "Det finns ingen ny länk att skicka. Skapa en länk först.", "error")
        return back

    def send() -> str:
        notify.send_assessment_link(
            services,
            user.actor,
            link["assessment_id"],
            channel=channel,
            to=to[:200],
            url=link["url"],
            expires=datetime.fromisoformat(link["expires"]),
        )
        return f"/patient/{patient_id}#lank"

    try:
        outcome = idempotency.once(services, user.actor, idempotency_key[:100] or None, "send_link", send)
    except DomainError as refused:
        if refused.code.startswith("access"):
            raise
        flash(request, refused.message_sv, "error")
        return back
    if outcome.repeated:
        flash(request, "Länken var redan skickad; den skickades inte en gång till.")
    else:
        flash(request, SENT_SV.get(channel, "Länken är skickad."))
    return back
