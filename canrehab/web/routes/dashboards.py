"""Indicator dashboards for unit managers, regional process leaders (admin) and analysts (aggregates only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.domain.permissions import Action
from canrehab.services import indicators as indicator_service
from canrehab.web import charts
from canrehab.web.deps import FollowupUser, ServicesDep
from canrehab.web.errors import Forbidden
from canrehab.web.format import sv_date
from canrehab.web.pages import render
from canrehab.web.views.goals import goals_for

router = APIRouter()


def period(start: str, end: str) -> tuple[date, date]:
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


def _indicator(
    ind: Any, drill_url: Callable[[str, str], str] | None, today: date | None = None
) -> dict[str, Any]:
    """One indicator's chart and table; ``drill_url(indicator id, unit)`` links a row to its patients (None
    when the user may not drill down)."""
    goal = ind.definition.goal.level_percent / 100 if ind.definition.goal else None
    bars = [charts.Bar(r.label, r.share, "för få" if r.suppressed else "") for r in ind.rows]
    return {
        "key": ind.definition.id,
        "goals": goals_for(
            ind.definition.id,
            None if ind.rows[-1].share is None else 100 * ind.rows[-1].share,
            today or date.today(),
        )
        if ind.rows
        else goals_for(ind.definition.id, None, today or date.today()),
        "title": ind.definition.name_sv,
        "description": ind.definition.description_sv,
        "goal": goal,
        "svg": charts.bar_chart(bars, goal, ind.definition.name_sv),
        "rows": [
            {
                "label": r.label,
                "numerator_text": r.numerator_text,
                "denominator_text": r.denominator_text,
                "share_text": r.share_text,
                "drill_url": drill_url(ind.definition.id, r.unit_hsa_id)
                if drill_url and r.unit_hsa_id
                else "",
            }
            for r in ind.rows
        ],
    }


@router.get("/uppfoljning")
def dashboard(
    request: Request,
    services: ServicesDep,
    user: FollowupUser,
    unit: str = "",
    process: str = "",
    start: str = "",
    end: str = "",
    svf: str = "",
) -> Response:
    start_d, end_d = period(request.query_params.get("from", start), request.query_params.get("to", end))
    can_drill = user.may(Action.FOLLOWUP_DRILL_DOWN)
    svf_only = svf == "ja"
    result = indicator_service.dashboard(
        services,
        user.actor,
        unit=unit or None,
        process=process or None,
        start=start_d,
        end=end_d,
        svf_only=svf_only,
    )

    def drill_url(indicator_id: str, unit_hsa_id: str) -> str:
        return (
            f"/uppfoljning/patienter?indicator={indicator_id}&unit={unit_hsa_id}"
            f"&process={process}&start={start_d.isoformat()}&end={end_d.isoformat()}"
            + ("&svf=ja" if svf_only else "")
        )

    trends = indicator_service.own_unit_trends(
        services, user.actor, unit=unit or None, process=process or None, end=end_d
    )
    own_names = ", ".join(
        u.name for u in result.units if u.hsa_id in user.actor.unit_hsa_ids and (not unit or u.hsa_id == unit)
    )
    context: dict[str, Any] = {
        "own_units": own_names,
        "trends": {
            key: charts.trend_line(
                [(sv_date(on), v) for on, v in series],
                100.0,
                f"Trend för {own_names or 'din enhet'} per kvartal",
                width=260,
                cues=("▲ högre andel", "▼ lägre andel", "= oförändrad andel"),
                unit=" %",
            )
            for key, series in trends.items()
            if any(v is not None for _, v in series)
        },
        "units": result.units,
        "processes": [p.id for p in services.catalog.processes],
        "indicators": [
            _indicator(ind, drill_url if can_drill else None, services.today()) for ind in result.indicators
        ],
        "suppressed_note": result.suppressed_note,
        "distribution": indicator_service.distribution(
            services, user.actor, unit=unit or None, process=process or None, start=start_d, end=end_d
        ),
    }
    context["filters"] = {
        "unit": unit,
        "process": process,
        "start": start_d.isoformat(),
        "end": end_d.isoformat(),
        "svf": svf_only,
    }
    context["can_drill"] = can_drill
    return render(request, "dashboard.html", context)


@router.get("/uppfoljning/patienter")
def drilldown(
    request: Request,
    indicator: str,
    unit: str,
    services: ServicesDep,
    user: FollowupUser,
    process: str = "",
    start: str = "",
    end: str = "",
    svf: str = "",
) -> Response:
    if not user.may(Action.FOLLOWUP_DRILL_DOWN):
        raise Forbidden("Din roll ser bara sammanställda siffror, inte enskilda patienter.")
    start_d, end_d = period(start, end)
    title, rows = indicator_service.drilldown(
        services,
        user.actor,
        indicator_id=indicator,
        unit=unit,
        process=process or None,
        start=start_d,
        end=end_d,
        svf_only=svf == "ja",
    )
    return render(request, "drilldown.html", {"title": title, "rows": rows})
