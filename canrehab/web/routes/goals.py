"""The goals overview (``/uppfoljning/mal``): every goal of the region's goals file with where each unit and
the region stand against it. HTTP only: the use case is ``canrehab.services.goal_status``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.followup.goals import KIND_SV
from canrehab.services import indicators as indicator_service
from canrehab.services.goal_status import GoalStatus, goal_status
from canrehab.web.deps import FollowupUser, ServicesDep
from canrehab.web.pages import render
from canrehab.web.routes.dashboards import period
from canrehab.web.views.goals import goal_view

router = APIRouter()

SOURCE_SV = {
    "care": "vårdprocessens egna uppgifter",
    "structure": "strukturregistret",
    "register": "patientregistret (registeruttag, se Statistik)",
}


def _status_view(status: GoalStatus, today: Any) -> dict[str, Any]:
    region = status.region
    view = goal_view(status.goal, None if region is None else region.percent, today)
    view["level"] = view["level"].rstrip(".")
    if status.goal.level.percent is None and status.source == "care":
        view["reached_text"] = "målet anger ingen siffra: följs över tid"
    elif status.source == "register":
        view["reached_text"] = "följs med registeruttag"
    if status.source == "structure" and region is not None:
        view["reached"] = region.reached
        view["reached_text"] = (
            "ingen verksamhet i urvalet"
            if region.reached is None
            else ("uppnått" if region.reached else "inte uppnått")
        )
    return {
        **view,
        "indicator": status.indicator_name,
        "kind": KIND_SV[status.goal.kind],
        "source_data": SOURCE_SV[status.source],
        "register": status.source == "register",
        "indicator_id": status.goal.indicator,
        "region": region,
        "units": status.units,
        "units_summary": (
            f"{status.units_reached} av {len(status.units)} når målet"
            if any(u.reached is not None for u in status.units)
            else f"{len(status.units)} enheter"
        ),
    }


@router.get("/uppfoljning/mal")
def goals_overview(
    request: Request,
    services: ServicesDep,
    user: FollowupUser,
    unit: str = "",
    process: str = "",
    start: str = "",
    end: str = "",
) -> Response:
    start_d, end_d = period(request.query_params.get("from", start), request.query_params.get("to", end))
    statuses = goal_status(
        services, user.actor, unit=unit or None, process=process or None, start=start_d, end=end_d
    )
    today = services.today()
    by_document: dict[str, list[dict[str, Any]]] = {}
    for status in statuses:
        key = f"{status.goal.source.document} {status.goal.source.title}"
        by_document.setdefault(key, []).append(_status_view(status, today))
    visible, _ = indicator_service.scope(services, user.actor, None)
    return render(
        request,
        "goals.html",
        {
            "documents": by_document,
            "units": visible,
            "processes": [p.id for p in services.catalog.processes],
            "filters": {
                "unit": unit,
                "process": process,
                "start": start_d.isoformat(),
                "end": end_d.isoformat(),
            },
        },
    )
