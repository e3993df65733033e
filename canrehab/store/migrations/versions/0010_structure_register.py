"""structure_entry: the structure register per care unit and diagnosis process, one row per version
(issue 11 item 4; 000 mål 1–4 strukturmått, 001's agreements with primary care).

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
down_revision: str | None = "0007"
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


def downgrade() -> None:
    op.drop_index("ix_structure_entry_recorded_on", table_name="structure_entry")
    op.drop_table("structure_entry")
