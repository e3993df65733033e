"""The care dataset's four tables (``followup.care``: pathways, assessments, plans, handovers) extracted
set-based, straight from the operational database, as Arrow tables.

``followup.care.care_frames`` builds the same tables from the read model's domain objects (one pydantic
``Pathway``, ``Assessment`` and ``RehabPlan`` per row, every answer decoded): right for a few hundred
pathways, minutes and gigabytes at a region's 200 000. Here each table is one query, streamed in chunks of
``CHUNK`` rows into Arrow record batches, so memory stays bounded by a chunk plus the (small, typed) result:

- the JSON columns the tables need are read in SQL where a path reaches them (the suggestion's troublesome
  areas, the PREM's involvement answer, a plan's first event) — never the whole answers document;
- the pathway's small JSON values (phases, contact nurses, Min vårdplan) are decoded per row (orjson) and read
  through the domain's own rules (``domain.offers``, ``domain.svf``): no second copy of a rule;
- the selection is ``readmodel.indicator_facts``'s over [any day, ``as_of``]: the pathways diagnosed by
  ``as_of`` or whose SVF treatment started by then, with all their completed assessments and established
  plans, and the handovers sent by then (from the units, when ``unit_ids`` restricts).

``tests/store/test_care_extract.py`` checks the result equals ``care_frames(indicator_facts(...))`` table by
table on SQLite and PostgreSQL. The Arrow schema is ``followup.care.SCHEMAS`` with dates as ``timestamp[us]``
(the test says so too: the store may not import ``followup``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import orjson
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine

from canrehab.domain.assessment import PREM_FULLY, PREM_INVOLVEMENT_ITEM
from canrehab.domain.care_dataset import SCHEMAS
from canrehab.domain.model import AssessmentStatus, PhaseKind, PlanStatus
from canrehab.domain.offers import first_contact_nurse_offer, first_min_vardplan_offer
from canrehab.domain.svf import (
    SvfDefinitions,
    SvfRecord,
    discussed_at_mdk_on,
    parse_first_treatment,
    within_max,
)
from canrehab.store.orm import TABLES
from canrehab.store.orm_svf import SvfRecordRow

CHUNK = 20_000  # rows per streamed batch: bounds the Python objects alive at once

_KINDS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "int64": pa.int64(),
    "boolean": pa.bool_(),
}
COLUMNS = SCHEMAS  # the care dataset's schema (domain.care_dataset)
"""The care dataset's columns and kinds, in ``followup.care.SCHEMAS``'s order."""


def arrow_schema(name: str) -> pa.Schema:
    """The published schema of one table: dates as ``timestamp[us]`` (what ``followup.care`` writes)."""
    return pa.schema(
        [(c, pa.timestamp("us") if k == "date" else _KINDS[k]) for c, k in COLUMNS[name].items()]
    )


def care_tables(
    conn_or_engine: Connection | Engine,
    *,
    as_of: date,
    svf_definitions: SvfDefinitions,
    prem_instruments: Collection[str],
    unit_ids: Sequence[str] | None = None,
) -> dict[str, pa.Table]:
    """The care dataset as of ``as_of`` (every unit, or the pathways and handovers of ``unit_ids``).
    ``svf_definitions`` give the SVF lead-time verdict, ``prem_instruments`` the ids of the PREM instruments
    (``services.process_indicators``: the instruments of kind ``prem``)."""
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return care_tables(
                conn,
                as_of=as_of,
                svf_definitions=svf_definitions,
                prem_instruments=prem_instruments,
                unit_ids=unit_ids,
            )
    conn = conn_or_engine
    json = _JSON_OPS[conn.dialect.name]
    selected = _selected_pathways(as_of, unit_ids)
    with _collector_paused():
        pathways = _table(conn, "pathways", _pathways_query(selected, json), _pathway_rows(svf_definitions))
        of_pathways = _of_pathways(conn, pathways, selected)
        return {
            "pathways": pathways,
            "assessments": _table(
                conn, "assessments", _assessments_query(of_pathways, prem_instruments, json)
            ),
            "plans": _table(conn, "plans", _plans_query(of_pathways, json)),
            "handovers": _table(conn, "handovers", _handovers_query(as_of, unit_ids)),
        }


ID_LIST_MAX = 20_000
"""Up to this many selected pathways (a unit's dashboard) their assessments and plans are read by the ids
just read, as one PostgreSQL array (an index lookup each); beyond it (a region's publication) or on SQLite
by the selection as a subquery."""

OfPathways = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]


def _of_pathways(conn: Connection, pathways: pa.Table, selected: sa.ColumnElement[bool]) -> OfPathways:
    """How the other tables' rows are restricted to the selected pathways: by the ids of ``pathways`` (the
    selection already read) when few, else by the selection again."""
    if conn.dialect.name == "postgresql" and pathways.num_rows <= ID_LIST_MAX:
        ids = sa.bindparam("pathway_ids", pathways.column("pathway_id").to_pylist(), type_=ARRAY(sa.String))
        return lambda column: column == sa.any_(ids)
    return lambda column: column.in_(sa.select(PATHWAY.c.id).where(selected))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the rows are converted: the conversion allocates many
    small acyclic objects (rows, dates), which trigger full collections that made a unit's extract's tail
    (p95) twice its median. Reference counting frees them as usual; the collector runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- the selection (readmodel.indicator_facts over [any day, as_of]) -----------------------------------

PATHWAY, ASSESSMENT, PLAN, HANDOVER = (TABLES[n] for n in ("pathway", "assessment", "rehab_plan", "handover"))
SVF: sa.Table = SvfRecordRow.__table__  # type: ignore[assignment]


def _selected_pathways(as_of: date, unit_ids: Sequence[str] | None) -> sa.ColumnElement[bool]:
    pw = PATHWAY.c
    svf_started = sa.select(SVF.c.pathway_id).where(SVF.c.treatment_start_on <= as_of)
    where = (pw.diagnosed_on <= as_of) | pw.id.in_(svf_started)
    if unit_ids is not None:
        where = pw.unit_hsa_id.in_(list(unit_ids)) & where
    return where


# --- the JSON paths: one table of the dialects' differences --------------------------------------------


class _JsonOps:
    """How a dialect reads a JSON column: the type of the value (``object``, ``null``, ...), the length of
    the array under a key, the text under a key, and the text of the key of the array's first element."""

    def __init__(
        self,
        kind: Callable[[Any], Any],
        length: Callable[[Any, str], Any],
        text: Callable[[Any, str], Any],
        first_text: Callable[[Any, str], Any],
        first_phase: Callable[[str], Any],
        true: Callable[[Any, str], Any],
    ) -> None:
        self.kind, self.length, self.text, self.first_text = kind, length, text, first_text
        self.first_phase = first_phase  # the earliest day of a phase kind in pathway.phases
        self.true = true  # the value under a key is JSON true


_JSON_OPS: Mapping[str, _JsonOps] = {
    "postgresql": _JsonOps(
        kind=sa.func.jsonb_typeof,
        length=lambda column, key: sa.func.jsonb_array_length(column.op("->")(key)),
        text=lambda column, key: column.op("->>")(key),
        first_text=lambda column, key: column.op("->")(0).op("->>")(key),
        first_phase=lambda kind: sa.literal_column(
            "(SELECT min((e ->> 'on')::date) FROM jsonb_array_elements(pathway.phases) AS e"
            f" WHERE e ->> 'kind' = '{kind}')"
        ),
        true=lambda column, key: column.op("->")(key) == sa.literal_column("'true'::jsonb"),
    ),
    "sqlite": _JsonOps(
        kind=sa.func.json_type,
        length=lambda column, key: sa.func.json_array_length(column, f'$."{key}"'),
        text=lambda column, key: sa.func.json_extract(column, f'$."{key}"'),
        first_text=lambda column, key: sa.func.json_extract(column, f'$[0]."{key}"'),
        first_phase=lambda kind: sa.literal_column(
            "(SELECT min(json_extract(e.value, '$.on')) FROM json_each(pathway.phases) AS e"
            f" WHERE json_extract(e.value, '$.kind') = '{kind}')"
        ),
        true=lambda column, key: sa.func.json_type(column, f'$."{key}"') == "true",
    ),
}


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """True or False, never NULL (a missing JSON key reads as NULL)."""
    return sa.case((condition, sa.true()), else_=sa.false())


# --- the queries ----------------------------------------------------------------------------------------


def _pathways_query(selected: sa.ColumnElement[bool], json: _JsonOps) -> sa.Select[Any]:
    pw, svf = PATHWAY.c, SVF.c
    mvp = pw.min_vardplan
    return (
        sa.select(
            pw.id,
            pw.unit_hsa_id,
            pw.process,
            pw.diagnosed_on,
            pw.confirmed_level,
            pw.confirmed_level_on,
            # the scalars of the JSON values read in SQL (decoding each document in Python was most of a
            # unit dashboard's extract); the contact nurses' list as JSON text, decoded by orjson
            json.first_phase(PhaseKind.TREATMENT_END.value),
            sa.cast(pw.contact_nurses, sa.Text),
            sa.type_coerce(json.text(mvp, "offered_on"), sa.String),
            sa.type_coerce(json.text(mvp, "established_on"), sa.String),
            sa.type_coerce(json.text(mvp, "declined_on"), sa.String),
            _flag(json.true(mvp, "digital_1177")),
            svf.svf_pathway,
            svf.suspicion_on,
            svf.mdk_discussed,
            svf.mdk_on,
            svf.treatment_start_on,
            svf.first_treatment,
        )
        .select_from(PATHWAY.outerjoin(SVF, svf.pathway_id == pw.id))
        .where(selected)
    )


def _assessments_query(
    of_pathways: OfPathways, prem_instruments: Collection[str], json: _JsonOps
) -> sa.Select[Any]:
    a = ASSESSMENT.c
    supported = json.kind(a.suggestion) == "object"  # JSON null: no decision support (a PREM)
    prem = a.instrument_id.in_(sorted(prem_instruments))
    return sa.select(
        a.pathway_id,
        a.id,
        sa.func.coalesce(a.submitted_on, a.started_on),
        _flag(supported),
        sa.case((supported, sa.func.coalesce(json.length(a.suggestion, "troublesome_areas"), 0)), else_=0),
        _flag(prem),
        _flag(prem & (json.text(a.answers, PREM_INVOLVEMENT_ITEM) == PREM_FULLY)),
    ).where(a.status != AssessmentStatus.IN_PROGRESS.value, of_pathways(a.pathway_id))


def _plans_query(of_pathways: OfPathways, json: _JsonOps) -> sa.Select[Any]:
    p = PLAN.c
    established_on = sa.type_coerce(json.first_text(p.events, "on"), sa.String)
    return sa.select(
        p.pathway_id,
        established_on,
        _flag(p.status == PlanStatus.CLOSED.value),
        p.closed_on,
    ).where(
        p.status != PlanStatus.DRAFT.value,
        established_on.is_not(None),  # a plan without events was never established
        of_pathways(p.pathway_id),
    )


def _handovers_query(as_of: date, unit_ids: Sequence[str] | None) -> sa.Select[Any]:
    h = HANDOVER.c
    # the sending unit is one of the region's (the column has no foreign key, the care units are the units)
    units = sa.select(TABLES["care_unit"].c.hsa_id) if unit_ids is None else list(unit_ids)
    where = (h.sent_on <= as_of) & h.from_unit_hsa_id.in_(units)
    return sa.select(h.pathway_id, h.from_unit_hsa_id, h.sent_on, h.patient_contacted_on).where(where)


# --- rows to Arrow --------------------------------------------------------------------------------------

RowsToColumns = Callable[[Sequence[Sequence[Any]]], list[list[Any]]]


def _transposed(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


def _table(
    conn: Connection, name: str, stmt: sa.Select[Any], convert: RowsToColumns = _transposed
) -> pa.Table:
    """Stream the query's rows in chunks, each converted to columns and then to an Arrow record batch."""
    raw = pa.schema([(c, _KINDS[k]) for c, k in COLUMNS[name].items()])
    batches = [
        pa.record_batch(_arrays(convert(rows), raw), schema=raw) for rows in _chunks(conn, stmt) if rows
    ]
    table = pa.Table.from_batches(batches, schema=raw)
    return table.cast(arrow_schema(name))


def _chunks(conn: Connection, stmt: sa.Select[Any]) -> Iterator[Sequence[Sequence[Any]]]:
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": CHUNK})
    yield from result.partitions(CHUNK)


def _arrays(columns: list[list[Any]], schema: pa.Schema) -> list[pa.Array]:
    out = []
    for values, field in zip(columns, schema, strict=True):
        if field.type == pa.date32():
            values = [_day(v) for v in values]
        out.append(pa.array(values, type=field.type))
    return out


def _day(value: Any) -> date | None:
    """A date from a column (a date) or from JSON text (ISO 8601)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _on(value: str) -> date:
    """A required date of a JSON value (ISO 8601 text)."""
    return date.fromisoformat(value)


def _pathway_rows(definitions: SvfDefinitions) -> RowsToColumns:
    def convert(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        out: list[list[Any]] = []
        for row in rows:
            (
                pid,
                unit,
                process,
                diagnosed_on,
                level,
                level_on,
                treatment_end_on,
                nurses_json,
                mvp_offered_on,
                mvp_established_on,
                mvp_declined_on,
                mvp_digital,
                svf_pathway,
                suspicion_on,
                mdk_discussed,
                mdk_on,
                treatment_start_on,
                first_treatment,
            ) = row
            record = (
                None
                if svf_pathway is None
                else SvfRecord(
                    svf_pathway,
                    suspicion_on,
                    mdk_discussed,
                    mdk_on,
                    treatment_start_on,
                    parse_first_treatment(first_treatment),
                )
            )
            assignments = [
                (_day(a.get("offered_on")), _on(a["from_date"])) for a in orjson.loads(nurses_json)
            ]
            established_on = _day(mvp_established_on)
            out.append(
                [
                    pid,
                    unit,
                    process,
                    diagnosed_on,
                    level,
                    level_on,
                    min((start for _, start in assignments), default=None),
                    first_contact_nurse_offer(assignments),
                    established_on,
                    first_min_vardplan_offer(_day(mvp_offered_on), established_on, _day(mvp_declined_on)),
                    mvp_digital,
                    _day(treatment_end_on),
                    record is not None,
                    None if record is None else record.treatment_start_on,
                    record is not None and within_max(record, definitions) is True,
                    None if record is None else discussed_at_mdk_on(record),
                ]
            )
        return _transposed(out)

    return convert
