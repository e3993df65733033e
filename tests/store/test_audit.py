"""The audit log: creates, updates and reads of patient data are logged automatically, in the same
transaction, once per patient record and unit of work; system jobs can turn read logging off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from canrehab.store.audit import AUDIT, AuditActor
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


def test_many_rows_in_one_flush_are_the_rows_written_one_by_one(
    seeded: Callable[..., UnitOfWork],
) -> None:
    """The rows of a unit of work go in one statement on PostgreSQL (one array per column): the same rows,
    in the same order, as those written one per unit of work (JSON null kept, time zone kept)."""
    events: list[tuple[str, str, str, str | None, str, object, object]] = [
        ("read", "worklist", "SE2321000016-ONK", "pat-1", "arbetslista", None, None),
        (
            "update",
            "pathway",
            "pw-1",
            "pat-1",
            "",
            {"closed_on": None, "n": [1, 2]},
            {"closed_on": "2026-05-01"},
        ),
        ("denied", "function", "statistik", None, "åtkomst nekad", None, None),
        ("read", "worklist", "SE2321000016-ONK", "pat-2", 'arbetslista (ä, "citat")', None, None),
    ]

    def write(actor: AuditActor, batch: list[tuple[str, str, str, str | None, str, object, object]]) -> None:
        with seeded(actor) as u:
            for action, entity_type, entity_id, patient_id, detail, before, after in batch:
                u.audit.record(action, entity_type, entity_id, patient_id, detail, before=before, after=after)

    for event in events:
        write(KARIN, [event])
    write(MANAGER, events)
    table = AUDIT
    columns = [
        c for c in table.c if c.name not in ("id", "at", "actor_username", "actor_role", "actor_units")
    ]
    with seeded(SYSTEM, log_reads=False) as u:
        rows = u.session.execute(select(table).order_by(table.c.id)).mappings().all()
        nulls = u.session.execute(
            select(table.c.actor_username, table.c.before.is_(None)).order_by(table.c.id)
        ).all()
    one_by_one = [r for r in rows if r["actor_username"] == "karin"]
    together = [r for r in rows if r["actor_username"] == "boss"]
    assert [[r[c.name] for c in columns] for r in together] == [
        [r[c.name] for c in columns] for r in one_by_one
    ]
    assert [r["entity_id"] for r in together] == ["SE2321000016-ONK", "pw-1", "statistik", "SE2321000016-ONK"]
    assert [r["patient_id"] for r in together] == ["pat-1", "pat-1", None, "pat-2"]
    assert together[0]["actor_units"] == "SE2321000016-ONK" and together[0]["actor_role"] == "unit_manager"
    assert all(r["at"] is not None for r in together)
    assert [at for at in (r["at"] for r in together)] == sorted(r["at"] for r in together)
    # a missing before/after is stored the same way (JSON null) whichever path wrote it
    assert [n for who, n in nulls if who == "boss"] == [n for who, n in nulls if who == "karin"]
