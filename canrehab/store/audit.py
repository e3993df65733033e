"""The append-only audit log: who read or changed which patient's record, when, and what changed.

Rows are collected during a unit of work and written in one batch just before it commits, in the same
transaction: a rolled-back change leaves no audit row, and a read-only unit of work does not hold the
database's write lock (SQLite has a single writer) until it ends. The table itself rejects UPDATE and
DELETE (triggers).

``detail`` is free text for humans; it must never hold a personnummer or a name (a personnummer-shaped
number is refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, insert, literal, or_, select, text, union
from sqlalchemy.orm import Session

from canrehab.store.mapping import aware
from canrehab.store.orm import TABLES

AUDIT = TABLES["audit_log"]
AUDIT_INSERT = insert(AUDIT)
# On PostgreSQL the rows of a unit of work go in one statement, as one JSON array (a worklist page reads 50
# patients: one INSERT instead of 50 pipelined ones; json.dumps in C costs less than 50 parameter sets). The
# same rows as AUDIT_INSERT writes, in the same order (ids follow ``ord``): ``->`` keeps a ``None`` in
# before/after as JSON null, ``->>`` makes a ``None`` elsewhere SQL NULL, the time keeps its microseconds.
_TEXT_COLUMNS = (
    "actor_username",
    "actor_role",
    "actor_units",
    "action",
    "entity_type",
    "entity_id",
    "patient_id",
    "detail",
)
AUDIT_INSERT_JSON = text(
    f"INSERT INTO {AUDIT.name} (at, {', '.join(_TEXT_COLUMNS)}, before, after) "
    f"SELECT (r.v->>'at')::timestamptz, {', '.join(f'r.v->>{c!r}' for c in _TEXT_COLUMNS)}, "
    "r.v->'before', r.v->'after' "
    "FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS r(v, ord) ORDER BY r.ord"
)


def _as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps([{**row, "at": row["at"].isoformat()} for row in rows])


ACTIONS = frozenset({"read", "create", "update", "denied", "export", "login", "logout", "revoke"})
PNR_SHAPE = re.compile(r"(?<![0-9A-Za-z])(\d{2})?\d{6}[-+]?\d{4}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class AuditActor:
    username: str
    role: str
    unit_hsa_ids: tuple[str, ...]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_username: str
    actor_role: str
    actor_units: tuple[str, ...]
    action: str
    entity_type: str
    entity_id: str
    patient_id: str | None
    detail: str
    before: Any
    after: Any


class AuditLog:
    """The audit log as seen from one unit of work (``uow.audit``)."""

    def __init__(self, session: Session, actor: AuditActor, *, log_reads: bool = True) -> None:
        self._session = session
        self.actor = actor
        self.log_reads = log_reads
        self._pending: list[dict[str, Any]] = []
        self._read_patients: set[str] = set()
        self._read_keys: set[tuple[str, str, str | None]] = set()
        # Patients whose records this unit of work created or changed (for derived data such as worklists).
        self.changed_patients: set[str] = set()
        # The request this unit of work serves, added to every row's detail (e.g. "FHIR Procedure search"):
        # a row written by a repository says which interaction read the record.
        self.context = ""

    # -------------------------------------------------------------------------------------------- writing

    def record(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        patient_id: str | None = None,
        detail: str = "",
        *,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Log one event (``denied``, ``export`` ...; the repositories log ``create``/``update``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r} (allowed: {', '.join(sorted(ACTIONS))})")
        if PNR_SHAPE.search(detail):
            raise ValueError("audit detail must not contain a personnummer")
        if self.context and self.context not in detail:
            detail = f"{detail} [{self.context}]" if detail else self.context
        if action in ("create", "update") and patient_id is not None:
            self.changed_patients.add(patient_id)
        self._pending.append(
            {
                "at": datetime.now(UTC),
                "actor_username": self.actor.username,
                "actor_role": self.actor.role,
                "actor_units": ",".join(self.actor.unit_hsa_ids),
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "patient_id": patient_id,
                "detail": detail,
                "before": before,
                "after": after,
            }
        )

    def record_read(self, entity_type: str, entity_id: str, patient_id: str | None, detail: str = "") -> None:
        """Log a read of patient data, once per (entity, patient) in this unit of work; nothing when the unit
        of work was opened with ``log_reads=False`` (system jobs)."""
        key = (entity_type, entity_id, patient_id)
        if not self.log_reads or key in self._read_keys:
            return
        self._read_keys.add(key)
        if patient_id is not None:
            self._read_patients.add(patient_id)
        self.record("read", entity_type, entity_id, patient_id, detail)

    def patient_read(self, entity_type: str, entity_id: str, patient_id: str) -> None:
        """A repository read a patient's data: one row per patient record per unit of work, not per child."""
        if not self.log_reads or patient_id in self._read_patients:
            return
        self.record_read(entity_type, entity_id, patient_id)

    def flush(self) -> None:
        """Write the collected rows (called by the unit of work before it commits)."""
        if self._pending:
            rows, self._pending = self._pending, []
            if len(rows) > 1 and self._session.get_bind().dialect.name == "postgresql":
                self._session.execute(AUDIT_INSERT_JSON, {"rows": _as_json(rows)})
            else:
                self._session.execute(AUDIT_INSERT, rows)

    # -------------------------------------------------------------------------------------------- reading

    def query(
        self,
        *,
        patient_id: str | None = None,
        actor: str | None = None,
        limit: int = 200,
        offset: int = 0,
        units: Collection[str] | None = None,
    ) -> list[AuditEntry]:
        """The newest entries first, optionally for one patient and/or one actor username.

        With ``units``, only the entries that concern those care units: about a patient related to one of
        them (a pathway there, or a handover or referral to or from one) or made by staff of one of them.
        ``offset`` skips that many entries (paging)."""
        self.flush()
        stmt = (
            select(AUDIT).order_by(AUDIT.c.id.desc()).limit(max(1, min(limit, 10_000))).offset(max(0, offset))
        )
        if patient_id is not None:
            stmt = stmt.where(AUDIT.c.patient_id == patient_id)
        if actor is not None:
            stmt = stmt.where(AUDIT.c.actor_username == actor)
        if units is not None:
            stmt = stmt.where(concerns_units(sorted(set(units))))
        return [entry_of(row) for row in self._session.execute(stmt).mappings()]


def entry_of(row: Any) -> AuditEntry:
    """An ``audit_log`` row as an entry (the timestamp always time-zone aware)."""
    return AuditEntry(
        id=row["id"],
        at=aware(row["at"]) or row["at"],
        actor_username=row["actor_username"],
        actor_role=row["actor_role"],
        actor_units=tuple(u for u in row["actor_units"].split(",") if u),
        action=row["action"],
        entity_type=row["entity_type"],
        entity_id=row["entity_id"],
        patient_id=row["patient_id"],
        detail=row["detail"],
        before=row["before"],
        after=row["after"],
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def concerns_units(units: list[str]) -> ColumnElement[bool]:
    """The entries a reader scoped to ``units`` may see.

    An entry about a patient concerns the units the *patient* is related to by care (a pathway there, or a
    handover or referral to or from one), whoever made it: a multi-unit administrator's read of another
    unit's patient does not become one's own units' entry because the administrator is also a member of them.
    An entry about no patient (a login, a search, a refused page) concerns the units of the staff who made
    it (``actor_units`` is comma-joined)."""
    if not units:
        return false()
    pathway, handover, referral = TABLES["pathway"], TABLES["handover"], TABLES["referral"]
    patients = union(
        select(pathway.c.patient_id).where(pathway.c.unit_hsa_id.in_(units)),
        select(handover.c.patient_id).where(handover.c.to_unit_hsa_id.in_(units)),
        select(handover.c.patient_id).where(handover.c.from_unit_hsa_id.in_(units)),
        select(referral.c.patient_id).where(referral.c.to_unit_hsa_id.in_(units)),
        select(referral.c.patient_id).where(referral.c.from_unit_hsa_id.in_(units)),
    )
    wrapped = literal(",") + AUDIT.c.actor_units + literal(",")
    by_staff = [wrapped.like(f"%,{_like_escape(u)},%", escape="\\") for u in units]
    return or_(
        AUDIT.c.patient_id.in_(select(patients.subquery().c[0])),
        and_(AUDIT.c.patient_id.is_(None), or_(*by_staff)),
    )
