"""Repositories of the care process: patients, pathways, assessments, plans, handovers, referrals, KVÅ."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, union, update

from canrehab.domain.mdk_rehab import MdkRehabCase
from canrehab.domain.model import (
    Assessment,
    Handover,
    HandoverStatus,
    KvaRecord,
    Pathway,
    Patient,
    Referral,
    RehabPlan,
)
from canrehab.domain.relatives import Relative, RelativeSupport
from canrehab.store import orm_care  # noqa: F401  (registers the relative and MDK-rehab tables)
from canrehab.store.mapping import (
    ASSESSMENT,
    HANDOVER,
    KVA,
    PATHWAY,
    PATIENT,
    PLAN,
    REFERRAL,
    EntityMap,
)
from canrehab.store.memo import remembered
from canrehab.store.orm import TABLES
from canrehab.store.repositories.base import (
    PatientChildRepository,
    Repository,
    cached_statement,
    execute_write,
    now_stamp,
)

BATCH = 1000


class PatientRepository(Repository[Patient]):
    map = PATIENT

    def update(self, entity: Patient, *, expected_version: int | None = None) -> Patient:
        """Write the patient if it is still at ``expected_version`` (a journal system's demographic update
        can race a clinician's), and keep the worklist's sort key in step with the name."""
        saved = super().update(entity, expected_version=expected_version)
        worklist = TABLES["worklist_status"]
        stmt = cached_statement(
            ("worklist_status", "sort_name"),
            lambda: (
                update(worklist)
                .where(worklist.c.patient_id == bindparam("_patient_id"))
                .values(sort_name=bindparam("_name"))
            ),
        )
        self.session.execute(stmt, {"_patient_id": saved.id, "_name": saved.name})
        return saved

    def get_by_personnummer(self, pnr12: str) -> Patient | None:
        """The patient with this normalised 12-digit personnummer/samordningsnummer, or None."""
        found = self._load_by("personnummer", pnr12)
        if not found:
            return None
        self._log_read(found[0])
        return found[0]

    def names(self, patient_ids: list[str]) -> dict[str, str]:
        """The names of these patients, for a listing whose own read is audited as a whole (the audit
        view records one read of the log, not one per row)."""
        if not patient_ids:
            return {}
        table = self.table
        stmt = select(table.c.id, table.c.name).where(table.c.id.in_(sorted(set(patient_ids))))
        return {row.id: row.name for row in self.session.execute(stmt)}

    def get_by_pseudonym(self, pseudonym: str) -> Patient | None:
        found = self._load_by("pseudonym", pseudonym)
        if not found:
            return None
        self._log_read(found[0])
        return found[0]

    def related_unit_hsa_ids(self, patient_id: str) -> set[str]:
        """Care units involved with the patient (access checks): the treating units of the patient's
        pathways, and the sending and receiving units of their handovers and referrals."""
        query = cached_statement(("patient", "related_units"), _related_units_query)

        def read() -> frozenset[str]:
            rows = self.session.execute(query, {"patient_id": patient_id}).scalars()
            return frozenset(unit for unit in rows if unit)

        # asked by every use case of a page that joins the unit of work: once, until the next write
        return set(remembered(self.session, ("related_units", patient_id), read))


def _related_units_query() -> Any:
    pathway, handover, referral = TABLES["pathway"], TABLES["handover"], TABLES["referral"]
    mdk = TABLES["mdk_rehab_case"]
    patient_id: Any = bindparam("patient_id")
    return union(
        select(pathway.c.unit_hsa_id.label("unit")).where(pathway.c.patient_id == patient_id),
        select(handover.c.to_unit_hsa_id).where(handover.c.patient_id == patient_id),
        select(handover.c.from_unit_hsa_id).where(handover.c.patient_id == patient_id),
        select(referral.c.to_unit_hsa_id).where(referral.c.patient_id == patient_id),
        select(referral.c.from_unit_hsa_id).where(referral.c.patient_id == patient_id),
        # the healthcare region's MDK-rehab coordinator has a care relation through the referral to it
        select(mdk.c.coordinator_unit_hsa_id).where(mdk.c.patient_id == patient_id),
    )


class PathwayRepository(PatientChildRepository[Pathway]):
    map = PATHWAY
    order_by = ("diagnosed_on",)

    def for_pathway(self, pathway_id: str) -> list[Pathway]:
        found = self.find(pathway_id)
        return [found] if found is not None else []

    def for_unit(self, hsa_id: str, *, open_only: bool = False) -> list[Pathway]:
        """Pathways treated at a unit (no read audit per row: a list for system and unit views)."""
        where = self.table.c.unit_hsa_id == hsa_id
        if open_only:
            where = where & self.table.c.closed_on.is_(None)
        return self._load(where)

    def all_ids(self) -> list[str]:
        return list(self.session.execute(select(self.key_column).order_by(self.key_column)).scalars())


class AssessmentRepository(PatientChildRepository[Assessment]):
    map = ASSESSMENT
    order_by = ("started_on",)


class PlanRepository(PatientChildRepository[RehabPlan]):
    map = PLAN


class HandoverRepository(PatientChildRepository[Handover]):
    map = HANDOVER
    order_by = ("sent_on",)

    def inbox(
        self, unit_hsa_ids: Collection[str], statuses: Iterable[HandoverStatus | str]
    ) -> list[Handover]:
        """Handovers sent to the units, in the given statuses, oldest first."""
        return self._box("to_unit_hsa_id", unit_hsa_ids, statuses)

    def outbox(
        self, unit_hsa_ids: Collection[str], statuses: Iterable[HandoverStatus | str]
    ) -> list[Handover]:
        """Handovers sent by the units, in the given statuses, oldest first."""
        return self._box("from_unit_hsa_id", unit_hsa_ids, statuses)

    def _box(
        self, column: str, unit_hsa_ids: Collection[str], statuses: Iterable[HandoverStatus | str]
    ) -> list[Handover]:
        units = sorted(unit_hsa_ids)
        wanted = sorted({str(getattr(s, "value", s)) for s in statuses})
        if not units or not wanted:
            return []
        unit_column = self.table.c[column]
        return self._load(unit_column.in_(units) & self.table.c.status.in_(wanted))


class ReferralRepository(PatientChildRepository[Referral]):
    map = REFERRAL
    order_by = ("sent_on",)

    def inbox(self, unit_hsa_ids: Collection[str], statuses: Iterable[str]) -> list[Referral]:
        units = sorted(unit_hsa_ids)
        wanted = sorted({str(getattr(s, "value", s)) for s in statuses})
        if not units or not wanted:
            return []
        t = self.table.c
        # a referral to a profession without a unit is answered by the referring unit (domain.referral)
        addressed = t.to_unit_hsa_id.in_(units) | (t.to_unit_hsa_id.is_(None) & t.from_unit_hsa_id.in_(units))
        return self._load(addressed & t.status.in_(wanted))

    def rejected_from(self, unit_hsa_ids: Collection[str]) -> list[Referral]:
        """Referrals sent by the units that the receiver rejected (the sender must act again)."""
        units = sorted(unit_hsa_ids)
        if not units:
            return []
        t = self.table.c
        return self._load(t.from_unit_hsa_id.in_(units) & (t.status == "rejected"))


class KvaRepository(PatientChildRepository[KvaRecord]):
    """KVÅ records are facts: added, never updated."""

    map = KVA
    versioned = False
    order_by = ("performed_on",)

    def add(self, entity: KvaRecord) -> KvaRecord:
        return self.add_many([entity])[0]

    def add_many(self, entities: Iterable[KvaRecord]) -> list[KvaRecord]:
        """Insert the records in one statement; one audit row per patient and call."""
        records = list(entities)
        if not records:
            return records
        table = self.table
        insert_stmt = cached_statement((table.name, "insert"), lambda: insert(table))
        stamp = now_stamp()
        rows = [self._stamped_row(r, stamp) for r in records]
        execute_write(self.session, self.entity_type, insert_stmt, rows)
        by_patient: dict[str, list[KvaRecord]] = defaultdict(list)
        for record in records:
            by_patient[record.patient_id].append(record)
        for patient_id, own in by_patient.items():
            self.audit.record(
                "create",
                self.entity_type,
                ",".join(r.id for r in own),
                patient_id,
                ", ".join(r.code for r in own),
                after=[self.map.snapshot(r) for r in own],
            )
        return records

    def update(self, entity: KvaRecord, *, expected_version: int | None = None) -> KvaRecord:
        raise TypeError("KVÅ records are never updated")

    def iter_between(self, start: date, end: date) -> Iterator[KvaRecord]:
        """All records performed from ``start`` to ``end`` inclusive, in date order, streamed in batches
        (no read audit per row: the caller logs the export)."""
        stmt = self._select().order_by(None).order_by(self.table.c.performed_on, self.key_column)
        stmt = stmt.where(self.table.c.performed_on >= start, self.table.c.performed_on <= end)
        result = self.session.execute(stmt, execution_options={"yield_per": BATCH})
        for row in result.mappings():
            yield self._from(row)


# Relatives and MDK-rehab (migration 0008, tables in ``store.orm_care``). The services open these
# repositories on the unit of work's session and audit log (``relatives_of(uow)``, ``mdk_rehab_of(uow)``).
RELATIVE = EntityMap(Relative, TABLES["relative"], "id")
RELATIVE_SUPPORT = EntityMap(RelativeSupport, TABLES["relative_support"], "id")
MDK_REHAB_CASE = EntityMap(MdkRehabCase, TABLES["mdk_rehab_case"], "id", frozenset({"outcome"}))


class RelativeRepository(PatientChildRepository[Relative]):
    map = RELATIVE
    order_by = ("name",)


class RelativeSupportRepository(PatientChildRepository[RelativeSupport]):
    map = RELATIVE_SUPPORT
    versioned = False
    order_by = ("on",)


class MdkRehabRepository(PatientChildRepository[MdkRehabCase]):
    map = MDK_REHAB_CASE
    order_by = ("sent_on",)

    def for_coordinator(self, unit_hsa_ids: Collection[str]) -> list[MdkRehabCase]:
        """The cases addressed to these coordinator units, oldest first."""
        units = sorted(unit_hsa_ids)
        if not units:
            return []
        return self._load(self.table.c.coordinator_unit_hsa_id.in_(units))
