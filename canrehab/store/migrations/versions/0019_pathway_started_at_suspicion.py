"""pathway: a pathway can start at välgrundad misstanke (SVF, issue 11 item 6). ``icd10`` and ``diagnosed_on``
become nullable (NULL until the suspicion is confirmed, and for ever on a dismissed one), so that every query
over the diagnosis date keeps counting confirmed diagnoses only; ``suspicion_on`` is the start of such a
pathway and ``closed_reason`` says why one was closed when it was not the ordinary end
(``suspicion_dismissed``).
Existing rows are all confirmed pathways: nothing to backfill.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pathway") as batch:
        batch.alter_column("icd10", existing_type=sa.String(length=8), nullable=True)
        batch.alter_column("diagnosed_on", existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column("suspicion_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # A suspicion without a confirmed diagnosis cannot be represented before 0019: refuse rather than lose it.
    bind = op.get_bind()
    unconfirmed = bind.execute(sa.text("select count(*) from pathway where diagnosed_on is null")).scalar()
    if unconfirmed:
        raise RuntimeError(
            f"{unconfirmed} pathways started at välgrundad misstanke have no confirmed diagnosis; "
            "they cannot be kept below revision 0019"
        )
    with op.batch_alter_table("pathway") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("suspicion_on")
        batch.alter_column("diagnosed_on", existing_type=sa.Date(), nullable=False)
        batch.alter_column("icd10", existing_type=sa.String(length=8), nullable=False)
