"""The web application factory: ``create_app(settings)``.

Server-rendered Swedish pages (Jinja2, autoescape on), cookie sessions signed with the secret key, CSRF tokens
on every state-changing form, security headers on every response. All patient data is read and written through
the services layer, which checks access by care unit and writes the audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from canrehab.config import Settings, get_settings
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.permissions import Action, roles_for
from canrehab.services.guard import AccessRefused
from canrehab.web import format as fmt
from canrehab.web import validation
from canrehab.web.security import (
    CsrfMiddleware,
    LoginThrottle,
    RejectNulMiddleware,
    SecurityHeadersMiddleware,
    csrf_token,
)
from canrehab.web.sessions import SessionStore
from canrehab.web.settings import WebSettings

HERE = Path(__file__).parent
SESSION_COOKIE = "canrehab_session"

# Page access by role, from the permission table (``canrehab.domain.permissions``). STAFF_ROLES: the units'
# own work (work lists, inboxes, forms and actions; the services refuse a unit manager's changes).
# RECORD_ROLES: reading a patient's record, also for the administrator / process leader.
STAFF_ROLES = tuple(sorted(roles_for(Action.UNIT_WORK)))
RECORD_ROLES = tuple(sorted(roles_for(Action.READ_RECORD)))
CLINICAL_ROLES = tuple(sorted(roles_for(Action.CHANGE_RECORD)))
DASHBOARD_ROLES = tuple(sorted(roles_for(Action.FOLLOWUP)))
AUDIT_ROLES = tuple(sorted(roles_for(Action.AUDIT_LOG) - {"system"}))


def secret_key(settings: Settings) -> str:
    """The configured secret key, or one generated once and kept in ``<data_dir>/secret.key``."""
    return settings.installation_secret()


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True
    env.filters.update(
        sv_date=fmt.sv_date,
        sv_number=fmt.sv_number,
        sv_percent=fmt.sv_percent,
        level=fmt.level_label,
        profession=lambda v: fmt.label(fmt.PROFESSION_SV, v),
        phase=lambda v: fmt.label(fmt.PHASE_SV, v),
        status=fmt.status_label,
        key_moment=lambda v: fmt.label(fmt.KEY_MOMENT_SV, v),
        plan_event=lambda v: fmt.label(fmt.PLAN_EVENT_SV, v),
        close_reason=lambda v: fmt.label(fmt.CLOSE_REASON_SV, v),
        process=lambda v: fmt.label(fmt.PROCESS_SV, v),
        advice=lambda v: fmt.label(fmt.ADVICE_SV, v),
    )
    env.globals.update(
        role_label=lambda v: fmt.label(fmt.ROLE_SV, v),
        staff_roles=STAFF_ROLES,
        dashboard_roles=DASHBOARD_ROLES,
        audit_roles=AUDIT_ROLES,
        PROFESSION_SV=fmt.PROFESSION_SV,
        CLOSE_REASON_SV=fmt.CLOSE_REASON_SV,
        KEY_MOMENT_SV=fmt.KEY_MOMENT_SV,
        PHASE_SV=fmt.PHASE_SV,
        PROCESS_SV=fmt.PROCESS_SV,
    )
    return templates


def flash(request: Request, text: str, kind: str = "info") -> None:
    request.session.setdefault("flashes", [])
    request.session["flashes"] = [*request.session["flashes"], {"text": text, "kind": kind}]


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "flashes": request.session.pop("flashes", []),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def error_page(request: Request, status_code: int, heading: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"heading": heading, "message": message}, status_code=status_code)


def create_app(settings: Settings | None = None, web_settings: WebSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    web_settings = web_settings or WebSettings()
    from canrehab.web.lifespan import lifespan

    app = FastAPI(title="canrehab", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.web_settings = web_settings
    app.state.templates = make_templates()
    app.state.throttle = LoginThrottle(web_settings.throttle_failures, web_settings.throttle_window_seconds)

    from canrehab.web import db

    app.state.db = db.Database(settings)
    app.state.sessions = SessionStore(app.state.db.engine)

    # Middleware: the last added runs first. Order on a request: headers -> session -> CSRF -> app.
    app.add_middleware(CsrfMiddleware)
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
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from canrehab.web import auth
    from canrehab.web.denials import record_refusal
    from canrehab.web.routes import ROUTERS

    auth.setup_oidc(app, web_settings)
    app.include_router(auth.router)
    for router in ROUTERS:
        app.include_router(router)
    _include_fhir(app)

    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, exc: auth.LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/logga-in?next={_quote(target)}", status_code=303)

    @app.exception_handler(auth.Forbidden)
    def _forbidden(request: Request, exc: auth.Forbidden) -> Response:
        message = exc.message or "Du har inte behörighet till den här sidan."
        record_refusal(request, message)
        return error_page(request, 403, "Åtkomst nekad", message)

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> Response:
        return error_page(request, 409, "Någon annan har ändrat uppgifterna", exc.message_sv)

    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> Response:
        status = 404 if exc.code.endswith("not_found") else 403 if "access" in exc.code else 400
        if status == 403 and not (isinstance(exc, AccessRefused) and exc.audited):
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

    return app


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


def _include_fhir(app: FastAPI) -> None:
    try:
        from canrehab.fhir.api import router as fhir_router
    except ImportError:  # the FHIR layer has not landed in this checkout
        return
    app.include_router(fhir_router)
