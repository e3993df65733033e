"""Fast loading of many rows (the synthetic region): Core inserts in batches, which SQLAlchemy sends as
multi-row INSERTs ("insertmanyvalues") on SQLite and PostgreSQL. A system load: no audit rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Engine

from canrehab.domain.model import (
    Assessment,
    CareUnit,
    Handover,
    KvaRecord,
    Pathway,
    Patient,
    Referral,
    RehabPlan,
    Staff,
)
from canrehab.store.mapping import (
    ASSESSMENT,
    HANDOVER,
    KVA,
    PATHWAY,
    PATIENT,
    PLAN,
    REFERRAL,
    STAFF,
    UNIT,
    EntityMap,
)
from canrehab.store.orm import TABLES
from canrehab.store.repositories.worklist import WorklistStatusRow, sort_names, status_values

BATCH = 5000
ACCOUNT_COLUMNS = tuple(TABLES["user_account"].columns.keys())


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], size: int) -> int:
    count = 0
    for chunk in _batches(rows, size):
        conn.execute(insert(table), chunk)
        count += len(chunk)
    return count


def _entities(mapper: EntityMap[Any], items: Iterable[Any]) -> Iterable[dict[str, Any]]:
    return (mapper.to_row(item) for item in items)


def _account(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        data = dict(item)
    elif is_dataclass(item) and not isinstance(item, type):
        data = asdict(item)
    else:
        raise TypeError(f"an account must be a mapping or a dataclass, not {type(item).__name__}")
    data.setdefault("failed_logins", 0)
    data.setdefault("locked_until", None)
    data.setdefault("created_at", datetime.now(UTC))
    data.setdefault("staff_id", None)
    data.setdefault("patient_id", None)
    data["unit_hsa_ids"] = list(data.get("unit_hsa_ids") or ())
    unknown = set(data) - set(ACCOUNT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown account fields: {', '.join(sorted(unknown))}")
    return data


@contextmanager
def _transaction(target: Engine | Connection) -> Iterator[Connection]:
    """A transaction of its own on an engine; on a connection, the caller's open transaction."""
    if isinstance(target, Connection):
        yield target
    else:
        with target.begin() as conn:
            yield conn


def bulk_load(
    engine: Engine | Connection,
    *,
    units: Iterable[CareUnit] = (),
    staff: Iterable[Staff] = (),
    patients: Iterable[Patient] = (),
    pathways: Iterable[Pathway] = (),
    assessments: Iterable[Assessment] = (),
    plans: Iterable[RehabPlan] = (),
    handovers: Iterable[Handover] = (),
    referrals: Iterable[Referral] = (),
    kva: Iterable[KvaRecord] = (),
    accounts: Iterable[Any] = (),
    worklist: Iterable[WorklistStatusRow] = (),
    batch_size: int = BATCH,
) -> dict[str, int]:
    """Insert everything in one transaction (all or nothing), parents before children; returns the number
    of rows per table. Accounts are mappings or dataclasses with the ``user_account`` column names. Given a
    connection instead of an engine, the rows go into its open transaction (the caller commits)."""
    patients = list(patients)
    worklist = list(worklist)
    plan: list[tuple[Table, Iterable[dict[str, Any]]]] = [
        (UNIT.table, _entities(UNIT, units)),
        (STAFF.table, _entities(STAFF, staff)),
        (PATIENT.table, _entities(PATIENT, patients)),
        (PATHWAY.table, _entities(PATHWAY, pathways)),
        (ASSESSMENT.table, _entities(ASSESSMENT, assessments)),
        (PLAN.table, _entities(PLAN, plans)),
        (HANDOVER.table, _entities(HANDOVER, handovers)),
        (REFERRAL.table, _entities(REFERRAL, referrals)),
        (KVA.table, _entities(KVA, kva)),
        (TABLES["user_account"], (_account(a) for a in accounts)),
    ]
    counts: dict[str, int] = {}
    with _transaction(engine) as conn:
        for table, rows in plan:
            counts[table.name] = _insert(conn, table, rows, batch_size)
        names = sort_names(conn, (w.patient_id for w in worklist), {p.id: p.name for p in patients})
        worklist_rows = ({**status_values(w), "sort_name": names.get(w.patient_id, "")} for w in worklist)
        counts["worklist_status"] = _insert(conn, TABLES["worklist_status"], worklist_rows, batch_size)
    return counts
