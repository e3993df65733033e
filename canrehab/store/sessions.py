"""Server-side web sessions (table ``web_session``).

The signed session cookie carries a random token; the table holds only its sha256 with the username, the
login method and the login / last-seen / absolute-expiry times. A session is valid only while its row
exists and neither the idle timeout nor the absolute lifetime has passed, so:

* logout deletes the row, and a copied cookie no longer works;
* expiry is decided here on the server, not by the cookie's max age;
* a locked or removed account ends its sessions (rows deleted on lockout; cascade on account removal).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine

from canrehab.store.mapping import aware
from canrehab.store.orm import TABLES
from canrehab.store.repositories.accounts import ACCOUNT, Account, account_from_row

WEB_SESSION = TABLES["web_session"]
# A request's session row and its account in one round trip (built once: its compiled form is cached).
_SESSION_AND_ACCOUNT = (
    select(WEB_SESSION, *(c.label(f"account_{c.name}") for c in ACCOUNT.c))
    .outerjoin(ACCOUNT, ACCOUNT.c.username == WEB_SESSION.c.username)
    .where(WEB_SESSION.c.token_hash == bindparam("token_hash"))
)
TOUCH_INTERVAL = timedelta(seconds=60)  # last_seen_at is written at most once a minute per session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class WebSession:
    token_hash: str
    username: str
    method: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def expired(self, now: datetime, idle_timeout: timedelta) -> bool:
        return now >= self.expires_at or now - self.last_seen_at > idle_timeout


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The per-request read is one SELECT: on PostgreSQL without a transaction around it (no BEGIN and
        # ROLLBACK round trips). SQLite keeps its own BEGIN handling (``store.db``).
        self._read_engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )

    def create(self, username: str, method: str, lifetime: timedelta, now: datetime | None = None) -> str:
        """A new session for the user; returns the raw token (for the cookie only, never stored)."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_SESSION).where(WEB_SESSION.c.expires_at < now))  # housekeeping
            conn.execute(
                insert(WEB_SESSION).values(
                    token_hash=token_hash(token),
                    username=username,
                    method=method[:16],
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetime,
                )
            )
        return token

    def get(self, token: str) -> WebSession | None:
        if not token:
            return None
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(WEB_SESSION).where(WEB_SESSION.c.token_hash == token_hash(token)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return _session(row)

    def get_with_account(self, token: str) -> tuple[WebSession, Account | None] | None:
        """The session of this token and the account it belongs to (None: removed), read in one query: what
        the web checks on every request, without a transaction of its own for the account."""
        if not token:
            return None
        with self._read_engine.connect() as conn:
            row = conn.execute(_SESSION_AND_ACCOUNT, {"token_hash": token_hash(token)}).mappings().first()
        if row is None:
            return None
        account = None
        if row["account_username"] is not None:
            account = account_from_row({c.name: row[f"account_{c.name}"] for c in ACCOUNT.c})
        return _session(row), account

    def touch(self, session: WebSession, now: datetime) -> None:
        if now - session.last_seen_at < TOUCH_INTERVAL:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(WEB_SESSION)
                .where(WEB_SESSION.c.token_hash == session.token_hash)
                .values(last_seen_at=now)
            )

    def end(self, token: str) -> None:
        if not token:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(WEB_SESSION).where(WEB_SESSION.c.token_hash == token_hash(token)))

    def end_all(self, username: str) -> int:
        """Ends every session of the user (account locked or deactivated); returns how many."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(WEB_SESSION).where(WEB_SESSION.c.username == username))
        return int(result.rowcount or 0)


def _session(row: Any) -> WebSession:
    return WebSession(
        token_hash=row["token_hash"],
        username=row["username"],
        method=row["method"],
        created_at=aware(row["created_at"]) or row["created_at"],
        last_seen_at=aware(row["last_seen_at"]) or row["last_seen_at"],
        expires_at=aware(row["expires_at"]) or row["expires_at"],
    )
