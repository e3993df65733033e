from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.web import backend
from canrehab.web.app import AUDIT_ROLES, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()


@router.get("/logg")
def audit_log(
    request: Request, patient: str = "", actor: str = "", user: WebUser = require_roles(*AUDIT_ROLES)
) -> Response:
    events = backend.audit_events(request, user, patient_id=patient.strip(), actor=actor.strip())
    return render(request, "audit.html", {"events": events, "filters": {"patient": patient, "actor": actor}})
