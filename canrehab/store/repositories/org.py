"""Care units and staff (organisation data, not patient data: changes are audited without a patient id)."""

from __future__ import annotations

from sqlalchemy import select

from canrehab.domain.model import CareUnit, Staff
from canrehab.store.mapping import STAFF, UNIT
from canrehab.store.memo import remembered
from canrehab.store.orm import ASSIGNMENT_HSA_INDEX
from canrehab.store.repositories.base import IntegrityViolation, Repository, cached_statement


def assignment_hsa_taken(error: IntegrityViolation) -> bool:
    """The write broke the uniqueness of ``staff.assignment_hsa_id`` (migration 0018): another staff member
    was given the same assignment HSA-id by a concurrent transaction, after this one's check."""
    return error.entity_type == "staff" and (
        error.constraint == ASSIGNMENT_HSA_INDEX  # PostgreSQL names the index
        or error.constraint.endswith("staff.assignment_hsa_id")  # SQLite names the column
    )


class UnitRepository(Repository[CareUnit]):
    map = UNIT
    patient_data = False
    versioned = False

    def list_all(self) -> list[CareUnit]:
        """Every care unit by name; read once per unit of work until it writes (the patient page shows
        the unit names of its records and offers the units as handover and referral recipients)."""
        table = self.table
        stmt = cached_statement(
            ("care_unit", "all"), lambda: select(table).order_by(table.c.name, self.key_column)
        )

        def read() -> tuple[CareUnit, ...]:
            return tuple(self._from(row) for row in self.session.execute(stmt).mappings())

        return list(remembered(self.session, ("care_unit", "all"), read))


class StaffRepository(Repository[Staff]):
    map = STAFF
    patient_data = False
    versioned = False

    def list_all(self) -> list[Staff]:
        rows = self.session.execute(
            self._select().order_by(None).order_by(self.table.c.name, self.key_column)
        )
        return [self._from(row) for row in rows.mappings()]

    def for_unit(self, hsa_id: str) -> list[Staff]:
        stmt = self._select().order_by(None).order_by(self.table.c.name, self.key_column)
        rows = self.session.execute(stmt.where(self.table.c.unit_hsa_id == hsa_id))
        return [self._from(row) for row in rows.mappings()]

    def get_by_hsa_id(self, hsa_id: str) -> Staff | None:
        found = self._load_by("hsa_id", hsa_id)
        return found[0] if found else None
