"""Repositories: get/find/add/update, lists per patient and pathway, handover boxes, access relations, KVÅ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from canrehab.domain.errors import DomainError
from canrehab.domain.model import HandoverStatus, ReferralStatus
from canrehab.store.audit import AuditActor
from canrehab.store.repositories import IntegrityViolation, NotFound
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM) as u:
        for hsa in ("SE2321000016-ONK", "SE2321000016-REH", "SE2321000016-MDK", "SE2321000016-KIR"):
            u.units.add(samples.unit(hsa))
        u.staff.add(samples.staff())
        u.patients.add(samples.patient())
        u.patients.add(samples.patient("pat-2", "201212121212"))
        u.pathways.add(samples.pathway())
        u.pathways.add(samples.pathway("pat-2", "SE2321000016-KIR", "pw-2"))
    return uow


def test_get_find_and_not_found(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert u.patients.get("pat-1").name == "Tolvan Tolvansson"
        assert u.patients.find("nobody") is None
        with pytest.raises(NotFound) as caught:
            u.pathways.get("nope")
        assert isinstance(caught.value, DomainError)
        assert caught.value.code == "not_found"
        assert "nope" in caught.value.message_en
        assert u.patients.get_by_personnummer("191212121212") == u.patients.get("pat-1")
        assert u.patients.get_by_personnummer("199001011234") is None


def test_update_bumps_the_version(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        pathway = u.pathways.get("pw-1")
        saved = u.pathways.update(
            pathway.model_copy(update={"closed_on": date(2026, 3, 1)}), expected_version=1
        )
        assert saved.version == 2
    with seeded() as u:
        again = u.pathways.get("pw-1")
        assert again.version == 2 and again.closed_on == date(2026, 3, 1)


def test_add_starts_at_version_one(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        added = u.assessments.add(samples.assessment().model_copy(update={"version": 7}))
        assert added.version == 1
        assert u.assessments.get("as-1").version == 1


def test_lists_per_patient_and_pathway(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        u.assessments.add(samples.assessment())
        u.assessments.add(samples.assessment("pat-2", "pw-2", "as-2"))
        u.plans.add(samples.plan())
        u.handovers.add(samples.handover())
        u.referrals.add(samples.referral())
    with seeded() as u:
        assert [a.id for a in u.assessments.for_patient("pat-1")] == ["as-1"]
        assert [a.id for a in u.assessments.for_pathway("pw-2")] == ["as-2"]
        assert [p.id for p in u.plans.for_pathway("pw-1")] == ["plan-1"]
        assert [h.id for h in u.handovers.for_patient("pat-1")] == ["ho-1"]
        assert [r.id for r in u.referrals.for_patient("pat-1")] == ["ref-1"]
        assert [p.id for p in u.pathways.for_patient("pat-2")] == ["pw-2"]
        assert [p.id for p in u.pathways.for_unit("SE2321000016-KIR")] == ["pw-2"]
        assert u.pathways.all_ids() == ["pw-1", "pw-2"]
        assert u.plans.for_patient("pat-2") == []
        assert [p.id for p in u.pathways.find_many(["pw-2", "pw-1", "pw-x"])] == ["pw-1", "pw-2"]
        assert sorted(a.id for a in u.assessments.for_pathways(["pw-1", "pw-2"])) == ["as-1", "as-2"]
        assert u.referrals.for_pathways([]) == []


def test_handover_inbox_and_outbox(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        u.handovers.add(samples.handover(id="ho-1", sent_on=date(2026, 1, 20)))
        u.handovers.add(samples.handover(id="ho-2", status=HandoverStatus.RECEIVED, sent_on=date(2026, 1, 5)))
        u.handovers.add(
            samples.handover(id="ho-3", to_unit="SE2321000016-KIR", status=HandoverStatus.COMPLETED)
        )
    open_states = (HandoverStatus.SENT, HandoverStatus.RECEIVED)
    with seeded() as u:
        assert [h.id for h in u.handovers.inbox({"SE2321000016-REH"}, open_states)] == ["ho-2", "ho-1"]
        assert [h.id for h in u.handovers.inbox(["SE2321000016-KIR"], open_states)] == []
        assert [h.id for h in u.handovers.inbox(["SE2321000016-KIR"], ["completed"])] == ["ho-3"]
        assert [h.id for h in u.handovers.outbox(["SE2321000016-ONK"], open_states)] == ["ho-2", "ho-1"]
        assert u.handovers.outbox([], open_states) == []


def test_related_units(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert u.patients.related_unit_hsa_ids("pat-1") == {"SE2321000016-ONK"}
        u.handovers.add(samples.handover())
        u.referrals.add(samples.referral().model_copy(update={"status": ReferralStatus.SENT}))
        assert u.patients.related_unit_hsa_ids("pat-1") == {
            "SE2321000016-ONK",
            "SE2321000016-REH",
            "SE2321000016-MDK",
        }
        assert u.patients.related_unit_hsa_ids("pat-2") == {"SE2321000016-KIR"}
        assert u.patients.related_unit_hsa_ids("nobody") == set()


def test_kva_add_many_for_patient_and_iter_between(seeded: Callable[..., UnitOfWork]) -> None:
    records = [
        samples.kva(id="k1", code="AU010", on=date(2026, 1, 1)),
        samples.kva(id="k2", code="AW020", on=date(2026, 2, 1)),
        samples.kva("pat-2", "pw-2", id="k3", code="AW019", on=date(2026, 1, 15)),
        samples.kva(id="k4", code="AW035", on=date(2026, 3, 31)),
    ]
    with seeded() as u:
        u.kva.add_many(records)
    with seeded() as u:
        assert [k.id for k in u.kva.for_patient("pat-1")] == ["k1", "k2", "k4"]
        between = list(u.kva.iter_between(date(2026, 1, 1), date(2026, 2, 1)))
        assert [k.id for k in between] == ["k1", "k3", "k2"]
        assert between[0] == records[0]
        assert list(u.kva.iter_between(date(2027, 1, 1), date(2027, 12, 31))) == []
        with pytest.raises(TypeError):
            u.kva.update(records[0])


def test_units_and_staff(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert [x.hsa_id for x in u.units.list_all()] == sorted(
            ["SE2321000016-ONK", "SE2321000016-REH", "SE2321000016-MDK", "SE2321000016-KIR"]
        )
        u.staff.add(samples.staff("SE2321000016-REH", "staff-2"))
        assert [s.id for s in u.staff.for_unit("SE2321000016-REH")] == ["staff-2"]
        assert u.staff.get("staff-1").unit_hsa_id == "SE2321000016-ONK"
        assert {s.id for s in u.staff.list_all()} == {"staff-1", "staff-2"}
        with pytest.raises(NotFound):
            u.units.get("SE-none")


def test_accounts(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        account = u.accounts.create(
            "karin", "hash$1", "nurse", "Karin Nilsson", "staff-1", None, ["SE2321000016-ONK"]
        )
        assert account.unit_hsa_ids == ("SE2321000016-ONK",)
        with pytest.raises(DomainError) as caught:
            u.accounts.create("karin", "hash$2", "nurse", "Dubblett")
        assert caught.value.code == "account.exists"
    with seeded() as u:
        loaded = u.accounts.get("karin")
        assert loaded is not None
        assert (loaded.role, loaded.staff_id, loaded.failed_logins, loaded.locked_until) == (
            "nurse",
            "staff-1",
            0,
            None,
        )
        assert loaded.created_at.tzinfo is not None
        assert u.accounts.get("nobody") is None
        entries = u.audit.query(actor="tester")
        created = [e for e in entries if e.entity_type == "user_account"]
        assert created and "password_hash" not in created[0].after


def test_unique_personnummer_is_enforced(seeded: Callable[..., UnitOfWork]) -> None:
    with pytest.raises(IntegrityViolation) as caught, seeded() as u:
        u.kva.add_many([samples.kva(id="k-first")])
        u.patients.add(samples.patient("pat-3", "191212121212").model_copy(update={"pseudonym": "other"}))
    assert caught.value.code == "integrity"
    assert "personnummer" in caught.value.constraint
    assert "191212121212" not in caught.value.message_en + caught.value.message_sv  # never the value
    with seeded() as u:
        assert u.patients.find("pat-3") is None
        assert u.kva.for_patient("pat-1") == []  # nothing of the unit of work was written


def test_reference_to_a_missing_record_is_refused(seeded: Callable[..., UnitOfWork]) -> None:
    with pytest.raises(IntegrityViolation), seeded() as u:
        u.assessments.add(samples.assessment(pathway_id="no-such-pathway"))
