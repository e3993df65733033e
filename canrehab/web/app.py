"""The web application factory: ``create_app(settings)``.

Server-rendered Swedish pages (Jinja2, autoescape on), cookie sessions signed with the secret key, CSRF tokens
on every state-changing form, security headers on every response. All patient data is read and written through
the services layer, which checks access by care unit and writes the audit log.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from canrehab.config import Settings, get_settings
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.services import refusals
from canrehab.services.context import Services
from canrehab.services.guard import AccessRefused
from canrehab.services.login_throttle import LoginThrottle
from canrehab.web import auth, validation
from canrehab.web.access_log import AccessLogMiddleware
from canrehab.web.denials import record_refusal, record_session_refusal
from canrehab.web.errors import Forbidden, LoginRequired
from canrehab.web.lifespan import lifespan
from canrehab.web.pages import error_page, make_templates, render
from canrehab.web.routes import ROUTERS
from canrehab.web.security import (
    CsrfMiddleware,
    RejectNulMiddleware,
    SecurityHeadersMiddleware,
    TrustedProxyMiddleware,
)
from canrehab.web.settings import WebSettings

HERE = Path(__file__).parent
SESSION_COOKIE = "canrehab_session"


def secret_key(settings: Settings) -> str:
    """The configured secret key, or one generated once and kept in ``<data_dir>/secret.key``."""
    return settings.installation_secret()


def create_app(settings: Settings | None = None, web_settings: WebSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    web_settings = web_settings or WebSettings()
    app = FastAPI(title="canrehab", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.web_settings = web_settings
    app.state.templates = make_templates(web_settings.template_reload)
    # one Services (and engine: store.db.make_engine) per app, shared by the pages, the sessions and /fhir
    app.state.services = Services.open(settings)
    # failed logins counted in the database: every worker process of ``canrehab serve`` sees the same counts
    app.state.throttle = LoginThrottle(app.state.services.engine)

    # Middleware: the last added runs first. Order on a request: trusted proxy -> access log -> headers ->
    # NUL -> session -> CSRF and origin -> app.
    app.add_middleware(
        CsrfMiddleware,
        allowed_origins=web_settings.allowed_origins,
        on_refusal=record_session_refusal,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie=SESSION_COOKIE,
        max_age=web_settings.session_max_age,
        same_site="lax",
        https_only=web_settings.https,
    )
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, https=web_settings.https)
    app.add_middleware(AccessLogMiddleware)  # it sees the final status and the matched route
    app.add_middleware(TrustedProxyMiddleware, trusted=web_settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    auth.setup_oidc(app, web_settings)
    app.include_router(auth.router)
    for router in ROUTERS:
        app.include_router(router)
    _include_fhir(app)

    _exception_handlers(app)
    return app


def _exception_handlers(app: FastAPI) -> None:
    """The answers to what the routes raise: the login page, an audited 403, 404/409/400 pages, Swedish
    validation errors (JSON when asked for), and the error page for every other HTTP error."""

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/logga-in?next={_quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    def _forbidden(request: Request, exc: Forbidden) -> Response:
        message = exc.message or "Du har inte behörighet till den här sidan."
        record_refusal(request, message)
        return error_page(request, 403, "Åtkomst nekad", message)

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> Response:
        return error_page(request, 409, "Någon annan har ändrat uppgifterna", exc.message_sv)

    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> Response:
        status = 404 if exc.code.endswith("not_found") else 403 if "access" in exc.code else 400
        if refusals.is_unaudited_refusal(exc) or (
            status == 403 and not (isinstance(exc, AccessRefused) and exc.audited)
        ):
            record_refusal(request, exc.message_sv)
        heading = {404: "Hittades inte", 403: "Åtkomst nekad"}.get(status, "Det gick inte att genomföra")
        return error_page(request, status, heading, exc.message_sv)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/fhir"):  # the FHIR API answers with OperationOutcomes of its own
            return await request_validation_exception_handler(request, exc)
        problems = validation.problems_sv(exc.errors())
        if validation.wants_json(request):
            return JSONResponse({"fel": "Ogiltiga uppgifter", "detaljer": problems}, status_code=422)
        return render(
            request,
            "error.html",
            {
                "heading": "Ogiltiga uppgifter",
                "message": "Sidan kunde inte visas eftersom uppgifterna i anropet inte stämmer:",
                "problems": problems,
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        heading = {404: "Sidan finns inte", 403: "Åtkomst nekad", 405: "Otillåten metod"}.get(
            exc.status_code, "Fel"
        )
        return error_page(
            request,
            exc.status_code,
            heading,
            str(exc.detail) if exc.status_code != 404 else "Sidan du söker finns inte.",
        )


def _quote(value: str) -> str:
    return quote(value, safe="/")


def _include_fhir(app: FastAPI) -> None:
    try:
        from canrehab.fhir.api import router as fhir_router
    except ImportError:  # the FHIR layer has not landed in this checkout
        return
    app.include_router(fhir_router)
