"""The worklist's groups and "Mina patienter": ``worklist_status.contact_nurse_id`` (the pathway's current
contact nurse, with an index by unit, nurse and date) and ``worklist_unit_setting`` (each unit's grace period
before an item counts as overdue).

Rows existing before this revision are marked stale (``refresh_on`` in the past), so the next refresh fills
in their contact nurse.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NURSE_INDEX = "ix_worklist_status_unit_nurse"


def upgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_nurse_id", sa.String(length=64), nullable=True))
    op.execute("UPDATE worklist_status SET refresh_on = '2000-01-01'")
    op.create_index(
        NURSE_INDEX, "worklist_status", ["unit_hsa_id", "contact_nurse_id", "next_action_on"], unique=False
    )
    op.create_table(
        "worklist_unit_setting",
        sa.Column("unit_hsa_id", sa.String(length=64), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_hsa_id", name=op.f("pk_worklist_unit_setting")),
    )


def downgrade() -> None:
    op.drop_table("worklist_unit_setting")
    op.drop_index(NURSE_INDEX, table_name="worklist_status")
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.drop_column("contact_nurse_id")
