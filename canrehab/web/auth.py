"""Login, logout, sessions and roles.

Local accounts (``user_account``, argon2 hashes) and, when configured, OIDC against the region's IdP
(authlib's Starlette client). Sessions are kept on the server (``canrehab.web.sessions``): the cookie holds
only a random token, logout deletes the session, and the idle timeout and absolute lifetime are enforced on
the server. The account is re-read on every request so that a locked or removed account takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.permissions import Action, allowed
from canrehab.web.security import burn_verification, verify_password
from canrehab.web.sessions import SessionStore
from canrehab.web.settings import WebSettings

if TYPE_CHECKING:
    from canrehab.web.db import Database

router = APIRouter()


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
        return allowed(self.role, Action.UNIT_WORK)


SESSION_KEY = "sid"  # the session token in the signed cookie; the server keeps only its hash


def _now() -> datetime:
    return datetime.now(UTC)


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def start_session(request: Request, username: str, method: str) -> None:
    """A new server-side session for the user: the old one (if any) is ended and the cookie gets a fresh
    token, so nothing set before the login (session fixation) carries over, except the CSRF token."""
    web: WebSettings = request.app.state.web_settings
    store = _store(request)
    store.end(str(request.session.get(SESSION_KEY, "")))
    csrf = request.session.get("csrf")
    request.session.clear()
    if csrf:
        request.session["csrf"] = csrf
    token = store.create(username, method, timedelta(seconds=web.session_max_age), _now())
    request.session[SESSION_KEY] = token


def end_session(request: Request) -> None:
    _store(request).end(str(request.session.get(SESSION_KEY, "")))
    request.session.clear()


def _logged_out(request: Request, message: str | None) -> LoginRequired:
    request.session.clear()
    if message:
        request.session["flashes"] = [{"text": message, "kind": "info"}]
    return LoginRequired()


def current_user(request: Request) -> WebUser:
    """Dependency: the logged-in user, or a redirect to the login page.

    The session must exist on the server (not ended by logout), be within its idle timeout and absolute
    lifetime, and belong to an account that exists and is not locked; the account is re-read on every
    request so that a locked or changed account takes effect at once.
    """
    cached = getattr(request.state, "user", None)
    if isinstance(cached, WebUser):
        return cached
    token = request.session.get(SESSION_KEY)
    if not token:
        raise LoginRequired()
    store = _store(request)
    session = store.get(str(token))
    if session is None:  # logged out, or the row was removed: a replayed cookie ends here
        raise _logged_out(request, None)
    web: WebSettings = request.app.state.web_settings
    now = _now()
    if session.expired(now, timedelta(seconds=web.session_idle_timeout)):
        store.end(str(token))
        raise _logged_out(request, "Du har loggats ut eftersom sessionen gick ut.")
    user = request.app.state.db.load_user(session.username)
    if user is None or user.locked:
        store.end_all(session.username)
        raise _logged_out(request, None)
    store.touch(session, now)
    request.state.user = user.web_user
    return user.web_user


def require_roles(*roles: str) -> Any:
    def dependency(user: WebUser = Depends(current_user)) -> WebUser:
        if user.role not in roles:
            raise Forbidden("Din roll har inte tillgång till den här sidan.")
        return user

    return Depends(dependency)


LOGIN_FAILED = (
    "Fel användarnamn eller lösenord, eller så är kontot tillfälligt låst efter för många misslyckade "
    "inloggningar. Försök igen eller kontakta din administratör."
)


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
    # Unknown account, wrong password and a locked account get the same answer after the same work (one
    # argon2 verification), so the page does not tell which usernames exist.
    error = LOGIN_FAILED
    status = 401
    if throttle.blocked(*keys):
        burn_verification(password)
        error = "För många misslyckade inloggningar. Vänta några minuter och försök igen."
        status = 429
    else:
        account = database.load_user(username)
        if account is None or account.locked:
            burn_verification(password)
            throttle.fail(*keys)
        elif account.password_hash and verify_password(account.password_hash, password):
            database.login_succeeded(username)
            throttle.reset(f"user:{username.lower()}")
            start_session(request, username, "password")
            return RedirectResponse(_safe_next(next), status_code=303)
        else:
            throttle.fail(*keys)
            if database.login_failed(username, web.max_failed_logins, timedelta(minutes=web.lockout_minutes)):
                _store(request).end_all(username)
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
    end_session(request)
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
    from authlib.jose.errors import JoseError
    from joserfc.errors import JoseError as JoseRfcError

    from canrehab.web.app import error_page

    oauth = request.app.state.oauth
    if oauth is None:
        raise Forbidden("Inloggning via regionens identitetstjänst är inte konfigurerad.")
    web: WebSettings = request.app.state.web_settings
    try:
        token = await oauth.region.authorize_access_token(request)
    except (OAuthError, JoseError, JoseRfcError):  # refused, or an ID token that fails validation
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
