"""A pathway started at välgrundad misstanke (SVF): start it (the pathway and its SVF record, one write),
confirm the diagnosis, or dismiss the suspicion (avskriven misstanke). The web pages and the FHIR API both
call these use cases; the rules are ``domain.pathway`` (start_at_suspicion, confirm_diagnosis,
dismiss_suspicion) and ``domain.svf`` (the SVF record)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain import pathway as rules
from canrehab.domain.access import Actor
from canrehab.domain.diagnosis import normalise_icd10, process_for
from canrehab.domain.errors import DomainError
from canrehab.domain.identity import parse_personnummer
from canrehab.domain.model import Pathway, Patient
from canrehab.domain.permissions import Action
from canrehab.domain.svf import SvfDefinitions, SvfRecord, check_record
from canrehab.services.guard import (
    require_action,
    require_read_for_new_pathway,
    require_write,
    require_write_new_record,
)
from canrehab.services.svf import load_definitions
from canrehab.store.repositories.svf import SvfRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services


def _process_of(services: Services, process: str, svf: str, definitions: SvfDefinitions) -> str:
    """The diagnosis process asked for, or the SVF pathway's own when it belongs to exactly one."""
    known = {p.id for p in services.catalog.processes}
    if not process:
        own = definitions.pathway(svf).processes
        if len(own) != 1:
            raise DomainError(
                "pathway.no_process",
                "Ange diagnosprocess: det valda vårdförloppet hör inte till en enda diagnosprocess.",
                "no diagnosis process given and the SVF has none of its own",
            )
        process = own[0]
    if process not in known:
        raise DomainError("pathway.unknown_process", "Okänd diagnosprocess.", f"unknown process {process}")
    return process


NO_RELATION = "nytt vårdförlopp utan vårdrelation"
LOOKED_UP = "uppslag på personnummer för nytt vårdförlopp"


def patient_for_new_pathway(services: Services, actor: Actor, patient_id: str) -> Patient:
    """The patient (name and personnummer, for the new-pathway page) for a clinician who may start a pathway
    at one of her units, with or without a care relation yet; without one, the read is audited. The patient's
    records stay behind the read guard until the pathway exists."""
    with services.uow(actor, log_reads=False) as uow:
        unrelated = require_read_for_new_pathway(services, uow, actor, patient_id)
        patient: Patient = uow.patients.get(patient_id)
        uow.audit.record("read", "patient", patient_id, patient_id, NO_RELATION if unrelated else "")
        return patient


def patient_for_new_pathway_by_personnummer(services: Services, actor: Actor, text: str) -> str:
    """The id of the patient with this personnummer, looked up to start a pathway (a clinician of a unit);
    the personnummer is parsed (a Swedish DomainError when malformed) and never logged."""
    require_action(actor, Action.CHANGE_RECORD, services, "patient")
    if not actor.unit_hsa_ids:
        raise DomainError("access.denied", "Du arbetar inte på någon vårdenhet.", "no unit")
    person = parse_personnummer(text, today=services.today())
    with services.uow(actor, log_reads=False) as uow:
        found = uow.patients.get_by_personnummer(person.personnummer)
        if found is None:
            raise DomainError(
                "patient.unknown_personnummer",
                "Ingen patient är registrerad med det personnumret.",
                "no patient with the personnummer",
            )
        uow.audit.record("read", "patient", str(found.id), str(found.id), LOOKED_UP)
        return str(found.id)


def start(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    unit_hsa_id: str,
    svf_pathway: str,
    suspicion_on: date,
    process: str = "",
    definitions: SvfDefinitions | None = None,
) -> Pathway:
    """A new pathway at välgrundad misstanke with its SVF record (the SVF pathway and the suspicion date),
    both written or neither."""
    defs = definitions or load_definitions()
    record = check_record(SvfRecord(svf_pathway, suspicion_on), defs, today=services.today())
    chosen = _process_of(services, process, svf_pathway, defs)
    with services.uow(actor) as uow:
        if unit_hsa_id not in actor.unit_hsa_ids:
            raise DomainError(
                "access.denied", "Du kan bara öppna vårdförlopp på din egen enhet.", "not own unit"
            )
        require_write_new_record(services, uow, actor, patient_id, unit_hsa_id, "pathway")
        patient = uow.patients.get(patient_id)
        unit = uow.units.get(unit_hsa_id)
        pathway = rules.start_at_suspicion(patient, unit, chosen, suspicion_on, services.today())
        saved: Pathway = uow.pathways.add(pathway)
        by = actor.username or actor.role
        SvfRepository(uow.session, uow.audit).save(saved.id, patient_id, record, expected_version=0, by=by)
        uow.refresh_worklist(saved.id)
        return saved


def record(
    services: Services, actor: Actor, pathway: Pathway, *, definitions: SvfDefinitions | None = None
) -> Pathway:
    """A pathway started at välgrundad misstanke as another system recorded it (a FHIR EpisodeOfCare with a
    provisional Condition): the pathway and its SVF record (the SVF pathway of its diagnosis process, the
    suspicion date), both written or neither, as ``start`` writes them."""
    from canrehab.services.pathways import add_recorded

    rules.check_start(pathway)
    assert pathway.suspicion_on is not None
    defs = definitions or load_definitions()
    svf_pathway = defs.pathway_for_process(pathway.diagnosis.process).id
    svf = check_record(SvfRecord(svf_pathway, pathway.suspicion_on), defs, today=services.today())
    with services.uow(actor) as uow:
        saved = add_recorded(services, uow, actor, pathway)
        by = actor.username or actor.role
        SvfRepository(uow.session, uow.audit).save(saved.id, saved.patient_id, svf, expected_version=0, by=by)
        uow.refresh_worklist(saved.id)
        return saved


def confirm(
    services: Services, actor: Actor, pathway_id: str, version: int, *, icd10: str, diagnosed_on: date
) -> Pathway:
    """The suspicion confirmed as a cancer diagnosis (ICD-10 C00–C97) on a date; the diagnosis process
    follows the code (``codes/processes.yaml``)."""
    code = normalise_icd10(icd10)
    process = process_for(code, services.catalog.processes)
    with services.uow(actor) as uow:
        current: Pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, current.patient_id, "pathway", pathway_id)
        confirmed = rules.confirm_diagnosis(current, code, diagnosed_on, process, services.today())
        saved: Pathway = uow.pathways.update(confirmed, expected_version=version)
        uow.refresh_worklist(pathway_id)
        return saved


def dismiss(services: Services, actor: Actor, pathway_id: str, version: int, *, on: date) -> Pathway:
    """The suspicion dismissed (avskriven misstanke): the pathway closes on ``on``, no diagnosis recorded."""
    with services.uow(actor) as uow:
        current: Pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, current.patient_id, "pathway", pathway_id)
        dismissed = rules.dismiss_suspicion(current, on, services.today())
        saved: Pathway = uow.pathways.update(dismissed, expected_version=version)
        uow.refresh_worklist(pathway_id)
        return saved
