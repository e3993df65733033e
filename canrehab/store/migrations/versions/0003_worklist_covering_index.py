"""worklist_status: sort_name, and a covering index so that a unit's counts and sorted page are index-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_worklist_status_unit_next"
COLUMNS = [
    "unit_hsa_id",
    "next_action_on",
    "process",
    "phase",
    "level",
    "no_contact_nurse",
    "no_min_vardplan",
    "assessment_due",
    "assessment_overdue",
    "assessments_to_confirm",
    "plan_missing",
    "plan_follow_up_due",
    "referrals_waiting",
    "handovers_in_awaiting",
    "handovers_out_unconfirmed",
    "handovers_out_overdue",
    "sort_name",
    "pathway_id",
]


def upgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_name", sa.String(length=200), server_default="", nullable=False))
    op.execute(
        "UPDATE worklist_status SET sort_name = "
        "(SELECT patient.name FROM patient WHERE patient.id = worklist_status.patient_id)"
    )
    op.drop_index(INDEX, table_name="worklist_status")
    op.create_index(INDEX, "worklist_status", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="worklist_status")
    op.create_index(INDEX, "worklist_status", ["unit_hsa_id", "next_action_on"], unique=False)
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.drop_column("sort_name")
