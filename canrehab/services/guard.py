"""Access checks for the use cases: by role and care unit, with every refusal written to the audit log.

A refusal is logged in its own transaction, so the record of the attempt survives the rollback of the refused
use case. Messages never contain patient identifiers.

Refusals are raised as ``AccessRefused``; its ``audited`` flag tells the layer that answers the request
(the web app) whether the refusal is already in the audit log. The care-unit checks always log; a role check
logs when it is given the ``services`` (otherwise the web app logs it with what the user asked for).

The care relation a check decides on (``uow.patients.related_unit_hsa_ids``) is read once per unit of work
and patient, until the unit of work writes (``store.memo``): the use cases of one page join one unit of work
and each checks access, but only the first asks the database. The decision itself is made on every call,
and the next request (a new unit of work) asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor, may_read_patient, may_write_patient
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Staff
from canrehab.domain.permissions import Action, allowed

if TYPE_CHECKING:
    from canrehab.services.context import Services


class AccessRefused(DomainError):
    """Access refused by role or care unit (HTTP 403). ``audited``: already written to the audit log."""

    def __init__(self, message_sv: str, *, audited: bool) -> None:
        super().__init__("access.denied", message_sv, "access denied")
        self.audited = audited


def denied(
    message_sv: str = "Du har inte behörighet till den här patientens uppgifter.", *, audited: bool = False
) -> AccessRefused:
    return AccessRefused(message_sv, audited=audited)


def log_denied(
    services: Services, actor: Actor, entity_type: str, entity_id: str, patient_id: str | None
) -> None:
    """The refusal, in its own transaction once the refused use case's unit of work has ended (rolled back
    with everything else it did, while this row stays)."""

    def write() -> None:
        with services.independent_uow(actor) as uow:
            uow.audit.record("denied", entity_type, entity_id, patient_id, "åtkomst nekad")

    services.after_unit_of_work(write)


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
        raise denied(audited=True)


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
        raise denied("Du har inte behörighet att ändra den här patientens uppgifter.", audited=True)


def acting_staff(uow: Any, actor: Actor) -> Staff:
    """The staff member behind a clinical action (performer of the KVÅ code)."""
    if not allowed(actor.role, Action.CHANGE_RECORD) or not actor.staff_id:
        raise DomainError(
            "access.not_clinician",
            "Bara vårdpersonal med en registrerad befattning kan utföra den här åtgärden.",
            "only clinical staff with a staff record may perform this action",
        )
    staff: Staff = uow.staff.get(actor.staff_id)
    return staff


def require_action(
    actor: Actor, action: Action, services: Services | None = None, what: str = "function"
) -> None:
    """Refuses a role that the permission table does not allow ``action``; with ``services`` the refusal is
    logged here (entity ``function``, id ``what``), without it the caller's layer logs it."""
    if not allowed(actor.role, action):
        if services is not None:
            log_denied(services, actor, "function", what, None)
        raise denied("Din roll har inte behörighet till den här funktionen.", audited=services is not None)


def pathway_of(uow: Any, pathway_id: str, patient_id: str) -> Any:
    """The pathway, which must belong to the patient named in the request."""
    pathway = uow.pathways.get(pathway_id)
    if pathway.patient_id != patient_id:
        raise DomainError("pathway.mismatch", "Vårdförloppet hör inte till patienten.", "pathway mismatch")
    return pathway


def pathway_named(uow: Any, pathway_id: str, patient_id: str) -> Any:
    """The pathway a record from another system names, which must exist and belong to its patient (an
    unknown pathway is an error in the record, not a missing page: ``pathway.unknown``)."""
    pathway = uow.pathways.find(pathway_id)
    if pathway is None:
        raise DomainError(
            "pathway.unknown",
            f"Vårdförloppet {pathway_id} finns inte.",
            f"the pathway EpisodeOfCare/{pathway_id} does not exist",
        )
    if pathway.patient_id != patient_id:
        raise DomainError("pathway.mismatch", "Vårdförloppet hör inte till patienten.", "pathway mismatch")
    return pathway


def staff_named(uow: Any, staff_id: str | None, role: str) -> Staff | None:
    """The staff member a record names in ``role`` (e.g. the performer), which must exist."""
    if staff_id is None:
        return None
    staff: Staff | None = uow.staff.find(staff_id)
    if staff is None:
        raise DomainError(
            "staff.unknown",
            f"{role}: personen {staff_id} finns inte.",
            f"{role} refers to PractitionerRole/{staff_id}, which does not exist",
        )
    return staff


def require_write_new_record(
    services: Services, uow: Any, actor: Actor, patient_id: str, unit_hsa_id: str, entity_type: str
) -> None:
    """Write access for a record that itself relates the patient to ``unit_hsa_id``: a new pathway at one of
    a clinician's units gives them access to a patient new to them."""
    if allowed(actor.role, Action.CHANGE_RECORD) and unit_hsa_id in actor.unit_hsa_ids:
        return
    require_write(services, uow, actor, patient_id, entity_type)


def require_read_for_new_pathway(services: Services, uow: Any, actor: Actor, patient_id: str) -> bool:
    """Reading a patient's name and personnummer to start a pathway at one of the actor's units: allowed with
    a care relation (as ``require_read``) or, without one, to a clinician who may change records and works at
    a unit (the new pathway creates the relation). Nothing else of the patient is read this way. True when
    there was no care relation (the caller audits it); a refusal is logged as every other."""
    related = uow.patients.related_unit_hsa_ids(patient_id)
    if may_read_patient(actor, patient_id, related):
        return False
    if allowed(actor.role, Action.CHANGE_RECORD) and actor.unit_hsa_ids and actor.patient_id is None:
        return True
    log_denied(services, actor, "patient", patient_id, patient_id)
    raise denied(audited=True)
