"""Every entity survives entity -> row -> database -> row -> entity unchanged, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from canrehab.domain.model import Entity
from canrehab.store import mapping
from canrehab.store.audit import AuditActor
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())


def all_samples() -> list[Entity]:
    return [
        samples.unit(),
        samples.unit("SE2321000016-REH"),
        samples.staff(),
        samples.patient(),
        samples.pathway(),
        samples.assessment(),
        samples.plan(),
        samples.handover(),
        samples.referral(),
        samples.kva(),
    ]


@pytest.mark.parametrize("entity", all_samples(), ids=lambda e: type(e).__name__)
def test_row_round_trip_in_memory(entity: Entity) -> None:
    row = mapping.to_row(entity)
    # every column but the ones the store keeps beside the entity (updated_at, migration 0013)
    assert set(row) == set(mapping.BY_ENTITY[type(entity)].table.columns.keys()) - mapping.STORE_KEPT
    assert mapping.from_row(type(entity), row) == entity


def test_minimal_entities_round_trip(
    make_patient: Callable[..., Any], make_pathway: Callable[..., Any]
) -> None:
    patient = make_patient()
    pathway = make_pathway(patient)
    for entity in (patient, pathway):
        assert mapping.from_row(type(entity), mapping.to_row(entity)) == entity


def _repositories(u: UnitOfWork) -> dict[type, Any]:
    return {
        type(samples.unit()): u.units,
        type(samples.staff()): u.staff,
        type(samples.patient()): u.patients,
        type(samples.pathway()): u.pathways,
        type(samples.assessment()): u.assessments,
        type(samples.plan()): u.plans,
        type(samples.handover()): u.handovers,
        type(samples.referral()): u.referrals,
        type(samples.kva()): u.kva,
    }


def test_database_round_trip(uow: Callable[..., UnitOfWork]) -> None:
    entities = all_samples()
    with uow(SYSTEM) as u:
        for entity in entities:
            _repositories(u)[type(entity)].add(entity)
    with uow(SYSTEM) as u:
        for entity in entities:
            key = getattr(entity, mapping.BY_ENTITY[type(entity)].key)
            assert _repositories(u)[type(entity)].get(key) == entity, type(entity).__name__
    # answers keep their JSON-compatible types (int, str, bool, tuple, None)
    with uow(SYSTEM) as u:
        answers = u.assessments.get("as-1").answers
    assert answers == {
        "fatigue": 3,
        "note": "trött",
        "talk": True,
        "areas": ("sleep", "pain"),
        "skipped": None,
    }
    assert type(answers["talk"]) is bool and type(answers["fatigue"]) is int
