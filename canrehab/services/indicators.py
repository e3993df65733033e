"""Dashboards of the care-process indicators per unit and period, against goal levels, with small-count
suppression for roles that see aggregates only, and drill-down to the patients who do not meet an indicator
for roles that may see patients."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import CareUnit
from canrehab.domain.permissions import Action, allowed
from canrehab.domain.sv import sv_percent
from canrehab.followup import care
from canrehab.followup.dashboard_disclosure import Margin, ShareTable, audit_published
from canrehab.followup.goals import CareSpec, IndicatorDef
from canrehab.followup.suppression import HIDDEN_TEXT, ShareCells, share_cells
from canrehab.services import readmodel
from canrehab.services.guard import require_action
from canrehab.services.process_indicators import (
    PathwayFacts,
    is_prem,
    load_process_indicators,
    per_pathway_counts,
    prem_instrument_ids,
    svf_definitions,
)
from canrehab.store.care_extract import care_tables

if TYPE_CHECKING:
    import pandas as pd

    from canrehab.services.context import Services

TOTAL_LABEL = "Totalt"


@dataclass(frozen=True)
class Row:
    unit_hsa_id: str  # "" for the total row
    label: str
    numerator: int
    denominator: int
    suppressed: bool
    numerator_text: str
    denominator_text: str
    share_text: str

    @property
    def share(self) -> float | None:
        if self.suppressed or self.denominator == 0:
            return None
        return self.numerator / self.denominator


@dataclass
class IndicatorResult:
    definition: IndicatorDef
    rows: list[Row] = field(default_factory=list)


@dataclass
class Dashboard:
    units: list[CareUnit]
    indicators: list[IndicatorResult]
    suppressed_note: str = ""


def _care(definition: IndicatorDef) -> CareSpec:
    if definition.care is None:
        raise DomainError("indicator.unknown", "Okänd indikator.", f"{definition.id} is not a care indicator")
    return definition.care


def make_row(
    unit_hsa_id: str, label: str, numerator: int, denominator: int, *, suppress: bool, threshold: int
) -> Row:
    """One dashboard row; with ``suppress``, disclosure control by the follow-up engine's ``DASHBOARD``
    policy (``canrehab.followup.suppression.share_cells``: small counts as ``<threshold``, share ``X``)."""
    if suppress:
        cells = share_cells(numerator, denominator, threshold)
        if cells.hidden:
            return Row(
                unit_hsa_id,
                label,
                numerator,
                denominator,
                True,
                cells.numerator_text,
                cells.denominator_text,
                HIDDEN_TEXT,
            )
    share = sv_percent(numerator / denominator) if denominator else "–"
    return Row(unit_hsa_id, label, numerator, denominator, False, str(numerator), str(denominator), share)


def _audited(results: list[IndicatorResult], threshold: int) -> None:
    """The dashboard view's rows as the joint audit (``followup.dashboard_disclosure``) lets them be shown:
    the row-by-row policy completed against the total row and the indicators over the same population."""
    cells = audit_published(share_tables(results), threshold, total="")
    for r in results:
        r.rows = [
            row
            if not (c := cells[(r.definition.id, row.unit_hsa_id)]).hidden
            else replace(
                row,
                suppressed=True,
                numerator_text=c.numerator_text,
                denominator_text=c.denominator_text,
                share_text=HIDDEN_TEXT,
            )
            for row in r.rows
        ]


def scope(services: Services, actor: Actor, unit: str | None) -> tuple[list[CareUnit], list[str]]:
    """The units the actor follows up (every unit for a region-wide role) and the ids in scope (one with
    ``unit``, refused when the actor may not see it)."""
    from canrehab.services.context import SYSTEM

    with services.uow(SYSTEM, log_reads=False) as uow:
        all_units: list[CareUnit] = list(uow.units.list_all())
    if allowed(actor.role, Action.FOLLOWUP_REGION_WIDE):
        visible = all_units
    else:
        visible = [u for u in all_units if u.hsa_id in actor.unit_hsa_ids]
    ids = [u.hsa_id for u in visible]
    if unit:
        if unit not in ids:
            raise DomainError("access.denied", "Du har inte behörighet till den enheten.", "unit not visible")
        ids = [unit]
    return visible, ids


def _facts(
    services: Services,
    actor: Actor,
    unit_ids: list[str],
    process: str | None,
    start: date,
    end: date,
    *,
    svf_only: bool = False,
    assessed: bool = True,
) -> tuple[list[PathwayFacts], list[Any]]:
    with services.uow(actor, log_reads=False) as uow:
        facts, handovers = readmodel.indicator_facts(uow, unit_ids, process, start, end, assessed=assessed)
    if svf_only:
        facts = [f for f in facts if f.svf is not None]
        svf_pathways = {f.pathway.id for f in facts}
        handovers = [h for h in handovers if h.pathway_id in svf_pathways]
    return facts, handovers


def _care_tables(
    services: Services,
    actor: Actor,
    unit_ids: list[str],
    process: str | None,
    start: date,
    end: date,
    *,
    svf_only: bool = False,
) -> dict[str, pd.DataFrame]:
    """The care dataset's four tables (``followup.care``) for the units' pathways the period's indicators
    read, already restricted to the process and to SVF; the engine evaluates them as they are."""
    facts, handovers = _facts(services, actor, unit_ids, process, start, end, svf_only=svf_only)
    return care.care_frames(facts, handovers, svf_definitions(), is_prem)


TREND_QUARTERS = 4


def own_unit_trends(
    services: Services,
    actor: Actor,
    *,
    unit: str | None,
    process: str | None,
    end: date,
    quarters: int = TREND_QUARTERS,
) -> dict[str, list[tuple[str, float | None]]]:
    """Each indicator's share (percent) for the actor's own care units together (or the chosen one), quarter
    by quarter (91-day periods) up to ``end``, oldest first: the unit manager's trend on the dashboard.
    A period whose share would be suppressed for the actor has no value: for a role that sees aggregates
    only, each period's own-units row is a margin of that period's whole dashboard view (``period_rows``),
    audited with it, so it cannot give back a unit row the dashboard hides. Empty for a reader without own
    units."""
    require_action(actor, Action.FOLLOWUP, services, "indicator_dashboard")
    own = sorted(actor.unit_hsa_ids)
    if unit:
        own = [unit] if unit in own else []
    if not own:
        return {}
    periods = [
        (end - timedelta(days=91 * (k + 1) - 1), end - timedelta(days=91 * k)) for k in range(quarters)
    ][::-1]
    out: dict[str, list[tuple[str, float | None]]] = {}
    if not allowed(actor.role, Action.FOLLOWUP_DRILL_DOWN):
        for start, stop in periods:
            board = dashboard(services, actor, unit=None, process=process, start=start, end=stop)
            rows = period_rows(board, services.settings.suppression_threshold, {"own": tuple(own)})
            for r in board.indicators:
                row = rows[(r.definition.id, "own")]
                share = (
                    None if row.suppressed or not row.denominator else 100 * row.numerator / row.denominator
                )
                out.setdefault(r.definition.id, []).append((stop.isoformat(), share))
    else:
        facts, handovers = _facts(services, actor, own, process, periods[0][0], end)
        for definition in load_process_indicators():
            series: list[tuple[str, float | None]] = []
            for start, stop in periods:
                counts = per_pathway_counts(definition, facts, handovers, start, stop).values()
                num, den = sum(n for n, _ in counts), sum(d for _, d in counts)
                series.append((stop.isoformat(), 100 * num / den if den else None))
            out[definition.id] = series
    with services.uow(actor) as uow:
        uow.audit.record("read", "indicators", ",".join(own), None, f"trend per kvartal, {quarters} kvartal")
    return out


def share_tables(results: Sequence[IndicatorResult]) -> list[ShareTable]:
    """A dashboard view's indicators as the disclosure audit's tables (rows, population, condition)."""
    return [
        ShareTable(
            r.definition.id,
            [(row.unit_hsa_id, row.numerator, row.denominator) for row in r.rows],
            population=_care(r.definition).population,
            condition=_care(r.definition).condition,
        )
        for r in results
    ]


def period_rows(
    board: Dashboard, threshold: int, groups: dict[str, tuple[str, ...]]
) -> dict[tuple[str, str], Row]:
    """Rows published beside a (suppressed) dashboard view of one period, per indicator: each group of
    ``groups`` (name -> its unit ids: a county, an RCC, one's own units, one unit, all) summed over the view's
    unit rows, its cells suppressed jointly with the view as the dashboard shows it (``Margin`` rows of
    ``audit_published``: the view's own cells keep their texts, complements are taken among the groups'
    rows). Keyed ``(indicator id, group name)``."""
    margins = [
        Margin(r.definition.id, name, units) for r in board.indicators for name, units in groups.items()
    ]
    published: dict[tuple[Hashable, Hashable], ShareCells] = {
        (r.definition.id, row.unit_hsa_id): ShareCells(
            row.numerator_text, row.denominator_text, row.suppressed
        )
        for r in board.indicators
        for row in r.rows
    }
    cells = audit_published(
        share_tables(board.indicators), threshold, total="", margins=margins, published=published
    )
    out: dict[tuple[str, str], Row] = {}
    for r in board.indicators:
        members = [row for row in r.rows if row.unit_hsa_id]
        for name, units in groups.items():
            num = sum(row.numerator for row in members if row.unit_hsa_id in units)
            den = sum(row.denominator for row in members if row.unit_hsa_id in units)
            row = make_row("", name, num, den, suppress=False, threshold=threshold)
            c = cells[(r.definition.id, name)]
            if c.hidden:
                row = replace(
                    row,
                    suppressed=True,
                    numerator_text=c.numerator_text,
                    denominator_text=c.denominator_text,
                    share_text=HIDDEN_TEXT,
                )
            out[(r.definition.id, name)] = row
    return out


def dashboard(
    services: Services,
    actor: Actor,
    *,
    unit: str | None,
    process: str | None,
    start: date,
    end: date,
    svf_only: bool = False,
) -> Dashboard:
    """Every evaluable care indicator per unit in the actor's scope (``svf_only``: restricted to the pathways
    with an SVF record, 003's "SVF or not" disaggregation)."""
    require_action(actor, Action.FOLLOWUP, services, "indicator_dashboard")
    visible, unit_ids = scope(services, actor, unit)
    suppress = not allowed(actor.role, Action.FOLLOWUP_DRILL_DOWN)
    if suppress and unit is not None:
        # One unit's rows as the whole view (every unit in the reader's scope) shows them. Audited on its own,
        # the one row would show a unit that the whole view hides as a complement, and beside the whole view
        # it would give the hidden cells back (issue 14: one published view).
        whole = dashboard(
            services, actor, unit=None, process=process, start=start, end=end, svf_only=svf_only
        )
        return replace(
            whole,
            units=visible,
            indicators=[
                IndicatorResult(r.definition, [row for row in r.rows if row.unit_hsa_id == unit])
                for r in whole.indicators
            ],
        )
    names = {u.hsa_id: u.name for u in visible}
    with services.uow(actor, log_reads=False) as uow:
        # the units' care tables set-based (store.care_extract, equal to care_frames over indicator_facts:
        # tests/store/test_care_extract); the engine restricts them to the period, process and SVF itself
        tables = care_tables(
            uow.session.connection(),
            as_of=end,
            svf_definitions=svf_definitions(),
            prem_instruments=prem_instrument_ids(),
            unit_ids=unit_ids,
        )
    definitions = load_process_indicators()
    counts = care.evaluate_frames(
        tables, definitions, start, end, units=unit_ids, process=process, svf_only=svf_only
    )
    threshold = services.settings.suppression_threshold
    results: list[IndicatorResult] = []
    for definition in definitions:
        num = {u: n for u, (n, _) in counts[definition.id].items()}
        den = {u: d for u, (_, d) in counts[definition.id].items()}
        result = IndicatorResult(definition)
        for unit_id in unit_ids:
            if den.get(unit_id):
                result.rows.append(
                    make_row(
                        unit_id,
                        names.get(unit_id, unit_id),
                        num[unit_id],
                        den[unit_id],
                        suppress=suppress,
                        threshold=threshold,
                    )
                )
        if len(result.rows) != 1:
            result.rows.append(
                make_row(
                    "",
                    TOTAL_LABEL,
                    sum(num.values()),
                    sum(den.values()),
                    suppress=suppress,
                    threshold=threshold,
                )
            )
        results.append(result)
    if suppress:
        _audited(results, threshold)  # the whole view through the joint disclosure audit before it is shown
    with services.uow(actor) as uow:
        uow.audit.record("read", "indicators", ",".join(unit_ids), None, "aggregerade indikatorer")
    note = (
        f"Antal 1–{threshold - 1} visas som <{threshold} och andelen som X för att skydda enskilda patienter."
        if suppress
        else ""
    )
    return Dashboard(units=visible, indicators=results, suppressed_note=note)


def drilldown(
    services: Services,
    actor: Actor,
    *,
    indicator_id: str,
    unit: str,
    process: str | None,
    start: date,
    end: date,
    svf_only: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The patients in the indicator's population who do not meet it (unit manager / admin only)."""
    require_action(actor, Action.FOLLOWUP_DRILL_DOWN, services, "indicator_drilldown")
    definition = next((d for d in load_process_indicators() if d.id == indicator_id), None)
    if definition is None:
        raise DomainError("indicator.unknown", "Okänd indikator.", f"unknown indicator {indicator_id}")
    visible, unit_ids = scope(services, actor, unit)
    names = {u.hsa_id: u.name for u in visible}
    tables = _care_tables(services, actor, unit_ids, process, start, end, svf_only=svf_only)
    with care.frames_backend(tables) as con:
        not_met = care.missing(con, definition, start, end)  # (pathway id, unit)
    with services.uow(actor) as uow:
        patients = readmodel.pathway_patients(uow, [pathway_id for pathway_id, _ in not_met])
        missing = [(*patients[pathway_id], u) for pathway_id, u in not_met if pathway_id in patients]
        patient_names = readmodel.patient_names(uow, [m[0] for m in missing])
        uow.audit.record("read", "indicator_drilldown", indicator_id, None, f"{len(missing)} patienter")
    rows = [
        {"patient_id": pid, "name": patient_names.get(pid, ""), "process": proc, "unit": names.get(u, u)}
        for pid, proc, u in missing
    ]
    rows.sort(key=lambda r: (r["unit"], r["name"]))
    return f"{definition.name_sv}: saknas", rows


# ------------------------------------------------------------------------ group-level distribution (002 f. 5)


@dataclass(frozen=True)
class DistributionTable:
    """Counts per unit (rows) and category (columns): a problem area of the latest Hälsoskattning or a
    confirmed needs level. ``cells[unit][category]`` is the shown text (suppressed as on the dashboard)."""

    title: str
    categories: list[tuple[str, str]]  # (key, Swedish label)
    rows: list[tuple[str, str, dict[str, str]]]  # (unit id, label, category -> text); "" = total
    denominator_label: str
    population: str = ""  # which pathways the table counts, in Swedish (shown under its title)


def distribution(
    services: Services, actor: Actor, *, unit: str | None, process: str | None, start: date, end: date
) -> list[DistributionTable]:
    """Group-level data per unit: how many of the patients with a completed Hälsoskattning in the period have
    each problem area troublesome at their latest one, and how many pathways have each confirmed needs level
    (confirmed by the period's end). The same disclosure control as the dashboard."""
    from canrehab.domain.model import NeedsLevel

    require_action(actor, Action.FOLLOWUP, services, "indicator_distribution")
    visible, unit_ids = scope(services, actor, unit)
    names = {u.hsa_id: u.name for u in visible}
    # the problem areas count the pathways assessed in the period, whatever their diagnosis date (as the
    # indicator besvar_minskade does); the needs levels keep their population: the pathways diagnosed (or
    # whose SVF treatment started) in the period
    facts, _ = _facts(services, actor, unit_ids, process, start, end, assessed=True)
    suppress = not allowed(actor.role, Action.FOLLOWUP_DRILL_DOWN)
    threshold = services.settings.suppression_threshold
    areas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    assessed: dict[str, int] = defaultdict(int)
    levels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    leveled: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for f in facts:
        u = f.pathway.unit_hsa_id
        done = [
            a
            for a in f.assessments
            if a.suggestion is not None and a.submitted_on is not None and start <= a.submitted_on <= end
        ]
        if done:
            latest = max(done, key=lambda a: (a.submitted_on, a.id))
            assessed[u] += 1
            instrument = services.catalog.instruments.get(latest.instrument_id)
            for link_id in latest.suggestion.troublesome_areas if latest.suggestion else ():
                areas[u][link_id] += 1
                if link_id not in labels:
                    item = instrument.item(link_id) if instrument is not None else None
                    labels[link_id] = item.text if item is not None and item.text else link_id
        pw = f.pathway
        diagnosed = pw.diagnosis.diagnosed_on
        treated = f.svf.treatment_start_on if f.svf is not None else None
        in_level_population = (diagnosed is not None and start <= diagnosed <= end) or (
            treated is not None and start <= treated <= end
        )
        if (
            in_level_population
            and pw.confirmed_level is not None
            and (pw.confirmed_level_on is None or pw.confirmed_level_on <= end)
        ):
            levels[u][str(int(pw.confirmed_level))] += 1
            leveled[u] += 1

    def table(
        title: str,
        counts: dict[str, dict[str, int]],
        dens: dict[str, int],
        cats: list[tuple[str, str]],
        den: str,
        population: str,
    ) -> DistributionTable:
        rows: list[tuple[str, str, dict[str, str]]] = []
        for unit_id in [*unit_ids, ""]:
            if unit_id == "" and len([x for x in unit_ids if dens.get(x)]) <= 1:
                continue
            d = dens.get(unit_id, 0) if unit_id else sum(dens.values())
            if not d:
                continue
            cells: dict[str, str] = {}
            for key, _ in cats:
                n = counts[unit_id][key] if unit_id else sum(c[key] for c in counts.values())
                cells[key] = make_row(
                    unit_id, "", n, d, suppress=suppress, threshold=threshold
                ).numerator_text
            cells["_den"] = make_row(
                unit_id, "", 0, d, suppress=suppress, threshold=threshold
            ).denominator_text
            rows.append((unit_id, names.get(unit_id, unit_id) if unit_id else TOTAL_LABEL, cells))
        return DistributionTable(title, cats, rows, den, population)

    area_cats = sorted(labels.items(), key=lambda kv: (-sum(c[kv[0]] for c in areas.values()), kv[1]))
    level_cats = [(str(int(lv)), lv.label_sv) for lv in NeedsLevel]
    with services.uow(actor) as uow:
        uow.audit.record("read", "indicators", ",".join(unit_ids), None, "fördelning på gruppnivå")
    return [
        table(
            "Besvärande problemområden vid senaste Hälsoskattningen",
            areas,
            assessed,
            area_cats,
            "Skattade",
            "Patienter med en Hälsoskattning under perioden, oavsett diagnosdatum; "
            "den senaste skattningen i perioden räknas.",
        ),
        table(
            "Bekräftad behovsnivå",
            levels,
            leveled,
            level_cats,
            "Med bekräftad nivå",
            "Vårdförlopp med diagnos under perioden (eller SVF-behandlingsstart under perioden) "
            "och en behovsnivå bekräftad senast periodens slut.",
        ),
    ]
