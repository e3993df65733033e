"""The store keeps when each record was last written (``updated_at``) and every version of a versioned
record (``record_version``, migration 0013), in the same transaction as the write."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from canrehab.domain.model import PlanContent
from canrehab.store.audit import AuditActor
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM) as u:
        u.units.add(samples.unit("SE2321000016-ONK"))
        u.patients.add(samples.patient())
        u.pathways.add(samples.pathway())
        u.plans.add(samples.plan())
    return uow


def test_every_version_is_kept_with_its_time(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(SYSTEM) as u:
        plan = u.plans.get("plan-1")
        created = u.plans.last_updated("plan-1")
        assert created is not None and created.tzinfo is not None
        u.plans.update(plan.model_copy(update={"content": PlanContent(summary="två")}), expected_version=1)
    with seeded(SYSTEM) as u:
        versions = u.plans.versions("plan-1")
        assert [(e.version, e.content.summary) for e, _ in versions] == [
            (2, "två"),
            (1, plan.content.summary),
        ]
        assert versions[0][1] >= versions[1][1] == created
        assert u.plans.last_updated("plan-1") == versions[0][1]


def test_a_rolled_back_write_keeps_no_version(seeded: Callable[..., UnitOfWork]) -> None:
    with pytest.raises(RuntimeError), seeded(SYSTEM) as u:
        plan = u.plans.get("plan-1")
        u.plans.update(plan.model_copy(update={"content": PlanContent(summary="x")}), expected_version=1)
        raise RuntimeError("refused later in the unit of work")
    with seeded(SYSTEM) as u:
        assert [e.version for e, _ in u.plans.versions("plan-1")] == [1]


def test_unversioned_records_have_a_time_but_no_versions(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(SYSTEM) as u:
        assert u.units.find("SE2321000016-ONK") is not None
        assert u.units.last_updated("SE2321000016-ONK") is not None
        assert u.units.versions("SE2321000016-ONK") == []
