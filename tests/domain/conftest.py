"""Shared builders for the domain tests: plain entities, no storage."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.codes.catalog import load_processes, load_professions, load_routines
from canrehab.domain.definitions import ProcessDef, ProfessionDef, RoutineDef
from canrehab.domain.model import CareUnit, Diagnosis, Pathway, Patient, Profession, Sex, Staff
from canrehab.domain.pathway import open_pathway

DIAGNOSED = date(2026, 1, 10)


@pytest.fixture(scope="session")
def professions() -> dict[Profession, ProfessionDef]:
    return load_professions()


@pytest.fixture(scope="session")
def processes() -> list[ProcessDef]:
    return load_processes()


@pytest.fixture(scope="session")
def routines() -> dict[str, RoutineDef]:
    return load_routines()


@pytest.fixture
def unit() -> CareUnit:
    return CareUnit(hsa_id="SE2321000032-ONK1", name="Onkologkliniken", county_code="01")


@pytest.fixture
def other_unit() -> CareUnit:
    return CareUnit(hsa_id="SE2321000032-VC9", name="Vårdcentralen Norr", county_code="01")


@pytest.fixture
def patient() -> Patient:
    return Patient(
        personnummer="198112189876",
        pseudonym="p1",
        sex=Sex.FEMALE,
        birth_date=date(1981, 12, 18),
        county_code="01",
    )


@pytest.fixture
def nurse(unit: CareUnit) -> Staff:
    return Staff(
        hsa_id="S-NURSE", name="Karin Kontakt", profession=Profession.CONTACT_NURSE, unit_hsa_id=unit.hsa_id
    )


@pytest.fixture
def receiver(other_unit: CareUnit) -> Staff:
    return Staff(
        hsa_id="S-PT", name="Per Fysio", profession=Profession.PHYSIOTHERAPIST, unit_hsa_id=other_unit.hsa_id
    )


@pytest.fixture
def pathway(patient: Patient, unit: CareUnit) -> Pathway:
    diagnosis = Diagnosis(icd10="C509", diagnosed_on=DIAGNOSED, process="breast")
    return open_pathway(patient, unit, diagnosis, DIAGNOSED)
