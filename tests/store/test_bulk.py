"""bulk_load: thousands of rows in batches, all or nothing, no audit rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canrehab.domain.identity import generate_personnummer
from canrehab.domain.model import CareUnit, Diagnosis, KvaRecord, Pathway, Patient, Profession, Sex, Staff
from canrehab.store.bulk import bulk_load
from canrehab.store.repositories import WorklistStatusRow
from canrehab.store.uow import UnitOfWork

N = 3000


def _region(n: int) -> dict[str, list[Any]]:
    rng = random.Random(7)
    units = [CareUnit(hsa_id=f"SE2321000016-B{i}", name=f"Enhet {i}", county_code="01") for i in range(5)]
    staff = [
        Staff(
            id=f"s{i}",
            hsa_id=f"SE2321000016-S{i}",
            name=f"Personal {i}",
            profession=Profession.CONTACT_NURSE,
            unit_hsa_id=units[i].hsa_id,
        )
        for i in range(5)
    ]
    patients, pathways, kva, worklist = [], [], [], []
    pnrs: set[str] = set()
    for i in range(n):
        birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 20000))
        pnr = generate_personnummer(rng, birth, Sex.FEMALE)
        while pnr in pnrs:
            pnr = generate_personnummer(rng, birth, Sex.FEMALE)
        pnrs.add(pnr)
        patient = Patient(
            id=f"p{i}",
            personnummer=pnr,
            pseudonym=f"ps{i}",
            name=f"Patient {i}",
            sex=Sex.FEMALE,
            birth_date=birth,
        )
        pathway = Pathway(
            id=f"w{i}",
            patient_id=patient.id,
            unit_hsa_id=units[i % 5].hsa_id,
            diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2026, 1, 1), process="breast"),
        )
        patients.append(patient)
        pathways.append(pathway)
        kva.append(
            KvaRecord(
                id=f"k{i}",
                patient_id=patient.id,
                pathway_id=pathway.id,
                code="AU010",
                performed_on=date(2026, 1, 2),
                unit_hsa_id=pathway.unit_hsa_id,
            )
        )
        worklist.append(
            WorklistStatusRow(
                pathway_id=pathway.id,
                patient_id=patient.id,
                unit_hsa_id=pathway.unit_hsa_id,
                process="breast",
                phase="diagnosis",
                level=None,
                no_contact_nurse=i % 2 == 0,
                no_min_vardplan=False,
                assessment_due=None,
                assessment_overdue=False,
                plan_missing=False,
                plan_follow_up_due=None,
                referrals_waiting=0,
                handovers_in_awaiting=0,
                handovers_out_unconfirmed=0,
                handovers_out_overdue=0,
                next_action_on=date(2026, 1, 1) if i % 2 == 0 else None,
                updated_at=datetime.now(UTC),
            )
        )
    return {
        "units": units,
        "staff": staff,
        "patients": patients,
        "pathways": pathways,
        "kva": kva,
        "worklist": worklist,
    }


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_bulk_load_thousands(engine: Engine, uow: Callable[..., UnitOfWork]) -> None:
    region = _region(N)
    counts = bulk_load(
        engine,
        accounts=[
            {
                "username": "karin",
                "password_hash": "h",
                "role": "nurse",
                "display_name": "Karin",
                "staff_id": "s0",
                "unit_hsa_ids": ["SE2321000016-B0"],
            }
        ],
        batch_size=1000,
        **region,
    )
    assert counts["patient"] == counts["pathway"] == counts["kva_record"] == counts["worklist_status"] == N
    assert counts["user_account"] == 1
    assert _count(engine, "patient") == N and _count(engine, "kva_record") == N
    assert _count(engine, "audit_log") == 0  # a system load
    with uow() as u:
        assert u.pathways.get("w42") == region["pathways"][42]
        seventh = region["patients"][7]
        assert u.patients.get_by_personnummer(seventh.personnummer) == seventh
        _, counts_by_flag, total, *_ = u.worklist.query(["SE2321000016-B0"])
        assert total == counts_by_flag["no_contact_nurse"] == len([i for i in range(0, N, 2) if i % 5 == 0])
        account = u.accounts.get("karin")
        assert account is not None and account.unit_hsa_ids == ("SE2321000016-B0",)


def test_bulk_load_is_all_or_nothing(engine: Engine) -> None:
    region = _region(10)
    orphan = Pathway(
        id="orphan",
        patient_id="no-such-patient",
        unit_hsa_id="SE2321000016-B0",
        diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2026, 1, 1), process="breast"),
    )
    with pytest.raises(sa.exc.IntegrityError):
        bulk_load(
            engine,
            units=region["units"],
            patients=region["patients"],
            pathways=[*region["pathways"], orphan],
        )
    assert _count(engine, "care_unit") == 0 and _count(engine, "patient") == 0


def test_bulk_load_rejects_unknown_account_fields(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown account fields: shoe_size"):
        bulk_load(
            engine,
            accounts=[
                {"username": "x", "password_hash": "h", "role": "nurse", "display_name": "X", "shoe_size": 42}
            ],
        )
