"""The care-process indicators (``source: care``) as Ibis expressions over the care dataset.

The care dataset is four flat tables, one vocabulary with ``services.process_indicators``:

- ``pathways``: one row per pathway with the dates the indicators read (diagnosis, confirmed needs level,
  first contact nurse, offers, Min vårdplan, end of treatment, SVF treatment start and MDK) and the SVF
  lead-time verdict;
- ``assessments``: one row per completed assessment (its day, whether it has decision support, how many
  troublesome areas);
- ``plans``: one row per established rehabilitation plan (established on, closed on);
- ``handovers``: one row per active handover (sent on, patient contacted on).

Every expression is evaluated *as of the period's end* (an event after it does not count), written once and
run unchanged on DuckDB (default) and PySpark. The tables carry no patient identifier: the pathway id is the
only key, so the same tables can be published to the analytics store. The result of an indicator is a small
table ``unit, numerator, denominator`` per unit; disclosure control is applied by the caller
(``followup.suppression``), the same as for the register indicators.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus, NeedsLevel, PhaseKind, PlanStatus
from canrehab.followup import backends
from canrehab.followup.goals import IndicatorDef

if TYPE_CHECKING:
    from canrehab.domain.model import Assessment, Handover
    from canrehab.domain.svf import SvfDefinitions
    from canrehab.services.process_indicators import PathwayFacts

TABLES = ("pathways", "assessments", "plans", "handovers")

from canrehab.domain.care_dataset import SCHEMAS  # noqa: E402  (one schema, shared with store.care_extract)

# ------------------------------------------------------------------------------------------- the dataset


def care_frames(
    facts: Iterable[PathwayFacts],
    handovers: Iterable[Handover],
    svf_definitions: SvfDefinitions,
    is_prem: Callable[[Assessment], bool],
) -> dict[str, pd.DataFrame]:
    """The care dataset's tables from the read model's pathway facts (no patient identifier);
    ``svf_definitions`` (``services.process_indicators.svf_definitions()``) give the SVF lead-time verdict and
    ``is_prem`` (``services.process_indicators.is_prem``) tells a PREM survey from a needs assessment."""
    from canrehab.domain import offers
    from canrehab.domain import svf as svf_rules
    from canrehab.domain.assessment import PREM_FULLY, PREM_INVOLVEMENT_ITEM

    pathways: list[dict[str, Any]] = []
    assessments: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for f in facts:
        pw = f.pathway
        ends = [p.on for p in pw.phases if p.kind == PhaseKind.TREATMENT_END]
        record = f.svf
        mdk_on = None if record is None else svf_rules.discussed_at_mdk_on(record)
        pathways.append(
            {
                "pathway_id": pw.id,
                "unit": pw.unit_hsa_id,
                "process": pw.diagnosis.process,
                "diagnosed_on": pw.diagnosis.diagnosed_on,
                "confirmed_level": None if pw.confirmed_level is None else int(pw.confirmed_level),
                "confirmed_level_on": pw.confirmed_level_on,
                "contact_nurse_from": min((a.from_date for a in pw.contact_nurses), default=None),
                "contact_nurse_offered_on": offers.contact_nurse_offered_on(pw),
                "mvp_established_on": pw.min_vardplan.established_on,
                "mvp_offered_on": offers.min_vardplan_offered_on(pw),
                "mvp_digital": bool(pw.min_vardplan.digital_1177),
                "treatment_end_on": min(ends, default=None),
                "svf": record is not None,
                "svf_treatment_start_on": record.treatment_start_on if record is not None else None,
                "svf_within_max": record is not None
                and svf_rules.within_max(record, svf_definitions) is True,
                "mdk_on": mdk_on,
            }
        )
        for a in f.assessments:
            if a.status == AssessmentStatus.IN_PROGRESS:
                continue
            assessments.append(
                {
                    "pathway_id": pw.id,
                    "assessment_id": a.id,
                    "done_on": a.submitted_on or a.started_on,
                    "decision_support": a.suggestion is not None,
                    "troublesome": len(a.suggestion.troublesome_areas) if a.suggestion is not None else 0,
                    "prem": is_prem(a),
                    "prem_fully_involved": is_prem(a) and a.answers.get(PREM_INVOLVEMENT_ITEM) == PREM_FULLY,
                }
            )
        for p in f.plans:
            if p.pathway_id != pw.id or p.status is PlanStatus.DRAFT or not p.events:
                continue
            plans.append(
                {
                    "pathway_id": pw.id,
                    "established_on": p.events[0].on,
                    "closed": p.status is PlanStatus.CLOSED,
                    "closed_on": p.closed_on,
                }
            )
    handover_rows = [
        {
            "pathway_id": h.pathway_id,
            "unit": h.from_unit_hsa_id,
            "sent_on": h.sent_on,
            "patient_contacted_on": h.patient_contacted_on,
        }
        for h in handovers
    ]
    rows = {"pathways": pathways, "assessments": assessments, "plans": plans, "handovers": handover_rows}
    return {name: _frame(rows[name], SCHEMAS[name]) for name in TABLES}


def _frame(rows: list[dict[str, Any]], schema: Mapping[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(schema))
    for column, kind in schema.items():
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
        elif kind == "int64":
            frame[column] = frame[column].astype("Int64")
        elif kind == "boolean":
            frame[column] = frame[column].astype("boolean")
        else:
            frame[column] = frame[column].astype(object)
    return frame


def pseudonymised(frames: Mapping[str, pd.DataFrame], key: bytes) -> dict[str, pd.DataFrame]:
    """The tables for publication: every pathway id replaced by its keyed pseudonym (HMAC-SHA256 with
    ``key``, 20 hex characters, the same in every table) and every assessment id by its rank within the
    pathway (by day, then id: the order the indicators read), so no operational identifier leaves."""
    ids = set(frames["pathways"]["pathway_id"]) | set(frames["handovers"]["pathway_id"])
    ids |= set(frames["assessments"]["pathway_id"]) | set(frames["plans"]["pathway_id"])
    alias = {i: hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest()[:20] for i in ids}
    out = {name: frame.copy() for name, frame in frames.items()}
    a = out["assessments"].sort_values(["pathway_id", "done_on", "assessment_id"], kind="stable")
    a["assessment_id"] = [f"{n:06d}" for n in a.groupby("pathway_id", sort=False).cumcount()]
    out["assessments"] = a.reset_index(drop=True)
    for name in TABLES:
        out[name]["pathway_id"] = out[name]["pathway_id"].map(alias).astype(object)
    return out


def write_dataset(frames: Mapping[str, pd.DataFrame], directory: Path) -> Path:
    """Write the care dataset as one Parquet file per table (``<directory>/<table>.parquet``), typed by
    ``SCHEMAS``: the form the analytics store holds and every backend reads."""
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        schema = ibis.schema({c: _ibis_type(k) for c, k in SCHEMAS[name].items()}).to_pyarrow()
        data = pa.Table.from_pandas(frames[name], schema=schema, preserve_index=False)
        pq.write_table(data, directory / f"{name}.parquet")
    return directory


def read_dataset(con: BaseBackend, directory: Path) -> dict[str, ibis.Table]:
    """The care dataset's tables on a backend (DuckDB or PySpark)."""
    missing = [n for n in TABLES if not (directory / f"{n}.parquet").exists()]
    if missing:
        raise DomainError(
            "followup.care_dataset_missing",
            f"Vårdens publicerade uppgifter saknas i {directory}.",
            f"care dataset incomplete in {directory}: {missing}",
        )
    out: dict[str, ibis.Table] = {}
    for name in TABLES:
        path = str(directory / f"{name}.parquet")
        table = con.read_parquet(path, table_name=f"{TABLE_NAMES[name]}_file")  # type: ignore[attr-defined]
        absent = {c: k for c, k in SCHEMAS[name].items() if c not in table.columns}
        # a dataset written before a column existed (the PREM flags) reads it as not set
        table = table.mutate(**{c: ibis.null(_ibis_type(k)) for c, k in absent.items()})
        out[name] = con.create_view(TABLE_NAMES[name], table, overwrite=True)
    return out


def _ibis_type(kind: str) -> str:
    return "timestamp" if kind == "date" else kind


# ------------------------------------------------------------------------------------------- expressions
#
# Every indicator of a definition set is written into one query over named tables: the four care tables
# (``care_pathways`` ...), a one-row ``care_period`` (the period's start and end, the diagnosis process) and a
# one-column ``care_units`` (the units asked for). The query's SQL is compiled once per definition set, shape
# (units / process / SVF restriction) and dialect and cached; a request only fills the two small tables and
# runs the cached SQL (``backends.run_sql``), so no Ibis expression is built or compiled per request.

TABLE_NAMES: dict[str, str] = {name: f"care_{name}" for name in TABLES}
PERIOD_TABLE = "care_period"
UNITS_TABLE = "care_units"
PERIOD_SCHEMA: dict[str, str] = {"period_start": "timestamp", "period_end": "timestamp", "process": "string"}
UNITS_SCHEMA: dict[str, str] = {"unit": "string"}

POPULATIONS = (
    "diagnosed_in_period",
    "needs_special_or_more",
    "treatment_ended",
    "handovers_sent",
    "assessed_twice",
    "svf_treatment_started",
    "prem_answered",
)
CONDITIONS = (
    "has_contact_nurse",
    "offered_contact_nurse",
    "has_min_vardplan",
    "offered_min_vardplan",
    "offered_min_vardplan_digital",
    "assessed",
    "assessed_repeatedly",
    "has_plan",
    "handover_confirmed",
    "troublesome_areas_decreased",
    "within_svf_lead_time",
    "discussed_at_mdk",
    "prem_fully_involved",
)
ASSESSMENT_CONDITIONS = ("assessed", "assessed_repeatedly", "troublesome_areas_decreased")

Spec = tuple[str, str, str]  # (indicator id, population, condition)


@dataclass(frozen=True)
class Shape:
    """What the query is restricted by (the values come with each request): the units in ``care_units``,
    the diagnosis process in ``care_period``, pathways with an SVF record only."""

    by_units: bool
    by_process: bool
    svf_only: bool


@dataclass(frozen=True)
class _Inputs:
    t: dict[str, ibis.Table]
    start: ibis.Value
    end: ibis.Value
    process: ibis.Value
    units: ibis.Table


def _inputs() -> _Inputs:
    t = {
        name: ibis.table({c: _ibis_type(k) for c, k in SCHEMAS[name].items()}, name=TABLE_NAMES[name])
        for name in TABLES
    }
    period = ibis.table(PERIOD_SCHEMA, name=PERIOD_TABLE)
    # one column per scalar subquery: Ibis's as_scalar() selects every column of its table
    return _Inputs(
        t,
        start=period.select("period_start").as_scalar(),
        end=period.select("period_end").as_scalar(),
        process=period.select("process").as_scalar(),
        units=ibis.table(UNITS_SCHEMA, name=UNITS_TABLE),
    )


def _le(column: ibis.Value, end: ibis.Value) -> ibis.Value:
    return column.notnull() & (column <= end)


def _between(column: ibis.Value, start: ibis.Value, end: ibis.Value) -> ibis.Value:
    return column.notnull() & (column >= start) & (column <= end)


def _completed(assessments: ibis.Table, end: ibis.Value) -> ibis.Table:
    """Per pathway: completed needs assessments by ``end`` (any; with decision support), the first and the
    latest with decision support (by day, then id) and their numbers of troublesome areas. PREMs are left
    out."""
    a = assessments.filter(_le(assessments.done_on, end) & ~assessments.prem.fill_null(False))
    any_done = a.group_by("pathway_id").aggregate(done=a.count())
    s = a.filter(a.decision_support)
    asc = ibis.window(group_by="pathway_id", order_by=[s.done_on, s.assessment_id])
    desc = ibis.window(group_by="pathway_id", order_by=[s.done_on.desc(), s.assessment_id.desc()])
    s = s.mutate(first_rank=ibis.row_number().over(asc), last_rank=ibis.row_number().over(desc))
    supported = s.group_by("pathway_id").aggregate(
        supported=s.count(),
        latest_on=s.done_on.max(),
        first_troublesome=s.troublesome.max(where=s.first_rank == 0),
        latest_troublesome=s.troublesome.max(where=s.last_rank == 0),
    )
    return any_done.outer_join(supported, "pathway_id").select(
        pathway_id=ibis.coalesce(any_done.pathway_id, supported.pathway_id),
        done=ibis.coalesce(any_done.done, 0),
        supported=ibis.coalesce(supported.supported, 0),
        latest_on=supported.latest_on,
        first_troublesome=supported.first_troublesome,
        latest_troublesome=supported.latest_troublesome,
    )


def _latest_prem(assessments: ibis.Table, end: ibis.Value) -> ibis.Table:
    """Per pathway with a PREM answered by ``end``: the day of the latest and whether every answer of that
    day is "Ja, helt" on involvement (``process_indicators.latest_prems``)."""
    a = assessments.filter(_le(assessments.done_on, end) & assessments.prem.fill_null(False))
    latest = a.group_by("pathway_id").aggregate(prem_on=a.done_on.max())
    j = a.join(latest, "pathway_id")
    j = j.filter(j.done_on == j.prem_on)
    return j.group_by("pathway_id").aggregate(
        prem_on=j.prem_on.max(), prem_full=j.prem_fully_involved.fill_null(False).all()
    )


def _plan_in_place(plans: ibis.Table, pathways: ibis.Table, end: ibis.Value) -> ibis.Table:
    """Per pathway with a plan in place on ``end`` (``domain.plan.plan_in_place``): a plan established by
    then and in force then, or closed as handled on or after the day the needs level was confirmed."""
    j = plans.join(pathways.select("pathway_id", "confirmed_level_on"), "pathway_id")
    in_force = ~j.closed | (j.closed_on.notnull() & (j.closed_on > end))
    handled = j.closed_on.notnull() & (j.confirmed_level_on.isnull() | (j.closed_on >= j.confirmed_level_on))
    j = j.filter(_le(j.established_on, end) & (in_force | handled))
    return j.select("pathway_id").distinct().mutate(has_plan=ibis.literal(True))


def _left(pw: ibis.Table, per_pathway: ibis.Table) -> ibis.Table:
    return pw.left_join(per_pathway, pw.pathway_id == per_pathway.pathway_id).drop("pathway_id_right")


def _pathway_table(inp: _Inputs, pw: ibis.Table, specs: Sequence[Spec]) -> ibis.Table:
    """The pathways in scope with what the indicators of ``specs`` read about their assessments, PREMs and
    plans, each computed once for the whole set over the assessments and plans of these pathways only."""
    populations = {population for _, population, _ in specs}
    conditions = {condition for _, _, condition in specs}
    ids = pw.select("pathway_id")
    completed = "assessed_twice" in populations or bool(set(ASSESSMENT_CONDITIONS) & conditions)
    prem = "prem_answered" in populations or "prem_fully_involved" in conditions
    if completed or prem:
        a = inp.t["assessments"].semi_join(ids, "pathway_id")
        if completed:
            pw = _left(pw, _completed(a, inp.end))
            pw = pw.mutate(done=ibis.coalesce(pw.done, 0), supported=ibis.coalesce(pw.supported, 0))
        if prem:
            pw = _left(pw, _latest_prem(a, inp.end))
    if "has_plan" in conditions:
        plans = inp.t["plans"].semi_join(ids, "pathway_id")
        pw = _left(pw, _plan_in_place(plans, pw, inp.end))
    return pw


def _population(pw: ibis.Table, population: str, start: ibis.Value, end: ibis.Value) -> ibis.Value:
    diagnosed = _between(pw.diagnosed_on, start, end)
    return {
        "diagnosed_in_period": lambda: diagnosed,
        "needs_special_or_more": lambda: (
            diagnosed
            & pw.confirmed_level.notnull()
            & (pw.confirmed_level >= int(NeedsLevel.SPECIAL))
            & (pw.confirmed_level_on.isnull() | (pw.confirmed_level_on <= end))
        ),
        "assessed_twice": lambda: (pw.supported >= 2) & _between(pw.latest_on, start, end),
        "svf_treatment_started": lambda: _between(pw.svf_treatment_start_on, start, end),
        "treatment_ended": lambda: diagnosed & _le(pw.treatment_end_on, end),
        "prem_answered": lambda: _between(pw.prem_on, start, end),
    }[population]()


def _condition(pw: ibis.Table, condition: str, end: ibis.Value) -> ibis.Value:
    return {
        "has_contact_nurse": lambda: _le(pw.contact_nurse_from, end),
        "offered_contact_nurse": lambda: _le(pw.contact_nurse_offered_on, end),
        "has_min_vardplan": lambda: _le(pw.mvp_established_on, end),
        "offered_min_vardplan": lambda: _le(pw.mvp_offered_on, end),
        "offered_min_vardplan_digital": lambda: _le(pw.mvp_offered_on, end) & pw.mvp_digital.fill_null(False),
        "assessed": lambda: pw.done >= 1,
        "assessed_repeatedly": lambda: pw.done >= 2,
        "troublesome_areas_decreased": lambda: (
            (pw.supported >= 2) & (pw.latest_troublesome < pw.first_troublesome)
        ),
        "within_svf_lead_time": lambda: pw.svf_within_max.fill_null(False),
        "discussed_at_mdk": lambda: _le(pw.mdk_on, end),
        "has_plan": lambda: pw.has_plan.fill_null(False),
        "handover_confirmed": lambda: ibis.literal(False),
        "prem_fully_involved": lambda: pw.prem_full.fill_null(False),
    }[condition]()


def _counts(table: ibis.Table, measures: list[tuple[int, ibis.Value, ibis.Value]]) -> ibis.Table:
    """``unit, n<i>, d<i>``: for each indicator ``i`` the rows in its population and those meeting it."""
    metrics: dict[str, ibis.Value] = {}
    for i, population, met in measures:
        inside = population.fill_null(False)
        metrics[f"n{i}"] = (inside & met.fill_null(False)).cast("int64").sum()
        metrics[f"d{i}"] = inside.cast("int64").sum()
    return table.group_by("unit").aggregate(**metrics)


def _scope(inp: _Inputs, shape: Shape) -> tuple[ibis.Table, ibis.Table]:
    """The pathways in scope, and the same without the unit restriction (a handover counts for its sending
    unit, whatever unit its pathway is at)."""
    pw = inp.t["pathways"]
    if shape.by_process:
        pw = pw.filter(pw.process == inp.process)
    if shape.svf_only:
        pw = pw.filter(pw.svf.fill_null(False))
    scoped = pw
    if shape.by_units:
        pw = pw.semi_join(inp.units, pw.unit == inp.units.unit)
    return pw, scoped


def _handovers(inp: _Inputs, shape: Shape, scoped: ibis.Table) -> ibis.Table:
    """The handovers sent in the period by the units in scope, of the pathways in scope."""
    h = inp.t["handovers"]
    h = h.filter(_between(h.sent_on, inp.start, inp.end))
    if shape.by_units:
        h = h.semi_join(inp.units, h.unit == inp.units.unit)
    if shape.by_process or shape.svf_only:
        h = h.semi_join(scoped, "pathway_id")
    return h


def _handover_met(h: ibis.Table, condition: str, end: ibis.Value) -> ibis.Value:
    if condition == "handover_confirmed":  # the only handover condition
        return _le(h.patient_contacted_on, end)
    return ibis.literal(False)


def missing_query(spec: Spec, shape: Shape) -> ibis.Table:
    """``pathway_id, unit`` of each member of one indicator's population that does not meet it (a pathway,
    or for the handover indicators a handover): the drill-down's list, over the same named tables."""
    inp = _inputs()
    pw, scoped = _scope(inp, shape)
    _, population, condition = spec
    if population == "handovers_sent":
        h = _handovers(inp, shape, scoped)
        return h.filter(~_handover_met(h, condition, inp.end).fill_null(False)).select("pathway_id", "unit")
    wide = _pathway_table(inp, pw, [spec])
    inside = _population(wide, population, inp.start, inp.end).fill_null(False)
    met = _condition(wide, condition, inp.end).fill_null(False)
    return wide.filter(inside & ~met).select("pathway_id", "unit")


def stacked_query(specs: Sequence[Spec], shape: Shape) -> ibis.Table:
    """The query of a definition set over the named tables: one row per unit with ``n<i>``/``d<i>`` (the
    numerator and denominator of the ``i``-th indicator of ``specs``) for every unit with a row in scope."""
    inp = _inputs()
    pw, scoped = _scope(inp, shape)
    parts: list[ibis.Table] = []
    on_pathways = [(i, s) for i, s in enumerate(specs) if s[1] != "handovers_sent"]
    if on_pathways:
        wide = _pathway_table(inp, pw, [s for _, s in on_pathways])
        measures = [
            (i, _population(wide, population, inp.start, inp.end), _condition(wide, condition, inp.end))
            for i, (_, population, condition) in on_pathways
        ]
        parts.append(_counts(wide, measures))
    on_handovers = [i for i, s in enumerate(specs) if s[1] == "handovers_sent"]
    if on_handovers:
        h = _handovers(inp, shape, scoped)
        measures = [
            (i, h.sent_on.notnull(), _handover_met(h, specs[i][2], inp.end))  # every handover left is in
            for i in on_handovers
        ]
        parts.append(_counts(h, measures))
    if len(parts) == 1:
        return parts[0]
    p, h = parts
    joined = p.outer_join(h, p.unit == h.unit)
    return joined.select(
        ibis.coalesce(p.unit, h.unit).name("unit"),
        *[joined[c] for c in p.columns if c != "unit"],
        *[joined[c] for c in h.columns if c != "unit"],
    )


_PERIOD_SUBQUERY = re.compile(
    rf'\(\s*SELECT\s+"t\d+"\."(?P<column>{"|".join(PERIOD_SCHEMA)})"\s+FROM "{PERIOD_TABLE}" AS "t\d+"\s*\)'
)
_DUCKDB_TYPES = {"timestamp": "TIMESTAMP", "string": "VARCHAR"}


def _with_markers(sql: str, dialect: str) -> str:
    """On DuckDB, each scalar subquery of ``care_period`` replaced by a named parameter (``$period_end``),
    bound when the cached query runs: DuckDB plans a constant far better than some forty subqueries. Any
    other dialect keeps the subqueries (its ``care_period`` table is registered with each request)."""
    if dialect != "duckdb":
        return sql
    return _PERIOD_SUBQUERY.sub(
        lambda m: f"CAST(${m['column']} AS {_DUCKDB_TYPES[PERIOD_SCHEMA[m['column']]]})", sql
    )


@lru_cache(maxsize=64)
def compiled_sql(specs: tuple[Spec, ...], shape: Shape, dialect: str) -> str:
    """The SQL of ``stacked_query`` in ``dialect``, compiled once per definition set, shape and dialect."""
    return _with_markers(str(ibis.to_sql(stacked_query(specs, shape), dialect=dialect)), dialect)


@lru_cache(maxsize=64)
def compiled_missing_sql(spec: Spec, shape: Shape, dialect: str) -> str:
    """The SQL of ``missing_query`` in ``dialect``, compiled once per indicator, shape and dialect."""
    return _with_markers(str(ibis.to_sql(missing_query(spec, shape), dialect=dialect)), dialect)


def _run(con: BaseBackend, sql: str, start: date, end: date, process: str | None, units: Any) -> list[Any]:
    tables = _parameters(start, end, process, units)
    period = tables[PERIOD_TABLE].to_pylist()[0]
    values = {name: value for name, value in period.items() if f"${name} " in sql}
    return backends.run_sql(con, sql, tables, values)


def _specs(definitions: Sequence[IndicatorDef]) -> tuple[Spec, ...]:
    out: list[Spec] = []
    for d in definitions:
        care = d.care
        if care is None or care.population not in POPULATIONS or care.condition not in CONDITIONS:
            raise DomainError(
                "indicator.unknown",
                "Indikatorn kan inte beräknas ur vårdens uppgifter.",
                f"{d.id} is not an evaluable care indicator",
            )
        out.append((d.id, care.population, care.condition))
    return tuple(out)


def _parameters(
    start: date, end: date, process: str | None, units: Sequence[str] | None
) -> dict[str, pa.Table]:
    stamp = pa.timestamp("us")
    period = pa.table(
        {
            "period_start": pa.array([datetime(start.year, start.month, start.day)], stamp),
            "period_end": pa.array([datetime(end.year, end.month, end.day)], stamp),
            "process": pa.array([process], pa.string()),
        }
    )
    unit_list = pa.table({"unit": pa.array(sorted(set(units or ())), pa.string())})
    return {PERIOD_TABLE: period, UNITS_TABLE: unit_list}


def evaluate(
    con: BaseBackend,
    definitions: Sequence[IndicatorDef],
    start: date,
    end: date,
    *,
    units: Sequence[str] | None = None,
    process: str | None = None,
    svf_only: bool = False,
) -> dict[str, dict[str, tuple[int, int]]]:
    """``{indicator id: {unit: (numerator, denominator)}}`` for every definition over the care tables
    registered on ``con`` (``read_dataset`` or ``frames_backend``), in one query: the cached SQL of the
    definition set run with this period, process and unit list. A unit appears for an indicator when its
    population there is not empty."""
    specs = _specs(definitions)
    out: dict[str, dict[str, tuple[int, int]]] = {d.id: {} for d in definitions}
    if not specs or (units is not None and not units):
        return out
    shape = Shape(by_units=units is not None, by_process=bool(process), svf_only=svf_only)
    sql = compiled_sql(specs, shape, backends.dialect(con))
    rows = _run(con, sql, start, end, process or None, units)
    on_pathways = [i for i, s in enumerate(specs) if s[1] != "handovers_sent"]
    on_handovers = [i for i, s in enumerate(specs) if s[1] == "handovers_sent"]
    columns = ["unit"] + [f"{x}{i}" for i in on_pathways for x in "nd"]
    columns += [f"{x}{i}" for i in on_handovers for x in "nd"]
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        for i, (indicator_id, _, _) in enumerate(specs):
            den = values[f"d{i}"]
            if den:
                num = values[f"n{i}"]
                out[indicator_id][str(values["unit"])] = (int(num or 0), int(den))
    return out


def evaluate_units(
    t: Mapping[str, ibis.Table],
    definitions: Sequence[IndicatorDef],
    start: date,
    end: date,
    *,
    units: Sequence[str] | None = None,
    process: str | None = None,
    svf_only: bool = False,
    con: BaseBackend | None = None,
) -> dict[str, dict[str, tuple[int, int]]]:
    """``evaluate`` on the backend of the tables ``read_dataset`` returned (or ``con``)."""
    for name in TABLES:
        if t[name].get_name() != TABLE_NAMES[name]:
            raise ValueError(f"the care table {name} must be registered as {TABLE_NAMES[name]}")
    backend = con if con is not None else t["pathways"]._find_backend()
    return evaluate(backend, definitions, start, end, units=units, process=process, svf_only=svf_only)


_WARM = threading.local()


def _warm_duckdb() -> BaseBackend:
    """This thread's in-memory DuckDB, opened once and kept: connecting costs more than a unit's query. A
    connection is used by one thread only (``evaluate`` registers its parameter tables on it)."""
    con: BaseBackend | None = getattr(_WARM, "con", None)
    if con is None:
        con = backends.connect("duckdb")
        _WARM.con = con
    return con


@contextmanager
def frames_backend(frames: Mapping[str, pd.DataFrame | pa.Table]) -> Iterator[BaseBackend]:
    """The care tables (pandas or pyarrow, e.g. ``care_frames`` or ``store.care_extract.care_tables``)
    registered under their names, without copying, on this thread's warm in-memory DuckDB for the ``with``
    block: the live dashboard's read model. The tables are unregistered afterwards."""
    con = _warm_duckdb()
    names = {TABLE_NAMES[name]: _arrow(frames[name], name) for name in TABLES}
    backends.register(con, names)
    try:
        yield con
    finally:
        raw = con.con  # type: ignore[attr-defined]
        for name in names:
            raw.unregister(name)


def evaluate_frames(
    frames: Mapping[str, pd.DataFrame | pa.Table],
    definitions: Sequence[IndicatorDef],
    start: date,
    end: date,
    *,
    units: Sequence[str] | None = None,
    process: str | None = None,
    svf_only: bool = False,
) -> dict[str, dict[str, tuple[int, int]]]:
    """``evaluate`` over the four care tables held in memory (``care_frames`` or a set-based extract)."""
    with frames_backend(frames) as con:
        return evaluate(con, definitions, start, end, units=units, process=process, svf_only=svf_only)


def missing(
    con: BaseBackend,
    definition: IndicatorDef,
    start: date,
    end: date,
    *,
    units: Sequence[str] | None = None,
    process: str | None = None,
    svf_only: bool = False,
) -> list[tuple[str, str]]:
    """``(pathway id, unit)`` of each member of the indicator's population in the period that does not meet
    it, over the care tables registered on ``con`` (``read_dataset`` or ``frames_backend``): one row per
    pathway, or per handover for the handover indicators."""
    (spec,) = _specs([definition])
    if units is not None and not units:
        return []
    shape = Shape(by_units=units is not None, by_process=bool(process), svf_only=svf_only)
    sql = compiled_missing_sql(spec, shape, backends.dialect(con))
    rows = _run(con, sql, start, end, process or None, units)
    return [(str(pathway_id), str(unit)) for pathway_id, unit in rows]


def _arrow(frame: pd.DataFrame | pa.Table, name: str) -> pa.Table:
    schema = ibis.schema({c: _ibis_type(k) for c, k in SCHEMAS[name].items()}).to_pyarrow()
    if isinstance(frame, pa.Table):
        return frame.select(schema.names).cast(schema)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
