"""Failed logins per throttle key in the database (table ``login_failure``, ``orm_login_failures``): one row
per key with its count and the time of its last failure, shared by every process that serves the app.

A failure is counted with one upsert per attempt (``INSERT ... ON CONFLICT DO UPDATE``, which PostgreSQL and
SQLite both have), so that two workers counting the same key at the same moment both count: the database
adds one to the row as it stands, never to a value a process read earlier. A count whose last failure is
older than ``forget_before`` starts again at one in the same statement. Keys are stored as their sha256
(``key_hash``): no user name or address is written.

A wrong password is settled by ``fail_unless_waiting``: in one transaction it locks the keys' rows
(creating missing ones), reads them, asks the caller's policy whether an attempt is allowed now and, if
so, counts the failure. Parallel wrong passwords on one key therefore queue on its row: each sees the
count the ones before it left, and a guesser who fires twelve at once learns the outcome of exactly the
attempts the policy allows, not twelve. A right password needs no lock: it counts nothing, so reading
the committed counts orders it correctly among the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from canrehab.store.mapping import aware
from canrehab.store.orm_login_failures import LoginFailure

FAILURES: Table = LoginFailure.__table__  # type: ignore[assignment]

# The dialect's INSERT that has ``on_conflict_do_update`` (the same call on both).
UPSERT: dict[str, Callable[[Table], Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Failures:
    """A key's failures: how many, and when the last one was."""

    count: int
    last: datetime


class LoginFailureStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._upsert = UPSERT[engine.dialect.name]

    def counts(self, keys: Sequence[str]) -> dict[str, Failures]:
        """The recorded failures of those of ``keys`` that have any (forgotten ones included: the caller
        compares their time with its policy)."""
        hashes = {key_hash(k): k for k in keys}
        if not hashes:
            return {}
        query = select(FAILURES.c.key_hash, FAILURES.c.failures, FAILURES.c.last_failure_at).where(
            FAILURES.c.key_hash.in_(list(hashes))
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {hashes[h]: Failures(n, aware(at) or at) for h, n, at in rows}

    def fail(self, keys: Sequence[str], now: datetime, forget_before: datetime) -> None:
        """Count one failure for each of ``keys`` at ``now`` (a key last failed before ``forget_before``
        starts again at one), and drop the rows of every key forgotten by then."""
        hashes = sorted({key_hash(k) for k in keys})  # sorted: concurrent upserts lock rows in one order
        if not hashes:
            return
        with self.engine.begin() as conn:
            self._count(conn, hashes, now, forget_before)

    def fail_unless_waiting(
        self,
        keys: Sequence[str],
        now: datetime,
        forget_before: datetime,
        wait: Callable[[dict[str, Failures]], float],
    ) -> float:
        """Count one failure of each of ``keys`` at ``now`` if ``wait`` (given the keys' failures as they
        stand, with their rows locked) answers 0; otherwise write nothing and return the wait."""
        hashes = {key_hash(k): k for k in keys}
        if not hashes:
            return 0.0
        ordered = sorted(hashes)  # one lock order for every attempt: no deadlock between two of them
        # Take each row's lock (a missing row is created at zero failures): the upsert's update locks an
        # existing row on PostgreSQL, and on SQLite the first write takes the database's write lock.
        lock = self._upsert(FAILURES).values(
            [{"key_hash": h, "failures": 0, "last_failure_at": now} for h in ordered]
        )
        lock = lock.on_conflict_do_update(
            index_elements=[FAILURES.c.key_hash], set_={"failures": FAILURES.c.failures}
        )
        read = select(FAILURES.c.key_hash, FAILURES.c.failures, FAILURES.c.last_failure_at).where(
            FAILURES.c.key_hash.in_(ordered), FAILURES.c.failures > 0
        )
        with self.engine.connect() as conn:
            conn.execute(lock)
            found = {hashes[h]: Failures(n, aware(at) or at) for h, n, at in conn.execute(read).all()}
            waiting = wait(found)
            if waiting > 0:
                conn.rollback()  # nothing counted, and no row made for a key that had none
                return waiting
            self._count(conn, ordered, now, forget_before)
            conn.commit()
        return 0.0

    def _count(self, conn: Any, hashes: Sequence[str], now: datetime, forget_before: datetime) -> None:
        """One more failure of each key at ``now`` (a key last failed before ``forget_before`` starts again
        at one), and the rows of every key forgotten by then dropped."""
        statement = self._upsert(FAILURES).values(
            [{"key_hash": h, "failures": 1, "last_failure_at": now} for h in hashes]
        )
        statement = statement.on_conflict_do_update(
            index_elements=[FAILURES.c.key_hash],
            set_={
                "failures": case(
                    (FAILURES.c.last_failure_at < forget_before, 1), else_=FAILURES.c.failures + 1
                ),
                "last_failure_at": now,
            },
        )
        conn.execute(statement)
        conn.execute(delete(FAILURES).where(FAILURES.c.last_failure_at < forget_before))

    def clear(self, keys: Sequence[str]) -> None:
        hashes = [key_hash(k) for k in keys]
        if hashes:
            with self.engine.begin() as conn:
                conn.execute(delete(FAILURES).where(FAILURES.c.key_hash.in_(hashes)))
