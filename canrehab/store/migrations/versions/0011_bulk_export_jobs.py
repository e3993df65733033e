"""bulk_export_job: the FHIR Bulk Data export jobs (issue 15 item 1): who asked, what, the state and the
manifest's outputs, so that a job's status survives the kick-off request.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "bulk_export_job",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner_username", sa.String(length=100), nullable=False),
        sa.Column("owner_role", sa.String(length=40), nullable=False),
        sa.Column("owner_units", JSON, nullable=False),
        sa.Column("owner_staff_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column("pseudonymised", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.String(length=200), nullable=False),
        sa.Column("patients_done", sa.Integer(), nullable=False),
        sa.Column("patients_total", sa.Integer(), nullable=True),
        sa.Column("transaction_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("output", JSON, nullable=False),
        sa.Column("error", JSON, nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_export_job")),
    )
    op.create_index("ix_bulk_export_job_owner_username", "bulk_export_job", ["owner_username"])


def downgrade() -> None:
    op.drop_index("ix_bulk_export_job_owner_username", table_name="bulk_export_job")
    op.drop_table("bulk_export_job")
