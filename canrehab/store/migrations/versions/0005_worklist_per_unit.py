"""worklist_status: one row per pathway *and unit* (the receiving unit of a handover or referral has its own
row, seen from its side), and ``refresh_on``: the first date on which the row's date-driven flags change, so
that rows turned stale by the passing of time are found with one index lookup and recomputed.

Rows existing before this revision are marked stale (``refresh_on`` in the past); the next refresh (the web
app does it at start and at each change of date, ``canrehab refresh-worklist`` does it on demand) recomputes
them and adds the rows of the other units.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFRESH_INDEX = "ix_worklist_status_refresh_on"


def upgrade() -> None:
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refresh_on", sa.Date(), nullable=True))
        batch_op.drop_constraint("pk_worklist_status", type_="primary")
        batch_op.create_primary_key("pk_worklist_status", ["pathway_id", "unit_hsa_id"])
    op.execute("UPDATE worklist_status SET refresh_on = '2000-01-01'")
    op.create_index(REFRESH_INDEX, "worklist_status", ["refresh_on"], unique=False)


def downgrade() -> None:
    op.drop_index(REFRESH_INDEX, table_name="worklist_status")
    # keep the treating unit's row of each pathway (the one the old schema held)
    op.execute(
        "DELETE FROM worklist_status WHERE unit_hsa_id <> "
        "(SELECT pathway.unit_hsa_id FROM pathway WHERE pathway.id = worklist_status.pathway_id)"
    )
    with op.batch_alter_table("worklist_status", schema=None) as batch_op:
        batch_op.drop_constraint("pk_worklist_status", type_="primary")
        batch_op.create_primary_key("pk_worklist_status", ["pathway_id"])
        batch_op.drop_column("refresh_on")
