"""Reads remembered within one unit of work (the care relation behind access checks, the care units): asked
once, forgotten at the first write, at a savepoint's end and with the unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Integer, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from canrehab.store.audit import AuditActor
from canrehab.store.memo import remembered
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())
ONK, REH, KIR = "SE2321000016-ONK", "SE2321000016-REH", "SE2321000016-KIR"


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM) as u:
        for hsa in (ONK, REH, KIR):
            u.units.add(samples.unit(hsa))
        u.staff.add(samples.staff())
        u.patients.add(samples.patient())
        u.pathways.add(samples.pathway())
    return uow


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the test runs."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def _relation_queries(sent: list[str]) -> int:
    return sum(1 for s in sent if "mdk_rehab_case.coordinator_unit_hsa_id" in s)


def _unit_list_queries(sent: list[str]) -> int:
    return sum(1 for s in sent if s.lstrip().startswith("SELECT care_unit.hsa_id") and "WHERE" not in s)


def test_asked_once_per_unit_of_work(seeded: Callable[..., UnitOfWork], statements: list[str]) -> None:
    with seeded() as u:
        first = u.patients.related_unit_hsa_ids("pat-1")
        first.add("SE-changed-by-the-caller")  # the caller's copy, not the remembered answer
        for _ in range(4):
            assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}
        assert u.patients.related_unit_hsa_ids("nobody") == set()
        units = [x.hsa_id for x in u.units.list_all()]
        assert [x.hsa_id for x in u.units.list_all()] == units == sorted([ONK, REH, KIR])
    assert _relation_queries(statements) == 2  # pat-1 and nobody
    assert _unit_list_queries(statements) == 1
    with seeded() as u:  # a new unit of work (the next request) asks again
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}
        u.units.list_all()
    assert _relation_queries(statements) == 3
    assert _unit_list_queries(statements) == 2


def test_a_write_is_seen_by_the_next_check(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}
        assert len(u.units.list_all()) == 3
        u.handovers.add(samples.handover(to_unit=REH))
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK, REH}
        u.units.add(samples.unit("SE2321000016-NEW"))
        assert len(u.units.list_all()) == 4
        u.pathways.add(samples.pathway("pat-1", KIR, "pw-kir"))
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK, REH, KIR}


def test_a_rolled_back_savepoint_is_forgotten(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}
        savepoint = u.session.begin_nested()
        u.handovers.add(samples.handover(to_unit=REH))
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK, REH}  # remembered inside the savepoint
        savepoint.rollback()
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}


def test_committed_by_another_unit_of_work_is_seen_next_time(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK}
    with seeded(SYSTEM) as other:
        other.handovers.add(samples.handover(to_unit=REH))
    with seeded() as u:
        assert u.patients.related_unit_hsa_ids("pat-1") == {ONK, REH}


class _Base(DeclarativeBase):
    pass


class _Thing(_Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_an_orm_flush_empties_the_memo() -> None:
    """A write through the ORM's unit of work (session.add + flush) does not pass do_orm_execute; the memo
    is emptied by the flush all the same."""
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        reads: list[int] = []

        def read() -> int:
            reads.append(1)
            return len(reads)

        assert remembered(session, "k", read) == 1
        assert remembered(session, "k", read) == 1  # remembered
        session.add(_Thing(id=1))
        session.flush()
        assert remembered(session, "k", read) == 2  # asked again after the write
    engine.dispose()
