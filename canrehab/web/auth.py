"""Login and logout routes: local accounts (argon2 hashes, ``canrehab.services.passwords``) and, when
configured, OIDC against the region's IdP (authlib's Starlette client). Sessions are kept on the server
(``canrehab.web.sessions``): the cookie holds only a random token, logout deletes the session, and the idle
timeout and absolute lifetime are enforced on the server (``canrehab.web.deps.current_user``, which re-reads
the account on every request so that a locked or removed account takes effect at once).
"""

from __future__ import annotations

import math
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.services import accounts as account_service
from canrehab.services.login_throttle import LoginThrottle
from canrehab.web.deps import ServicesDep
from canrehab.web.errors import Forbidden
from canrehab.web.pages import error_page, render
from canrehab.web.sessions import end_session, start_session
from canrehab.web.settings import WebSettings

router = APIRouter()


def _lifetime(request: Request) -> timedelta:
    web: WebSettings = request.app.state.web_settings
    return timedelta(seconds=web.session_max_age)


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
    request: Request,
    services: ServicesDep,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    web: WebSettings = request.app.state.web_settings
    throttle: LoginThrottle = request.app.state.throttle
    username = username.strip()
    keys = throttle.login_keys(username, _client(request))
    # Unknown account, wrong password and a locked account get the same answer after the same work (one
    # argon2 verification), so the page does not tell which usernames exist; the throttle counts unknown
    # usernames like known ones, so its answer does not tell either.
    error = LOGIN_FAILED
    status = 401
    # The password is checked first and the throttle then decides, atomically with counting a failure,
    # whether the outcome may be told (``LoginThrottle.settle``): parallel guesses queue on the count
    # instead of all passing one check, and a throttled attempt is answered 429 whatever its password.
    _account, ok = account_service.password_login(services, username, password)
    pair, user, _address = keys
    # a success ends the account's failures; the address's stay (one success does not clear a spray)
    wait = throttle.settle(*keys, ok=ok, clear=(pair, user))
    if wait > 0:
        seconds = math.ceil(wait)
        unit = "sekund" if seconds == 1 else "sekunder"
        error = f"För många misslyckade inloggningar. Vänta {seconds} {unit} och försök igen."
        status = 429
    elif ok:
        account_service.login_succeeded(services, username)
        start_session(request, username, "password", _lifetime(request))
        return RedirectResponse(_safe_next(next), status_code=303)
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
async def oidc_callback(request: Request, services: ServicesDep) -> Response:
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.jose.errors import JoseError
    from joserfc.errors import JoseError as JoseRfcError

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
    account = account_service.login_account(services, username)
    if account is None or account.locked:
        return error_page(
            request,
            403,
            "Inget konto",
            "Du är inloggad hos identitetstjänsten men saknar behörighet i canrehab.",
        )
    start_session(request, username, "oidc", _lifetime(request))
    return RedirectResponse("/", status_code=303)
