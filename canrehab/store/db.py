"""Engines, migrations and sessions.

SQLite (the embedded default) gets foreign keys, WAL and a busy timeout on every connection, and its
transactions are begun by SQLAlchemy rather than by the driver (``BEGIN``, or ``BEGIN IMMEDIATE`` for a
connection with the ``IMMEDIATE`` execution option, which every unit of work uses): a unit of work reads, then
writes its changes and audit rows at the end, and a deferred transaction that read first cannot wait for the
write lock (SQLite answers "database is locked" at once when another writer committed meanwhile), while an
immediate one takes the write lock at its start and waits up to the busy timeout for it. PostgreSQL
is reached through psycopg 3 with a pooled connection pinged at checkout only when it has been idle for
:data:`PING_AFTER_IDLE_SECONDS` (a connection a request returned a moment ago is not pinged again: under load
that saves two round trips per page; one a restart or a network timeout may have dropped is, and a dead one is
replaced before use). A database is always created by the Alembic migrations
shipped in ``canrehab/store/migrations`` (never ``create_all``).
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled PostgreSQL connection idle this long is pinged before it is handed out."""
# Execution option: begin this connection's transaction with BEGIN IMMEDIATE on SQLite (no effect elsewhere).
IMMEDIATE = "canrehab_immediate"


def normalise_url(url: str) -> URL:
    """``postgres://`` and ``postgresql://`` use psycopg 3; everything else is taken as given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; ``options`` go to ``create_engine`` (e.g. ``isolation_level="AUTOCOMMIT"``)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            **{
                "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                **options,
            },
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(parsed, **{"pool_size": 20, "max_overflow": 20, **options})
    event.listen(engine, "checkin", _idle_since)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


_IDLE_SINCE = "canrehab_idle_since"


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for a connection idle at least
    :data:`PING_AFTER_IDLE_SECONDS` (a new one has no idle time and is not pinged). A failed ping raises
    ``DisconnectionError``: the pool discards the connection and hands out a fresh one (the pool's
    documented contract for the checkout event). The ping is the dialect's own (psycopg: an empty statement
    in autocommit, so the connection is handed out outside a transaction, as it came back)."""
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except Exception as error:
        raise exc.DisconnectionError(f"stale pooled connection: {type(error).__name__}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
    # The driver must not open transactions of its own (it would begin them deferred, and only before DML):
    # SQLAlchemy's "begin" event below emits BEGIN [IMMEDIATE] instead.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(url_or_engine: str | Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest) with Alembic."""
    from alembic import command

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return normalise_url(url).render_as_string(hide_password=True)
