"""The care process by the sources through the services, on SQLite and PostgreSQL: AU010 for every confirmed
structured assessment and AW019 as the rehab professional's own action (004), the region's level set,
procedures recorded by the professions that perform them with the care type of the contact (002 Bilaga 2),
handovers that keep care levels and record how the patient was contacted, prehabilitation (001); bad input
is a DomainError and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    AssessmentStatus,
    CareLevel,
    CareType,
    CareUnit,
    ContactMethod,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    Respondent,
    Staff,
)
from canrehab.services import assessments, handovers, procedures
from canrehab.services.context import SYSTEM, Catalog, Services
from canrehab.synth.region import RegionGenerator, SynthConfig
from tests.services.conftest import NURSE, TODAY, patient_with_pathway

PHYSIO = Actor(
    role="rehab_professional",
    staff_id="pt-1",
    unit_hsa_ids=frozenset({"SE2321000016-REH"}),
    patient_id=None,
    username="per",
)
VC = "SE2321000016-VC1"
VC_NURSE = Actor(
    role="nurse", staff_id="vc-1", unit_hsa_ids=frozenset({VC}), patient_id=None, username="vera"
)


def _patient(services: Services) -> tuple[str, str]:
    return patient_with_pathway(services, days_ago=3)


def _records(services: Services, patient_id: str) -> list:  # type: ignore[type-arg]
    with services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(uow.kva.for_patient(patient_id), key=lambda r: r.code)


def _submitted(services: Services, patient_id: str, pathway_id: str):  # type: ignore[no-untyped-def]
    a = assessments.start(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    instrument = services.catalog.instruments["halsoskattning"]
    answers: dict[str, object] = {}
    for item in instrument.items:
        if item.kind == "choice" and item.options and not item.repeats:
            answers[item.link_id] = item.options[-1].value  # everything very troublesome: avancerad
    return assessments.save_answers(services, NURSE, a.id, answers, a.version, submit=True)


def test_a_confirmed_halsoskattning_at_avancerad_level_records_au010_with_the_care_type(
    services: Services,
) -> None:
    patient_id, pathway_id = _patient(services)
    a = _submitted(services, patient_id, pathway_id)
    assert a.suggestion is not None and a.suggestion.level is NeedsLevel.ADVANCED
    assessments.confirm(
        services,
        NURSE,
        a.id,
        level=NeedsLevel.ADVANCED,
        reason="",
        version=a.version,
        care_type=CareType.INPATIENT,
    )
    assert [(r.code, r.care_type) for r in _records(services, patient_id)] == [("AU010", CareType.INPATIENT)]


def test_confirming_a_level_outside_the_regions_set_is_refused_and_nothing_is_written(
    services: Services,
) -> None:
    patient_id, pathway_id = _patient(services)
    a = _submitted(services, patient_id, pathway_id)
    with pytest.raises(DomainError) as err:
        assessments.confirm(
            services,
            NURSE,
            a.id,
            level=NeedsLevel.VERY_ADVANCED,
            reason="Mycket komplext.",
            version=a.version,
        )
    assert err.value.code == "assessment.level_not_in_set"
    unchanged, _ = assessments.get(services, NURSE, a.id)
    assert unchanged.status is AssessmentStatus.SUBMITTED and _records(services, patient_id) == []


def _related_to_rehab(services: Services, patient_id: str, pathway_id: str):  # type: ignore[no-untyped-def]
    return handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id="SE2321000016-REH",
        to_profession=None,
        content=HandoverContent(needs="Trötthet", disease="Bröstcancer", treatment="Operation planerad"),
        patient_informed=True,
    )


def test_the_rehab_professional_records_aw019_at_sarskild_level_and_the_pathway_takes_the_level(
    services: Services,
) -> None:
    patient_id, pathway_id = _patient(services)
    _related_to_rehab(services, patient_id, pathway_id)
    record = procedures.assess_rehab_needs(
        services, PHYSIO, patient_id=patient_id, pathway_id=pathway_id, level=NeedsLevel.SPECIAL
    )
    assert (record.code, record.profession_code, record.performed_on) == ("AW019", "XS918", TODAY)
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.pathways.get(pathway_id).confirmed_level is NeedsLevel.SPECIAL
    with pytest.raises(DomainError) as err:  # the contact nurse identifies needs with the Hälsoskattning
        procedures.assess_rehab_needs(
            services, NURSE, patient_id=patient_id, pathway_id=pathway_id, level=NeedsLevel.SPECIAL
        )
    assert err.value.code == "assessment.rehab_profession"
    assert [r.code for r in _records(services, patient_id)] == ["AW019"]


def test_a_procedure_is_recorded_by_its_profession_with_the_care_type_and_a_wrong_one_writes_nothing(
    services: Services,
) -> None:
    patient_id, pathway_id = _patient(services)
    record = procedures.record_procedure(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, code="DU055", on=TODAY
    )
    assert (record.code, record.profession_code, record.care_type) == ("DU055", "XS919", CareType.OUTPATIENT)
    _related_to_rehab(services, patient_id, pathway_id)
    with pytest.raises(DomainError) as err:
        procedures.record_procedure(
            services, PHYSIO, patient_id=patient_id, pathway_id=pathway_id, code="AW030", on=TODAY
        )
    assert err.value.code == "kva.care_type" and "slutenvård" in err.value.message_sv
    inpatient = procedures.record_procedure(
        services,
        PHYSIO,
        patient_id=patient_id,
        pathway_id=pathway_id,
        code="AW030",
        on=TODAY,
        care_type=CareType.INPATIENT,
    )
    assert inpatient.care_type is CareType.INPATIENT
    assert [r.code for r in _records(services, patient_id)] == ["AW030", "DU055"]
    assert "DV133" in {c.code for c in procedures.recordable_codes(services, PHYSIO)}


def test_a_handover_to_primary_care_keeps_the_care_levels_and_the_contact_records_how(
    services: Services,
) -> None:
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(
            CareUnit(hsa_id=VC, name="Vårdcentralen", county_code="01", level=CareLevel.REGIONAL_PRIMARY)
        )
        uow.staff.add(
            Staff(id="vc-1", hsa_id="SE2321000016-P9", name="Vera", profession="nurse", unit_hsa_id=VC)  # type: ignore[arg-type]
        )
    patient_id, pathway_id = _patient(services)
    h = handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=VC,
        to_profession=None,
        content=HandoverContent(disease="Bröstcancer C50.9", treatment="Strålbehandling avslutad"),
        patient_informed=True,
    )
    assert (h.from_care_level, h.to_care_level) == (CareLevel.SPECIALISED, CareLevel.REGIONAL_PRIMARY)
    h = handovers.step(
        services,
        VC_NURSE,
        h.id,
        "patientkontakt",
        h.version,
        contact_method=ContactMethod.VIDEO,
        contacted_on=TODAY,
    )
    stored = handovers.detail(services, NURSE, h.id).handover
    assert (stored.patient_contact_method, stored.patient_contacted_on) == (
        ContactMethod.VIDEO,
        TODAY,
    )
    assert (stored.content.disease, stored.to_care_level) == ("Bröstcancer C50.9", CareLevel.REGIONAL_PRIMARY)


def test_prehabilitation_between_diagnosis_and_treatment_start(services: Services) -> None:
    patient_id, pathway_id = _patient(services)
    procedures.record_procedure(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id, code="DV111", on=TODAY
    )
    open_now, actions = procedures.prehabilitation(
        services, NURSE, patient_id=patient_id, pathway_id=pathway_id
    )
    assert open_now
    assert {a.action.id: a.done_on for a in actions} == {
        "tobacco": TODAY,
        "physical_activity": None,
        "nutrition": None,
        "psychosocial": None,
    }


def test_every_confirmed_structured_assessment_in_a_synthetic_region_carries_au010() -> None:
    catalog = Catalog.load()
    confirmed = carrying = 0
    for bundle in RegionGenerator(SynthConfig(patients=2000, seed=1, today=date(2026, 6, 1)), catalog):
        sources = {r.source for r in bundle.kva if r.code == "AU010"}
        for a in bundle.assessments:
            if a.status is AssessmentStatus.CONFIRMED:
                confirmed += 1
                carrying += f"assessment:{a.id}:AU010" in sources
    assert confirmed > 1000 and carrying == confirmed
