"""Concurrent writers on SQLite wait for each other instead of failing (issue 14 item 8: under load one
request failed with "database is locked" when the audit rows were flushed at the end of its unit of work).

Each unit of work reads first and writes at the end, like a web request. A unit of work is one real SQLite
transaction begun with BEGIN IMMEDIATE (before, the driver began a transaction only at the first INSERT or
UPDATE, so the reads before it were not in the transaction at all): it takes the write lock at its start,
other writers wait for it (busy timeout), and every write lands."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from canrehab.store.audit import AuditActor
from canrehab.store.orm import TABLES
from canrehab.store.uow import UnitOfWork
from tests.store import samples

ACTOR = AuditActor("karin", "nurse", ("SE2321000016-ONK",))
THREADS, ROUNDS = 8, 12


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_units_of_work_that_read_then_write_all_commit_under_contention(
    uow: Callable[..., UnitOfWork], engine: Engine
) -> None:
    with uow() as u:
        u.units.add(samples.unit("SE2321000016-ONK"))
        u.patients.add(samples.patient())
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(TABLES["audit_log"])).scalar_one()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        start.wait()
        for i in range(ROUNDS):
            try:
                with uow(ACTOR) as u:
                    u.patients.get(samples.patient().id)  # a read: the transaction has a snapshot now
                    time.sleep(0.002)  # another writer commits meanwhile
                    u.audit.record("export", "report", f"r-{n}-{i}", None, "load")
            except BaseException as failed:
                errors.append(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        exports = conn.execute(
            select(func.count())
            .select_from(TABLES["audit_log"])
            .where(TABLES["audit_log"].c.action == "export")
        ).scalar_one()
        total = conn.execute(select(func.count()).select_from(TABLES["audit_log"])).scalar_one()
    assert exports == THREADS * ROUNDS
    assert total == before + THREADS * ROUNDS * 2  # each unit of work also logged its patient read


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_a_unit_of_work_on_sqlite_holds_the_write_lock_from_its_start(
    uow: Callable[..., UnitOfWork], engine: Engine
) -> None:
    """Before it has written anything, an open unit of work keeps other writers waiting (here: one that
    waits 0,2 s only, and gives up)."""
    from canrehab.store.db import make_engine
    from canrehab.store.mapping import UNIT

    impatient = make_engine(
        engine.url.render_as_string(hide_password=False),
        connect_args={"check_same_thread": False, "timeout": 0.2},
    )
    try:
        with uow(ACTOR), impatient.begin() as conn, pytest.raises(OperationalError, match="locked"):
            conn.execute(insert(TABLES["care_unit"]), [UNIT.to_row(samples.unit("SE2321000016-XYZ"))])
        with impatient.begin() as conn:  # once it has ended, the write goes through
            conn.execute(insert(TABLES["care_unit"]), [UNIT.to_row(samples.unit("SE2321000016-XYZ"))])
    finally:
        impatient.dispose()
