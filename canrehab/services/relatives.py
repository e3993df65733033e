"""Relatives of a patient (närstående): named with the patient's consent, and the support given to them,
each coded (QT011, QQ001, GB010; DU055-DU057 for minor children as relatives). Rules in
``domain.relatives``; every read and write is audited; bad input writes nothing."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import relatives as rules
from canrehab.domain.access import Actor
from canrehab.domain.model import CareType
from canrehab.domain.relatives import ConsentStatus, RelationKind, Relative, RelativeSupport, SupportKind
from canrehab.services.guard import acting_staff, pathway_of, require_read, require_write
from canrehab.store.repositories.care import RelativeRepository, RelativeSupportRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services


def relatives_of(uow: Any) -> RelativeRepository:
    return RelativeRepository(uow.session, uow.audit)


def supports_of(uow: Any) -> RelativeSupportRepository:
    return RelativeSupportRepository(uow.session, uow.audit)


def add(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    name: str,
    relation: RelationKind,
    consent: ConsentStatus,
    phone: str = "",
    birth_date: date | None = None,
) -> Relative:
    """The patient names a relative (with or without consent to involve them)."""
    with services.uow(actor) as uow:
        uow.patients.get(patient_id)
        require_write(services, uow, actor, patient_id, "relative")
        relative = rules.add_relative(
            patient_id=patient_id,
            name=name,
            relation=relation,
            consent=consent,
            on=services.today(),
            phone=phone,
            birth_date=birth_date,
        )
        saved: Relative = relatives_of(uow).add(relative)
        return saved


def set_consent(
    services: Services, actor: Actor, relative_id: str, consent: ConsentStatus, version: int
) -> Relative:
    with services.uow(actor) as uow:
        repo = relatives_of(uow)
        relative = repo.get(relative_id)
        require_write(services, uow, actor, relative.patient_id, "relative", relative_id)
        saved: Relative = repo.update(
            rules.set_consent(relative, consent, services.today()), expected_version=version
        )
        return saved


def for_patient(services: Services, actor: Actor, patient_id: str) -> list[Relative]:
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id, "relative")
        return relatives_of(uow).for_patient(patient_id)


def supports_for_patient(services: Services, actor: Actor, patient_id: str) -> list[RelativeSupport]:
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id, "relative_support")
        return supports_of(uow).for_patient(patient_id)


def give_support(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    relative_id: str,
    kind: SupportKind,
    on: date,
    care_type: CareType = CareType.OUTPATIENT,
    note: str = "",
) -> RelativeSupport:
    """The acting professional records support given to a relative, with its KVÅ code."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, "relative_support")
        relative = relatives_of(uow).get(relative_id)
        existing = [r for r in uow.kva.for_patient(patient_id) if r.pathway_id == pathway_id]
        support, record = rules.give_support(
            pathway,
            relative,
            kind,
            by=acting_staff(uow, actor),
            on=on,
            today=services.today(),
            professions=services.catalog.professions,
            codes=services.catalog.kva,
            care_type=care_type,
            existing=existing,
            note=note,
        )
        uow.kva.add_many([record])
        saved: RelativeSupport = supports_of(uow).add(support)
        uow.refresh_worklist(pathway_id)
        return saved
