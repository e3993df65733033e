"""The goals overview (``/uppfoljning/mal``): every goal of the region's goals file with where each unit and
the region stand against it. HTTP only: the use case is ``canrehab.services.goal_status``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.codes.geography import default_counties
from canrehab.domain.errors import DomainError
from canrehab.followup.goals import KIND_SV, default_indicators
from canrehab.services import indicators as indicator_service
from canrehab.services import process_indicators
from canrehab.services.goal_status import GoalStatus, goal_status
from canrehab.services.goal_trends import LEVEL_SV, indicator_trend
from canrehab.web import charts
from canrehab.web.deps import FollowupUser, ServicesDep
from canrehab.web.format import sv_date
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
        if status.register_year is None:
            view["reached_text"] = "följs med registeruttag: inget registeruttag är importerat ännu"
        elif status.goal.level.percent is None:
            view["reached_text"] = (
                f"registeruttag {status.register_year}: målet anger ingen siffra, följs över tid"
            )
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
        "register_year": status.register_year,
        "register_dataset": status.register_dataset,
        "unit_header": "Län" if status.source == "register" else "Enhet",
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


GRANULARITY_SV = {"kvartal": "quarter", "ar": "year"}
LEVELS = ("all", "unit", "process", "county", "rcc")


@router.get("/uppfoljning/mal/trend")
def goal_trend(
    request: Request,
    services: ServicesDep,
    user: FollowupUser,
    indicator: str = "",
    niva: str = "all",
    varde: str = "",
    period: str = "kvartal",
    antal: str = "8",
    end: str = "",
) -> Response:
    """One care indicator's trend per quarter or year for a unit, diagnosis process, county, RCC or the
    whole scope, with the goal line, the baseline (nuläge), goal reached or not and the time left."""

    care = (*process_indicators.load_process_indicators(), *default_indicators().of_source("structure"))
    indicator = indicator or (care[0].id if care else "")
    level = niva if niva in LEVELS else "all"
    granularity = GRANULARITY_SV.get(period, "quarter")
    today = services.today()
    try:
        end_d = date_or_today(end, today)
        count = int(antal) if antal.isdigit() else 8
        trend = indicator_trend(
            services,
            user.actor,
            indicator_id=indicator,
            level=level,  # type: ignore[arg-type]
            value=varde,
            granularity=granularity,  # type: ignore[arg-type]
            end=end_d,
            count=count,
        )
        error = ""
    except DomainError as refused:
        if refused.code.startswith("access"):
            raise
        trend, error, end_d = None, refused.message_sv, today
    visible, _ = indicator_service.scope(services, user.actor, None)
    counties = default_counties()
    context: dict[str, Any] = {
        "error": error,
        "indicators": [(d.id, d.name_sv) for d in care],
        "filters": {
            "indicator": indicator,
            "niva": level,
            "varde": varde,
            "period": period,
            "antal": antal,
            "end": end_d.isoformat(),
        },
        "levels": LEVEL_SV,
        "choices": {
            "unit": [(u.hsa_id, u.name) for u in visible],
            "process": [(p.id, p.id) for p in services.catalog.processes],
            "county": sorted(
                {
                    (u.county_code, counties.by_code[u.county_code].name)
                    for u in visible
                    if u.county_code in counties.by_code
                }
            ),
            "rcc": [(r.code, r.name) for r in counties.rccs],
        },
        "trend": None,
    }
    if trend is not None:
        primary = next((g for g in trend.goals if g.level.percent is not None), None)
        goal_level = primary.level.percent if primary else None
        baseline = next((g.baseline.percent for g in trend.goals if g.baseline.percent is not None), None)
        labels = [p.label for p in trend.points]
        series = charts.Series(
            trend.group_label, tuple((p.label, p.percent) for p in trend.points), "#005595"
        )
        latest = trend.latest
        latest_percent = latest.percent if latest else None
        name = default_indicators().get(trend.indicator.id).name_sv
        context["trend"] = {
            "name": name,
            "description": trend.indicator.description_sv,
            "group": trend.group_label,
            "svg": charts.trend_chart(
                labels,
                [series],
                goal_level,
                f"{name}, {trend.group_label}, per {'år' if granularity == 'year' else 'kvartal'}",
                width=640,
                baseline=baseline,
                missing="X (för få för att visas) eller inga patienter",
            ),
            "goals": [goal_view(g, latest_percent, today) for g in trend.goals],
            "latest": latest,
            "rows": [
                {
                    "label": p.label,
                    "period": f"{sv_date(p.start)}–{sv_date(p.end)}",
                    "numerator": p.row.numerator_text,
                    "denominator": p.row.denominator_text,
                    "share": p.row.share_text,
                    "suppressed": p.row.suppressed,
                    "reached": primary.level.reached(p.percent) if primary else None,
                    "drill_url": (
                        f"/uppfoljning/patienter?indicator={trend.indicator.id}&unit={varde}"
                        f"&start={p.start.isoformat()}&end={p.end.isoformat()}"
                    )
                    if trend.may_drill_down and level == "unit" and p.row.denominator
                    else "",
                }
                for p in trend.points
            ],
        }
    return render(request, "goal_trend.html", context)


def date_or_today(value: str, today: date) -> date:

    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("trend.date", "Ange slutdatum som ÅÅÅÅ-MM-DD.", "bad date") from None
