"""The web layer's database handle: one engine and session factory per app, and the login bookkeeping on
the ``user_account`` table (owned by the store; read here through SQLAlchemy Core by its column names)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from canrehab.config import Settings
from canrehab.web.auth import WebUser


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

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > datetime.now(UTC)

    @property
    def web_user(self) -> WebUser:
        return WebUser(
            username=self.username,
            role=self.role,
            display_name=self.display_name,
            staff_id=self.staff_id,
            patient_id=self.patient_id,
            unit_hsa_ids=self.unit_hsa_ids,
        )


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _units(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = [v for v in value.replace(";", ",").split(",") if v]
        value = parsed
    return tuple(str(v) for v in value)


class Database:
    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        url = settings.resolved_database_url
        if engine is None:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False}
            else:
                kwargs.update(pool_size=20, max_overflow=40)
            engine = create_engine(url, **kwargs)
        self.engine = engine
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._accounts: Table | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as s, s.begin():
            yield s

    @property
    def accounts(self) -> Table:
        if self._accounts is None:
            self._accounts = Table("user_account", MetaData(), autoload_with=self.engine)
        return self._accounts

    def load_user(self, username: str) -> Account | None:
        if not username:
            return None
        t = self.accounts
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.username == username)).mappings().first()
        if row is None:
            return None
        display = row.get("display_name") or row.get("name") or username
        return Account(
            username=row["username"],
            password_hash=row["password_hash"] or "",
            role=row["role"],
            display_name=str(display),
            staff_id=row.get("staff_id"),
            patient_id=row.get("patient_id"),
            unit_hsa_ids=_units(row.get("unit_hsa_ids")),
            failed_logins=int(row.get("failed_logins") or 0),
            locked_until=_aware(row.get("locked_until")),
        )

    def login_succeeded(self, username: str) -> None:
        t = self.accounts
        with self.engine.begin() as conn:
            conn.execute(update(t).where(t.c.username == username).values(failed_logins=0, locked_until=None))

    def login_failed(self, username: str, max_failures: int, lockout: timedelta) -> bool:
        """Counts a failed login; locks the account for ``lockout`` at ``max_failures``. True when locked."""
        t = self.accounts
        with self.engine.begin() as conn:
            current = conn.execute(select(t.c.failed_logins).where(t.c.username == username)).scalar()
            failures = int(current or 0) + 1
            values: dict[str, Any] = {"failed_logins": failures}
            locked = failures >= max_failures
            if locked:
                values["locked_until"] = datetime.now(UTC) + lockout
                values["failed_logins"] = 0
            conn.execute(update(t).where(t.c.username == username).values(**values))
        return locked
