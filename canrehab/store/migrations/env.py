"""Alembic environment, configured programmatically by ``canrehab.store.db.migrate`` (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from canrehab.store import (  # noqa: F401  (their tables join Base.metadata; issue 11, 15)
    orm_bulk,
    orm_care,
    orm_idempotency,
    orm_oauth,
    orm_structure,
    orm_svf,
    orm_versions,
    orm_worklist,
)
from canrehab.store.orm import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from canrehab.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
