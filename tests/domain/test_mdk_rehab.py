"""MDK-rehab by the sources (001): "en sjukvårdsregional konferens för patienter med besvär/symtom relaterade
till cancerbehandling i bäckenområdet"; "en sjukvårdsregional koordinator ... remissinstans"; "Vid
konferensen tas besluts om rekommendationer för fortsatt handläggning och förslag på rehabiliteringsplan";
and avancerade behov belong with a multiprofessional team (the worklist flag)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.codes.catalog import load_kva, load_professions
from canrehab.codes.mdk_rehab import load_mdk_rehab_regions
from canrehab.domain.errors import DomainError
from canrehab.domain.mdk_rehab import MdkRehabStatus, conclude, receive, refer, reject, team_missing
from canrehab.domain.model import (
    Diagnosis,
    NeedsLevel,
    Pathway,
    Patient,
    Profession,
    Referral,
    ReferralStatus,
    Staff,
)
from canrehab.domain.pathway import open_pathway
from tests.domain.conftest import DIAGNOSED

REGIONS = load_mdk_rehab_regions()
NORR = REGIONS[0]
PROFESSIONS = load_professions()
CODES = load_kva()
ON = DIAGNOSED + timedelta(days=20)
COORDINATOR = Staff(
    hsa_id="S-KOORD",
    name="Koordinator",
    profession=Profession.URO_THERAPIST,
    unit_hsa_id=NORR.coordinator_unit_hsa_id,
)


@pytest.fixture
def pelvic(patient: Patient, unit) -> Pathway:  # type: ignore[no-untyped-def]
    diagnosis = Diagnosis(icd10="C20", diagnosed_on=DIAGNOSED, process="colorectal")
    return open_pathway(patient, unit, diagnosis, DIAGNOSED)


def _refer(pathway: Pathway, nurse: Staff):  # type: ignore[no-untyped-def]
    return refer(
        pathway, by=nurse, unit_county_code="24", reason="Tarmbesvär efter strålning", on=ON, regions=REGIONS
    )


def test_the_regional_coordinator_receives_the_referral_and_the_conference_records_recommendation_and_plan(
    pelvic: Pathway, nurse: Staff
) -> None:
    case = _refer(pelvic, nurse)
    assert case.coordinator_unit_hsa_id == NORR.coordinator_unit_hsa_id and case.healthcare_region == "norr"
    with pytest.raises(DomainError) as err:
        receive(case, by=nurse, on=ON)  # the referring nurse is not the coordinator
    assert err.value.code == "mdk_rehab.not_coordinator"
    received = receive(case, by=COORDINATOR, on=ON + timedelta(days=1))
    concluded, record = conclude(
        received,
        pelvic,
        by=COORDINATOR,
        on=ON + timedelta(days=8),
        today=ON + timedelta(days=8),
        recommendation="Bäckenbottenträning och kostråd",
        proposed_plan="Uroterapeut 6 veckor, dietist, uppföljning efter 3 månader",
        professions=(Profession.URO_THERAPIST, Profession.DIETITIAN, Profession.PHYSICIAN),
        with_patient=False,
        profession_defs=PROFESSIONS,
        codes=CODES,
    )
    assert concluded.status is MdkRehabStatus.CONCLUDED and concluded.outcome is not None
    assert concluded.outcome.recommendation.startswith("Bäckenbotten")
    assert concluded.outcome.proposed_plan.startswith("Uroterapeut")
    assert (record.code, record.unit_hsa_id) == ("XS008", NORR.coordinator_unit_hsa_id)
    assert concluded.outcome.kva_record_id == record.id


def test_a_conference_with_the_patient_is_coded_xs007(pelvic: Pathway, nurse: Staff) -> None:
    received = receive(_refer(pelvic, nurse), by=COORDINATOR, on=ON)
    _, record = conclude(
        received,
        pelvic,
        by=COORDINATOR,
        on=ON,
        today=ON,
        recommendation="R",
        proposed_plan="P",
        professions=(),
        with_patient=True,
        profession_defs=PROFESSIONS,
    )
    assert record.code == "XS007"


def test_mdk_rehab_takes_pelvic_cancer_only(pathway: Pathway, nurse: Staff) -> None:
    with pytest.raises(DomainError) as err:
        _refer(pathway, nurse)  # breast cancer
    assert err.value.code == "mdk_rehab.process_not_included"


def test_a_conference_without_a_recommendation_is_refused_and_a_concluded_case_cannot_be_rejected(
    pelvic: Pathway, nurse: Staff
) -> None:
    received = receive(_refer(pelvic, nurse), by=COORDINATOR, on=ON)
    with pytest.raises(DomainError) as err:
        conclude(
            received,
            pelvic,
            by=COORDINATOR,
            on=ON,
            today=ON,
            recommendation=" ",
            proposed_plan="P",
            professions=(),
            with_patient=False,
            profession_defs=PROFESSIONS,
        )
    assert err.value.code == "mdk_rehab.outcome_required"
    rejected = reject(received, by=COORDINATOR, on=ON, reason="Hanteras av lokalt team")
    assert rejected.status is MdkRehabStatus.REJECTED
    with pytest.raises(DomainError) as err:
        reject(rejected, by=COORDINATOR, on=ON, reason="igen")
    assert err.value.code == "mdk_rehab.illegal_transition"


def test_avancerad_with_no_team_or_mdk_rehab_referral_is_flagged(pelvic: Pathway, nurse: Staff) -> None:
    advanced = pelvic.model_copy(update={"confirmed_level": NeedsLevel.ADVANCED, "confirmed_level_on": ON})
    assert team_missing(advanced, [], [])
    assert not team_missing(advanced.model_copy(update={"confirmed_level": NeedsLevel.SPECIAL}), [], [])
    team = Referral(
        patient_id=pelvic.patient_id,
        pathway_id=pelvic.id,
        from_unit_hsa_id=nurse.unit_hsa_id,
        from_staff_id=nurse.id,
        to_profession=Profession.REHAB_TEAM,
        sent_on=ON,
    )
    assert not team_missing(advanced, [team], [])
    assert team_missing(advanced, [team.model_copy(update={"status": ReferralStatus.REJECTED})], [])
    assert not team_missing(advanced, [], [_refer(pelvic, nurse)])


def test_no_region_for_the_county_is_a_precise_error(pelvic: Pathway, nurse: Staff) -> None:
    with pytest.raises(DomainError) as err:
        refer(pelvic, by=nurse, unit_county_code="01", reason="x", on=date(2026, 2, 1), regions=REGIONS)
    assert err.value.code == "mdk_rehab.no_region" and "01" in err.value.message_sv
