"""An indicator's trend over periods (quarters or calendar years) against its goal and baseline (nuläge), for
one chosen group: a unit, a diagnosis process, a county, an RCC or the whole scope of the reader.

A thin wrapper over the dashboard's indicator engine (``services.indicators.dashboard``, evaluated as of each
period's end): the per-unit counts of each period are summed over the chosen group. For a reader who sees
aggregates only, a trend is one published view per period: the group's row is a margin of that period's whole
dashboard view (every unit in the reader's scope, the process filter applied), suppressed jointly with it
(``services.indicators.period_rows`` -> ``followup.dashboard_disclosure.audit_published``), so neither the
trend pages of the other groups (region, units, counties, RCCs) nor the dashboard of the same period give back
a cell it hides. Not linked: periods that overlap without coinciding (a year and its quarters, a quarter
ending on another day), and the dashboard filtered to one unit (its single row is checked row by row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from canrehab.codes.geography import default_counties
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action, allowed
from canrehab.followup.goals import GoalDef, IndicatorDef, default_goals, default_indicators
from canrehab.services import indicators as indicator_service
from canrehab.services.guard import require_action
from canrehab.services.structure_indicators import structure_indicators

if TYPE_CHECKING:
    from canrehab.services.context import Services

Level = Literal["all", "unit", "process", "county", "rcc"]
Granularity = Literal["quarter", "year"]
LEVEL_SV: dict[str, str] = {
    "all": "hela urvalet",
    "unit": "enhet",
    "process": "diagnosprocess",
    "county": "län",
    "rcc": "RCC-region",
}
MAX_PERIODS = 12


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "2026 kv. 3" or "2026"
    start: date
    end: date
    row: indicator_service.Row  # the group's counts with the dashboard's disclosure control

    @property
    def percent(self) -> float | None:
        share = self.row.share
        return None if share is None else 100 * share


@dataclass(frozen=True)
class Trend:
    indicator: IndicatorDef
    group_label: str
    points: list[TrendPoint]
    goals: tuple[GoalDef, ...]  # the goals that name the indicator (level, target date, baseline)
    may_drill_down: bool

    @property
    def latest(self) -> TrendPoint | None:
        shown = [p for p in self.points if p.row.denominator]
        return shown[-1] if shown else None


def periods(granularity: Granularity, end: date, count: int) -> list[tuple[str, date, date]]:
    """The ``count`` calendar quarters (or years) up to and including the one holding ``end``, oldest first;
    the last one ends at ``end``."""
    if not 1 <= count <= MAX_PERIODS:
        raise DomainError("trend.periods", f"Välj mellan 1 och {MAX_PERIODS} perioder.", f"count {count}")
    out: list[tuple[str, date, date]] = []
    year, quarter = end.year, (end.month - 1) // 3 + 1
    for _ in range(count):
        if granularity == "year":
            start, stop, label = date(year, 1, 1), date(year, 12, 31), str(year)
            year -= 1
        else:
            start = date(year, 3 * quarter - 2, 1)
            nxt = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
            stop, label = nxt - timedelta(days=1), f"{year} kv. {quarter}"
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        out.append((label, start, min(stop, end)))
    return out[::-1]


def _unit_filter(services: Services, actor: Actor, level: Level, value: str) -> tuple[str, set[str] | None]:
    """(the group's label, the unit ids it holds, None: every unit in scope) for a county or RCC; a unit
    and a process are filtered by the engine itself."""
    if level in ("all", "unit", "process"):
        return "", None
    visible, _ = indicator_service.scope(services, actor, None)
    counties = default_counties()
    if level == "county":
        if value not in counties.by_code:
            raise DomainError("trend.county", "Okänt län.", f"unknown county {value}")
        return counties.by_code[value].name, {u.hsa_id for u in visible if u.county_code == value}
    rcc = next((r for r in counties.rccs if r.code == value), None)
    if rcc is None:
        raise DomainError("trend.rcc", "Okänd RCC-region.", f"unknown rcc {value}")
    ids = {
        u.hsa_id
        for u in visible
        if u.county_code in counties.by_code and counties.rcc_of(u.county_code).code == value
    }
    return rcc.name, ids


def _structure_row(
    services: Services,
    actor: Actor,
    definition: IndicatorDef,
    level: Level,
    value: str,
    unit_ids: set[str] | None,
    as_of: date,
) -> indicator_service.Row:
    """A structure indicator as of ``as_of`` for the group: the units (per diagnosis process) that meet it
    among those in the group, from the structure register's versions on or before that day. Units are not
    persons: no disclosure control."""
    results = structure_indicators(
        services,
        actor,
        unit=value if level == "unit" else None,
        process=value if level == "process" else None,
        as_of=as_of,
    )
    result = next(r for r in results if r.definition.id == definition.id)
    rows = [r for r in result.rows if unit_ids is None or r.unit_hsa_id in unit_ids]
    met = sum(1 for r in rows if r.met)
    return indicator_service.make_row("", "verksamheter", met, len(rows), suppress=False, threshold=0)


def indicator_trend(
    services: Services,
    actor: Actor,
    *,
    indicator_id: str,
    level: Level = "all",
    value: str = "",
    granularity: Granularity = "quarter",
    end: date,
    count: int = 8,
) -> Trend:
    """The care or structure indicator's share per period for the chosen group, as of each period's end
    (care: patients per the dashboard's engine; structure: units per the structure register)."""
    require_action(actor, Action.FOLLOWUP, services, "indicator_trend")
    candidates = (*default_indicators().of_source("care"), *default_indicators().of_source("structure"))
    definition = next((d for d in candidates if d.id == indicator_id), None)
    if definition is None:
        raise DomainError("indicator.unknown", "Okänd indikator.", f"unknown indicator {indicator_id}")
    if level != "all" and not value:
        raise DomainError("trend.value", f"Välj {LEVEL_SV[level]}.", f"no value for {level}")
    label, unit_ids = _unit_filter(services, actor, level, value)
    unit = value if level == "unit" else None
    process = value if level == "process" else None
    suppress = not allowed(actor.role, Action.FOLLOWUP_DRILL_DOWN)
    if unit is not None and suppress:
        indicator_service.scope(services, actor, unit)  # refused when the reader may not see the unit
    threshold = services.settings.suppression_threshold
    points: list[TrendPoint] = []
    for period_label, start, stop in periods(granularity, end, count):
        if definition.source == "structure":
            points.append(
                TrendPoint(
                    period_label,
                    start,
                    stop,
                    _structure_row(services, actor, definition, level, value, unit_ids, stop),
                )
            )
            continue
        # a suppressed reader's trend row is a margin of the period's whole view (every unit in scope)
        board = indicator_service.dashboard(
            services, actor, unit=None if suppress else unit, process=process, start=start, end=stop
        )
        if level == "unit":
            label = next((u.name for u in board.units if u.hsa_id == value), value)
        result = next((r for r in board.indicators if r.definition.id == indicator_id), None)
        if result is None:  # not evaluable from the care data
            raise DomainError(
                "indicator.not_evaluated",
                "Indikatorn kan inte beräknas från vårdprocessens uppgifter.",
                f"{indicator_id} not evaluated",
            )
        unit_rows = [r for r in result.rows if r.unit_hsa_id]
        members = [r.unit_hsa_id for r in unit_rows]
        if unit is not None:
            members = [u for u in members if u == unit]
        elif unit_ids is not None:
            members = [u for u in members if u in unit_ids]
        if suppress:
            row = indicator_service.period_rows(board, threshold, {"group": tuple(members)})[
                (indicator_id, "group")
            ]
            row = replace(row, label=label or LEVEL_SV["all"])
        else:
            num = sum(r.numerator for r in unit_rows if r.unit_hsa_id in members)
            den = sum(r.denominator for r in unit_rows if r.unit_hsa_id in members)
            row = indicator_service.make_row(
                "", label or LEVEL_SV["all"], num, den, suppress=False, threshold=threshold
            )
        points.append(TrendPoint(period_label, start, stop, row))
    if level == "unit" and definition.source == "structure":
        label = next(
            (u.name for u in indicator_service.scope(services, actor, value)[0] if u.hsa_id == value), value
        )
    if level == "process":
        label = value
    return Trend(
        definition,
        label or LEVEL_SV["all"],
        points,
        default_goals().for_indicator(indicator_id),
        allowed(actor.role, Action.FOLLOWUP_DRILL_DOWN),
    )
