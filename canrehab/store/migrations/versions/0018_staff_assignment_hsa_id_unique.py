"""staff.assignment_hsa_id: unique where set (a partial unique index instead of 0013's plain one), so that two
administrators recording the same assignment HSA-id at the same moment cannot both succeed. The service
checks it first (``services.registry``, with the person HSA-ids too); the index is the guarantee.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SET = sa.text("assignment_hsa_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_staff_assignment_hsa_id", table_name="staff")
    op.create_index(
        "ux_staff_assignment_hsa_id",
        "staff",
        ["assignment_hsa_id"],
        unique=True,
        postgresql_where=SET,
        sqlite_where=SET,
    )


def downgrade() -> None:
    op.drop_index("ux_staff_assignment_hsa_id", table_name="staff")
    op.create_index("ix_staff_assignment_hsa_id", "staff", ["assignment_hsa_id"])
