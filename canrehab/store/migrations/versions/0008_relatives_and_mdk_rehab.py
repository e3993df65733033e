"""relatives of a patient with the patient's consent (relative), the support given to them with its KVÅ
record (relative_support: QT011, QQ001, GB010, DU055-DU057), and MDK-rehab as its own workflow
(mdk_rehab_case: the referral to the healthcare region's coordinator and the conference's recommendation
and proposed plan).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "relative",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=24), nullable=False),
        sa.Column("phone", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("consent", sa.String(length=24), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name="fk_relative_patient_id_patient"),
        sa.PrimaryKeyConstraint("id", name="pk_relative"),
    )
    op.create_index("ix_relative_patient_id", "relative", ["patient_id"])
    op.create_table(
        "relative_support",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("relative_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("kva_record_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name="fk_relative_support_patient_id_patient"
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name="fk_relative_support_pathway_id_pathway"
        ),
        sa.ForeignKeyConstraint(
            ["relative_id"], ["relative.id"], name="fk_relative_support_relative_id_relative"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_relative_support"),
    )
    for column in ("patient_id", "pathway_id", "relative_id"):
        op.create_index(f"ix_relative_support_{column}", "relative_support", [column])
    op.create_table(
        "mdk_rehab_case",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("from_unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("from_staff_id", sa.String(length=64), nullable=False),
        sa.Column("coordinator_unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("healthcare_region", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("conference_on", sa.Date(), nullable=True),
        sa.Column("outcome", JSON, nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name="fk_mdk_rehab_case_patient_id_patient"),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathway.id"], name="fk_mdk_rehab_case_pathway_id_pathway"),
        sa.PrimaryKeyConstraint("id", name="pk_mdk_rehab_case"),
    )
    for column in ("patient_id", "pathway_id", "coordinator_unit_hsa_id"):
        op.create_index(f"ix_mdk_rehab_case_{column}", "mdk_rehab_case", [column])


def downgrade() -> None:
    op.drop_table("mdk_rehab_case")
    op.drop_table("relative_support")
    op.drop_table("relative")
