"""The web session's cookie side: the signed cookie carries a random token (``SESSION_KEY``); the rows on the
server, their expiry and their end are the store's (``canrehab.store.sessions``, through the services)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from canrehab.store.sessions import SessionStore

SESSION_KEY = "sid"  # the session token in the signed cookie; the server keeps only its hash


def session_store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.services.web_sessions
    return store


def start_session(request: Request, username: str, method: str, lifetime: timedelta) -> None:
    """A new server-side session for the user: the old one (if any) is ended and the cookie gets a fresh
    token, so nothing set before the login (session fixation) carries over, except the CSRF token."""
    store = session_store(request)
    store.end(str(request.session.get(SESSION_KEY, "")))
    csrf = request.session.get("csrf")
    request.session.clear()
    if csrf:
        request.session["csrf"] = csrf
    request.session[SESSION_KEY] = store.create(username, method, lifetime, datetime.now(UTC))


def end_session(request: Request) -> None:
    session_store(request).end(str(request.session.get(SESSION_KEY, "")))
    request.session.clear()
