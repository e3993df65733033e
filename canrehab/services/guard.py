"""Access checks for the use cases: by role and care unit, with every refusal written to the audit log.

A refusal is logged in its own transaction, so the record of the attempt survives the rollback of the refused
use case. Messages never contain patient identifiers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor, may_read_patient, may_write_patient
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Staff

if TYPE_CHECKING:
    from canrehab.services.context import Services

STAFF_ROLES = frozenset({"nurse", "doctor", "rehab_professional", "unit_manager", "admin"})
CLINICAL_ROLES = frozenset({"nurse", "doctor", "rehab_professional"})


def denied(message_sv: str = "Du har inte behörighet till den här patientens uppgifter.") -> DomainError:
    return DomainError("access.denied", message_sv, "access denied")


def log_denied(
    services: Services, actor: Actor, entity_type: str, entity_id: str, patient_id: str | None
) -> None:
    with services.uow(actor) as uow:
        uow.audit.record("denied", entity_type, entity_id, patient_id, "åtkomst nekad")


def require_read(
    services: Services,
    uow: Any,
    actor: Actor,
    patient_id: str,
    entity_type: str = "patient",
    entity_id: str | None = None,
) -> None:
    related = uow.patients.related_unit_hsa_ids(patient_id)
    if not may_read_patient(actor, patient_id, related):
        log_denied(services, actor, entity_type, entity_id or patient_id, patient_id)
        raise denied()


def require_write(
    services: Services,
    uow: Any,
    actor: Actor,
    patient_id: str,
    entity_type: str = "patient",
    entity_id: str | None = None,
) -> None:
    related = uow.patients.related_unit_hsa_ids(patient_id)
    if not may_write_patient(actor, patient_id, related):
        log_denied(services, actor, entity_type, entity_id or patient_id, patient_id)
        raise denied("Du har inte behörighet att ändra den här patientens uppgifter.")


def acting_staff(uow: Any, actor: Actor) -> Staff:
    """The staff member behind a clinical action (performer of the KVÅ code)."""
    if actor.role not in CLINICAL_ROLES or not actor.staff_id:
        raise DomainError(
            "access.not_clinician",
            "Bara vårdpersonal med en registrerad befattning kan utföra den här åtgärden.",
            "only clinical staff with a staff record may perform this action",
        )
    staff: Staff = uow.staff.get(actor.staff_id)
    return staff


def require_role(actor: Actor, roles: frozenset[str]) -> None:
    if actor.role not in roles:
        raise denied("Din roll har inte behörighet till den här funktionen.")


def pathway_of(uow: Any, pathway_id: str, patient_id: str) -> Any:
    """The pathway, which must belong to the patient named in the request."""
    pathway = uow.pathways.get(pathway_id)
    if pathway.patient_id != patient_id:
        raise DomainError("pathway.mismatch", "Vårdförloppet hör inte till patienten.", "pathway mismatch")
    return pathway
