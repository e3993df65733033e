"""The worklist flags ``svf_mdk_due`` and ``svf_treatment_due`` (issue 11 item 6): an SVF pathway waiting for
its MDK or its first treatment, dated by the suspicion plus the SVF's maximum lead time
(``domain.worklist.svf_waiting``). Both join the covering index, so that the counts stay an index-only scan.

The rows of SVF pathways existing before this revision are marked stale (``refresh_on`` in the past), so the
next refresh computes the flags.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_worklist_status_unit_next"
BEFORE = [
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
    "team_missing",
    "sort_name",
    "pathway_id",
]
AFTER = [*BEFORE[:17], "svf_mdk_due", "svf_treatment_due", *BEFORE[17:]]


def upgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("svf_mdk_due", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("svf_treatment_due", sa.Date(), nullable=True))
    op.drop_index(INDEX, table_name="worklist_status")
    op.create_index(INDEX, "worklist_status", AFTER, unique=False)
    op.execute(
        "UPDATE worklist_status SET refresh_on = '2000-01-01' "
        "WHERE pathway_id IN (SELECT pathway_id FROM svf_record)"
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="worklist_status")
    op.create_index(INDEX, "worklist_status", BEFORE, unique=False)
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.drop_column("svf_treatment_due")
        batch_op.drop_column("svf_mdk_due")
