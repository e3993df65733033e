"""structure_entry: the structure register per care unit and diagnosis process, one row per version
(issue 11 item 4; 000 mål 1–4 strukturmått, 001's agreements with primary care); svf_record: a pathway's
SVF dates (välgrundad misstanke, MDK, start of first treatment; issue 11 item 6); gap_analysis_version:
every version of a gap analysis (004) as a document (issue 11 item 7).

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "structure_entry",
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("process", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("values", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("unit_hsa_id", "process", "version", name=op.f("pk_structure_entry")),
    )
    op.create_index("ix_structure_entry_recorded_on", "structure_entry", ["recorded_on"])
    op.create_table(
        "svf_record",
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("svf_pathway", sa.String(length=60), nullable=False),
        sa.Column("suspicion_on", sa.Date(), nullable=False),
        sa.Column("mdk_discussed", sa.Boolean(), nullable=True),
        sa.Column("mdk_on", sa.Date(), nullable=True),
        sa.Column("treatment_start_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathway.id"], name=op.f("fk_svf_record_pathway_id_pathway")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_svf_record_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("pathway_id", name=op.f("pk_svf_record")),
    )
    op.create_index("ix_svf_record_patient_id", "svf_record", ["patient_id"])
    op.create_table(
        "gap_analysis_version",
        sa.Column("analysis_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("analysis_id", "version", name=op.f("pk_gap_analysis_version")),
    )


def downgrade() -> None:
    op.drop_table("gap_analysis_version")
    op.drop_index("ix_svf_record_patient_id", table_name="svf_record")
    op.drop_table("svf_record")
    op.drop_index("ix_structure_entry_recorded_on", table_name="structure_entry")
    op.drop_table("structure_entry")
