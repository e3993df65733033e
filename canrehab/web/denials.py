"""Refusals answered with 403 are written to the audit log as ``denied`` events.

The services log the refusals they decide with the patient at hand (care-unit checks, and role checks given
the services); everything else that ends in a 403 for a logged-in user — the page's permission check
(``canrehab.web.deps.require``), a role check inside a use case that could not log, a non-clinician refused
a clinical action — is logged here through ``canrehab.services.refusals`` with what was asked.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.routing import Match

from canrehab.services import accounts as account_service
from canrehab.services import refusals
from canrehab.web.deps import app_services
from canrehab.web.sessions import SESSION_KEY, session_store
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


def _route_of(request: Request) -> tuple[str, dict[str, Any]]:
    """The template and parameters of the route a request would reach (it was refused before routing);
    included routers are searched through (FastAPI wraps them: ``original_router``)."""
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop(0)
        match, child = route.matches(request.scope)
        if match != Match.FULL:
            continue
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if getattr(route, "path", None) is None and inner is not None:
            routes = list(inner.routes)
            continue
        return str(getattr(route, "path", request.url.path)), dict(child.get("path_params", {}))
    return request.url.path, {}


def record_session_refusal(request: Request, reason: str) -> None:
    """Writes a ``denied`` audit event for a request refused before routing (a cross-origin or CSRF-less
    POST) when it carries a live session: the user it would have acted as is named (nothing otherwise)."""
    token = request.session.get(SESSION_KEY) if "session" in request.scope else None
    session = session_store(request).get(str(token)) if token else None
    if session is None:
        return
    services = app_services(request.app)
    account = account_service.login_account(services, session.username)
    if account is None:
        return
    route, params = _route_of(request)
    refusals.record_refusal(
        services,
        WebUser.from_account(account).actor,
        method=request.method,
        route=route,
        path=request.url.path,
        params=params,
        reason=reason,
    )
