"""Who may see and change a patient's record: pure checks on an ``Actor``.

Staff see and change the records of patients related to one of their units: a unit that treats the patient
(a pathway) or that received a handover or referral for the patient. Unit managers only read. Regional
analysts never see individual records, only aggregates. Patients see only themselves. Administrators see all.

The roles, one rule for the web pages and the use cases:

* clinicians (``CLINICAL_ROLES``: nurse, doctor, rehab_professional) read and change their units' patients'
  records and perform the clinical actions (KVÅ-coded);
* the unit manager reads their units' records, and has the units' work lists, follow-up with drill-down to
  patients, and the units' audit log; never changes a record (``UNIT_STAFF_ROLES`` = clinicians + manager);
* the administrator, who is also the region's process leader (``admin``), reads any record region-wide —
  drill-down from the dashboards, follow-up of the audit log — and registers units and staff, but is not
  a clinician: no clinical actions, no unit work lists or inboxes (``RECORD_READER_ROLES``: unit staff and
  the administrator);
* the regional analyst sees aggregated, suppressed figures only; a patient sees only their own record.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from canrehab.domain.errors import DomainError

STAFF_ROLES = frozenset({"nurse", "doctor", "rehab_professional"})
CLINICAL_ROLES = STAFF_ROLES
READ_ROLES = STAFF_ROLES | {"unit_manager"}
UNIT_STAFF_ROLES = READ_ROLES
RECORD_READER_ROLES = READ_ROLES | {"admin"}
ROLES = frozenset({*READ_ROLES, "regional_analyst", "admin", "patient", "system"})


@dataclass(frozen=True)
class Actor:
    role: str  # nurse|doctor|rehab_professional|unit_manager|regional_analyst|admin|patient|system
    staff_id: str | None
    unit_hsa_ids: frozenset[str] = field(default_factory=frozenset)
    patient_id: str | None = None
    username: str = ""


def _related(actor: Actor, related_unit_hsa_ids: Collection[str]) -> bool:
    return not actor.unit_hsa_ids.isdisjoint(related_unit_hsa_ids)


def may_read_patient(actor: Actor, patient_id: str, related_unit_hsa_ids: Collection[str]) -> bool:
    """Whether the actor may read the patient's record (related units: treating units and units that received
    a handover or referral for the patient)."""
    if actor.role in ("admin", "system"):
        return True
    if actor.role == "patient":
        return actor.patient_id is not None and actor.patient_id == patient_id
    if actor.role in READ_ROLES:
        return _related(actor, related_unit_hsa_ids)
    return False  # regional_analyst and unknown roles


def may_write_patient(actor: Actor, patient_id: str, related_unit_hsa_ids: Collection[str]) -> bool:
    """Whether the actor may change the patient's record. Unit managers, analysts and patients may not."""
    if actor.role in ("admin", "system"):
        return True
    if actor.role in STAFF_ROLES:
        return _related(actor, related_unit_hsa_ids)
    return False


def sees_identities(actor: Actor) -> bool:
    """Whether the role may see patient identities at all (analysts see only aggregates)."""
    return actor.role in READ_ROLES or actor.role in ("admin", "patient")


def _denied(actor: Actor, what: str) -> DomainError:
    return DomainError(
        "access.denied",
        f"Du har inte behörighet att {what} den här patientens uppgifter.",
        f"role {actor.role!r} may not {'read' if what == 'läsa' else 'change'} this patient's record",
    )


def require_read(actor: Actor, patient_id: str, related_unit_hsa_ids: Collection[str]) -> None:
    if not may_read_patient(actor, patient_id, related_unit_hsa_ids):
        raise _denied(actor, "läsa")


def require_write(actor: Actor, patient_id: str, related_unit_hsa_ids: Collection[str]) -> None:
    if not may_write_patient(actor, patient_id, related_unit_hsa_ids):
        raise _denied(actor, "ändra")
