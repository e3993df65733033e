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
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus, NeedsLevel, PhaseKind, PlanStatus
from canrehab.followup.goals import IndicatorDef

if TYPE_CHECKING:
    from canrehab.domain.model import Assessment, Handover
    from canrehab.domain.svf import SvfDefinitions
    from canrehab.services.process_indicators import PathwayFacts

TABLES = ("pathways", "assessments", "plans", "handovers")

PATHWAY_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "unit": "string",
    "process": "string",
    "diagnosed_on": "date",
    "confirmed_level": "int64",
    "confirmed_level_on": "date",
    "contact_nurse_from": "date",
    "contact_nurse_offered_on": "date",
    "mvp_established_on": "date",
    "mvp_offered_on": "date",
    "mvp_digital": "boolean",
    "treatment_end_on": "date",
    "svf": "boolean",
    "svf_treatment_start_on": "date",
    "svf_within_max": "boolean",
    "mdk_on": "date",
}
ASSESSMENT_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "assessment_id": "string",
    "done_on": "date",
    "decision_support": "boolean",
    "troublesome": "int64",
    "prem": "boolean",  # a PREM survey (instrument kind prem), not a needs assessment
    "prem_fully_involved": "boolean",  # a PREM answered "Ja, helt" on involvement (process_indicators)
}
PLAN_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "established_on": "date",
    "closed": "boolean",
    "closed_on": "date",
}
HANDOVER_COLUMNS: dict[str, str] = {
    "pathway_id": "string",
    "unit": "string",
    "sent_on": "date",
    "patient_contacted_on": "date",
}
SCHEMAS: dict[str, dict[str, str]] = {
    "pathways": PATHWAY_COLUMNS,
    "assessments": ASSESSMENT_COLUMNS,
    "plans": PLAN_COLUMNS,
    "handovers": HANDOVER_COLUMNS,
}


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
        mdk_on = None
        if record is not None and record.mdk_discussed is True:
            mdk_on = record.mdk_on or record.suspicion_on
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


def memtables(frames: Mapping[str, pd.DataFrame]) -> dict[str, ibis.Table]:
    """The care dataset's tables in memory (the live dashboard's read model), typed by ``SCHEMAS``."""
    out: dict[str, ibis.Table] = {}
    for name in TABLES:
        schema = ibis.schema({c: _ibis_type(k) for c, k in SCHEMAS[name].items()})
        data = pa.Table.from_pandas(frames[name], schema=schema.to_pyarrow(), preserve_index=False)
        out[name] = ibis.memtable(data)
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
    return {
        name: con.read_parquet(str(directory / f"{name}.parquet"), table_name=f"care_{name}")  # type: ignore[attr-defined]
        for name in TABLES
    }


def _ibis_type(kind: str) -> str:
    return "timestamp" if kind == "date" else kind


# ------------------------------------------------------------------------------------------- expressions


def _ts(day: date) -> ibis.Value:
    # a literal, not ibis.timestamp(y, m, d, ...): PySpark has no rule for TimestampFromYMDHMS
    return ibis.literal(datetime(day.year, day.month, day.day), type="timestamp")


def _le(column: ibis.Value, day: date) -> ibis.Value:
    return column.notnull() & (column <= _ts(day))


def _between(column: ibis.Value, start: date, end: date) -> ibis.Value:
    return column.notnull() & (column >= _ts(start)) & (column <= _ts(end))


def _assessments(t: Mapping[str, ibis.Table]) -> ibis.Table:
    """The assessments table; a dataset written before the PREM columns existed has no PREM."""
    a = t["assessments"]
    for column in ("prem", "prem_fully_involved"):
        if column not in a.columns:
            a = a.mutate(**{column: ibis.literal(False)})
    return a


def _completed(t: Mapping[str, ibis.Table], end: date) -> ibis.Table:
    """Per pathway: completed needs assessments by ``end`` (any; with decision support), the first and the
    latest with decision support (by day, then id) and their numbers of troublesome areas. PREMs are left
    out."""
    a = _assessments(t)
    a = a.filter(_le(a.done_on, end) & ~a.prem.fill_null(False))
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


def _latest_prem(t: Mapping[str, ibis.Table], end: date) -> ibis.Table:
    """Per pathway with a PREM answered by ``end``: the day of the latest and whether every answer of that
    day is "Ja, helt" on involvement (``process_indicators.latest_prems``)."""
    a = _assessments(t)
    a = a.filter(_le(a.done_on, end) & a.prem.fill_null(False))
    latest = a.group_by("pathway_id").aggregate(prem_on=a.done_on.max())
    j = a.join(latest, "pathway_id")
    j = j.filter(j.done_on == j.prem_on)
    return j.group_by("pathway_id").aggregate(
        prem_on=j.prem_on.max(), prem_full=j.prem_fully_involved.fill_null(False).all()
    )


def _plan_in_place(t: Mapping[str, ibis.Table], end: date) -> ibis.Table:
    """Per pathway with a plan in place on ``end`` (``domain.plan.plan_in_place``): a plan established by
    then and in force then, or closed as handled on or after the day the needs level was confirmed."""
    p = t["plans"]
    pw = t["pathways"].select("pathway_id", "confirmed_level_on")
    j = p.join(pw, "pathway_id")
    in_force = ~j.closed | (j.closed_on.notnull() & (j.closed_on > _ts(end)))
    handled = j.closed_on.notnull() & (j.confirmed_level_on.isnull() | (j.closed_on >= j.confirmed_level_on))
    j = j.filter(_le(j.established_on, end) & (in_force | handled))
    return j.select("pathway_id").distinct().mutate(has_plan=ibis.literal(True))


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


def indicator_expr(
    t: Mapping[str, ibis.Table],
    definition: IndicatorDef,
    start: date,
    end: date,
    *,
    units: Sequence[str] | None = None,
    process: str | None = None,
    svf_only: bool = False,
) -> ibis.Table:
    """``unit, numerator, denominator`` of one care indicator for the period [start, end], as of its end."""
    care = definition.care
    if care is None or care.population not in POPULATIONS or care.condition not in CONDITIONS:
        raise DomainError(
            "indicator.unknown",
            "Indikatorn kan inte beräknas ur vårdens uppgifter.",
            f"{definition.id} is not an evaluable care indicator",
        )
    pw = t["pathways"]
    if process:
        pw = pw.filter(pw.process == process)
    if svf_only:
        pw = pw.filter(pw.svf)
    if care.population == "handovers_sent":
        h = t["handovers"]
        h = h.filter(_between(h.sent_on, start, end))
        if units is not None:
            h = h.filter(h.unit.isin(list(units)))
        if process or svf_only:
            h = h.semi_join(pw, "pathway_id")
        met = _le(h.patient_contacted_on, end)  # the only handover condition
        if care.condition != "handover_confirmed":
            met = ibis.literal(False)
        h = h.mutate(met=met)
        return h.group_by("unit").aggregate(numerator=h.met.cast("int64").sum(), denominator=h.count())
    if units is not None:
        pw = pw.filter(pw.unit.isin(list(units)))
    needs_assessments = care.population == "assessed_twice" or care.condition in (
        "assessed",
        "assessed_repeatedly",
        "troublesome_areas_decreased",
    )
    if needs_assessments:
        done = _completed(t, end)
        pw = pw.left_join(done, pw.pathway_id == done.pathway_id).drop("pathway_id_right")
        pw = pw.mutate(done=ibis.coalesce(pw.done, 0), supported=ibis.coalesce(pw.supported, 0))
    if care.population == "prem_answered" or care.condition == "prem_fully_involved":
        prem = _latest_prem(t, end)
        pw = pw.left_join(prem, pw.pathway_id == prem.pathway_id).drop("pathway_id_right")
    if care.condition == "has_plan":
        plans = _plan_in_place(t, end)
        pw = pw.left_join(plans, pw.pathway_id == plans.pathway_id).drop("pathway_id_right")
    diagnosed = _between(pw.diagnosed_on, start, end)
    population = {
        "diagnosed_in_period": lambda: diagnosed,
        "needs_special_or_more": lambda: (
            diagnosed
            & pw.confirmed_level.notnull()
            & (pw.confirmed_level >= int(NeedsLevel.SPECIAL))
            & (pw.confirmed_level_on.isnull() | (pw.confirmed_level_on <= _ts(end)))
        ),
        "assessed_twice": lambda: (pw.supported >= 2) & _between(pw.latest_on, start, end),
        "svf_treatment_started": lambda: _between(pw.svf_treatment_start_on, start, end),
        "treatment_ended": lambda: diagnosed & _le(pw.treatment_end_on, end),
        "prem_answered": lambda: _between(pw.prem_on, start, end),
    }[care.population]()
    condition = {
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
    }[care.condition]()
    pw = pw.filter(population.fill_null(False)).mutate(met=condition.fill_null(False).cast("int64"))
    return pw.group_by("unit").aggregate(numerator=pw.met.sum(), denominator=pw.count())


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
    """``{indicator id: {unit: (numerator, denominator)}}`` for every definition, in one query per backend
    (the per-indicator expressions are stacked with ``union``)."""
    if not definitions:
        return {}
    parts = [
        indicator_expr(t, d, start, end, units=units, process=process, svf_only=svf_only).mutate(
            indicator_id=ibis.literal(d.id)
        )
        for d in definitions
    ]
    stacked = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    frame = con.execute(stacked) if con is not None else stacked.to_pandas()
    out: dict[str, dict[str, tuple[int, int]]] = {d.id: {} for d in definitions}
    for r in frame.itertuples(index=False):
        out[str(r.indicator_id)][str(r.unit)] = (
            0 if pd.isna(r.numerator) else int(r.numerator),
            int(r.denominator),
        )
    return out
