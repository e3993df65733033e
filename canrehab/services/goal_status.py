"""Where each unit and the region stand against every goal of the goals file (000 mål 1–4, 001 Tabell 3, 003):
the process leader's overview. One use case: the care-process goals are evaluated by the dashboard's indicator
engine (``services.indicators``, with its disclosure control), the structure goals from the structure register
(``services.structure_indicators``); goals measured from patient-register extracts are answered by the
statistics of the analytics store (the newest imported register extract, the year of the period's end or the
newest before it): the region's county and every county and the nation, as the statistics page shows them
(suppressed), not guessed from the care data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action
from canrehab.domain.sv import sv_percent
from canrehab.followup import cache
from canrehab.followup.datasets import Dataset, find_datasets
from canrehab.followup.goals import GoalDef, default_goals, default_indicators
from canrehab.services import indicators as indicator_service
from canrehab.services.guard import require_action
from canrehab.services.structure_indicators import structure_indicators

if TYPE_CHECKING:
    from canrehab.services.context import Services


@dataclass(frozen=True)
class Standing:
    """One unit's (or the region's) figure against a goal: the shown text, the share (None when it is hidden
    by disclosure control or there is no one to measure) and whether the goal's level is reached."""

    label: str
    text: str
    percent: float | None
    reached: bool | None


@dataclass
class GoalStatus:
    goal: GoalDef
    indicator_name: str
    source: str  # "care", "structure" or "register"
    region: Standing | None = None
    units: list[Standing] = field(default_factory=list)
    register_year: int | None = None  # register goals: the extract's year shown (None: nothing imported)
    register_dataset: str = ""

    @property
    def units_reached(self) -> int:
        return sum(1 for u in self.units if u.reached)


def _structure_reached(goal: GoalDef, percent: float | None) -> bool | None:
    """A structure goal stated as a target ("att det finns KSSK i aktuella verksamheter") is reached where
    every unit meets it; one given as a percentage, at that share."""
    if goal.level.percent is None:
        return None if percent is None else percent >= 100.0
    return goal.level.reached(percent)


@dataclass(frozen=True)
class RegisterFigures:
    """The newest register extract's indicator results for one year: per indicator, the counties' and the
    nation's published rows in the engine's order, nation last."""

    dataset: str
    year: int
    rows: dict[str, list[tuple[str, str, str, str, float | None]]]  # (level, code, label, text, percent)


def _percent_of(text: str) -> float | None:
    """The engine's published percentage ('4.6'); None for a suppressed ('X') or empty one."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _percent_text(text: str, percent: float | None) -> str:
    return (text or "–") if percent is None else sv_percent(percent / 100, len(text.partition(".")[2]))


def register_figures(services: Services, end: date) -> RegisterFigures | None:
    """The indicator results of the newest imported register extract for the year of ``end`` (or the newest
    year before it; the extract's first year if all are later). None when nothing is imported."""
    datasets: list[Dataset] = find_datasets(services.settings.analytics_dir)
    if not datasets:
        return None
    dataset = datasets[0]
    earlier = [y for y in dataset.years if y <= end.year]
    year = max(earlier) if earlier else min(dataset.years)
    results = cache.indicator_results(dataset, services.settings.suppression_threshold)
    mine = results[(results["year"] == year) & results["level"].isin(["county", "nation"])]
    rows: dict[str, list[tuple[str, str, str, str, float | None]]] = {}
    for r in mine.to_dict("records"):
        published = str(r["percent_text"])
        percent = _percent_of(published)
        rows.setdefault(str(r["indicator_id"]), []).append(
            (
                str(r["level"]),
                str(r["unit_code"]),
                "Riket" if r["level"] == "nation" else str(r["unit_name"]),
                _percent_text(published, percent),
                percent,
            )
        )
    for values in rows.values():
        values.sort(key=lambda v: v[0] == "nation")
    return RegisterFigures(dataset.name, year, rows)


def goal_status(
    services: Services,
    actor: Actor,
    *,
    unit: str | None,
    process: str | None,
    start: date,
    end: date,
) -> list[GoalStatus]:
    """Every goal with the figure of each unit in the actor's scope and of all of them together, for the
    period (care goals) or as of its end (structure goals)."""
    require_action(actor, Action.FOLLOWUP, services, "goal_status")
    indicators = default_indicators()
    dashboard = indicator_service.dashboard(services, actor, unit=unit, process=process, start=start, end=end)
    care = {r.definition.id: r for r in dashboard.indicators}
    structure = {
        r.definition.id: r
        for r in structure_indicators(services, actor, unit=unit, process=process, as_of=end)
    }
    register = register_figures(services, end)
    visible, _ = indicator_service.scope(services, actor, None)
    counties = {u.county_code for u in visible if u.county_code}
    out: list[GoalStatus] = []
    for goal in default_goals().goals:
        definition = indicators.get(goal.indicator)
        status = GoalStatus(goal, definition.name_sv, definition.source)
        if goal.indicator in care:
            for row in care[goal.indicator].rows:
                share = row.share
                percent = None if share is None else 100 * share
                standing = Standing(row.label, row.share_text, percent, goal.level.reached(percent))
                if row.unit_hsa_id:
                    status.units.append(standing)
                else:
                    status.region = standing
            if status.region is None and len(status.units) == 1:
                status.region = status.units[0]
        elif goal.indicator in structure:
            result = structure[goal.indicator]
            for srow in result.rows:
                label = srow.unit_name if srow.process is None else f"{srow.unit_name} ({srow.process})"
                value = 100.0 if srow.met else 0.0
                status.units.append(Standing(label, srow.met_text, value, _structure_reached(goal, value)))
            percent = result.percent
            status.region = Standing(
                f"{result.units_met} av {result.units} verksamheter",
                "–" if percent is None else sv_percent(percent / 100),
                percent,
                _structure_reached(goal, percent),
            )
        elif definition.source == "register" and register is not None:
            _register_standings(status, goal, register, counties)
        out.append(status)
    return out


def _register_standings(
    status: GoalStatus, goal: GoalDef, register: RegisterFigures, counties: set[str]
) -> None:
    """A register goal's figures: every county and the nation as rows. The headline is the county of the
    units in scope when they share one, the nation when no unit has a county, and none when the scope spans
    several counties (a process leader of an RCC: each county is a row of the table)."""
    status.register_year, status.register_dataset = register.year, register.dataset
    own = next(iter(counties)) if len(counties) == 1 else None
    for level, code, label, text, percent in register.rows.get(goal.indicator, []):
        standing = Standing(label, text, percent, goal.level.reached(percent))
        status.units.append(standing)
        if (level == "county" and code == own) or (not counties and level == "nation"):
            status.region = standing
