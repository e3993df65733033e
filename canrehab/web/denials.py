"""Refusals answered with 403 are written to the audit log as ``denied`` events.

The services log the refusals they decide with the patient at hand (care-unit checks, and role checks given
the services); everything else that ends in a 403 for a logged-in user — the page's role check
(``require_roles``), a role check inside a use case that could not log, a non-clinician refused a clinical
action — is logged here with what was asked: the method and route, the path, and the patient when the path
names one (directly, or through an assessment, plan, handover or referral id).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from canrehab.domain.errors import DomainError
from canrehab.store.audit import PNR_SHAPE
from canrehab.web import backend
from canrehab.web.auth import WebUser

# Path parameters that name a patient's record, and the repository that knows its patient.
RECORD_PARAMS = {
    "assessment_id": "assessments",
    "plan_id": "plans",
    "handover_id": "handovers",
    "referral_id": "referrals",
}
MAX_PATH = 300


def _patient_of(uow: Any, params: dict[str, Any]) -> str | None:
    try:
        if "patient_id" in params:
            return str(uow.patients.get(str(params["patient_id"])).id)
        for name, repository in RECORD_PARAMS.items():
            if name in params:
                return str(getattr(uow, repository).get(str(params[name])).patient_id)
    except DomainError:  # no such record: the path is logged, no patient
        return None
    return None


def record_refusal(request: Request, reason: str) -> None:
    """Writes a ``denied`` audit event for the logged-in user's refused request (nothing when nobody is
    logged in: there is no one to name)."""
    user = getattr(request.state, "user", None)
    if not isinstance(user, WebUser):
        return
    route = request.scope.get("route")
    template = str(getattr(route, "path", "") or request.url.path)
    path = request.url.path
    if PNR_SHAPE.search(path):  # a personnummer typed into the address is not copied into the log
        path = template
    svc = backend.services(request)
    with svc.uow(backend.actor(user), log_reads=False) as uow:
        patient_id = _patient_of(uow, dict(request.path_params))
        uow.audit.record(
            "denied", "page", path[:MAX_PATH], patient_id, f"{request.method} {template}: {reason}"[:500]
        )
