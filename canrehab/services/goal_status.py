"""Where each unit and the region stand against every goal of the goals file (000 mål 1–4, 001 Tabell 3, 003):
the process leader's overview. One use case: the care-process goals are evaluated by the dashboard's indicator
engine (``services.indicators``, with its disclosure control), the structure goals from the structure register
(``services.structure_indicators``); goals measured from patient-register extracts are answered by the
statistics of the analytics store and are named as such, not guessed from the care data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action
from canrehab.domain.sv import sv_percent
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

    @property
    def units_reached(self) -> int:
        return sum(1 for u in self.units if u.reached)


def _structure_reached(goal: GoalDef, percent: float | None) -> bool | None:
    """A structure goal stated as a target ("att det finns KSSK i aktuella verksamheter") is reached where
    every unit meets it; one given as a percentage, at that share."""
    if goal.level.percent is None:
        return None if percent is None else percent >= 100.0
    return goal.level.reached(percent)


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
        out.append(status)
    return out
