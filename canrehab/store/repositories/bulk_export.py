"""The store side of the FHIR Bulk Data export: the job rows (``bulk_export_job``) and a reader that streams a
region's records in bounded memory.

``ExportReader`` pages through the patients in scope by primary key (keyset paging: ``id > :last ORDER BY id
LIMIT n``, so memory holds one batch, never the region) and loads each batch's pathways and child records with
one query per table. ``snapshot()`` makes the reads one consistent snapshot: REPEATABLE READ on PostgreSQL,
the unit of work's own transaction on SQLite, where WAL gives the reader a stable view.

No read audit here: the export job records one ``read`` row per exported patient itself, in its own short
transactions, beside the ``export`` rows of the kick-off and the downloads.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import ARRAY, and_, any_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

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
from canrehab.store import orm_bulk  # noqa: F401  (its table joins TABLES)
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
    aware,
)
from canrehab.store.orm import TABLES

JOB = TABLES["bulk_export_job"]
SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?$")


class BulkExportJobRepository:
    """``uow.bulk_jobs``: the job rows as plain dicts (datetimes timezone-aware)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(JOB), [values])

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(JOB).where(JOB.c.id == job_id)).mappings().first()
        if row is None:
            return None
        return {k: aware(v) if isinstance(v, datetime) else v for k, v in row.items()}

    def set(self, job_id: str, **values: Any) -> None:
        self.session.execute(update(JOB).where(JOB.c.id == job_id).values(**values))

    def set_unless_cancelled(self, job_id: str, **values: Any) -> bool:
        """Update a job that has not been cancelled meanwhile; False when it has."""
        result = self.session.execute(
            update(JOB).where(JOB.c.id == job_id, JOB.c.status != "cancelled").values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def add_progress(self, job_id: str, patients: int) -> bool:
        """Count ``patients`` more as done (several workers add to one job); False once it is cancelled."""
        result = self.session.execute(
            update(JOB)
            .where(JOB.c.id == job_id, JOB.c.status != "cancelled")
            .values(patients_done=JOB.c.patients_done + patients, updated_at=datetime.now(UTC))
        )
        return bool(getattr(result, "rowcount", 0))

    def status_of(self, job_id: str) -> str | None:
        found: str | None = self.session.execute(select(JOB.c.status).where(JOB.c.id == job_id)).scalar()
        return found

    def delete(self, job_id: str) -> None:
        self.session.execute(delete(JOB).where(JOB.c.id == job_id))


@dataclass(frozen=True)
class ExportBatch:
    """One batch of patients in scope with their pathways in scope and those pathways' child records."""

    patients: list[Patient]
    pathways: list[Pathway]
    assessments: list[Assessment]
    plans: list[RehabPlan]
    handovers: list[Handover]
    referrals: list[Referral]
    kva: list[KvaRecord]


class ExportReader:
    """``uow.export_reader``: the records of an export, batch by batch. ``units``: the care units whose
    pathways are in scope (None: every unit)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # (entity type, key) → the record's ``updated_at``, for the records of the current batch and the
        # units and staff loaded since (``meta.lastUpdated``, ``_since``); cleared with each new batch.
        self.stamps: dict[tuple[str, str], datetime] = {}

    def stamp(self, entity_type: str, key: str) -> datetime | None:
        """When the loaded record was last written (None for a table without ``updated_at``)."""
        return self.stamps.get((entity_type, key))

    def snapshot(self) -> None:
        """Make the following reads one consistent snapshot (call before any other read in the unit)."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            self._fast_json()
        # SQLite: the unit of work has begun its transaction already (store.uow: BEGIN IMMEDIATE), and
        # under WAL that transaction's reads are one snapshot.

    def export_snapshot(self) -> str | None:
        """PostgreSQL: this transaction's snapshot, for other sessions to read the same data
        (``pg_export_snapshot``); None elsewhere."""
        if self.session.get_bind().dialect.name != "postgresql":
            return None
        found: str | None = self.session.execute(select(func.pg_export_snapshot())).scalar()
        return found

    def use_snapshot(self, snapshot_id: str) -> None:
        """Read in another session's exported snapshot (call before any other read in the unit)."""
        if not SNAPSHOT_ID.match(snapshot_id):
            raise ValueError("not a snapshot id")
        self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        self.session.connection().exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
        self._fast_json()

    def _fast_json(self) -> None:
        """psycopg parses this connection's json/jsonb values with orjson (the same values as the standard
        library's ``json.loads``, at a fraction of the cost; the export reads every JSON column of the
        region). The loader stays on the pooled connection, which is harmless: the values are equal."""
        dbapi = self.session.connection().connection.dbapi_connection
        if dbapi is not None:
            set_json_loads(orjson.loads, dbapi)  # type: ignore[arg-type]

    def split_points(self, units: Collection[str] | None, parts: int) -> list[str]:
        """Patient ids that cut the patients in scope into ``parts`` ranges of about equal size: the last id
        of each range but the last."""
        patient = PATIENT.table
        total = self.count_patients(units)
        scoped = select(patient.c.id).where(exists().where(self._pathway_scope(units))).order_by(patient.c.id)
        points: list[str] = []
        for k in range(1, parts):
            offset = k * total // parts - 1
            if offset < 0:
                continue
            found = self.session.execute(scoped.offset(offset).limit(1)).scalar()
            if found is not None and (not points or found > points[-1]):
                points.append(str(found))
        return points

    def nth_patient(self, units: Collection[str] | None, n: int) -> str | None:
        """The id of the ``n``-th patient in scope (1-based, by id), None past the last."""
        patient = PATIENT.table
        scoped = select(patient.c.id).where(exists().where(self._pathway_scope(units))).order_by(patient.c.id)
        found = self.session.execute(scoped.offset(max(n - 1, 0)).limit(1)).scalar()
        return None if found is None else str(found)

    def now(self) -> datetime | None:
        """The database's clock (PostgreSQL: the snapshot transaction's start), else None."""
        if self.session.get_bind().dialect.name != "postgresql":
            return None
        value: datetime | None = self.session.execute(select(func.now())).scalar()
        return aware(value)

    def _pathway_scope(self, units: Collection[str] | None) -> Any:
        pathway = PATHWAY.table
        clause: Any = pathway.c.patient_id == PATIENT.table.c.id
        if units is not None:
            clause = and_(clause, pathway.c.unit_hsa_id.in_(sorted(units)))
        return clause

    def count_patients(self, units: Collection[str] | None) -> int:
        patient = PATIENT.table
        stmt = select(func.count()).select_from(patient).where(exists().where(self._pathway_scope(units)))
        return int(self.session.execute(stmt).scalar() or 0)

    def batch(
        self, units: Collection[str] | None, after: str, size: int, *, upto: str | None = None
    ) -> ExportBatch | None:
        """The next ``size`` patients (by id, after ``after``, up to and including ``upto``) with a pathway in
        scope, or None at the end."""
        patient = PATIENT.table
        where = and_(patient.c.id > after, exists().where(self._pathway_scope(units)))
        if upto is not None:
            where = and_(where, patient.c.id <= upto)
        stmt = select(patient).where(where).order_by(patient.c.id).limit(size)
        self.stamps = {}
        patients = self._entities(PATIENT, stmt)
        if not patients:
            return None
        ids = [p.id for p in patients]
        pathway = PATHWAY.table
        where = self._among(pathway.c.patient_id, ids)
        if units is not None:
            where = and_(where, pathway.c.unit_hsa_id.in_(sorted(units)))
        pathways = self._load(PATHWAY, where, pathway.c.id)
        in_scope = {p.id for p in pathways}

        def children(mapper: EntityMap[Any]) -> list[Any]:
            table = mapper.table
            found = self._load(mapper, self._among(table.c.patient_id, ids), table.c.id)
            return [e for e in found if e.pathway_id in in_scope]

        return ExportBatch(
            patients,
            pathways,
            children(ASSESSMENT),
            children(PLAN),
            children(HANDOVER),
            children(REFERRAL),
            children(KVA),
        )

    def _among(self, column: Any, ids: list[str]) -> Any:
        """``column IN ids`` for a batch's patient ids; on PostgreSQL ``= ANY(:ids)``, one array parameter
        instead of a thousand (rendering and parsing those cost more than the query)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return column == any_(bindparam("batch_ids", ids, type_=ARRAY(column.type)))
        return column.in_(ids)

    def _load(self, mapper: EntityMap[Any], where: Any, order: Any) -> list[Any]:
        return self._entities(mapper, select(mapper.table).where(where).order_by(order))

    def _entities(self, mapper: EntityMap[Any], stmt: Any) -> list[Any]:
        """The entities of a ``select(table)``: rows fetched as tuples (no mapping per row), each entity
        built from its columns, its ``updated_at`` remembered (``stamp``)."""
        result = self.session.execute(stmt)
        names = list(result.keys())
        stamped = "updated_at" in names
        entity_type, key = mapper.entity_type, mapper.key
        out: list[Any] = []
        for row in result.all():  # fetchall: one call, not one fetchone per row
            data = dict(zip(names, row, strict=True))
            stamp = aware(data.pop("updated_at")) if stamped else None
            entity = mapper.from_columns(data)
            if stamp is not None:
                self.stamps[(entity_type, str(getattr(entity, key)))] = stamp
            out.append(entity)
        return out

    def units(self, hsa_ids: Collection[str]) -> list[CareUnit]:
        table = UNIT.table
        return self._load(UNIT, table.c.hsa_id.in_(sorted(hsa_ids)), table.c.hsa_id) if hsa_ids else []

    def staff(self, ids: Collection[str]) -> list[Staff]:
        table = STAFF.table
        return self._load(STAFF, table.c.id.in_(sorted(ids)), table.c.id) if ids else []

    def unit_exists(self, hsa_id: str) -> bool:
        table = UNIT.table
        return (
            self.session.execute(select(table.c.hsa_id).where(table.c.hsa_id == hsa_id)).first() is not None
        )


__all__ = ["BulkExportJobRepository", "ExportBatch", "ExportReader"]
