"""Login, logout, sessions and roles.

Local accounts (``user_account``, argon2 hashes) and, when configured, OIDC against the region's IdP
(authlib's Starlette client). A session holds the username and the login/last-seen times; the account is
re-read on every request so that a locked or changed account takes effect at once. Sessions expire after an
idle timeout and after an absolute lifetime (the signed cookie's max age).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.web.security import burn_verification, verify_password
from canrehab.web.settings import WebSettings

if TYPE_CHECKING:
    from canrehab.web.db import Database

router = APIRouter()

STAFF_ROLES = frozenset({"nurse", "doctor", "rehab_professional", "unit_manager"})


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WebUser:
    username: str
    role: str
    display_name: str
    staff_id: str | None = None
    patient_id: str | None = None
    unit_hsa_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def _now() -> float:
    return time.time()


def start_session(request: Request, username: str, method: str) -> None:
    csrf = request.session.get("csrf")
    request.session.clear()  # new session on login: no fixation of anything set before
    if csrf:
        request.session["csrf"] = csrf
    now = _now()
    request.session.update({"username": username, "login_at": now, "seen_at": now, "method": method})


def current_user(request: Request) -> WebUser:
    """Dependency: the logged-in user, or a redirect to the login page."""
    cached = getattr(request.state, "user", None)
    if isinstance(cached, WebUser):
        return cached
    username = request.session.get("username")
    if not username:
        raise LoginRequired()
    web: WebSettings = request.app.state.web_settings
    now = _now()
    seen = float(request.session.get("seen_at", 0))
    login_at = float(request.session.get("login_at", 0))
    if now - seen > web.session_idle_timeout or now - login_at > web.session_max_age:
        request.session.clear()
        request.session["flashes"] = [
            {"text": "Du har loggats ut eftersom sessionen gick ut.", "kind": "info"}
        ]
        raise LoginRequired()
    user = request.app.state.db.load_user(username)
    if user is None or user.locked:
        request.session.clear()
        raise LoginRequired()
    request.session["seen_at"] = now
    request.state.user = user.web_user
    return user.web_user


def require_roles(*roles: str) -> Any:
    def dependency(user: WebUser = Depends(current_user)) -> WebUser:
        if user.role not in roles:
            raise Forbidden("Din roll har inte tillgång till den här sidan.")
        return user

    return Depends(dependency)


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/logga-in")
def login_form(request: Request, next: str = "/") -> Response:
    from canrehab.web.app import render

    return render(
        request,
        "login.html",
        {
            "next_url": _safe_next(next),
            "username": "",
            "error": None,
            "oidc_enabled": request.app.state.web_settings.oidc_enabled,
        },
    )


@router.post("/logga-in")
def login(
    request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")
) -> Response:
    from canrehab.web.app import render

    web: WebSettings = request.app.state.web_settings
    database: Database = request.app.state.db
    throttle = request.app.state.throttle
    username = username.strip()
    keys = (f"ip:{_client(request)}", f"user:{username.lower()}")
    error = "Fel användarnamn eller lösenord."
    status = 401
    if throttle.blocked(*keys):
        burn_verification(password)
        error = "För många misslyckade inloggningar. Vänta några minuter och försök igen."
        status = 429
    else:
        account = database.load_user(username)
        now = datetime.now(UTC)
        if account is None:
            burn_verification(password)
            throttle.fail(*keys)
        elif account.locked_until is not None and account.locked_until > now:
            burn_verification(password)
            throttle.fail(*keys)
            error = "Kontot är tillfälligt låst efter för många misslyckade inloggningar. Försök igen senare."
            status = 429
        elif account.password_hash and verify_password(account.password_hash, password):
            database.login_succeeded(username)
            throttle.reset(f"user:{username.lower()}")
            start_session(request, username, "password")
            return RedirectResponse(_safe_next(next), status_code=303)
        else:
            throttle.fail(*keys)
            locked = database.login_failed(
                username, web.max_failed_logins, timedelta(minutes=web.lockout_minutes)
            )
            if locked:
                error = (
                    "Kontot är tillfälligt låst efter för många misslyckade inloggningar. Försök igen senare."
                )
                status = 429
    return render(
        request,
        "login.html",
        {
            "next_url": _safe_next(next),
            "username": username,
            "error": error,
            "oidc_enabled": web.oidc_enabled,
        },
        status_code=status,
    )


@router.post("/logga-ut")
def logout(request: Request) -> Response:
    request.session.clear()
    request.session["flashes"] = [{"text": "Du är utloggad.", "kind": "info"}]
    return RedirectResponse("/logga-in", status_code=303)


# ---------------------------------------------------------------------------------------------- OIDC


def setup_oidc(app: FastAPI, web: WebSettings) -> None:
    app.state.oauth = None
    if not web.oidc_enabled:
        return
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "region",
        server_metadata_url=web.oidc_metadata_url,
        client_id=web.oidc_client_id,
        client_secret=web.oidc_client_secret or None,
        client_kwargs={"scope": web.oidc_scope},
    )
    app.state.oauth = oauth


@router.get("/logga-in/oidc")
async def oidc_login(request: Request) -> Response:
    oauth = request.app.state.oauth
    if oauth is None:
        raise Forbidden("Inloggning via regionens identitetstjänst är inte konfigurerad.")
    redirect_uri = str(request.url_for("oidc_callback"))
    response: Response = await oauth.region.authorize_redirect(request, redirect_uri)
    return response


@router.get("/logga-in/oidc/svar", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    from authlib.integrations.base_client.errors import OAuthError

    from canrehab.web.app import error_page

    oauth = request.app.state.oauth
    if oauth is None:
        raise Forbidden("Inloggning via regionens identitetstjänst är inte konfigurerad.")
    web: WebSettings = request.app.state.web_settings
    try:
        token = await oauth.region.authorize_access_token(request)
    except OAuthError:
        return error_page(
            request,
            401,
            "Inloggningen misslyckades",
            "Identitetstjänsten godkände inte inloggningen. Försök igen.",
        )
    claims = token.get("userinfo") or {}
    username = str(claims.get(web.oidc_username_claim, "")).strip()
    account = request.app.state.db.load_user(username) if username else None
    if account is None or account.locked:
        return error_page(
            request,
            403,
            "Inget konto",
            "Du är inloggad hos identitetstjänsten men saknar behörighet i canrehab.",
        )
    start_session(request, username, "oidc")
    return RedirectResponse("/", status_code=303)
