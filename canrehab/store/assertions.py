"""The used client assertions (table ``client_assertion``): ``first_use`` is true once per (client, jti).

The primary key decides, so two server processes racing with the same assertion cannot both accept it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from canrehab.store.orm import TABLES
from canrehab.store.orm_oauth import ClientAssertionRow

CLIENT_ASSERTION = TABLES[ClientAssertionRow.__tablename__]


def key_hash(client_id: str, jti: str) -> str:
    return hashlib.sha256(f"{client_id}\x1f{jti}".encode()).hexdigest()


class AssertionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def first_use(self, client_id: str, jti: str, expires_at: datetime, now: datetime | None = None) -> bool:
        """Records the assertion; False when it was used before (a replay)."""
        now = now or datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(CLIENT_ASSERTION).where(CLIENT_ASSERTION.c.expires_at < now))
                conn.execute(
                    insert(CLIENT_ASSERTION).values(
                        key_hash=key_hash(client_id, jti), client_id=client_id[:100], expires_at=expires_at
                    )
                )
        except IntegrityError:
            return False
        return True
