"""The assignment HSA-id (medarbetaruppdrag) is unique where set, in the database too (migration 0018): a
duplicate that gets past the service's check — a concurrent administrator's, committed after the check — is
refused with the same Swedish message as the check's, nothing written, never a 500."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.services import registry
from canrehab.services.context import SYSTEM, Services
from canrehab.store.repositories import IntegrityViolation
from canrehab.store.repositories.org import assignment_hsa_taken

ADMIN = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="admin")
TAKEN = "SE2321000016-U0001"


def assignment_of(services: Services, staff_id: str) -> str | None:
    with services.uow(SYSTEM, log_reads=False) as uow:
        found: str | None = uow.staff.get(staff_id).assignment_hsa_id
        return found


def test_the_index_refuses_a_duplicate_the_service_did_not_check(services: Services) -> None:
    registry.set_assignment_hsa_id(services, ADMIN, "pt-1", TAKEN)
    with pytest.raises(IntegrityViolation) as caught, services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get("nurse-1")
        uow.staff.update(nurse.model_copy(update={"assignment_hsa_id": TAKEN}))  # the store, no check
    assert assignment_hsa_taken(caught.value)
    assert TAKEN not in caught.value.message_sv  # the constraint is named, never the value
    assert assignment_of(services, "nurse-1") is None
    # staff without an assignment HSA-id are many (the index is partial): clearing one is no conflict
    registry.set_assignment_hsa_id(services, ADMIN, "pt-1", "")
    assert assignment_of(services, "pt-1") is None


def _blocked_on_a_lock(engine: Engine, deadline: float) -> bool:
    """PostgreSQL: some session of this database waits for a lock (the service's UPDATE, on the index)."""
    with engine.connect() as probe:
        while time.monotonic() < deadline:
            waiting = probe.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            if waiting:
                return True
            probe.rollback()
            time.sleep(0.02)
    return False


def test_a_concurrent_duplicate_is_refused_like_the_check_refuses_it(
    services: Services, engine: Engine
) -> None:
    """Another administrator's transaction gives Per Berg the assignment HSA-id and commits only after this
    request has checked it free (PostgreSQL: once this request's UPDATE waits on the unique index). SQLite
    serialises writers (BEGIN IMMEDIATE): the request waits for the other to commit and its check sees it."""
    other = engine.connect()
    other.begin()
    other.execute(text("UPDATE staff SET assignment_hsa_id = :h WHERE id = 'pt-1'"), {"h": TAKEN})
    waited: list[bool] = []

    def commit_when_blocked() -> None:
        if engine.dialect.name == "postgresql":
            waited.append(_blocked_on_a_lock(engine, time.monotonic() + 30))
        else:
            time.sleep(0.5)
        other.commit()
        other.close()

    committer = threading.Thread(target=commit_when_blocked)
    committer.start()
    try:
        with pytest.raises(DomainError) as caught:
            registry.set_assignment_hsa_id(services, ADMIN, "nurse-1", TAKEN.lower())
    finally:
        committer.join()
    assert caught.value.code == "staff.hsa_taken"
    assert caught.value.message_sv == f"HSA-id {TAKEN} används redan av Per Berg."
    if engine.dialect.name == "postgresql":
        assert waited == [True]  # the refusal came from the index, after the check had found the id free
    assert assignment_of(services, "nurse-1") is None
    assert assignment_of(services, "pt-1") == TAKEN
