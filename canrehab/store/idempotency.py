"""Form idempotency keys in the store (table ``idempotency_key``, ``orm_idempotency``): claimed in the
transaction that creates the record, so the key and the record are committed together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from canrehab.store.orm_idempotency import IdempotencyKey

KEYS: Table = IdempotencyKey.__table__  # type: ignore[assignment]
KEEP = timedelta(days=2)  # a form older than this is long expired; its key may go


@dataclass(frozen=True)
class Claimed:
    """A key that an earlier, committed submit used: by whom, for what, and where its result is shown."""

    username: str
    scope: str
    result: str


def _find(session: Session, key: str) -> Claimed | None:
    row = session.execute(
        select(KEYS.c.username, KEYS.c.scope, KEYS.c.result).where(KEYS.c.key == key)
    ).first()
    return None if row is None else Claimed(row.username, row.scope, row.result)


def claim(session: Session, key: str, username: str, scope: str) -> Claimed | None:
    """Take ``key`` for this transaction; returns the earlier submit's record when the key was used before.

    A concurrent submit of the same key waits on the primary key until the first one's transaction ends
    (PostgreSQL; SQLite's units of work are serialised anyway) and then finds its committed row."""
    found = _find(session, key)
    if found is not None:
        return found
    now = datetime.now(UTC)
    try:
        with session.begin_nested():
            session.execute(
                insert(KEYS).values(key=key, username=username, scope=scope, result="", created_at=now)
            )
    except IntegrityError:
        found = _find(session, key)
        if found is None:  # pragma: no cover - the other transaction's row is visible once it has committed
            raise
        return found
    session.execute(delete(KEYS).where(KEYS.c.created_at < now - KEEP))
    return None


def finish(session: Session, key: str, result: str) -> None:
    """Where the record the claimed key created is shown (committed with it)."""
    session.execute(update(KEYS).where(KEYS.c.key == key).values(result=result))
