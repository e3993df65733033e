"""The PostgreSQL pool: a connection idle long enough is pinged before use and replaced when the server has
dropped it; one returned a moment ago is handed out as it is (no round trip), and a dropped one of those
fails once, after which the pool has replaced it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from sqlalchemy.engine import Engine

from canrehab.store import db
from tests.conftest import PgServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_server: PgServer) -> Iterator[Engine]:
    name = f"canrehab_t_pool_{uuid.uuid4().hex[:8]}"
    engine = db.make_engine(pg_server.create(name), pool_size=1, max_overflow=0)
    try:
        yield engine
    finally:
        engine.dispose()
        pg_server.drop(name)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pg_server: PgServer, pid: int) -> None:
    with pg_server.admin.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(
    engine: Engine, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(engine)
    _terminate(pg_server, first)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # the connection counts as idle at once
    assert _backend_pid(engine) != first  # no error reaches the caller


def test_a_connection_returned_a_moment_ago_is_not_pinged(
    engine: Engine, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(engine)
    assert _backend_pid(engine) == first  # the same pooled connection
    _terminate(pg_server, first)
    with pytest.raises(sa.exc.OperationalError):  # not pinged: the use itself finds it dropped
        _backend_pid(engine)
    assert _backend_pid(engine) != first  # ... and the pool has replaced it


def test_a_pinged_connection_is_handed_out_outside_a_transaction(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ping must not leave a transaction open: a caller that switches the connection to autocommit
    (the session store's reads) would be refused ("can't change 'autocommit' now")."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        assert raw.info.transaction_status == TransactionStatus.IDLE
