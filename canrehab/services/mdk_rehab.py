"""MDK-rehab as its own workflow: a referral to the healthcare region's coordinator, who receives it, and
the conference that records its recommendation and a proposed plan (XS008/XS007). Rules in
``domain.mdk_rehab``; the regions are data (``codes/mdk_rehab.yaml``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from canrehab.codes.mdk_rehab import load_mdk_rehab_regions
from canrehab.domain import mdk_rehab as rules
from canrehab.domain.access import Actor
from canrehab.domain.mdk_rehab import MdkRehabCase, MdkRehabRegion
from canrehab.domain.model import Profession
from canrehab.services.guard import acting_staff, pathway_of, require_read, require_write
from canrehab.store.repositories.care import MdkRehabRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services


@cache
def shipped_regions() -> tuple[MdkRehabRegion, ...]:
    return load_mdk_rehab_regions()


def configured_regions(services: Services) -> tuple[MdkRehabRegion, ...]:
    """The regions of the catalog (a region's own configuration), else the shipped ones."""
    return tuple(services.catalog.mdk_rehab_regions or shipped_regions())


def cases_of(uow: Any) -> MdkRehabRepository:
    return MdkRehabRepository(uow.session, uow.audit)


def refer(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    reason: str,
    regions: Sequence[MdkRehabRegion] | None = None,
) -> MdkRehabCase:
    """Refer the patient to MDK-rehab: the case goes to the coordinator of the referring unit's region."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, "mdk_rehab_case")
        staff = acting_staff(uow, actor)
        unit = uow.units.get(staff.unit_hsa_id)
        case = rules.refer(
            pathway,
            by=staff,
            unit_county_code=unit.county_code,
            reason=reason,
            on=services.today(),
            regions=configured_regions(services) if regions is None else regions,
        )
        saved: MdkRehabCase = cases_of(uow).add(case)
        uow.refresh_worklist(pathway_id)
        return saved


def receive(services: Services, actor: Actor, case_id: str, version: int) -> MdkRehabCase:
    with services.uow(actor) as uow:
        repo = cases_of(uow)
        case = repo.get(case_id)
        require_write(services, uow, actor, case.patient_id, "mdk_rehab_case", case_id)
        saved: MdkRehabCase = repo.update(
            rules.receive(case, by=acting_staff(uow, actor), on=services.today()), expected_version=version
        )
        return saved


def reject(services: Services, actor: Actor, case_id: str, reason: str, version: int) -> MdkRehabCase:
    with services.uow(actor) as uow:
        repo = cases_of(uow)
        case = repo.get(case_id)
        require_write(services, uow, actor, case.patient_id, "mdk_rehab_case", case_id)
        changed = rules.reject(case, by=acting_staff(uow, actor), on=services.today(), reason=reason)
        saved: MdkRehabCase = repo.update(changed, expected_version=version)
        uow.refresh_worklist(case.pathway_id)
        return saved


def conclude(
    services: Services,
    actor: Actor,
    case_id: str,
    *,
    on: date,
    recommendation: str,
    proposed_plan: str,
    professions: Sequence[Profession],
    with_patient: bool,
    version: int,
) -> MdkRehabCase:
    """The conference: recommendation, proposed plan and the team's professions, coded XS008/XS007."""
    with services.uow(actor) as uow:
        repo = cases_of(uow)
        case = repo.get(case_id)
        require_write(services, uow, actor, case.patient_id, "mdk_rehab_case", case_id)
        pathway = pathway_of(uow, case.pathway_id, case.patient_id)
        changed, record = rules.conclude(
            case,
            pathway,
            by=acting_staff(uow, actor),
            on=on,
            today=services.today(),
            recommendation=recommendation,
            proposed_plan=proposed_plan,
            professions=professions,
            with_patient=with_patient,
            profession_defs=services.catalog.professions,
            codes=services.catalog.kva,
        )
        uow.kva.add_many([record])
        saved: MdkRehabCase = repo.update(changed, expected_version=version)
        uow.refresh_worklist(case.pathway_id)
        return saved


def for_patient(services: Services, actor: Actor, patient_id: str) -> list[MdkRehabCase]:
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id, "mdk_rehab_case")
        return cases_of(uow).for_patient(patient_id)


def coordinator_inbox(services: Services, actor: Actor) -> list[MdkRehabCase]:
    """The cases addressed to the actor's units as coordinator."""
    with services.uow(actor) as uow:
        cases = cases_of(uow).for_coordinator(actor.unit_hsa_ids)
        for patient_id in sorted({c.patient_id for c in cases}):
            require_read(services, uow, actor, patient_id, "mdk_rehab_case")
        return cases
