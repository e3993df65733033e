"""The services on a migrated database (SQLite and PostgreSQL) with three units and their staff."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.identity import generate_personnummer
from canrehab.domain.model import CareUnit, Profession, Sex, Staff
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services

TODAY = date(2026, 3, 2)
ONK = "SE2321000016-ONK"
KIR = "SE2321000016-KIR"
REH = "SE2321000016-REH"
NURSE = Actor(
    role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({ONK}), patient_id=None, username="karin"
)
ANALYST = Actor(role="regional_analyst", staff_id=None, username="analytiker")  # suppressed, no drill-down


def nurse_at(unit: str, n: int) -> Actor:
    """A nurse of ``unit`` (staff id ``nurse-<n>``)."""
    return Actor(role="nurse", staff_id=f"nurse-{n}", unit_hsa_ids=frozenset({unit}), username=f"n{n}")


def diagnosed_pathways(services: Services, unit: str, nurse: Actor, count: int, *, born: int) -> None:
    """``count`` patients registered by ``nurse``, each with a breast-cancer pathway at ``unit`` diagnosed
    10, 11, … days before TODAY (so in the quarter ending TODAY) and none with a contact nurse. Patient i is
    born in year ``born + i``: give each call its own range of years and the personnummer stay unique."""
    for i in range(count):
        pnr = generate_personnummer(
            random.Random(born + i), date(born + i, 1 + i % 12, 1 + i % 28), Sex.FEMALE
        )
        patient = patient_service.register_patient(
            services, nurse, personnummer=pnr, name=f"Patient {unit[-3:]} {i}", county_code="01"
        )
        patient_service.open_pathway(
            services,
            nurse,
            patient_id=patient.id,
            icd10="C50.9",
            diagnosed_on=TODAY - timedelta(days=10 + i),
            unit_hsa_id=unit,
        )


def patient_with_pathway(services: Services, *, icd10: str = "C50.9", days_ago: int = 3) -> tuple[str, str]:
    """Tolvan registered by the contact nurse, with a pathway at the oncology unit diagnosed ``days_ago``
    days before TODAY: (patient id, pathway id)."""
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        NURSE,
        patient_id=patient.id,
        icd10=icd10,
        diagnosed_on=TODAY - timedelta(days=days_ago),
        unit_hsa_id=ONK,
    )
    return patient.id, pathway.id


@pytest.fixture
def services(engine: object, tmp_path: Path) -> Iterator[Services]:
    svc = Services(
        settings=Settings(data_dir=tmp_path, secret_key="test"),
        engine=engine,  # type: ignore[arg-type]
        clock=lambda: TODAY,
    )
    with svc.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id="SE2321000016-ONK", name="Onkologiska kliniken", county_code="01"))
        uow.units.add(CareUnit(hsa_id="SE2321000016-REH", name="Rehabenheten", county_code="01"))
        uow.units.add(CareUnit(hsa_id="SE2321000016-KIR", name="Kirurgiska kliniken", county_code="01"))
        uow.staff.add(
            Staff(
                id="nurse-1",
                hsa_id="SE2321000016-P1",
                name="Karin Nilsson",
                profession=Profession.CONTACT_NURSE,
                unit_hsa_id="SE2321000016-ONK",
            )
        )
        uow.staff.add(
            Staff(
                id="pt-1",
                hsa_id="SE2321000016-P2",
                name="Per Berg",
                profession=Profession.PHYSIOTHERAPIST,
                unit_hsa_id="SE2321000016-REH",
            )
        )
        uow.staff.add(
            Staff(
                id="nurse-2",
                hsa_id="SE2321000016-P3",
                name="Eva Lind",
                profession=Profession.CONTACT_NURSE,
                unit_hsa_id="SE2321000016-KIR",
            )
        )
    yield svc
