"""Indicator dashboards for unit managers, regional process leaders (admin) and analysts (aggregates only)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.domain.permissions import Action, roles_for
from canrehab.web import backend
from canrehab.web.app import DASHBOARD_ROLES, render
from canrehab.web.auth import Forbidden, WebUser, require_roles

router = APIRouter()

DRILL_ROLES = roles_for(Action.FOLLOWUP_DRILL_DOWN)


def _period(start: str, end: str) -> tuple[date, date]:
    today = date.today()
    try:
        end_d = date.fromisoformat(end) if end else today
    except ValueError:
        end_d = today
    try:
        start_d = date.fromisoformat(start) if start else end_d - timedelta(days=365)
    except ValueError:
        start_d = end_d - timedelta(days=365)
    return start_d, end_d


@router.get("/uppfoljning")
def dashboard(
    request: Request,
    unit: str = "",
    process: str = "",
    start: str = "",
    end: str = "",
    user: WebUser = require_roles(*DASHBOARD_ROLES),
) -> Response:
    start_d, end_d = _period(request.query_params.get("from", start), request.query_params.get("to", end))
    context = backend.dashboard(
        request,
        user,
        unit=unit,
        process=process,
        start=start_d,
        end=end_d,
        can_drill=user.role in DRILL_ROLES,
    )
    context["filters"] = {
        "unit": unit,
        "process": process,
        "start": start_d.isoformat(),
        "end": end_d.isoformat(),
    }
    context["can_drill"] = user.role in DRILL_ROLES
    return render(request, "dashboard.html", context)


@router.get("/uppfoljning/patienter")
def drilldown(
    request: Request,
    indicator: str,
    unit: str,
    process: str = "",
    start: str = "",
    end: str = "",
    user: WebUser = require_roles(*DASHBOARD_ROLES),
) -> Response:
    if user.role not in DRILL_ROLES:
        raise Forbidden("Din roll ser bara sammanställda siffror, inte enskilda patienter.")
    start_d, end_d = _period(start, end)
    title, rows = backend.drilldown(
        request, user, indicator=indicator, unit=unit, process=process, start=start_d, end=end_d
    )
    return render(request, "drilldown.html", {"title": title, "rows": rows})
