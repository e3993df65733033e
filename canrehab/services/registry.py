"""The register behind the care process, as another system records it: patients (demographics from the
journal or the population register), care units and their staff (from HSA).

These are the use cases of an import or an integration (the FHIR API): the record arrives whole, is checked
and stored, rather than built step by step as on the web pages (``services.patients.register_patient``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.hsa import parse_hsa_id
from canrehab.domain.identity import pseudonymise
from canrehab.domain.model import CareUnit, Patient, Sex, Staff
from canrehab.domain.permissions import Action
from canrehab.services.guard import require_action, require_write
from canrehab.store.repositories import IntegrityViolation
from canrehab.store.repositories.org import assignment_hsa_taken

if TYPE_CHECKING:
    from canrehab.services.context import Services


def _check_death_date(services: Services, birth_date: date, deceased_on: date | None) -> None:
    if deceased_on is not None and not (birth_date <= deceased_on <= services.today()):
        raise DomainError(
            "patient.deceased_on_invalid",
            "Dödsdatum måste ligga mellan födelsedatum och i dag.",
            "the date of death must lie between the birth date and today",
        )


def record_patient(services: Services, actor: Actor, patient: Patient) -> Patient:
    """Register a patient as another system recorded them (identity already validated by the caller's
    parsing: personnummer or samordningsnummer, sex and birth date agree); the analytical pseudonym is
    derived here. A second registration of the same number is refused (``patient.exists``)."""
    require_action(actor, Action.REGISTER_PATIENT, services, "register_patient")
    _check_death_date(services, patient.birth_date, patient.deceased_on)
    pseudonym = pseudonymise(patient.personnummer, services.settings.pseudonym_secret())
    with services.uow(actor) as uow:
        if uow.patients.get_by_personnummer(patient.personnummer) is not None:
            raise DomainError(
                "patient.exists", "Patienten finns redan registrerad.", "patient already registered"
            )
        saved: Patient = uow.patients.add(patient.model_copy(update={"pseudonym": pseudonym, "version": 1}))
        return saved


def update_demographics(
    services: Services,
    actor: Actor,
    patient_id: str,
    *,
    name: str,
    sex: Sex,
    county_code: str | None,
    deceased_on: date | None,
    version: int,
) -> Patient:
    """Name, sex, county of residence and date of death. The identity (personnummer/samordningsnummer, with
    it the birth date and the pseudonym) does not change here: a new number for the same person is an
    identity merge. Unchanged demographics store nothing (same version)."""
    with services.uow(actor) as uow:
        current: Patient = uow.patients.get(patient_id)
        require_write(services, uow, actor, patient_id, "patient", patient_id)
        _check_death_date(services, current.birth_date, deceased_on)
        changed = current.model_copy(
            update={"name": name, "sex": sex, "county_code": county_code, "deceased_on": deceased_on}
        )
        if changed == current:
            return current
        saved: Patient = uow.patients.update(changed, expected_version=version)
        for pathway in uow.pathways.for_patient(patient_id):  # the flags depend on the patient (death)
            uow.refresh_worklist(pathway.id)
        return saved


def record_unit(services: Services, actor: Actor, unit: CareUnit) -> CareUnit:
    """Register a care unit (HSA-id); registering the same unit again with the same data is a no-op, with
    other data it is refused (``unit.exists``)."""
    with services.uow(actor) as uow:
        existing = uow.units.find(unit.hsa_id)
        if existing is not None:
            if existing == unit:
                return existing  # type: ignore[no-any-return]
            raise DomainError(
                "unit.exists",
                f"Enheten {unit.hsa_id} finns redan med andra uppgifter.",
                f"care unit {unit.hsa_id} exists with other data",
            )
        require_action(actor, Action.REGISTER_ORGANISATION, services, "register_unit")
        uow.units.add(unit)
        return unit


def record_staff(services: Services, actor: Actor, staff: Staff) -> Staff:
    """Register a staff member at a care unit. The HSA-id identifies the person's role nationally: a
    record naming a staff member the system already knows (by id or HSA-id) with the same data is that
    staff member; with other data it is refused (``staff.exists``)."""
    with _refused_when_taken(services, actor, staff.assignment_hsa_id), services.uow(actor) as uow:
        existing = uow.staff.find(staff.id) if staff.id else None
        if existing is None:
            existing = uow.staff.get_by_hsa_id(staff.hsa_id)
        if existing is not None:
            if existing.model_copy(update={"id": staff.id}) == staff:
                return existing  # type: ignore[no-any-return]
            raise DomainError(
                "staff.exists",
                f"Personen med HSA-id {staff.hsa_id} finns redan med andra uppgifter (id {existing.id}).",
                f"staff with HSA-id {staff.hsa_id} exists with other data (id {existing.id})",
            )
        require_action(actor, Action.REGISTER_ORGANISATION, services, "register_staff")
        uow.units.get(staff.unit_hsa_id)
        _check_hsa_free(uow, staff.hsa_id, staff.id)
        if staff.assignment_hsa_id is not None:
            _check_hsa_free(uow, parse_hsa_id(staff.assignment_hsa_id, "Uppdragets HSA-id"), staff.id)
        saved: Staff | None = uow.staff.add(staff)
        return saved or staff


def staff_list(services: Services, actor: Actor) -> list[Staff]:
    """Every staff member of the region, by name (the administrator's staff page). Staff are not patient
    data: read without a patient audit entry."""
    require_action(actor, Action.REGISTER_ORGANISATION, services, "staff_list")
    with services.uow(actor, log_reads=False) as uow:
        return list(uow.staff.list_all())


def _check_hsa_free(uow: object, hsa_id: str, staff_id: str) -> None:
    """An HSA-id names one person or one assignment: refused when another staff member's person or
    assignment HSA-id is the same."""
    for other in uow.staff.list_all():  # type: ignore[attr-defined]
        if other.id != staff_id and hsa_id in (other.hsa_id, other.assignment_hsa_id):
            raise _hsa_taken(hsa_id, other.name)


def _hsa_taken(hsa_id: str, holder: str) -> DomainError:
    return DomainError(
        "staff.hsa_taken",
        f"HSA-id {hsa_id} används redan av {holder}.",
        "HSA-id already used by another staff member",
    )


@contextmanager
def _refused_when_taken(services: Services, actor: Actor, assignment: str | None) -> Iterator[None]:
    """Around the unit of work that writes an assignment HSA-id ``_check_hsa_free`` found free: when a
    concurrent transaction took it meanwhile, the database's unique index (migration 0018) refuses the
    write, the unit of work rolls back (nothing is written) and the refusal is the same as the check's."""
    try:
        yield
    except IntegrityViolation as error:
        if assignment is None or not assignment_hsa_taken(error):
            raise
        with services.uow(actor, log_reads=False) as uow:  # the holder, committed by now
            holders = [s.name for s in uow.staff.list_all() if s.assignment_hsa_id == assignment]
        holder = next(iter(holders), "en annan medarbetare")
        raise _hsa_taken(assignment, holder) from None


def set_assignment_hsa_id(services: Services, actor: Actor, staff_id: str, raw: str) -> Staff:
    """Record (or, with an empty value, clear) the HSA-id of a staff member's assignment at their unit
    (medarbetaruppdrag, HL7 Sweden's SEBasePractitionerRole): an HSA-id, not the person's own, used by
    no other staff member."""
    require_action(actor, Action.REGISTER_ORGANISATION, services, "set_assignment_hsa_id")
    value = raw.strip()
    assignment = parse_hsa_id(value, "Uppdragets HSA-id") if value else None
    with _refused_when_taken(services, actor, assignment), services.uow(actor) as uow:
        staff: Staff = uow.staff.get(staff_id)
        if assignment is not None:
            if assignment == staff.hsa_id:
                raise DomainError(
                    "staff.assignment_is_person",
                    "Uppdragets HSA-id (medarbetaruppdraget) ska skilja sig från personens HSA-id.",
                    "the assignment's HSA-id equals the person's",
                )
            _check_hsa_free(uow, assignment, staff.id)
        if assignment == staff.assignment_hsa_id:
            return staff
        saved: Staff = uow.staff.update(staff.model_copy(update={"assignment_hsa_id": assignment}))
        return saved
