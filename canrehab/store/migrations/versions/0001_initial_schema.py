"""initial schema: every table of canrehab.store.orm, and the append-only triggers on audit_log

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

APPEND_ONLY_MESSAGE = "audit_log is append-only: UPDATE, DELETE and TRUNCATE are not allowed"

PG_APPEND_ONLY = [
    f"""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]
SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
]


def _install_append_only() -> None:
    dialect = op.get_bind().dialect.name
    statements = PG_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY
    for statement in statements:
        op.execute(statement)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_username", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("actor_units", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_actor_username"), "audit_log", ["actor_username"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_patient_id"), "audit_log", ["patient_id"], unique=False)

    op.create_table(
        "care_unit",
        sa.Column("hsa_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("hsa_id", name=op.f("pk_care_unit")),
    )
    op.create_index(op.f("ix_care_unit_county_code"), "care_unit", ["county_code"], unique=False)

    op.create_table(
        "patient",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("personnummer", sa.String(length=12), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("is_coordination_number", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("deceased_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("personnummer", name=op.f("uq_patient_personnummer")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_patient_pseudonym")),
    )
    op.create_index(op.f("ix_patient_name"), "patient", ["name"], unique=False)

    op.create_table(
        "kva_record",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("performer_id", sa.String(length=64), nullable=True),
        sa.Column("profession_code", sa.String(length=8), nullable=True),
        sa.Column("care_type", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_kva_record_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kva_record")),
    )
    op.create_index(op.f("ix_kva_record_code"), "kva_record", ["code"], unique=False)
    op.create_index(op.f("ix_kva_record_patient_id"), "kva_record", ["patient_id"], unique=False)
    op.create_index(op.f("ix_kva_record_performed_on"), "kva_record", ["performed_on"], unique=False)

    op.create_table(
        "pathway",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("icd10", sa.String(length=8), nullable=False),
        sa.Column("diagnosed_on", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=40), nullable=False),
        sa.Column("phases", JSON, nullable=False),
        sa.Column("contact_nurses", JSON, nullable=False),
        sa.Column("min_vardplan", JSON, nullable=False),
        sa.Column("confirmed_level", sa.Integer(), nullable=True),
        sa.Column("confirmed_level_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_pathway_patient_id_patient")),
        sa.ForeignKeyConstraint(
            ["unit_hsa_id"], ["care_unit.hsa_id"], name=op.f("fk_pathway_unit_hsa_id_care_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
    )
    op.create_index(op.f("ix_pathway_patient_id"), "pathway", ["patient_id"], unique=False)
    op.create_index(op.f("ix_pathway_process"), "pathway", ["process"], unique=False)
    op.create_index(op.f("ix_pathway_unit_hsa_id"), "pathway", ["unit_hsa_id"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("hsa_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("profession", sa.String(length=40), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_hsa_id"], ["care_unit.hsa_id"], name=op.f("fk_staff_unit_hsa_id_care_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("hsa_id", name=op.f("uq_staff_hsa_id")),
    )
    op.create_index(op.f("ix_staff_unit_hsa_id"), "staff", ["unit_hsa_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_id", sa.String(length=64), nullable=False),
        sa.Column("instrument_version", sa.String(length=32), nullable=False),
        sa.Column("key_moment", sa.String(length=32), nullable=False),
        sa.Column("respondent", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suggestion", JSON, nullable=True),
        sa.Column("confirmed_level", sa.Integer(), nullable=True),
        sa.Column("level_overridden", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_assessment_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_assessment_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    op.create_index(op.f("ix_assessment_pathway_id"), "assessment", ["pathway_id"], unique=False)
    op.create_index(op.f("ix_assessment_patient_id"), "assessment", ["patient_id"], unique=False)

    op.create_table(
        "handover",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("from_unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("to_unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("from_staff_id", sa.String(length=64), nullable=False),
        sa.Column("from_profession", sa.String(length=40), nullable=True),
        sa.Column("to_profession", sa.String(length=40), nullable=True),
        sa.Column("to_staff_id", sa.String(length=64), nullable=True),
        sa.Column("content", JSON, nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("patient_contacted_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("patient_informed", sa.Boolean(), nullable=False),
        sa.Column("patient_informed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathway.id"], name=op.f("fk_handover_pathway_id_pathway")),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_handover_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover")),
    )
    op.create_index("ix_handover_from_unit_status", "handover", ["from_unit_hsa_id", "status"], unique=False)
    op.create_index(op.f("ix_handover_pathway_id"), "handover", ["pathway_id"], unique=False)
    op.create_index(op.f("ix_handover_patient_id"), "handover", ["patient_id"], unique=False)
    op.create_index("ix_handover_to_unit_status", "handover", ["to_unit_hsa_id", "status"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("from_unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("from_staff_id", sa.String(length=64), nullable=False),
        sa.Column("to_profession", sa.String(length=40), nullable=False),
        sa.Column("to_unit_hsa_id", sa.String(length=64), nullable=True),
        sa.Column("is_mdk_rehab", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathway.id"], name=op.f("fk_referral_pathway_id_pathway")),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_referral_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index(op.f("ix_referral_pathway_id"), "referral", ["pathway_id"], unique=False)
    op.create_index(op.f("ix_referral_patient_id"), "referral", ["patient_id"], unique=False)
    op.create_index("ix_referral_to_unit_status", "referral", ["to_unit_hsa_id", "status"], unique=False)

    op.create_table(
        "rehab_plan",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("versions", JSON, nullable=False),
        sa.Column("events", JSON, nullable=False),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_rehab_plan_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_rehab_plan_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rehab_plan")),
    )
    op.create_index(op.f("ix_rehab_plan_pathway_id"), "rehab_plan", ["pathway_id"], unique=False)
    op.create_index(op.f("ix_rehab_plan_patient_id"), "rehab_plan", ["patient_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=True),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("unit_hsa_ids", JSON, nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_user_account_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_user_account_staff_id_staff")),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_user_account")),
    )
    op.create_table(
        "worklist_status",
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("process", sa.String(length=40), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("no_contact_nurse", sa.Boolean(), nullable=False),
        sa.Column("no_min_vardplan", sa.Boolean(), nullable=False),
        sa.Column("assessment_due", sa.Date(), nullable=True),
        sa.Column("assessment_overdue", sa.Boolean(), nullable=False),
        sa.Column("plan_missing", sa.Boolean(), nullable=False),
        sa.Column("plan_follow_up_due", sa.Date(), nullable=True),
        sa.Column("referrals_waiting", sa.Integer(), nullable=False),
        sa.Column("handovers_in_awaiting", sa.Integer(), nullable=False),
        sa.Column("handovers_out_unconfirmed", sa.Integer(), nullable=False),
        sa.Column("handovers_out_overdue", sa.Integer(), nullable=False),
        sa.Column("next_action_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_worklist_status_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_worklist_status_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("pathway_id", name=op.f("pk_worklist_status")),
    )
    op.create_index(op.f("ix_worklist_status_patient_id"), "worklist_status", ["patient_id"], unique=False)
    op.create_index(
        "ix_worklist_status_unit_next", "worklist_status", ["unit_hsa_id", "next_action_on"], unique=False
    )

    op.create_table(
        "assessment_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_assessment_link_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_assessment_link")),
    )
    op.create_index(
        op.f("ix_assessment_link_assessment_id"), "assessment_link", ["assessment_id"], unique=False
    )
    _install_append_only()


def downgrade() -> None:
    _drop_append_only()
    op.drop_index(op.f("ix_assessment_link_assessment_id"), table_name="assessment_link")

    op.drop_table("assessment_link")
    op.drop_index("ix_worklist_status_unit_next", table_name="worklist_status")
    op.drop_index(op.f("ix_worklist_status_patient_id"), table_name="worklist_status")

    op.drop_table("worklist_status")
    op.drop_table("user_account")
    op.drop_index(op.f("ix_rehab_plan_patient_id"), table_name="rehab_plan")
    op.drop_index(op.f("ix_rehab_plan_pathway_id"), table_name="rehab_plan")

    op.drop_table("rehab_plan")
    op.drop_index("ix_referral_to_unit_status", table_name="referral")
    op.drop_index(op.f("ix_referral_patient_id"), table_name="referral")
    op.drop_index(op.f("ix_referral_pathway_id"), table_name="referral")

    op.drop_table("referral")
    op.drop_index("ix_handover_to_unit_status", table_name="handover")
    op.drop_index(op.f("ix_handover_patient_id"), table_name="handover")
    op.drop_index(op.f("ix_handover_pathway_id"), table_name="handover")
    op.drop_index("ix_handover_from_unit_status", table_name="handover")

    op.drop_table("handover")
    op.drop_index(op.f("ix_assessment_patient_id"), table_name="assessment")
    op.drop_index(op.f("ix_assessment_pathway_id"), table_name="assessment")

    op.drop_table("assessment")
    op.drop_index(op.f("ix_staff_unit_hsa_id"), table_name="staff")

    op.drop_table("staff")
    op.drop_index(op.f("ix_pathway_unit_hsa_id"), table_name="pathway")
    op.drop_index(op.f("ix_pathway_process"), table_name="pathway")
    op.drop_index(op.f("ix_pathway_patient_id"), table_name="pathway")

    op.drop_table("pathway")
    op.drop_index(op.f("ix_kva_record_performed_on"), table_name="kva_record")
    op.drop_index(op.f("ix_kva_record_patient_id"), table_name="kva_record")
    op.drop_index(op.f("ix_kva_record_code"), table_name="kva_record")

    op.drop_table("kva_record")
    op.drop_index(op.f("ix_patient_name"), table_name="patient")

    op.drop_table("patient")
    op.drop_index(op.f("ix_care_unit_county_code"), table_name="care_unit")

    op.drop_table("care_unit")
    op.drop_index(op.f("ix_audit_log_patient_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_username"), table_name="audit_log")

    op.drop_table("audit_log")
