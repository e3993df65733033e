"""Shared repository machinery: get/find/add/update with optimistic locking and automatic audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import Entity
from canrehab.store.audit import AuditLog
from canrehab.store.mapping import EntityMap, aware
from canrehab.store.memo import remember, remembered
from canrehab.store.orm_versions import VERSIONS

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_STATEMENTS: dict[tuple[str, ...], Any] = {}


IN_CHUNK = 1000  # ids per IN list (well under SQLite's and PostgreSQL's bound-parameter limits)


def cached_statement(key: tuple[str, ...], build: Callable[[], T]) -> T:
    """Statements are built once per process with bind parameters: building SQLAlchemy expressions costs
    more Python time than running a primary-key query, and a reused statement also hits the compiled cache."""
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    result: T = statement
    return result


ENTITY_SV = {
    "care_unit": "vårdenheten",
    "staff": "medarbetaren",
    "patient": "patienten",
    "pathway": "vårdförloppet",
    "assessment": "bedömningen",
    "rehab_plan": "rehabiliteringsplanen",
    "handover": "överlämningen",
    "referral": "remissen",
    "kva_record": "KVÅ-registreringen",
    "user_account": "användarkontot",
}


def now_stamp() -> datetime:
    """The time of a write, to the millisecond (what FHIR ``meta.lastUpdated`` serves)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _version(entity: Entity) -> int:
    return int(entity.__dict__.get("version", 0))


def _patient_id(entity: Entity) -> str:
    return str(entity.__dict__["patient_id"])


class NotFound(DomainError):
    """The requested record does not exist (code ``not_found``)."""

    def __init__(self, entity_type: str, entity_id: str) -> None:
        what = ENTITY_SV.get(entity_type, entity_type)
        super().__init__(
            "not_found",
            f"Hittade inte {what} ({entity_id}).",
            f"{entity_type} {entity_id} not found",
        )
        self.entity_type = entity_type
        self.entity_id = entity_id


class IntegrityViolation(DomainError):
    """A write broke a database constraint (a duplicate key, or a reference to a record that does not exist).
    The messages name the constraint, never the values (they may be personnummer)."""

    def __init__(self, entity_type: str, error: sa_exc.IntegrityError) -> None:
        what = ENTITY_SV.get(entity_type, entity_type)
        detail = _constraint(error)
        super().__init__(
            "integrity",
            f"Kunde inte spara {what}: posten finns redan eller hänvisar till något som saknas ({detail}).",
            f"{entity_type}: constraint violated ({detail})",
        )
        self.entity_type = entity_type
        self.constraint = detail


def _constraint(error: sa_exc.IntegrityError) -> str:
    diag = getattr(error.orig, "diag", None)  # psycopg: the constraint's name, without the values
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(error.orig)  # SQLite: "UNIQUE constraint failed: patient.personnummer" (no values)
    return text.split("\n")[0][:200] if "constraint failed" in text else "constraint"


def execute_write(session: Session, entity_type: str, statement: Any, params: Any) -> Any:
    """Run a write; a constraint violation becomes an ``IntegrityViolation`` (the unit of work rolls back)."""
    try:
        return session.execute(statement, params)
    except sa_exc.IntegrityError as error:
        raise IntegrityViolation(entity_type, error) from None


class Repository(Generic[E]):
    """A table of one entity type. ``patient_data`` repositories log reads and changes with the patient id;
    ``versioned`` ones check and bump ``version`` on update.

    Tables with an ``updated_at`` column (migration 0013) have it set on every write; ``last_updated(key)``
    gives it for a record this repository has read or written. Versioned ones among them also keep every
    version written (``record_version``): ``versions(key)`` and ``version_of(key, n)``."""

    map: EntityMap[E]
    patient_data: bool = True
    versioned: bool = True
    order_by: tuple[str, ...] = ()

    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit
        self.table = self.map.table
        self.key_column = self.table.c[self.map.key]
        self.stamped = "updated_at" in self.table.c
        self.keeps_versions = self.stamped and self.versioned
        self._stamps: dict[str, datetime] = {}

    # -------------------------------------------------------------------------------------------- helpers

    @property
    def entity_type(self) -> str:
        return self.map.entity_type

    def _key(self, entity: E) -> str:
        return str(getattr(entity, self.map.key))

    def _patient_of(self, entity: E) -> str | None:
        if not self.patient_data:
            return None
        if self.entity_type == "patient":
            return self._key(entity)
        value = getattr(entity, "patient_id", None)
        return str(value) if value is not None else None

    def _from(self, row: Mapping[Any, Any]) -> E:
        """The entity of a row, its ``updated_at`` remembered (``last_updated``)."""
        entity = self.map.from_row(row)
        if self.stamped:
            stamp = aware(row["updated_at"])
            if stamp is not None:
                self._stamps[self._key(entity)] = stamp
        return entity

    def _stamped_row(self, entity: E, stamp: datetime) -> dict[str, Any]:
        row = self.map.to_row(entity)
        if self.stamped:
            row["updated_at"] = stamp
            self._stamps[self._key(entity)] = stamp
        return row

    def _keep_version(self, entity: E, stamp: datetime) -> None:
        if not self.keeps_versions:
            return
        values = {
            "entity_type": self.entity_type,
            "entity_id": self._key(entity),
            "version": _version(entity),
            "patient_id": self._patient_of(entity),
            "updated_at": stamp,
            "data": self.map.snapshot(entity),
        }
        statement = cached_statement(("record_version", "insert"), lambda: insert(VERSIONS))
        execute_write(self.session, self.entity_type, statement, values)

    def last_updated(self, key: str) -> datetime | None:
        """When the record was last written, if this repository has read or written it."""
        return self._stamps.get(key)

    def versions(self, key: str) -> list[tuple[E, datetime]]:
        """Every kept version of the record, newest first, with the time it was written (the read logged).
        Records written before migration 0013 have only their current version."""
        if not self.keeps_versions:
            return []
        stmt = cached_statement(
            (self.table.name, "versions"),
            lambda: (
                select(VERSIONS.c.data, VERSIONS.c.updated_at)
                .where(VERSIONS.c.entity_type == bindparam("type"), VERSIONS.c.entity_id == bindparam("key"))
                .order_by(VERSIONS.c.version.desc())
            ),
        )
        rows = self.session.execute(stmt, {"type": self.entity_type, "key": key}).all()
        found = [(self.map.entity.model_validate(row.data), aware(row.updated_at)) for row in rows]
        current = self.find(key)
        if current is not None and all(_version(e) != _version(current) for e, _ in found):
            found.insert(0, (current, self._stamps.get(key) or now_stamp()))
        if found and current is None:
            self._log_read(found[0][0])
        return [(e, at) for e, at in found if at is not None]

    def _select(self) -> Select[Any]:
        stmt = select(self.table)
        for column in self.order_by:
            stmt = stmt.order_by(self.table.c[column])
        return stmt.order_by(self.key_column)

    def _load(self, where: ColumnElement[bool], params: dict[str, Any] | None = None) -> list[E]:
        rows = self.session.execute(self._select().where(where), params or {}).mappings()
        return [self._from(row) for row in rows]

    def _load_by(self, column: str, value: Any) -> list[E]:
        """The entities whose ``column`` is ``value``; the rows are remembered for the rest of the unit of
        work until it writes (``store.memo``), each also as the answer to a read by its key: a page whose
        use cases ask for the same patient's records (the record, its panels, the contact-nurse
        candidates) reads them once."""
        table = self.table

        def read() -> tuple[Any, ...]:
            stmt = cached_statement(
                (table.name, "by", column, *self.order_by),
                lambda: self._select().where(table.c[column] == bindparam("value")),
            )
            rows = tuple(self.session.execute(stmt, {"value": value}).mappings())
            for row in rows:
                remember(self.session, (table.name, "key", row[self.map.key]), row)
            return rows

        rows = remembered(self.session, (table.name, "by", column, value), read)
        return [self._from(row) for row in rows]

    def _row(self, key: str) -> Any:
        """The row of ``key``, read now (a write checks the version as stored)."""
        table, key_column = self.table, self.key_column
        stmt = cached_statement(
            (table.name, "key"), lambda: select(table).where(key_column == bindparam("key"))
        )
        return self.session.execute(stmt, {"key": key}).mappings().first()

    def _remembered_row(self, key: str) -> Any:
        """The row of ``key`` as read earlier in this unit of work (by key or in a list), else read now."""
        return remembered(self.session, (self.table.name, "key", key), lambda: self._row(key))

    def _log_read(self, entity: E) -> None:
        patient_id = self._patient_of(entity)
        if patient_id is not None:
            self.audit.patient_read(self.entity_type, self._key(entity), patient_id)

    def _log_list_read(self, entities: Sequence[E], patient_id: str) -> None:
        if entities:
            self.audit.patient_read(self.entity_type, f"patient:{patient_id}", patient_id)

    # -------------------------------------------------------------------------------------------- API

    def find_many(self, keys: Iterable[str]) -> list[E]:
        """The entities with these keys (unknown keys are skipped), each read logged."""
        found: list[E] = []
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), IN_CHUNK):
            found += self._load(self.key_column.in_(wanted[start : start + IN_CHUNK]))
        for entity in found:
            self._log_read(entity)
        return found

    def find(self, key: str) -> E | None:
        row = self._remembered_row(key)
        if row is None:
            return None
        entity = self._from(row)
        self._log_read(entity)
        return entity

    def get(self, key: str) -> E:
        entity = self.find(key)
        if entity is None:
            raise NotFound(self.entity_type, key)
        return entity

    def add(self, entity: E) -> E:
        if self.versioned and getattr(entity, "version", 1) != 1:
            entity = entity.model_copy(update={"version": 1})
        table = self.table
        insert_stmt = cached_statement((table.name, "insert"), lambda: insert(table))
        stamp = now_stamp()
        execute_write(self.session, self.entity_type, insert_stmt, self._stamped_row(entity, stamp))
        self._keep_version(entity, stamp)
        self.audit.record(
            "create",
            self.entity_type,
            self._key(entity),
            self._patient_of(entity),
            after=self.map.snapshot(entity),
        )
        return entity

    def add_many(self, entities: Iterable[E]) -> list[E]:
        items = list(entities)
        for entity in items:
            self.add(entity)
        return items

    def _current(self, key: str) -> E:
        row = self._row(key)
        if row is None:
            raise NotFound(self.entity_type, key)
        return self._from(row)

    def update(self, entity: E, *, expected_version: int | None = None) -> E:
        """Write ``entity`` if the stored version is still ``expected_version``; returns it with the next
        version. A concurrent change raises ``ConflictError`` (nothing is written)."""
        key = self._key(entity)
        before = self._current(key)
        table, key_column = self.table, self.key_column
        if self.versioned:
            if expected_version is None:
                raise TypeError(f"{self.entity_type}.update needs expected_version")
            actual = _version(before)
            if actual != expected_version:
                raise ConflictError(self.entity_type, expected_version, actual)
            entity = entity.model_copy(update={"version": expected_version + 1})
            stmt = cached_statement(
                (table.name, "update", "versioned"),
                lambda: update(table).where(
                    key_column == bindparam("_key"), table.c.version == bindparam("_expected")
                ),
            )
        else:
            stmt = cached_statement(
                (table.name, "update"), lambda: update(table).where(key_column == bindparam("_key"))
            )
        stamp = now_stamp()
        values = self._stamped_row(entity, stamp)
        values.pop(self.map.key)
        params = {**values, "_key": key}
        if self.versioned:
            params["_expected"] = expected_version
        result = execute_write(self.session, self.entity_type, stmt, params)
        if getattr(result, "rowcount", 1) == 0:
            now = self._current(key)
            raise ConflictError(self.entity_type, expected_version or 0, _version(now))
        self._keep_version(entity, stamp)
        self.audit.record(
            "update",
            self.entity_type,
            key,
            self._patient_of(entity),
            before=self.map.snapshot(before),
            after=self.map.snapshot(entity),
        )
        return entity


class PatientChildRepository(Repository[E]):
    """An aggregate that belongs to a patient and a pathway."""

    def for_patient(self, patient_id: str) -> list[E]:
        found = self._load_by("patient_id", patient_id)
        self._log_list_read(found, patient_id)
        return found

    def for_pathway(self, pathway_id: str) -> list[E]:
        found = self._load_by("pathway_id", pathway_id)
        for patient_id in sorted({_patient_id(e) for e in found}):
            self._log_list_read(found, patient_id)
        return found

    def for_pathways(self, pathway_ids: Iterable[str]) -> list[E]:
        """The entities of these pathways (one query per chunk of ids), each patient's read logged."""
        wanted = sorted(set(pathway_ids))
        found: list[E] = []
        for start in range(0, len(wanted), IN_CHUNK):
            found += self._load(self.table.c.pathway_id.in_(wanted[start : start + IN_CHUNK]))
        for patient_id in sorted({_patient_id(e) for e in found}):
            self._log_list_read(found, patient_id)
        return found
