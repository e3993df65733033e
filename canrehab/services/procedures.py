"""Coding context and the procedures a professional records on their own.

``code_list``/``level_set`` are the configured KVÅ code list and needs-level set that every KVÅ-producing
use case hands to the domain (so that a code outside its validity, or a level outside the region's set, is
refused before anything is written). ``record_procedure`` records a KVÅ code of the list that the acting
professional's profession performs (``domain.procedure``), ``assess_rehab_needs`` the rehab professional's
own assessment of needs at särskild/avancerad level (AW019), and ``prehabilitation`` lists the pathway's
prehabilitation actions and whether each is done.
``record`` stores a KVÅ record that another system recorded (the FHIR door's Procedure), with the
clinician's own-unit rule.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.codes.catalog import require_kva
from canrehab.domain import assessment as assessment_rules
from canrehab.domain import procedure as procedure_rules
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE, require_recordable
from canrehab.domain.model import CareType, KvaRecord, NeedsLevel
from canrehab.domain.permissions import Action, allowed
from canrehab.domain.prehabilitation import (
    PrehabilitationAction,
    in_prehabilitation,
    prehabilitation_actions,
    prehabilitation_for,
)
from canrehab.services.guard import (
    acting_staff,
    denied,
    log_denied,
    pathway_named,
    pathway_of,
    require_read,
    require_write,
    staff_named,
)

if TYPE_CHECKING:
    from canrehab.services.context import Services

AUDIT_ENTITY = "kva_record"


def code_list(services: Services) -> dict[str, Any] | None:
    """The configured KVÅ code list, or ``None`` when the catalog has none (then nothing is checked)."""
    return services.catalog.kva or None


def level_set(services: Services) -> Any:
    """The region's chosen needs-level set (``LevelSetDef``), or ``None``."""
    return services.catalog.level_set


def _existing(uow: Any, patient_id: str, pathway_id: str) -> list[KvaRecord]:
    return [r for r in uow.kva.for_patient(patient_id) if r.pathway_id == pathway_id]


def _store(uow: Any, record: KvaRecord, detail: str) -> None:
    uow.kva.add_many([record])
    uow.audit.record(
        "create", AUDIT_ENTITY, record.id, record.patient_id, detail, after=record.model_dump(mode="json")
    )


def record_procedure(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    code: str,
    on: date,
    care_type: CareType = DEFAULT_CARE_TYPE,
) -> KvaRecord:
    """The acting professional records a procedure they performed (a KVÅ code their profession performs),
    with their profession add-on code and the care type of the contact."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, AUDIT_ENTITY)
        staff = acting_staff(uow, actor)
        record = procedure_rules.record_procedure(
            pathway,
            code=code,
            by=staff,
            on=on,
            today=services.today(),
            professions=services.catalog.professions,
            codes=services.catalog.kva,
            care_type=care_type,
            existing=_existing(uow, patient_id, pathway_id),
        )
        _store(uow, record, f"KVÅ {code}")
        uow.refresh_worklist(pathway_id)
        return record


def recordable_codes(services: Services, actor: Actor) -> list[Any]:
    """The codes the acting professional's profession records on its own (a form's choices)."""
    with services.uow(actor, log_reads=False) as uow:
        staff = acting_staff(uow, actor)
        return procedure_rules.recordable_codes(staff.profession, services.catalog.kva)


def assess_rehab_needs(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    level: NeedsLevel,
    on: date | None = None,
    care_type: CareType = DEFAULT_CARE_TYPE,
) -> KvaRecord:
    """The rehab professional's assessment of rehabilitation needs at särskild/avancerad level (AW019);
    the pathway's confirmed level becomes that level."""
    today = services.today()
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, AUDIT_ENTITY)
        staff = acting_staff(uow, actor)
        new_pathway, record = assessment_rules.assess_rehab_needs(
            pathway,
            level=level,
            by=staff,
            on=on or today,
            today=today,
            professions=services.catalog.professions,
            existing=_existing(uow, patient_id, pathway_id),
            level_set=level_set(services),
            care_type=care_type,
            codes=code_list(services),
        )
        if new_pathway != pathway:
            uow.pathways.update(new_pathway, expected_version=pathway.version)
        _store(uow, record, f"Bedömning av rehabiliteringsbehov ({record.code})")
        uow.refresh_worklist(pathway_id)
        return record


def prehabilitation(
    services: Services, actor: Actor, *, patient_id: str, pathway_id: str
) -> tuple[bool, list[PrehabilitationAction]]:
    """Whether the pathway is in its prehabilitation window today, and each prehabilitation action of its
    routine with the date it was done (``None``: not yet)."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_read(services, uow, actor, patient_id, "pathway", pathway_id)
        routine = services.catalog.routine_for(pathway.diagnosis.process)
        definition = prehabilitation_for(routine, services.catalog.routines)
        if definition is None:
            return False, []
        actions = prehabilitation_actions(pathway, definition, _existing(uow, patient_id, pathway_id))
        return in_prehabilitation(pathway, services.today()), actions


def record(services: Services, actor: Actor, kva_record: KvaRecord) -> KvaRecord:
    """Store the KVÅ record: a known code, the patient's pathway, an existing care unit and performer, and
    the clinician's own care unit (see ``_require_own_unit``); a code outside its validity or care type is
    refused with the dates named, as for the procedures recorded here."""
    require_kva(kva_record.code)
    today = services.today()
    if kva_record.performed_on > today:  # a procedure is recorded when it has been performed
        raise DomainError(
            "kva.future_date",
            f"Åtgärden kan inte registreras med ett datum i framtiden "
            f"({kva_record.performed_on.isoformat()}; i dag är det {today.isoformat()}).",
            f"performed on {kva_record.performed_on.isoformat()} is after today ({today.isoformat()})",
        )
    codes = code_list(services)
    if codes:
        require_recordable(kva_record.code, kva_record.performed_on, kva_record.care_type, codes)
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
