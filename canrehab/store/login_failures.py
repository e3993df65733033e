"""Failed logins per throttle key in the database (table ``login_failure``, ``orm_login_failures``): one row
per key with its count and the time of its last failure, shared by every process that serves the app.

A failure is counted with one upsert per attempt (``INSERT ... ON CONFLICT DO UPDATE``, which PostgreSQL and
SQLite both have), so that two workers counting the same key at the same moment both count: the database
adds one to the row as it stands, never to a value a process read earlier. A count whose last failure is
older than ``forget_before`` starts again at one in the same statement. Keys are stored as their sha256
(``key_hash``): no user name or address is written.

An attempt is let through by ``reserve``: in one transaction it locks the keys' rows (creating missing ones),
reads them, asks the caller's policy whether an attempt is allowed now and, if so, counts the attempt as a
failure before the password is checked. Parallel attempts on one key therefore queue on its row: each sees
the count the ones before it left, and a guesser who fires twelve wrong passwords at once gets exactly the
attempts the policy allows, not twelve. A correct password gives its reservation back (``release``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, select, update
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
            conn.execute(self._count(hashes, now, forget_before))
            conn.execute(delete(FAILURES).where(FAILURES.c.last_failure_at < forget_before))

    def reserve(
        self,
        keys: Sequence[str],
        now: datetime,
        forget_before: datetime,
        wait: Callable[[dict[str, Failures]], float],
    ) -> tuple[float, dict[str, Failures]]:
        """Let one attempt with ``keys`` through if ``wait`` (given the keys' failures as they stand, with
        their rows locked) answers 0: the attempt is then counted as a failure of each key at ``now``, in
        the same transaction. Otherwise nothing is written. Returns the wait and the failures as they
        stood before (for ``release``)."""
        hashes = {key_hash(k): k for k in keys}
        if not hashes:
            return 0.0, {}
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
                return waiting, found
            conn.execute(self._count(ordered, now, forget_before))
            conn.execute(delete(FAILURES).where(FAILURES.c.last_failure_at < forget_before))
            conn.commit()
        return 0.0, found

    def release(self, keys: Sequence[str], reserved_at: datetime, before: dict[str, Failures]) -> None:
        """Give back the attempt ``reserve`` counted at ``reserved_at`` for each of ``keys`` (the password
        was right): one failure less, and the last failure's time as it was before, unless another failure
        has been counted since."""
        with self.engine.begin() as conn:
            for key in sorted(keys, key=key_hash):
                previous = before.get(key)
                conn.execute(
                    update(FAILURES)
                    .where(FAILURES.c.key_hash == key_hash(key), FAILURES.c.failures > 0)
                    .values(
                        failures=FAILURES.c.failures - 1,
                        last_failure_at=case(
                            (
                                FAILURES.c.last_failure_at == reserved_at,
                                previous.last if previous else reserved_at,
                            ),
                            else_=FAILURES.c.last_failure_at,
                        ),
                    )
                )

    def _count(self, hashes: Sequence[str], now: datetime, forget_before: datetime) -> Any:
        """One more failure of each key at ``now``; a key last failed before ``forget_before`` starts again
        at one."""
        statement = self._upsert(FAILURES).values(
            [{"key_hash": h, "failures": 1, "last_failure_at": now} for h in hashes]
        )
        return statement.on_conflict_do_update(
            index_elements=[FAILURES.c.key_hash],
            set_={
                "failures": case(
                    (FAILURES.c.last_failure_at < forget_before, 1), else_=FAILURES.c.failures + 1
                ),
                "last_failure_at": now,
            },
        )

    def clear(self, keys: Sequence[str]) -> None:
        hashes = [key_hash(k) for k in keys]
        if hashes:
            with self.engine.begin() as conn:
                conn.execute(delete(FAILURES).where(FAILURES.c.key_hash.in_(hashes)))
