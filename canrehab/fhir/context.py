"""What a FHIR interaction runs with: the services (settings, clock), one unit of work and the actor; access
checks by care unit that raise ``AccessDenied`` (logged by the caller after the transaction rolled back)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from canrehab.domain.access import Actor, may_read_patient, may_write_patient, sees_identities
from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action, allowed
from canrehab.fhir.outcome import FhirError


class AccessDenied(Exception):
    """The actor may not read/change this patient's record (logged as 'denied' after rollback)."""

    def __init__(
        self,
        entity_type: str,
        entity_id: str,
        patient_id: str | None,
        *,
        write: bool,
        reason: str = "",
        detail: str = "åtkomst nekad (FHIR)",
    ) -> None:
        super().__init__(f"access denied to {entity_type}")
        self.entity_type = entity_type
        self.entity_id = entity_id
        self.patient_id = patient_id
        self.write = write
        self.reason = reason  # the 403's diagnostics when not the care-unit refusal (a missing scope)
        self.detail = detail  # the audit entry's detail


@dataclass
class Ctx:
    services: Any  # canrehab.services.context.Services
    uow: Any  # canrehab.store.uow.UnitOfWork
    actor: Actor

    @property
    def sees_identities(self) -> bool:
        return sees_identities(self.actor)

    def related_units(self, patient_id: str) -> Collection[str]:
        related: Collection[str] = self.uow.patients.related_unit_hsa_ids(patient_id)
        return related

    def check_read(self, patient_id: str, entity_type: str, entity_id: str) -> None:
        if not may_read_patient(self.actor, patient_id, self.related_units(patient_id)):
            raise AccessDenied(entity_type, entity_id, patient_id, write=False)

    def check_write(
        self, patient_id: str, entity_type: str, entity_id: str, unit_hsa_id: str | None = None
    ) -> None:
        """Write access to the patient's record; ``unit_hsa_id``: a unit the new record itself relates to
        (a new pathway at one of the actor's units gives a staff member access to a patient new to them)."""
        if may_write_patient(self.actor, patient_id, self.related_units(patient_id)):
            return
        if (
            unit_hsa_id is not None
            and allowed(self.actor.role, Action.CHANGE_RECORD)
            and unit_hsa_id in self.actor.unit_hsa_ids
        ):
            return
        raise AccessDenied(entity_type, entity_id, patient_id, write=True)

    def require_action(self, action: Action, what: str) -> None:
        """The permission table (``canrehab.domain.permissions``) must allow the actor's role ``action``."""
        if not allowed(self.actor.role, action):
            raise FhirError(403, f"Your role ({self.actor.role}) may not {what}.", code="forbidden")


def find(repo: Any, entity_id: str, resource_type: str) -> Any:
    """The entity or FhirError 404."""
    finder = getattr(repo, "find", None)
    try:
        found = finder(entity_id) if finder is not None else repo.get(entity_id)
    except DomainError as exc:
        if exc.code.endswith("not_found"):
            found = None
        else:
            raise
    except (KeyError, LookupError):
        found = None
    if found is None:
        raise FhirError(404, f"{resource_type}/{entity_id} not found.", code="not-found")
    return found


def services_of(request: Any) -> Any:
    """The services behind a FHIR request: the app's (``app.state.services``), or those a test harness set
    for the FHIR router alone (``app.state.fhir_services``, e.g. with a fixed clock)."""
    state = request.app.state
    return getattr(state, "fhir_services", None) or state.services
