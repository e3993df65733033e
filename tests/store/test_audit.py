"""The audit log: creates, updates and reads of patient data are logged automatically, in the same
transaction, once per patient record and unit of work; system jobs can turn read logging off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from canrehab.store.audit import AuditActor
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())
KARIN = AuditActor("karin", "nurse", ("SE2321000016-ONK", "SE2321000016-REH"))
MANAGER = AuditActor("boss", "unit_manager", ("SE2321000016-ONK",))


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM, log_reads=False) as u:
        u.units.add(samples.unit("SE2321000016-ONK"))
    return uow


def _entries(uow: Callable[..., UnitOfWork], actor: str) -> list[tuple[str, str, str | None]]:
    with uow(MANAGER, log_reads=False) as u:
        return [(e.action, e.entity_type, e.patient_id) for e in reversed(u.audit.query(actor=actor))]


def test_create_and_update_are_logged_with_before_and_after(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(KARIN) as u:
        u.patients.add(samples.patient())
        u.pathways.add(samples.pathway())
    with seeded(KARIN) as u:
        pathway = u.pathways.get("pw-1")
        u.pathways.update(pathway.model_copy(update={"closed_on": date(2026, 5, 1)}), expected_version=1)
    assert _entries(seeded, "karin") == [
        ("create", "patient", "pat-1"),
        ("create", "pathway", "pat-1"),
        ("read", "pathway", "pat-1"),
        ("update", "pathway", "pat-1"),
    ]
    with seeded(MANAGER, log_reads=False) as u:
        update = u.audit.query(actor="karin", limit=1)[0]
    assert update.before["closed_on"] is None and update.before["version"] == 1
    assert update.after["closed_on"] == "2026-05-01" and update.after["version"] == 2
    assert update.actor_role == "nurse"
    assert update.actor_units == ("SE2321000016-ONK", "SE2321000016-REH")
    assert update.at.tzinfo is not None


def test_one_read_row_per_patient_record_not_per_child(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(SYSTEM, log_reads=False) as u:
        u.patients.add(samples.patient())
        u.patients.add(samples.patient("pat-2", "201212121212"))
        u.pathways.add(samples.pathway())
        u.pathways.add(samples.pathway("pat-2", id="pw-2"))
        u.assessments.add(samples.assessment())
        u.assessments.add(samples.assessment(id="as-2"))
    with seeded(KARIN) as u:  # the patient overview: patient, pathways, assessments, plans ...
        u.patients.get("pat-1")
        u.pathways.for_patient("pat-1")
        u.assessments.for_patient("pat-1")
        u.assessments.get("as-2")
        u.plans.for_patient("pat-1")
        u.patients.get("pat-2")
    assert _entries(seeded, "karin") == [("read", "patient", "pat-1"), ("read", "patient", "pat-2")]


def test_log_reads_off_for_system_jobs(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(SYSTEM, log_reads=False) as u:
        u.patients.add(samples.patient())
    with seeded(KARIN, log_reads=False) as u:
        u.patients.get("pat-1")
        u.audit.record_read("patient", "pat-1", "pat-1")
    assert _entries(seeded, "karin") == []


def test_explicit_records_and_query_filters(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(SYSTEM, log_reads=False) as u:
        u.patients.add(samples.patient())
    with seeded(KARIN) as u:
        u.audit.record("denied", "patient", "pat-1", "pat-1", "åtkomst nekad")
        u.audit.record("export", "par_extract", "2026-01-01..2026-12-31", None, "120 rader")
        u.audit.record_read("worklist", "SE2321000016-ONK", None, "12 rader")
    with seeded(MANAGER, log_reads=False) as u:
        for_patient = u.audit.query(patient_id="pat-1")
        assert [(e.action, e.actor_username) for e in for_patient] == [
            ("denied", "karin"),
            ("create", "system"),
        ]
        assert [e.action for e in u.audit.query(actor="karin", limit=2)] == ["read", "export"]
        assert u.audit.query(actor="nobody") == []


def test_audit_rows_roll_back_with_the_change(seeded: Callable[..., UnitOfWork]) -> None:
    with pytest.raises(RuntimeError), seeded(KARIN) as u:
        u.patients.add(samples.patient())
        raise RuntimeError("stop")
    assert _entries(seeded, "karin") == []


def test_detail_never_holds_a_personnummer(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(KARIN) as u:
        for detail in ("19121212-1212", "patient 191212121212 läst", "121212+1212"):
            with pytest.raises(ValueError, match="personnummer"):
                u.audit.record("read", "patient", "pat-1", None, detail)
        with pytest.raises(ValueError, match="unknown audit action"):
            u.audit.record("delete", "patient", "pat-1", None)
        u.audit.record("export", "par_extract", "x", None, "2026-01-01..2026-12-31, 1234567 rader")


def test_query_sees_rows_of_its_own_unit_of_work(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded(KARIN) as u:
        u.audit.record("denied", "patient", "pat-x", None, "")
        assert [e.action for e in u.audit.query(actor="karin")] == ["denied"]


def test_query_scoped_to_units_and_paged(seeded: Callable[..., UnitOfWork]) -> None:
    """A unit's view: events about its patients (by anyone) and the events about no patient made by its staff.
    An event by its staff about another unit's patient is that unit's (issue 14: the scope follows the
    patient's care relation, not the actor's memberships)."""
    with seeded(SYSTEM, log_reads=False) as u:
        u.units.add(samples.unit("SE2321000016-KIR"))
        u.units.add(samples.unit("SE2321000016-X_1"))
        u.patients.add(samples.patient())
        u.patients.add(samples.patient("pat-2", "201212121212"))
        u.pathways.add(samples.pathway())
        u.pathways.add(samples.pathway("pat-2", "SE2321000016-KIR", id="pw-2"))
    outsider = AuditActor("olle", "nurse", ("SE2321000016-KIR",))
    wildcard = AuditActor("wilma", "nurse", ("SE2321000016-XA1",))  # must not match the "_" in X_1
    with seeded(outsider) as u:
        u.audit.record("read", "patient", "pat-1", "pat-1")  # another unit reads our patient
        u.audit.record("read", "patient", "pat-2", "pat-2")  # another unit reads its own patient
    with seeded(KARIN) as u:
        u.audit.record("read", "patient", "pat-2", "pat-2")  # our staff reads another unit's patient
        u.audit.record("login", "account", "karin")  # our staff, about no patient
    with seeded(wildcard) as u:
        u.audit.record("login", "account", "wilma")
    with seeded(MANAGER, log_reads=False) as u:
        onk = u.audit.query(units=["SE2321000016-ONK"])
        x_1 = u.audit.query(units=["SE2321000016-X_1"])
        nothing = u.audit.query(units=[])
        paged = [u.audit.query(actor="olle", limit=1, offset=n) for n in (0, 1, 2)]
    reads = sorted((e.actor_username, e.patient_id) for e in onk if e.action == "read")
    assert reads == [("olle", "pat-1")]
    assert [e.actor_username for e in onk if e.action == "login"] == ["karin"]
    assert {e.patient_id for e in onk if e.action == "create"} == {"pat-1"}  # the system created our patient
    assert x_1 == [] and nothing == []
    assert [[e.patient_id for e in p] for p in paged] == [["pat-2"], ["pat-1"], []]
