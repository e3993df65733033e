"""The session row and its account read in one query (what the web checks on every request)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canrehab.store.audit import AuditActor
from canrehab.store.sessions import SessionStore
from canrehab.store.uow import UnitOfWork

SYSTEM = AuditActor("system", "system", ())


def test_session_and_account_come_back_together(uow: Callable[..., UnitOfWork], engine: Engine) -> None:
    with uow(SYSTEM, log_reads=False) as u:
        u.accounts.create("ssk", "hash", "sjuksköterska", "Sara Ek")
    store = SessionStore(engine)
    now = datetime.now(UTC)
    token = store.create("ssk", "password", timedelta(hours=8), now)

    found = store.get_with_account(token)
    assert found is not None
    session, account = found
    assert session == store.get(token)
    assert account is not None
    assert (account.username, account.display_name, account.role) == ("ssk", "Sara Ek", "sjuksköterska")
    with uow(SYSTEM, log_reads=False) as u:
        assert account == u.accounts.get("ssk")

    assert store.get_with_account("no-such-token") is None
    assert store.get_with_account("") is None
    store.end(token)
    assert store.get_with_account(token) is None


def test_removing_the_account_ends_its_sessions(uow: Callable[..., UnitOfWork], engine: Engine) -> None:
    with uow(SYSTEM, log_reads=False) as u:
        u.accounts.create("gone", "hash", "sjuksköterska", "Gun Olsson")
    store = SessionStore(engine)
    token = store.create("gone", "oidc", timedelta(hours=1))
    found = store.get_with_account(token)
    assert found is not None and found[0].method == "oidc"
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM user_account WHERE username = 'gone'"))
    assert store.get_with_account(token) is None  # the session row went with it (cascade)
