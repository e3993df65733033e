"""User accounts: who may log in, with which role and units, and the login bookkeeping (failed logins,
lockout)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from canrehab.domain.errors import DomainError
from canrehab.store.audit import AuditLog
from canrehab.store.mapping import aware
from canrehab.store.orm import TABLES
from canrehab.store.repositories.base import execute_write

ACCOUNT = TABLES["user_account"]


@dataclass(frozen=True)
class Account:
    username: str
    password_hash: str
    role: str
    display_name: str
    staff_id: str | None
    patient_id: str | None
    unit_hsa_ids: tuple[str, ...]
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime

    def locked_at(self, now: datetime) -> bool:
        """Whether the account is locked out (too many failed logins) at ``now``."""
        return self.locked_until is not None and self.locked_until > now

    @property
    def locked(self) -> bool:
        """Whether the account is locked out now."""
        return self.locked_at(datetime.now(UTC))


def account_from_row(row: Any) -> Account:
    """An account from its ``user_account`` row (a mapping by column name)."""
    return Account(
        username=row["username"],
        password_hash=row["password_hash"] or "",
        role=row["role"],
        display_name=row["display_name"] or row["username"],
        staff_id=row["staff_id"],
        patient_id=row["patient_id"],
        unit_hsa_ids=tuple(row["unit_hsa_ids"] or ()),
        failed_logins=int(row["failed_logins"] or 0),
        locked_until=aware(row["locked_until"]),
        created_at=aware(row["created_at"]) or row["created_at"],
    )


class AccountRepository:
    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit

    def get(self, username: str) -> Account | None:
        return find_account(self.session, username)

    def list_all(self) -> list[Account]:
        rows = self.session.execute(select(ACCOUNT).order_by(ACCOUNT.c.username)).mappings()
        return [account_from_row(row) for row in rows]

    def create(
        self,
        username: str,
        password_hash: str,
        role: str,
        display_name: str,
        staff_id: str | None = None,
        patient_id: str | None = None,
        unit_hsa_ids: Sequence[str] = (),
    ) -> Account:
        if not username or username != username.strip():
            raise DomainError("account.username", "Ogiltigt användarnamn.", "invalid username")
        if self.get(username) is not None:
            raise DomainError("account.exists", "Användarnamnet är upptaget.", "username taken")
        values = {
            "username": username,
            "password_hash": password_hash,
            "role": role,
            "display_name": display_name,
            "staff_id": staff_id,
            "patient_id": patient_id,
            "unit_hsa_ids": list(unit_hsa_ids),
            "failed_logins": 0,
            "locked_until": None,
            "created_at": datetime.now(UTC),
        }
        execute_write(self.session, "user_account", insert(ACCOUNT).values(values), {})
        public = {k: v for k, v in values.items() if k not in ("password_hash", "created_at")}
        self.audit.record("create", "user_account", username, patient_id, after=public)
        return account_from_row(values)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        result = self.session.execute(
            update(ACCOUNT).where(ACCOUNT.c.username == username).values(password_hash=password_hash)
        )
        if getattr(result, "rowcount", 1) == 0:
            raise DomainError("account.not_found", "Kontot finns inte.", "account not found")
        self.audit.record("update", "user_account", username, None, "lösenord bytt")

    def login_succeeded(self, username: str) -> None:
        """A successful login clears the failure count and any lockout (not audited: the web session is)."""
        self.session.execute(
            update(ACCOUNT).where(ACCOUNT.c.username == username).values(failed_logins=0, locked_until=None)
        )

    def login_failed(self, username: str, max_failures: int, lockout: timedelta, now: datetime) -> bool:
        """Counts a failed login; at ``max_failures`` the account is locked until ``now + lockout`` and the
        count starts again. True when this failure locked it."""
        current = self.session.execute(
            select(ACCOUNT.c.failed_logins).where(ACCOUNT.c.username == username).with_for_update()
        ).scalar()
        failures = int(current or 0) + 1
        values: dict[str, Any] = {"failed_logins": failures}
        locked = failures >= max_failures
        if locked:
            values.update(failed_logins=0, locked_until=now + lockout)
        self.session.execute(update(ACCOUNT).where(ACCOUNT.c.username == username).values(**values))
        return locked


def find_account(session: Session, username: str) -> Account | None:
    """The account named ``username`` (exactly), or None."""
    if not username:
        return None
    row = session.execute(select(ACCOUNT).where(ACCOUNT.c.username == username)).mappings().first()
    return account_from_row(row) if row is not None else None
