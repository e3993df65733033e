"""The worklist flag ``team_missing`` (issue 12): a confirmed level of avancerad or higher with neither a
referral to a rehabilitation team nor an MDK-rehab case (``domain.mdk_rehab.team_missing``).

Rows existing before this revision are marked stale (``refresh_on`` in the past), so the next refresh
computes the flag.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("team_missing", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE worklist_status SET refresh_on = '2000-01-01'")


def downgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.drop_column("team_missing")
