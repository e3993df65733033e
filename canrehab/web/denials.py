"""Refusals answered with 403 are written to the audit log as ``denied`` events.

The services log the refusals they decide with the patient at hand (care-unit checks, and role checks given
the services); everything else that ends in a 403 for a logged-in user — the page's permission check
(``canrehab.web.deps.require``), a role check inside a use case that could not log, a non-clinician refused
a clinical action — is logged here through ``canrehab.services.refusals`` with what was asked.
"""

from __future__ import annotations

from fastapi import Request

from canrehab.services import refusals
from canrehab.web.deps import app_services
from canrehab.web.user import WebUser


def record_refusal(request: Request, reason: str) -> None:
    """Writes a ``denied`` audit event for the logged-in user's refused request (nothing when nobody is
    logged in: there is no one to name)."""
    user = getattr(request.state, "user", None)
    if not isinstance(user, WebUser):
        return
    route = request.scope.get("route")
    refusals.record_refusal(
        app_services(request.app),
        user.actor,
        method=request.method,
        route=str(getattr(route, "path", "") or request.url.path),
        path=request.url.path,
        params=dict(request.path_params),
        reason=reason,
    )
