"""Patients and pathways: registration, contact nurse, Min vårdplan, and the patient overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import pathway as pathway_rules
from canrehab.domain.access import Actor
from canrehab.domain.diagnosis import normalise_icd10, process_for
from canrehab.domain.errors import DomainError
from canrehab.domain.identity import parse_personnummer, pseudonymise
from canrehab.domain.kva import DEFAULT_CARE_TYPE
from canrehab.domain.model import CareType, Diagnosis, Pathway, Patient, PhaseKind, Staff
from canrehab.services.guard import acting_staff, require_read, require_write
from canrehab.services.procedures import code_list

if TYPE_CHECKING:
    from canrehab.services.context import Services


def pseudonym_key(services: Services) -> bytes:
    return services.settings.pseudonym_secret()


def register_patient(
    services: Services,
    actor: Actor,
    *,
    personnummer: str,
    name: str,
    county_code: str | None,
) -> Patient:
    """Register a patient from a personnummer/samordningsnummer (validated, normalised, pseudonymised)."""
    from canrehab.codes.geography import is_county_code

    acting_staff_required(actor)
    person = parse_personnummer(personnummer, today=services.today())
    if county_code and not is_county_code(county_code):
        raise DomainError(
            "county.unknown", f"Okänd länskod: {county_code}.", f"unknown county code {county_code}"
        )
    patient = Patient(
        personnummer=person.personnummer,
        pseudonym=pseudonymise(person.personnummer, pseudonym_key(services)),
        is_coordination_number=person.is_coordination_number,
        name=name.strip(),
        sex=person.sex,
        birth_date=person.birth_date,
        county_code=county_code or None,
    )
    with services.uow(actor) as uow:
        existing = uow.patients.get_by_personnummer(person.personnummer)
        if existing is not None:
            raise DomainError(
                "patient.exists", "Patienten finns redan registrerad.", "patient already registered"
            )
        return uow.patients.add(patient)  # type: ignore[no-any-return]


def acting_staff_required(actor: Actor) -> None:
    if actor.role not in ("nurse", "doctor", "rehab_professional", "admin"):
        raise DomainError("access.denied", "Din roll får inte registrera patienter.", "role may not register")


def open_pathway(
    services: Services, actor: Actor, *, patient_id: str, icd10: str, diagnosed_on: date, unit_hsa_id: str
) -> Pathway:
    code = normalise_icd10(icd10)
    diagnosis = Diagnosis(
        icd10=code, diagnosed_on=diagnosed_on, process=process_for(code, services.catalog.processes)
    )
    with services.uow(actor) as uow:
        if unit_hsa_id not in actor.unit_hsa_ids:
            raise DomainError(
                "access.denied", "Du kan bara öppna vårdförlopp på din egen enhet.", "not own unit"
            )
        patient = uow.patients.get(patient_id)
        unit = uow.units.get(unit_hsa_id)
        pathway = pathway_rules.open_pathway(patient, unit, diagnosis, diagnosed_on)
        pathway = uow.pathways.add(pathway)
        uow.refresh_worklist(pathway.id)
        return pathway


def _change_pathway(services: Services, actor: Actor, pathway_id: str, version: int, change: Any) -> Pathway:
    """Apply ``change(pathway, staff, unit, uow)`` (a domain rule); store the result and its KVÅ records."""
    with services.uow(actor) as uow:
        pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, pathway.patient_id, "pathway", pathway_id)
        staff = acting_staff(uow, actor)
        unit = uow.units.get(staff.unit_hsa_id)
        result = change(pathway, staff, unit, uow)
        new_pathway, records = result if isinstance(result, tuple) else (result, [])
        saved = uow.pathways.update(new_pathway, expected_version=version)
        if records:
            uow.kva.add_many(records)
        uow.refresh_worklist(pathway_id)
        return saved  # type: ignore[no-any-return]


def assign_contact_nurse(
    services: Services,
    actor: Actor,
    pathway_id: str,
    staff_id: str,
    version: int,
    *,
    from_date: date | None = None,
    offered_on: date | None = None,
) -> Pathway:
    """Name the patient's contact nurse from ``from_date`` (default today); ``offered_on`` is the date the
    patient was offered the named contact nurse (not after ``from_date``).

    No KVÅ code: a named contact nurse has only local codes (seed 002: "kontaktsjuksköterska (lokal
    KVÅ-kod)"); XV019/XV020 are establishing/revising Min vårdplan (``min_vardplan_step``).
    """

    def change(pathway: Pathway, _staff: Any, _unit: Any, uow: Any) -> Pathway:
        nurse = uow.staff.get(staff_id)
        return pathway_rules.assign_contact_nurse(
            pathway, nurse, from_date or services.today(), offered_on=offered_on
        )

    return _change_pathway(services, actor, pathway_id, version, change)


def end_contact_nurse(services: Services, actor: Actor, pathway_id: str, on: date, version: int) -> Pathway:
    """End the current contact nurse assignment on ``on`` (inclusive). No KVÅ code (see above)."""
    return _change_pathway(
        services, actor, pathway_id, version, lambda p, _s, _u, _w: pathway_rules.end_contact_nurse(p, on)
    )


def contact_nurse_candidates(services: Services, actor: Actor, pathway_id: str) -> list[Staff]:
    """Nurses who can be named contact nurse for the pathway: at its treating unit and the actor's units."""
    with services.uow(actor) as uow:
        pathway = uow.pathways.get(pathway_id)
        require_read(services, uow, actor, pathway.patient_id, "pathway", pathway_id)
        found: dict[str, Staff] = {}
        for unit in sorted({pathway.unit_hsa_id, *actor.unit_hsa_ids}):
            for member in uow.staff.for_unit(unit):
                if member.profession in pathway_rules.CONTACT_NURSE_PROFESSIONS:
                    found[member.id] = member
        return sorted(found.values(), key=lambda m: (m.name, m.id))


def record_phase(
    services: Services, actor: Actor, pathway_id: str, kind: PhaseKind, on: date, version: int
) -> Pathway:
    return _change_pathway(
        services, actor, pathway_id, version, lambda p, _s, _u, _w: pathway_rules.record_phase(p, kind, on)
    )


def min_vardplan_step(
    services: Services,
    actor: Actor,
    pathway_id: str,
    step: str,
    version: int,
    *,
    care_type: CareType = DEFAULT_CARE_TYPE,
) -> Pathway:
    today = services.today()
    coding: dict[str, Any] = {"care_type": care_type, "codes": code_list(services)}

    def change(pathway: Pathway, staff: Any, unit: Any, _uow: Any) -> Any:
        professions = services.catalog.professions
        if step == "offer":
            return pathway_rules.offer_min_vardplan(pathway, today)
        if step == "establish":
            return pathway_rules.establish_min_vardplan(pathway, staff, unit, today, professions, **coding)
        if step == "revise":
            return pathway_rules.revise_min_vardplan(pathway, staff, unit, today, professions, **coding)
        if step == "decline":
            return pathway_rules.decline_min_vardplan(pathway, today)
        raise DomainError("mvp.unknown_step", "Okänd åtgärd för Min vårdplan.", f"unknown step {step}")

    return _change_pathway(services, actor, pathway_id, version, change)


@dataclass
class PatientRecord:
    """Everything the overview shows, read in one transaction (one audit row per aggregate kind)."""

    patient: Patient
    pathways: list[Pathway]
    assessments: list[Any]
    plans: list[Any]
    handovers: list[Any]
    referrals: list[Any]
    kva: list[Any]
    staff_names: dict[str, str]
    unit_names: dict[str, str]


def patient_record(services: Services, actor: Actor, patient_id: str) -> PatientRecord:
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id)
        patient = uow.patients.get(patient_id)
        record = PatientRecord(
            patient=patient,
            pathways=list(uow.pathways.for_patient(patient_id)),
            assessments=list(uow.assessments.for_patient(patient_id)),
            plans=list(uow.plans.for_patient(patient_id)),
            handovers=list(uow.handovers.for_patient(patient_id)),
            referrals=list(uow.referrals.for_patient(patient_id)),
            kva=list(uow.kva.for_patient(patient_id)),
            staff_names={},
            unit_names={u.hsa_id: u.name for u in uow.units.list_all()},
        )
        staff_ids = {a.staff_id for p in record.pathways for a in p.contact_nurses}
        staff_ids |= {h.from_staff_id for h in record.handovers}
        for staff_id in staff_ids:
            member = uow.staff.find(staff_id)
            if member is not None:
                record.staff_names[staff_id] = member.name
        return record


def patient_brief(services: Services, actor: Actor, patient_id: str) -> Patient:
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id)
        return uow.patients.get(patient_id)  # type: ignore[no-any-return]
