"""Pathways recorded by another system: a pathway as it was recorded (an import), and the changes of an
existing one stated as the pathway they lead to (new phases, a new contact nurse, a Min vårdplan step,
closing), each made by the pathway rules with its KVÅ records.

The web pages take one step at a time (``services.patients``); an integration sends the record as it now
stands, so these use cases work out the steps from the difference and apply them in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from canrehab.domain import pathway as rules
from canrehab.domain.access import Actor
from canrehab.domain.children import require_consulting_nurse
from canrehab.domain.model import MinVardplanStatus, NurseRole, Pathway
from canrehab.services.children import children_rules
from canrehab.services.guard import acting_staff, require_write, require_write_new_record

if TYPE_CHECKING:
    from canrehab.services.context import Services


def record(services: Services, actor: Actor, pathway: Pathway) -> Pathway:
    """Store a pathway as recorded (its patient and unit must exist)."""
    rules.check_start(pathway)
    with services.uow(actor) as uow:
        saved = add_recorded(services, uow, actor, pathway)
        uow.refresh_worklist(saved.id)
        return saved


def add_recorded(services: Services, uow: Any, actor: Actor, pathway: Pathway) -> Pathway:
    """Within ``uow``: the checks of a recorded pathway's start (patient, unit, the actor's right to open it,
    consulting nurses) and the pathway added (version 1). ``services.suspicion.record`` adds its SVF record
    in the same unit of work."""
    uow.patients.get(pathway.patient_id)
    uow.units.get(pathway.unit_hsa_id)
    require_write_new_record(services, uow, actor, pathway.patient_id, pathway.unit_hsa_id, "pathway")
    consulting = [a for a in pathway.contact_nurses if a.role is NurseRole.CONSULTING_NURSE]
    if consulting:
        patient = uow.patients.get(pathway.patient_id)
        for assignment in consulting:
            require_consulting_nurse(
                pathway,
                patient,
                uow.staff.get(assignment.staff_id),
                assignment.from_date,
                children_rules(services),
            )
    saved: Pathway = uow.pathways.add(pathway.model_copy(update={"version": 1}))
    return saved


def change(services: Services, actor: Actor, pathway_id: str, wanted: Pathway, version: int) -> Pathway:
    """Bring the pathway towards ``wanted`` through the rules: its new phases, a new (open) contact nurse
    assignment, the Min vårdplan step (offer, decline, establish, revise) and closing. What the rules
    produce is stored and returned; the caller compares it with what it asked for."""
    with services.uow(actor) as uow:
        current: Pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, current.patient_id, "pathway", pathway_id)
        result = current
        for phase in wanted.phases:
            if phase not in result.phases:
                result = rules.record_phase(result, phase.kind, phase.on)
        for assignment in wanted.contact_nurses:
            if assignment not in result.contact_nurses and assignment.to_date is None:
                nurse = uow.staff.get(assignment.staff_id)
                result = rules.assign_contact_nurse(
                    result, nurse, assignment.from_date, assignment.offered_on
                )
        result, records = _min_vardplan_step(services, uow, actor, result, wanted)
        if wanted.closed_on is not None and result.closed_on is None:
            result = rules.close_pathway(result, wanted.closed_on)
        if result == current:
            return current
        saved: Pathway = uow.pathways.update(result, expected_version=version)
        if records:
            uow.kva.add_many(records)
        uow.refresh_worklist(pathway_id)
        return saved


def _min_vardplan_step(
    services: Services, uow: Any, actor: Actor, current: Pathway, wanted: Pathway
) -> tuple[Pathway, list[Any]]:
    have, want = current.min_vardplan, wanted.min_vardplan
    if have == want:
        return current, []
    result = current
    records: list[Any] = []
    professions = services.catalog.professions
    if want.status is MinVardplanStatus.OFFERED and want.offered_on:
        result = rules.offer_min_vardplan(result, want.offered_on)
    elif want.status is MinVardplanStatus.DECLINED and want.declined_on:
        result = rules.decline_min_vardplan(result, want.declined_on)
    elif want.status in (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED) and want.established_on:
        staff = acting_staff(uow, actor)
        unit = uow.units.get(current.unit_hsa_id)
        if have.status not in (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED):
            result, recs = rules.establish_min_vardplan(
                result, staff, unit, want.established_on, professions, digital_1177=want.digital_1177
            )
            records += recs
        for on in want.revised_on[len(result.min_vardplan.revised_on) :]:
            result, recs = rules.revise_min_vardplan(result, staff, unit, on, professions)
            records += recs
    return result, records
