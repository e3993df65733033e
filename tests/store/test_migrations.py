"""The schema is created by the migrations, matches the models, and the audit log is append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from canrehab.store import (
    orm_bulk,  # noqa: F401  (the bulk export jobs of migration 0011)
    orm_care,  # noqa: F401  (the tables of migration 0008 join the metadata)
    orm_idempotency,  # noqa: F401  (migration 0015)
    orm_login_failures,  # noqa: F401  (migration 0021)
    orm_oauth,  # noqa: F401  (the client_assertion table of migration 0012)
    orm_versions,  # noqa: F401  (record_version, migration 0013)
    orm_worklist,  # noqa: F401  (its tables join Base.metadata)
)
from canrehab.store.db import current_revision, make_engine, migrate
from canrehab.store.orm import Base

# 0022: login failures shared by the workers; 0021: SVF first-treatment kind; 0020: worklist SVF flags;
# 0019: pathway started at välgrundad misstanke; 0018: assignment HSA-id unique
HEAD = "0022"
EXPECTED_TABLES = {
    "care_unit",
    "idempotency_key",
    "login_failure",
    "staff",
    "patient",
    "pathway",
    "assessment",
    "rehab_plan",
    "handover",
    "referral",
    "kva_record",
    "audit_log",
    "record_version",
    "user_account",
    "assessment_link",
    "worklist_status",
    "web_session",
    "worklist_unit_setting",
    "relative",
    "relative_support",
    "mdk_rehab_case",
    "structure_entry",
    "svf_record",
    "gap_analysis_version",
    "bulk_export_job",
    "client_assertion",
}


def test_migration_creates_every_table_and_matches_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) is None
        migrate(empty_db_url)
        assert set(sa.inspect(engine).get_table_names()) == EXPECTED_TABLES | {"alembic_version"}
        assert current_revision(engine) == HEAD
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        migrate(engine)  # idempotent: already at head
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_contract_columns(engine: Engine) -> None:
    inspector = sa.inspect(engine)
    account = {c["name"] for c in inspector.get_columns("user_account")}
    assert account == {
        "username",
        "password_hash",
        "role",
        "display_name",
        "staff_id",
        "patient_id",
        "unit_hsa_ids",
        "failed_logins",
        "locked_until",
        "created_at",
    }
    for table in ("pathway", "assessment", "rehab_plan", "handover", "referral"):
        assert "version" in {c["name"] for c in inspector.get_columns(table)}
    worklist_indexes = [tuple(i["column_names"]) for i in inspector.get_indexes("worklist_status")]
    assert any(columns[:2] == ("unit_hsa_id", "next_action_on") for columns in worklist_indexes)
    handover_indexes = {tuple(i["column_names"]) for i in inspector.get_indexes("handover")}
    assert {("to_unit_hsa_id", "status"), ("from_unit_hsa_id", "status")} <= handover_indexes


def _insert_audit(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO audit_log (at, actor_username, actor_role, actor_units, action, entity_type,"
            " entity_id, detail) VALUES (CURRENT_TIMESTAMP, 'a', 'nurse', '', 'read', 'patient', 'p1', '')"
        )
    )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET detail = 'changed'", "DELETE FROM audit_log"],
)
def test_audit_log_rejects_update_and_delete(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        _insert_audit(conn)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT detail FROM audit_log")).scalars().all() == [""]


def test_audit_log_rejects_truncate_on_postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with engine.begin() as conn:
        _insert_audit(conn)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_log"))


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO staff (id, hsa_id, name, profession, unit_hsa_id)"
                " VALUES ('s1', 'h1', 'n', 'nurse', 'no-such-unit')"
            )
        )


def test_downgrade_and_upgrade_again(empty_db_url: str) -> None:
    from alembic import command

    from canrehab.store.db import alembic_config

    engine = make_engine(empty_db_url)
    try:
        migrate(engine)
        config = alembic_config(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert set(sa.inspect(engine).get_table_names()) >= EXPECTED_TABLES
    finally:
        engine.dispose()
