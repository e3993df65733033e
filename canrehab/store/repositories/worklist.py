"""The denormalised worklist: one row of flags per pathway, so that "what is due for unit U" is one indexed
query for the rows and one for the counts per flag."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Date, Integer, and_, bindparam, delete, func, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from canrehab.store.mapping import aware
from canrehab.store.orm import TABLES
from canrehab.store.orm_worklist import DEFAULT_GRACE_DAYS
from canrehab.store.repositories.base import cached_statement

WORKLIST = TABLES["worklist_status"]
SETTING = TABLES["worklist_unit_setting"]
PATIENT = TABLES["patient"]

BOOL_FLAGS = ("no_contact_nurse", "no_min_vardplan", "assessment_overdue", "plan_missing", "team_missing")
DATE_FLAGS = ("assessment_due", "plan_follow_up_due", "svf_mdk_due", "svf_treatment_due")
COUNT_FLAGS = (
    "assessments_to_confirm",
    "referrals_waiting",
    "handovers_in_awaiting",
    "handovers_out_unconfirmed",
    "handovers_out_overdue",
)
FLAGS = BOOL_FLAGS + DATE_FLAGS + COUNT_FLAGS
SORTS = ("next_action", "name", "level", "process")


@dataclass(frozen=True)
class WorklistStatusRow:
    """The worklist flags of one pathway (the columns of ``worklist_status``)."""

    pathway_id: str
    patient_id: str
    unit_hsa_id: str
    process: str
    phase: str | None
    level: int | None
    no_contact_nurse: bool
    no_min_vardplan: bool
    assessment_due: date | None
    assessment_overdue: bool
    plan_missing: bool
    plan_follow_up_due: date | None
    referrals_waiting: int
    handovers_in_awaiting: int
    handovers_out_unconfirmed: int
    handovers_out_overdue: int
    next_action_on: date | None  # None exactly when nothing is due: the row is not on the list
    updated_at: datetime
    assessments_to_confirm: int = 0  # submitted assessments awaiting the clinician's confirmation
    refresh_on: date | None = None  # the first date on which the date-driven flags change (None: never)
    contact_nurse_id: str | None = None  # the pathway's current contact nurse ("Mina patienter")
    team_missing: bool = False  # avancerad or higher, no rehab team nor MDK-rehab (migration 0016)
    svf_mdk_due: date | None = None  # SVF waiting for MDK, due by the SVF's lead time (migration 0020)
    svf_treatment_due: date | None = None  # SVF waiting for the first treatment (migration 0020)


@dataclass(frozen=True)
class WorklistEntry(WorklistStatusRow):
    """A worklist row joined with the patient's name and personnummer (for the clinician's list only)."""

    name: str = ""
    personnummer: str = ""


STATUS_COLUMNS = tuple(f.name for f in fields(WorklistStatusRow))


class WorklistPage(NamedTuple):
    """One page of a unit's worklist: the rows, the counts per flag (for the process/phase filter), the
    number of rows matching the whole filter, and the number of rows with anything due (without the flag
    filter: the "Alla" count)."""

    rows: list[WorklistEntry]
    counts: dict[str, int]
    total: int
    all_total: int
    groups: dict[str, int]  # rows per date group (GROUPS) for the other filters; empty without a window
    stale: bool = False  # with a window: some row of the units is stale on its ``today`` (rows not exact)
    grace_days: Mapping[str, int] | None = None  # with a window: each unit's grace period, as ``grace_days``


GROUPS = ("overdue", "today", "week", "later")  # by the row's earliest date; see ``_window_conditions``


@dataclass(frozen=True)
class DateWindow:
    """The dates that split a unit's rows into groups on one day: more than the unit's grace period (its
    ``worklist_unit_setting``, read in the same statement) before ``today`` is overdue, up to ``today`` is
    today's, up to ``week_end`` this week's."""

    today: date
    week_end: date


class days_before(FunctionElement[date]):
    """SQL: the date ``days`` (an integer expression) before the date ``day``."""

    type = Date()
    name = "days_before"
    inherit_cache = True


@compiles(days_before, "postgresql")
def _days_before_pg(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = element.clauses.clauses
    return f"(CAST({compiler.process(day, **kw)} AS DATE) - {compiler.process(days, **kw)})"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = element.clauses.clauses  # dates are ISO text in SQLite
    return f"date({compiler.process(day, **kw)}, '-' || {compiler.process(days, **kw)} || ' days')"


def flag_condition(flag: str) -> ColumnElement[bool]:
    """The SQL condition "this flag is raised"."""
    column = WORKLIST.c[flag]
    if flag in BOOL_FLAGS:
        return column.is_(True)
    if flag in DATE_FLAGS:
        return column.is_not(None)
    if flag in COUNT_FLAGS:
        return column > 0
    raise ValueError(f"unknown worklist flag {flag!r} (known: {', '.join(FLAGS)})")


def status_values(row: WorklistStatusRow) -> dict[str, Any]:
    values = {key: getattr(row, key) for key in STATUS_COLUMNS}
    if getattr(values.get("phase"), "value", None) is not None:
        values["phase"] = values["phase"].value
    return values


_UPSERT: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WORKLIST)
    return stmt.on_conflict_do_update(
        index_elements=[WORKLIST.c.pathway_id, WORKLIST.c.unit_hsa_id],
        set_={
            c: stmt.excluded[c]
            for c in (*STATUS_COLUMNS, "sort_name")
            if c not in ("pathway_id", "unit_hsa_id")
        },
    )


def sort_names(
    connection: Any, patient_ids: Iterable[str], known: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Patient names by id (the worklist's sort key): from ``known`` where given, else from the database."""
    names = dict(known or {})
    missing = sorted({p for p in patient_ids if p not in names})
    for start in range(0, len(missing), 1000):
        chunk = missing[start : start + 1000]
        names.update(connection.execute(_NAMES, {"ids": chunk}).tuples().all())
    return names


_PAIRS = select(WORKLIST.c.pathway_id, WORKLIST.c.unit_hsa_id).where(
    WORKLIST.c.pathway_id.in_(bindparam("ids", expanding=True))
)
_DELETE_PAIR = delete(WORKLIST).where(
    WORKLIST.c.pathway_id == bindparam("pathway_id"), WORKLIST.c.unit_hsa_id == bindparam("unit")
)
_NAMES = select(PATIENT.c.id, PATIENT.c.name).where(PATIENT.c.id.in_(bindparam("ids", expanding=True)))


class WorklistRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, row: WorklistStatusRow) -> None:
        self.upsert_many([row])

    def upsert_many(self, rows: Iterable[WorklistStatusRow]) -> None:
        values = [status_values(r) for r in rows]
        if not values:
            return
        names = sort_names(self.session, (v["patient_id"] for v in values))
        for v in values:
            v["sort_name"] = names.get(v["patient_id"], "")
        dialect = self.session.get_bind().dialect.name
        stmt = _UPSERT.get(dialect)
        if stmt is None:
            stmt = _UPSERT[dialect] = _upsert_statement(dialect)
        self.session.execute(stmt, values)

    def replace_pathways(self, rows_by_pathway: Mapping[str, Sequence[WorklistStatusRow]]) -> None:
        """Store the rows of these pathways and drop their rows for units they no longer concern."""
        self.upsert_many(row for rows in rows_by_pathway.values() for row in rows)
        keep = {(row.pathway_id, row.unit_hsa_id) for rows in rows_by_pathway.values() for row in rows}
        ids = sorted(rows_by_pathway)
        for start in range(0, len(ids), 1000):
            existing = self.session.execute(_PAIRS, {"ids": ids[start : start + 1000]}).tuples()
            for pathway_id, unit in sorted(set(existing) - keep):
                self.session.execute(_DELETE_PAIR, {"pathway_id": pathway_id, "unit": unit})

    def for_pathway(self, pathway_id: str) -> dict[str, WorklistStatusRow]:
        """The rows of one pathway by unit."""
        found = self.session.execute(select(WORKLIST).where(WORKLIST.c.pathway_id == pathway_id)).mappings()
        return {row["unit_hsa_id"]: _status(row) for row in found}

    def stale_pathways(
        self, today: date, unit_hsa_ids: Collection[str] | None = None, limit: int | None = None
    ) -> list[str]:
        """Pathways with a row whose ``refresh_on`` date has come (optionally only rows of these units)."""
        by_unit, limited = unit_hsa_ids is not None, limit is not None

        def build() -> Any:
            where: list[ColumnElement[bool]] = [WORKLIST.c.refresh_on <= bindparam("today")]
            if by_unit:
                where.append(WORKLIST.c.unit_hsa_id.in_(bindparam("units", expanding=True)))
            stmt = select(WORKLIST.c.pathway_id).where(*where).distinct().order_by(WORKLIST.c.pathway_id)
            return stmt.limit(bindparam("limit", type_=Integer)) if limited else stmt

        stmt = cached_statement(("worklist", "stale", str(by_unit), str(limited)), build)
        params = {"today": today, "units": sorted(unit_hsa_ids or ()), "limit": limit}
        return list(self.session.execute(stmt, params).scalars())

    def query(
        self,
        unit_hsa_ids: Collection[str],
        *,
        process: str | None = None,
        phase: str | None = None,
        due: str | None = None,
        sort: str = "next_action",
        limit: int = 200,
        offset: int = 0,
        contact_nurse_id: str | None = None,
        window: DateWindow | None = None,
        group: str | None = None,
    ) -> WorklistPage:
        """The rows with something due for the units (optionally one process/phase, and only those with the
        flag ``due`` raised), the counts per flag (for the process/phase filter, not the flag filter), and the
        total number of matching rows. ``contact_nurse_id`` keeps one nurse's patients ("Mina patienter");
        with a ``window`` the rows are also counted per date group, and ``group`` keeps one. The flags are
        as of the last refresh of each row (the service refreshes rows whose ``refresh_on`` has come before
        it reads)."""
        if sort not in SORTS:
            raise ValueError(f"unknown worklist sort {sort!r} (known: {', '.join(SORTS)})")
        if due is not None and due not in FLAGS:
            raise ValueError(f"unknown worklist flag {due!r} (known: {', '.join(FLAGS)})")
        units = sorted(set(unit_hsa_ids))
        counts = dict.fromkeys(FLAGS, 0)
        if not units:
            return WorklistPage([], counts, 0, 0, {})
        if group is not None and window is None:
            raise ValueError("a worklist group needs a date window")
        params: dict[str, Any] = {
            "units": units,
            "process": process,
            "phase": phase,
            "nurse": contact_nurse_id,
            "limit": max(0, limit),
            "offset": max(0, offset),
        }
        per_unit: int | None = None
        if window is not None:
            params.update(today=window.today, week_end=window.week_end)
            per_unit = len(units)
            params.update({f"unit_{i}": unit for i, unit in enumerate(units)})
        shape = _Shape(
            bool(process), bool(phase), bool(contact_nurse_id), window is not None, per_unit, due, group, sort
        )
        # Built once per shape (the filters chosen, not their values): building and hashing these
        # statements cost more Python time per page than PostgreSQL takes to run them.
        stmt = cached_statement(("worklist", "query", *map(str, shape)), lambda: _query(shape))
        # one round trip: every result row carries the counts; no row on the page is one row of counts alone
        found = self.session.execute(stmt, params).mappings().all()
        counted = {k[len(COUNTED) :]: v for k, v in found[0].items() if k.startswith(COUNTED)}
        counts = {f: int(counted[f]) for f in FLAGS}
        groups = {g: int(counted[f"group_{g}"]) for g in GROUPS} if window is not None else {}
        if due is not None and group is not None:
            total = int(counted["both"])
        elif group is not None:
            total = groups[group]
        else:
            total = counts[due] if due is not None else int(counted["total"])
        rows = [
            WorklistEntry(**_status_values(row), name=row["name"], personnummer=row["personnummer"])
            for row in found
            if row["pathway_id"] is not None
        ]
        if window is None:
            return WorklistPage(rows, counts, total, int(counted["total"]), groups)
        grace = {u: int(found[0][f"{UNIT_STATE}grace_{i}"]) for i, u in enumerate(units)}
        stale = bool(found[0][f"{UNIT_STATE}stale"])
        return WorklistPage(rows, counts, total, int(counted["total"]), groups, stale, grace)

    def grace_days(self, unit_hsa_ids: Collection[str]) -> dict[str, int]:
        """Each unit's grace period in days (the default for a unit that has set none): the same expression
        a windowed ``query`` reads them with (``_grace``)."""
        units = sorted(set(unit_hsa_ids))
        if not units:
            return {}
        stmt = cached_statement(
            ("worklist", "grace_days", str(len(units))),
            lambda: select(*(_grace(i) for i in range(len(units)))),
        )
        found = self.session.execute(stmt, {f"unit_{i}": u for i, u in enumerate(units)}).one()
        return {u: int(days) for u, days in zip(units, found, strict=True)}

    def set_grace_days(self, unit_hsa_id: str, days: int) -> None:
        self.session.execute(delete(SETTING).where(SETTING.c.unit_hsa_id == unit_hsa_id))
        self.session.execute(SETTING.insert().values(unit_hsa_id=unit_hsa_id, grace_days=days))


class _Shape(NamedTuple):
    """Which filters a worklist query has (its statements are built once per shape)."""

    process: bool
    phase: bool
    nurse: bool
    windowed: bool
    per_unit: int | None  # with a window: the number of units (each has its own grace period)
    due: str | None
    group: str | None
    sort: str


def _grace(i: int) -> Any:
    """SQL: the grace days of the unit bound as ``unit_<i>`` (the default when it has set none): a scalar
    subquery that does not depend on the row (PostgreSQL computes it once, as an InitPlan)."""
    found = select(SETTING.c.grace_days).where(SETTING.c.unit_hsa_id == bindparam(f"unit_{i}"))
    return func.coalesce(found.scalar_subquery(), DEFAULT_GRACE_DAYS)


def _window_conditions(shape: _Shape) -> dict[str, ColumnElement[bool]]:
    """The SQL condition "the row's earliest date falls in this group" for each group, with bound parameters
    ``today``, ``week_end`` and ``unit_<i>`` (each unit's grace period is read in the statement: overdue is
    before ``today`` minus the row's unit's grace days)."""
    on = WORKLIST.c.next_action_on
    today: Any = bindparam("today", type_=Date)
    units = shape.per_unit or 0
    if units == 1:  # every row is the unit's
        overdue: ColumnElement[bool] = on < days_before(today, _grace(0))
        not_overdue: ColumnElement[bool] = on >= days_before(today, _grace(0))
    else:
        overdue = or_(
            *(
                (WORKLIST.c.unit_hsa_id == bindparam(f"unit_{i}")) & (on < days_before(today, _grace(i)))
                for i in range(units)
            )
        )
        not_overdue = ~overdue
    week_end: Any = bindparam("week_end")
    return {
        "overdue": overdue,
        "today": and_(not_overdue, on <= today),
        "week": and_(on > today, on <= week_end),
        "later": on > week_end,
    }


COUNTED = "counted_"  # the prefix of the count columns in a worklist query's result rows
UNIT_STATE = "unit_state_"  # the prefix of the stale flag and the grace days in a windowed query's rows


def _query(shape: _Shape) -> Any:
    """The statement of a worklist query of this shape: the counts (flags, groups, and the rows shown when
    both a flag and a group are chosen: one scan) left-joined with the page's rows, so that each row carries
    the counts and an empty page is one row of counts with NULL row columns."""
    c = WORKLIST.c
    base: list[ColumnElement[bool]] = [
        c.unit_hsa_id.in_(bindparam("units", expanding=True)),
        c.next_action_on.is_not(None),
    ]
    if shape.process:
        base.append(c.process == bindparam("process"))
    if shape.phase:
        base.append(c.phase == bindparam("phase"))
    if shape.nurse:
        base.append(c.contact_nurse_id == bindparam("nurse"))
    grouped = _window_conditions(shape) if shape.windowed else {}
    both = (
        [func.count().filter(and_(flag_condition(shape.due), grouped[shape.group])).label("both")]
        if shape.due is not None and shape.group is not None
        else []
    )
    count_stmt = select(
        func.count().label("total"),
        *(func.count().filter(flag_condition(f)).label(f) for f in FLAGS),
        *(func.count().filter(grouped[g]).label(f"group_{g}") for g in GROUPS if grouped),
        *both,
    ).where(and_(*base))
    where = list(base)
    if shape.due is not None:
        where.append(flag_condition(shape.due))
    if shape.group is not None:
        where.append(grouped[shape.group])
    # The page is chosen from the covering index alone (narrow rows), then joined for its few rows.
    page = (
        select(c.pathway_id, c.unit_hsa_id)
        .where(and_(*where))
        .order_by(*_order(c, shape.sort))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    rows = (
        select(WORKLIST, PATIENT.c.name, PATIENT.c.personnummer)
        .join(page, (page.c.pathway_id == c.pathway_id) & (page.c.unit_hsa_id == c.unit_hsa_id))
        .join(PATIENT, PATIENT.c.id == c.patient_id)
        .subquery("rows")
    )
    counted = count_stmt.subquery("counted")
    state: list[Any] = []
    if shape.windowed:  # the unit state the page depends on, in the same snapshot: no round trip of its own
        stale = select(WORKLIST.c.pathway_id).where(
            WORKLIST.c.refresh_on <= bindparam("today", type_=Date),
            WORKLIST.c.unit_hsa_id.in_(bindparam("units", expanding=True)),
        )
        state = [
            stale.exists().label(UNIT_STATE + "stale"),
            *(_grace(i).label(f"{UNIT_STATE}grace_{i}") for i in range(shape.per_unit or 0)),
        ]
    return (
        select(*(col.label(COUNTED + col.name) for col in counted.c), *state, *rows.c)
        .select_from(counted.outerjoin(rows, true()))
        .order_by(*_order(rows.c, shape.sort))
    )


def _order(c: Any, sort: str) -> list[Any]:
    first: dict[str, list[Any]] = {
        "next_action": [c.next_action_on],
        "name": [c.sort_name, c.next_action_on],
        "level": [c.level.desc().nulls_last(), c.next_action_on],
        "process": [c.process, c.next_action_on],
    }
    return [*first[sort], c.pathway_id]


def _status_values(row: Any) -> dict[str, Any]:
    values = {c: row[c] for c in STATUS_COLUMNS}
    values["updated_at"] = aware(values["updated_at"])
    return values


def _status(row: Any) -> WorklistStatusRow:
    return WorklistStatusRow(**_status_values(row))
