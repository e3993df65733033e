"""Coded procedures (KVÅ) recorded by another system: a procedure done outside canrehab's own steps (for
example a team's MDK-rehab registered by the contact nurse), stored as a KVÅ record of the pathway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from canrehab.codes.catalog import require_kva
from canrehab.domain.access import Actor
from canrehab.domain.model import KvaRecord
from canrehab.domain.permissions import Action, allowed
from canrehab.services.guard import denied, log_denied, pathway_named, require_write, staff_named

if TYPE_CHECKING:
    from typing import Any

    from canrehab.services.context import Services


def record(services: Services, actor: Actor, kva_record: KvaRecord) -> KvaRecord:
    """Store the KVÅ record: a known code, the patient's pathway, an existing care unit and performer, and
    the clinician's own care unit (see ``_require_own_unit``)."""
    require_kva(kva_record.code)
    with services.uow(actor) as uow:
        pathway_named(uow, kva_record.pathway_id, kva_record.patient_id)
        uow.units.get(kva_record.unit_hsa_id)
        staff_named(uow, kva_record.performer_id, "Utförare")
        require_write(services, uow, actor, kva_record.patient_id, "kva", kva_record.id)
        _require_own_unit(services, uow, actor, kva_record)
        uow.kva.add_many([kva_record])
        uow.refresh_worklist(kva_record.pathway_id)
        return kva_record


def _require_own_unit(services: Services, uow: Any, actor: Actor, kva_record: KvaRecord) -> None:
    """Clinical staff record procedures of their own care units: the performer named must work at one of
    the actor's units (themselves or a colleague), and so must the care unit the procedure is recorded for.

    Why the unit and not only the person: access in canrehab is by care unit (a nurse reads and writes the
    records of patients her units are involved with, as in the web app), and KVÅ registration is commonly
    done for a colleague of the same unit (a contact nurse registering the team's MDK-rehab). Naming staff
    of another unit, or recording for another unit, would put a KVÅ code in that unit's statistics that
    nobody there recorded: refused, audited, and nothing is stored. Administrators and the system import
    records as the sending system recorded them and are not restricted."""
    if not allowed(actor.role, Action.CHANGE_RECORD):
        return
    own = actor.unit_hsa_ids
    units = ", ".join(sorted(own))
    if kva_record.unit_hsa_id not in own:
        _refuse(
            services,
            actor,
            kva_record,
            f"Du kan bara registrera åtgärder för din egen enhet ({units}), "
            f"inte för {kva_record.unit_hsa_id}.",
        )
    if kva_record.performer_id is not None and kva_record.performer_id != actor.staff_id:
        performer = uow.staff.find(kva_record.performer_id)
        if performer is None or performer.unit_hsa_id not in own:
            _refuse(
                services,
                actor,
                kva_record,
                f"Utföraren {kva_record.performer_id} arbetar inte på din enhet ({units}); ange dig själv "
                "eller en kollega på enheten.",
            )


def _refuse(services: Services, actor: Actor, kva_record: KvaRecord, message_sv: str) -> None:
    log_denied(services, actor, "kva", kva_record.id, kva_record.patient_id)
    raise denied(message_sv, audited=True)
