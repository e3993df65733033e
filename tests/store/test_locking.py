"""Optimistic locking with two sessions (no lost update) and all-or-nothing units of work.

Two units of work open at the same time in one thread is a PostgreSQL scenario only: on SQLite a unit of work
holds the write lock from its start (BEGIN IMMEDIATE, ``store.db``), so the second would wait for the first.
There the stale version comes from an earlier transaction, as from a form read in an earlier request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from canrehab.domain.errors import ConflictError
from canrehab.domain.model import HandoverStatus, PlanContent
from canrehab.store.audit import AuditActor
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())
KARIN = AuditActor("karin", "nurse", ("SE2321000016-ONK",))
PER = AuditActor("per", "rehab_professional", ("SE2321000016-REH",))


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM) as u:
        for hsa in ("SE2321000016-ONK", "SE2321000016-REH"):
            u.units.add(samples.unit(hsa))
        u.patients.add(samples.patient())
        u.pathways.add(samples.pathway())
        u.plans.add(samples.plan())
        u.handovers.add(samples.handover())
        u.assessments.add(samples.assessment())
    return uow


@pytest.fixture
def interleaved(db_backend: str) -> None:
    if db_backend == "sqlite":
        pytest.skip("SQLite units of work are serialised (BEGIN IMMEDIATE); see the sequential test")


def test_a_version_read_in_an_earlier_transaction_conflicts_after_another_update(
    seeded: Callable[..., UnitOfWork],
) -> None:
    with seeded(PER) as reading:
        theirs = reading.plans.get("plan-1")
    with seeded(KARIN) as first:
        mine = first.plans.get("plan-1")
        first.plans.update(
            mine.model_copy(update={"content": PlanContent(summary="Karins version")}), expected_version=1
        )
    with seeded(PER) as second, pytest.raises(ConflictError) as caught:
        second.plans.update(
            theirs.model_copy(update={"content": PlanContent(summary="Pers version")}), expected_version=1
        )
    assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
    with seeded() as u:
        assert u.plans.get("plan-1").content.summary == "Karins version"


@pytest.mark.usefixtures("interleaved")
def test_two_sessions_first_update_wins_second_conflicts(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(KARIN) as first, seeded(PER) as second:
        mine = first.plans.get("plan-1")
        theirs = second.plans.get("plan-1")
        assert mine.version == theirs.version == 1
        first.plans.update(
            mine.model_copy(update={"content": PlanContent(summary="Karins version")}), expected_version=1
        )
        first.session.commit()
        with pytest.raises(ConflictError) as caught:
            second.plans.update(
                theirs.model_copy(update={"content": PlanContent(summary="Pers version")}), expected_version=1
            )
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
        assert caught.value.code == "conflict"
    with seeded() as u:
        stored = u.plans.get("plan-1")
    assert stored.version == 2
    assert stored.content.summary == "Karins version"


@pytest.mark.usefixtures("interleaved")
@pytest.mark.parametrize("kind", ["handovers", "assessments", "pathways"])
def test_conflict_on_every_versioned_aggregate(seeded: Callable[..., UnitOfWork], kind: str) -> None:
    key = {"handovers": "ho-1", "assessments": "as-1", "pathways": "pw-1"}[kind]
    with seeded(KARIN) as first, seeded(PER) as second:
        a = getattr(first, kind).get(key)
        b = getattr(second, kind).get(key)
        getattr(first, kind).update(a, expected_version=1)
        first.session.commit()
        with pytest.raises(ConflictError):
            getattr(second, kind).update(b, expected_version=1)
    with seeded() as u:
        assert getattr(u, kind).get(key).version == 2


def test_stale_version_in_the_same_session_is_a_conflict(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(KARIN) as u:
        handover = u.handovers.get("ho-1")
        u.handovers.update(
            handover.model_copy(update={"status": HandoverStatus.RECEIVED}), expected_version=1
        )
        with pytest.raises(ConflictError):
            u.handovers.update(handover, expected_version=1)


def test_exception_rolls_back_everything(seeded: Callable[..., UnitOfWork]) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), seeded(KARIN) as u:
        pathway = u.pathways.get("pw-1")
        u.pathways.update(pathway.model_copy(update={"closed_on": date(2026, 4, 1)}), expected_version=1)
        u.patients.add(samples.patient("pat-9", "199001011239"))
        u.kva.add_many([samples.kva(id="k-rolled-back")])
        raise Boom
    with seeded() as u:
        assert u.pathways.get("pw-1").closed_on is None
        assert u.pathways.get("pw-1").version == 1
        assert u.patients.find("pat-9") is None
        assert u.kva.for_patient("pat-1") == []
        assert not [e for e in u.audit.query(actor="karin")]


def test_conflict_inside_a_unit_of_work_leaves_nothing(seeded: Callable[..., UnitOfWork]) -> None:
    with pytest.raises(ConflictError), seeded(KARIN) as u:
        u.kva.add_many([samples.kva(id="k-before-conflict")])
        plan = u.plans.get("plan-1")
        u.plans.update(plan, expected_version=5)
    with seeded() as u:
        assert u.kva.for_patient("pat-1") == []
        assert u.plans.get("plan-1").version == 1
