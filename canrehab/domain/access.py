"""Which patients' records an ``Actor`` may read and change: pure checks by care relation.

Staff see and change the records of patients related to one of their units: a unit that treats the patient
(a pathway) or that received a handover or referral for the patient. Unit managers only read. Regional
analysts never see individual records, only aggregates. Patients see only themselves. Administrators see all.
What each role may do at all is the permission table, ``canrehab.domain.permissions``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action, allowed


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
    if allowed(actor.role, Action.READ_ANY_RECORD):
        return True
    if actor.role == "patient":
        return actor.patient_id is not None and actor.patient_id == patient_id
    if allowed(actor.role, Action.UNIT_WORK):
        return _related(actor, related_unit_hsa_ids)
    return False  # regional_analyst and unknown roles


def may_write_patient(actor: Actor, patient_id: str, related_unit_hsa_ids: Collection[str]) -> bool:
    """Whether the actor may change the patient's record. Unit managers, analysts and patients may not."""
    if allowed(actor.role, Action.READ_ANY_RECORD):
        return True
    if allowed(actor.role, Action.CHANGE_RECORD):
        return _related(actor, related_unit_hsa_ids)
    return False


def sees_identities(actor: Actor) -> bool:
    """Whether the role may see patient identities at all (analysts see only aggregates)."""
    return allowed(actor.role, Action.SEE_IDENTITIES)


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
