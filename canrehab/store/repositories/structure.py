"""The structure register (organisation data, not patient data): every version kept, the current one is the
highest. A save is a new row; the primary key (unit, process, version) makes two concurrent saves of the same
version collide instead of both winning. Every save is written to the audit log with the values before and
after."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from canrehab.domain.errors import ConflictError
from canrehab.domain.structure import FIELD_BY_NAME, FieldType, StructureEntry, Value
from canrehab.store.audit import AuditLog
from canrehab.store.orm_structure import StructureEntryRow

TABLE = StructureEntryRow.metadata.tables["structure_entry"]


def _to_json(values: dict[str, Value] | Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _from_json(values: dict[str, Any]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for name, value in values.items():
        definition = FIELD_BY_NAME.get(name)
        if definition is None:  # a field a later version of canrehab dropped: not shown, kept in the row
            continue
        out[name] = date.fromisoformat(value) if definition.type is FieldType.DATE and value else value
    return out


def _entry(row: Any) -> StructureEntry:
    return StructureEntry(
        unit_hsa_id=row.unit_hsa_id,
        process=row.process,
        values=_from_json(row.values or {}),
        version=row.version,
        recorded_on=row.recorded_on,
        recorded_by=row.recorded_by,
    )


class StructureRepository:
    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit

    def history(self, unit_hsa_id: str, process: str) -> list[StructureEntry]:
        """Every version, newest first."""
        stmt = (
            select(TABLE)
            .where(TABLE.c.unit_hsa_id == unit_hsa_id, TABLE.c.process == process)
            .order_by(TABLE.c.version.desc())
        )
        return [_entry(row) for row in self.session.execute(stmt)]

    def current(self, unit_hsa_id: str, process: str) -> StructureEntry:
        """The newest version, or an empty entry (version 0) when nothing is recorded."""
        found = self.history(unit_hsa_id, process)
        return found[0] if found else StructureEntry(unit_hsa_id=unit_hsa_id, process=process)

    def latest_as_of(self, as_of: date | None, unit_hsa_ids: Collection[str] | None) -> list[StructureEntry]:
        """Per unit and process, the newest version recorded on or before ``as_of`` (None: any date)."""
        newest = select(
            TABLE.c.unit_hsa_id, TABLE.c.process, func.max(TABLE.c.version).label("version")
        ).group_by(TABLE.c.unit_hsa_id, TABLE.c.process)
        if as_of is not None:
            newest = newest.where(TABLE.c.recorded_on <= as_of)
        if unit_hsa_ids is not None:
            newest = newest.where(TABLE.c.unit_hsa_id.in_(sorted(unit_hsa_ids)))
        sub = newest.subquery()
        stmt = (
            select(TABLE)
            .join(
                sub,
                (TABLE.c.unit_hsa_id == sub.c.unit_hsa_id)
                & (TABLE.c.process == sub.c.process)
                & (TABLE.c.version == sub.c.version),
            )
            .order_by(TABLE.c.unit_hsa_id, TABLE.c.process)
        )
        return [_entry(row) for row in self.session.execute(stmt)]

    def add(self, entry: StructureEntry, before: StructureEntry) -> StructureEntry:
        """Store a new version (``before``: the version it replaces, for the audit log)."""
        row = {
            "unit_hsa_id": entry.unit_hsa_id,
            "process": entry.process,
            "version": entry.version,
            "recorded_on": entry.recorded_on,
            "recorded_at": datetime.now(UTC),
            "recorded_by": entry.recorded_by,
            "values": _to_json(dict(entry.values)),
        }
        try:
            with self.session.begin_nested():
                self.session.execute(TABLE.insert(), [row])
        except IntegrityError:
            raise ConflictError("strukturregistret", entry.version - 1, entry.version) from None
        self.audit.record(
            "create" if before.version == 0 else "update",
            "structure_entry",
            f"{entry.unit_hsa_id}/{entry.process}",
            None,
            f"version {entry.version}",
            before=_to_json(dict(before.values)) if before.version else None,
            after=row["values"],
        )
        return entry
