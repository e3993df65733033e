"""The audit view: who accessed or changed which patient's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.services.guard import require_role

if TYPE_CHECKING:
    from canrehab.services.context import Services

AUDIT_ROLES = frozenset({"unit_manager", "admin"})
ACTION_SV = {
    "read": "Läsning",
    "create": "Ny post",
    "update": "Ändring",
    "denied": "Nekad åtkomst",
    "export": "Export",
}


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    role: str
    action: str
    entity: str
    patient_id: str | None
    outcome: str


def events(
    services: Services, actor: Actor, *, patient_id: str = "", username: str = "", limit: int = 300
) -> list[AuditEvent]:
    require_role(actor, AUDIT_ROLES, services, "audit_log")
    with services.uow(actor) as uow:
        entries = uow.audit.query(patient_id=patient_id or None, actor=username or None, limit=limit)
        uow.audit.record(
            "read", "audit_log", patient_id or "*", patient_id or None, f"{len(entries)} loggposter"
        )
    return [
        AuditEvent(
            at=e.at,
            actor=e.actor_username,
            role=e.actor_role,
            action=ACTION_SV.get(e.action, e.action),
            entity=f"{e.entity_type} {e.entity_id}",
            patient_id=e.patient_id,
            outcome="nekad" if e.action == "denied" else "ok",
        )
        for e in entries
    ]
