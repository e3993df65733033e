"""Relatives, plan participation and MDK-rehab through the services, on SQLite and PostgreSQL (002
"Närstående", Bilaga 2; 001 "Bäckencancerrehabilitering"): every write audited, bad input writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.mdk_rehab import MdkRehabRegion, MdkRehabStatus
from canrehab.domain.model import (
    CareUnit,
    Goal,
    PlanContent,
    PlanParticipation,
    Profession,
    Staff,
)
from canrehab.domain.relatives import ConsentStatus, RelationKind, SupportKind
from canrehab.services import mdk_rehab, plans, relatives
from canrehab.services.context import SYSTEM, Services
from tests.services.conftest import NURSE, TODAY, patient_with_pathway

COORD_UNIT = "SE2321000016-MDK"
COORDINATOR = Actor(
    role="rehab_professional",
    staff_id="koord-1",
    unit_hsa_ids=frozenset({COORD_UNIT}),
    patient_id=None,
    username="kim",
)
REGIONS = (
    MdkRehabRegion(
        id="test",
        name_sv="Testregionen",
        coordinator_unit_hsa_id=COORD_UNIT,
        county_codes=("01",),
        processes=("colorectal",),
    ),
)


def _patient(services: Services, icd10: str = "C50.9") -> tuple[str, str]:
    return patient_with_pathway(services, icd10=icd10, days_ago=10)


def _codes(services: Services, patient_id: str) -> list[str]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(r.code for r in uow.kva.for_patient(patient_id))


def test_a_relative_with_consent_takes_part_in_the_plan_and_gets_information_coded_gb010(
    services: Services,
) -> None:
    patient_id, pathway_id = _patient(services)
    partner = relatives.add(
        services,
        NURSE,
        patient_id=patient_id,
        name="Anna",
        relation=RelationKind.PARTNER,
        consent=ConsentStatus.GIVEN,
    )
    stranger = relatives.add(
        services,
        NURSE,
        patient_id=patient_id,
        name="Bo",
        relation=RelationKind.OTHER,
        consent=ConsentStatus.NOT_ASKED,
    )
    relatives.give_support(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        relative_id=partner.id,
        kind=SupportKind.INFORMATION,
        on=TODAY,
    )
    content = PlanContent(
        goals=(Goal(text="Orka promenera 30 minuter"),), follow_up_on=TODAY + timedelta(days=30)
    )
    with pytest.raises(DomainError) as err:
        plans.act(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            op="establish",
            content=content,
            version=0,
            participation=PlanParticipation(patient=True, relative_ids=(stranger.id,)),
        )
    assert err.value.code == "plan.relative_without_consent"
    assert plans.current(services, NURSE, pathway_id) is None  # nothing written
    plan = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="establish",
        content=content,
        version=0,
        participation=PlanParticipation(
            patient=True, relative_ids=(partner.id,), professions=(Profession.PHYSIOTHERAPIST,)
        ),
    )
    taking_part = plan.events[0].participation
    assert taking_part.patient and taking_part.relative_ids == (partner.id,)
    assert taking_part.professions == (Profession.CONTACT_NURSE, Profession.PHYSIOTHERAPIST)
    assert _codes(services, patient_id) == ["AW020", "GB010"]
    assert [s.kind for s in relatives.supports_for_patient(services, NURSE, patient_id)] == [
        SupportKind.INFORMATION
    ]


def test_a_minor_child_as_relative_du057_and_a_refusal_writes_nothing(services: Services) -> None:
    patient_id, pathway_id = _patient(services)
    child = relatives.add(
        services,
        NURSE,
        patient_id=patient_id,
        name="Lisa",
        relation=RelationKind.CHILD,
        consent=ConsentStatus.DECLINED,
        birth_date=date(2018, 5, 1),
    )
    with pytest.raises(DomainError) as err:
        relatives.give_support(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            relative_id=child.id,
            kind=SupportKind.CHILD_TALK_WITH_CHILD,
            on=TODAY,
        )
    assert err.value.code == "relative.declined_for_child"
    assert _codes(services, patient_id) == []
    child = relatives.set_consent(services, NURSE, child.id, ConsentStatus.GIVEN, child.version)
    relatives.give_support(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        relative_id=child.id,
        kind=SupportKind.CHILD_TALK_WITH_CHILD,
        on=TODAY,
    )
    assert _codes(services, patient_id) == ["DU057"]


def test_mdk_rehab_the_regional_coordinator_receives_and_the_conference_records_its_outcome(
    services: Services,
) -> None:
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id=COORD_UNIT, name="MDK-rehab koordinator", county_code="01"))
        uow.staff.add(
            Staff(
                id="koord-1",
                hsa_id="SE-K1",
                name="Kim Koordinator",
                profession=Profession.URO_THERAPIST,
                unit_hsa_id=COORD_UNIT,
            )
        )
    patient_id, pathway_id = _patient(services, icd10="C20")
    case = mdk_rehab.refer(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, reason="Tarmbesvär", regions=REGIONS
    )
    assert [c.id for c in mdk_rehab.coordinator_inbox(services, COORDINATOR)] == [case.id]
    case = mdk_rehab.receive(services, COORDINATOR, case.id, case.version)
    case = mdk_rehab.conclude(
        services,
        COORDINATOR,
        case.id,
        on=TODAY,
        recommendation="Bäckenbottenträning",
        proposed_plan="Uroterapeut och dietist",
        professions=(Profession.DIETITIAN,),
        with_patient=True,
        version=case.version,
    )
    assert case.status is MdkRehabStatus.CONCLUDED
    assert case.outcome is not None and case.outcome.proposed_plan == "Uroterapeut och dietist"
    assert _codes(services, patient_id) == ["XS007"]
    assert [c.status for c in mdk_rehab.for_patient(services, NURSE, patient_id)] == [
        MdkRehabStatus.CONCLUDED
    ]
