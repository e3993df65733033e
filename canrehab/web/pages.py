"""Rendering pages: the Jinja2 templates (autoescape on, the Swedish filters), ``render``, ``flash`` and the
error page. A leaf: it imports no route, no dependency and not the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from canrehab.domain import offers
from canrehab.domain.permissions import Action, allowed
from canrehab.services.idempotency import new_key
from canrehab.web import format as fmt
from canrehab.web.security import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"


def user_may(user: object, action: str) -> bool:
    """For the templates: whether the logged-in ``user`` (None when nobody is) may take ``action``, e.g.
    ``allowed(user, 'unit_work')``; an unknown action name is an error, not a silent no."""
    role = getattr(user, "role", None)
    return role is not None and allowed(str(role), Action(action))


def make_templates(reload: bool = False) -> Jinja2Templates:
    """The page templates; ``reload`` (``CANREHAB_WEB_TEMPLATE_RELOAD``, for development) re-reads a template
    whose file changed, otherwise a template is compiled once per process and never stat'ed again."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.autoescape = True
    env.auto_reload = reload
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
        allowed=user_may,
        form_key=new_key,  # a fresh one-time key per form that creates a record (services.idempotency)
        PROFESSION_SV=fmt.PROFESSION_SV,
        CLOSE_REASON_SV=fmt.CLOSE_REASON_SV,
        KEY_MOMENT_SV=fmt.KEY_MOMENT_SV,
        PHASE_SV=fmt.PHASE_SV,
        PROCESS_SV=fmt.PROCESS_SV,
        offer_state=offers.offer_state,  # _offers.html
        CHANNEL_SV=offers.CHANNEL_SV,
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
