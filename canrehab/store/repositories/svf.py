"""A pathway's SVF record (patient data): every read and write audited with the patient's id; an update
names the version it read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from canrehab.domain.errors import ConflictError
from canrehab.domain.svf import SvfRecord, parse_first_treatment
from canrehab.store.audit import AuditLog
from canrehab.store.orm import TABLES
from canrehab.store.orm_svf import SvfRecordRow
from canrehab.store.repositories.base import IN_CHUNK

TABLE = SvfRecordRow.metadata.tables["svf_record"]
FIELDS = ("svf_pathway", "suspicion_on", "mdk_discussed", "mdk_on", "treatment_start_on", "first_treatment")


def record_of(row: Any) -> SvfRecord:
    """The domain record of an ``svf_record`` row (or any row with its ``FIELDS``)."""
    values = {name: getattr(row, name) for name in FIELDS}
    values["first_treatment"] = parse_first_treatment(values["first_treatment"])
    return SvfRecord(**values)


def row_values(record: SvfRecord) -> dict[str, Any]:
    """The ``FIELDS`` columns of a record (the kind of the first treatment as its code)."""
    values = {name: getattr(record, name) for name in FIELDS}
    kind = record.first_treatment
    values["first_treatment"] = None if kind is None else kind.value
    return values


def _json(record: SvfRecord) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row_values(record).items()}


def records_of(session: Session, pathway_ids: Sequence[str]) -> dict[str, tuple[SvfRecord, int]]:
    """The SVF records and versions of these pathways by pathway id (one query per ``IN_CHUNK`` ids), read
    in ``session`` and not audited: for a caller that audits its own reads (a bulk export's batch)."""
    out: dict[str, tuple[SvfRecord, int]] = {}
    ids = list(pathway_ids)
    for start in range(0, len(ids), IN_CHUNK):
        rows = session.execute(select(TABLE).where(TABLE.c.pathway_id.in_(ids[start : start + IN_CHUNK])))
        out.update({row.pathway_id: (record_of(row), row.version) for row in rows})
    return out


class SvfRepository:
    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit

    def find(self, pathway_id: str, patient_id: str) -> tuple[SvfRecord, int] | None:
        """The record and its version, or None when the pathway is not an SVF."""
        row = self.session.execute(select(TABLE).where(TABLE.c.pathway_id == pathway_id)).first()
        self.audit.record_read("svf_record", pathway_id, patient_id)
        if row is None:
            return None
        return record_of(row), row.version

    def save(
        self, pathway_id: str, patient_id: str, record: SvfRecord, *, expected_version: int, by: str
    ) -> int:
        """Insert (``expected_version`` 0) or update the record; returns the new version."""
        values = row_values(record)
        stamp = {"recorded_by": by, "recorded_at": datetime.now(UTC)}
        current = self.find(pathway_id, patient_id)
        actual = current[1] if current else 0
        if actual != expected_version:
            raise ConflictError("SVF-uppgifterna", expected_version, actual)
        if current is None:
            self.session.execute(
                TABLE.insert(),
                [{"pathway_id": pathway_id, "patient_id": patient_id, "version": 1, **values, **stamp}],
            )
        else:
            done = self.session.execute(
                update(TABLE)
                .where(TABLE.c.pathway_id == pathway_id, TABLE.c.version == expected_version)
                .values(version=expected_version + 1, **values, **stamp)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise ConflictError("SVF-uppgifterna", expected_version, expected_version + 1)
        self.audit.record(
            "create" if current is None else "update",
            "svf_record",
            pathway_id,
            patient_id,
            f"version {expected_version + 1}",
            before=_json(current[0]) if current else None,
            after=_json(record),
        )
        return expected_version + 1

    def for_pathways(self, pathway_ids: Sequence[str]) -> dict[str, SvfRecord]:
        """The records of these pathways by pathway id (an aggregate read for the indicators: the caller logs
        it once, not per record)."""
        out: dict[str, SvfRecord] = {}
        ids = list(pathway_ids)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            rows = self.session.execute(select(TABLE).where(TABLE.c.pathway_id.in_(chunk)))
            out.update({row.pathway_id: record_of(row) for row in rows})
        return out

    def pathways_started_between(self, start: date, end: date) -> list[str]:
        """The ids of the SVF pathways whose first treatment started in the period."""
        stmt = select(TABLE.c.pathway_id).where(TABLE.c.treatment_start_on.between(start, end))
        return [pid for (pid,) in self.session.execute(stmt)]

    def all_for_publication(self) -> list[tuple[str, str, str, SvfRecord]]:
        """(pseudonym, pathway id, treating unit, record) of every SVF record, for the pseudonymised
        analytics dataset (a system job's read: no identities leave here)."""
        patient, pathway = TABLES["patient"], TABLES["pathway"]
        stmt = (
            select(TABLE, patient.c.pseudonym, pathway.c.unit_hsa_id)
            .join(patient, patient.c.id == TABLE.c.patient_id)
            .join(pathway, pathway.c.id == TABLE.c.pathway_id)
            .order_by(TABLE.c.pathway_id)
        )
        return [
            (
                row.pseudonym,
                row.pathway_id,
                row.unit_hsa_id,
                record_of(row),
            )
            for row in self.session.execute(stmt)
        ]
