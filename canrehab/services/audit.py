"""The audit view: who accessed or changed which patient's record, scoped to the reader's care units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action, allowed
from canrehab.services.guard import require_action

# The log's vocabulary and its filtered, paged reader, for the FHIR AuditEvent door (it maps the entries).
from canrehab.store.audit import ACTIONS as ACTIONS
from canrehab.store.audit import AuditEntry as AuditEntry
from canrehab.store.repositories.audit_reader import AuditFilter as AuditFilter
from canrehab.store.repositories.audit_reader import AuditReader

if TYPE_CHECKING:
    from canrehab.services.context import Services

ACTION_SV = {
    "read": "Läsning",
    "create": "Ny post",
    "update": "Ändring",
    "denied": "Nekad åtkomst",
    "export": "Export",
    "login": "Inloggning",
    "logout": "Utloggning",
    "revoke": "Återkallad",
}


# Who sees which events: an administrator (the region's process leader) all of them, a unit manager only those
# that concern their own units (their patients, or done by their staff): Action.AUDIT_LOG_REGION_WIDE.
PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    role: str
    units: tuple[str, ...]  # the names of the actor's care units at the time
    action: str
    entity: str
    patient_id: str | None
    outcome: str


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    page_size: int
    has_next: bool
    region_wide: bool


def events(
    services: Services,
    actor: Actor,
    *,
    patient_id: str = "",
    username: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    require_action(actor, Action.AUDIT_LOG, services, "audit_log")
    region_wide = allowed(actor.role, Action.AUDIT_LOG_REGION_WIDE)
    page = max(1, page)
    with services.uow(actor) as uow:
        entries = uow.audit.query(
            patient_id=patient_id or None,
            actor=username or None,
            limit=page_size + 1,
            offset=(page - 1) * page_size,
            units=None if region_wide else actor.unit_hsa_ids,
        )
        names = {u.hsa_id: u.name for u in uow.units.list_all()}
        shown = entries[:page_size]
        uow.audit.record(
            "read",
            "audit_log",
            patient_id or "*",
            patient_id or None,
            f"{len(shown)} loggposter, sida {page}",
        )
    return AuditPage(
        events=[
            AuditEvent(
                at=e.at,
                actor=e.actor_username,
                role=e.actor_role,
                units=tuple(names.get(u, u) for u in e.actor_units),
                action=ACTION_SV.get(e.action, e.action),
                entity=f"{e.entity_type} {e.entity_id}",
                patient_id=e.patient_id,
                outcome="nekad" if e.action == "denied" else "ok",
            )
            for e in shown
        ],
        page=page,
        page_size=page_size,
        has_next=len(entries) > page_size,
        region_wide=region_wide,
    )


def log_reader(uow: Any) -> AuditReader:
    """The audit log as a filtered, paged reader in this unit of work, its own pending rows written first.
    The caller checks who may read which entries (``Action.AUDIT_LOG``, scoped by unit)."""
    uow.audit.flush()
    return AuditReader(uow.session)
