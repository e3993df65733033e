"""The goals of an indicator as the dashboards show them: level, target date, source, baseline (nuläge) with
its date, whether the figure reaches the level and the time left."""

from __future__ import annotations

from datetime import date
from typing import Any

from canrehab.followup.goals import KIND_SV, GoalDef, default_goals
from canrehab.web.format import sv_date, sv_number


def time_left_sv(goal: GoalDef, today: date) -> str:
    days = goal.time_left_days(today)
    if days is None:
        return "inget måldatum angivet i källan"
    if days < 0:
        return f"måldatum passerat ({sv_date(goal.target_date)})"
    months = days // 30
    return f"{days} dagar kvar" if months < 2 else f"{months} månader kvar"


def _reached_sv(goal: GoalDef, percent: float | None, reached: bool | None) -> str:
    if goal.level.percent is None:
        return "följs i strukturregistret eller över tid"
    if reached is None:
        return "ingen siffra för perioden"
    return "uppnått" if reached else "inte uppnått"


def goal_view(goal: GoalDef, percent: float | None, today: date) -> dict[str, Any]:
    reached = goal.level.reached(percent)
    baseline = goal.baseline
    return {
        "id": goal.id,
        "name": goal.name_sv,
        "kind": KIND_SV[goal.kind],
        "level": goal.level.text_sv(),
        "target": sv_date(goal.target_date) if goal.target_date else "–",
        "time_left": time_left_sv(goal, today),
        "reached": reached,
        "reached_text": _reached_sv(goal, percent, reached),
        "baseline": baseline.text_sv.rstrip("."),
        "baseline_percent": baseline.percent,
        "baseline_on": sv_date(baseline.as_of) if baseline.as_of else "",
        "baseline_percent_text": f"{sv_number(baseline.percent, 1)} %"
        if baseline.percent is not None
        else "",
        "source": f"{goal.source.document}: {goal.source.text_sv()}",
        "note": goal.note_sv,
    }


def goals_for(indicator_id: str, percent: float | None, today: date) -> list[dict[str, Any]]:
    return [goal_view(g, percent, today) for g in default_goals().for_indicator(indicator_id)]
