"""The kind of an SVF pathway's first treatment (``svf_record.first_treatment``, issue 11 item 6): most SVF
documents give the lead time per kind of first treatment (kirurgi, strålbehandling, ...), so the record
names it with the treatment start (``domain.svf.FirstTreatment``; checked by ``domain.svf.check_record``).

Records written before this revision have none; the lead-time indicator says how it counts them
(``domain.svf.within_max``: against the shortest maximum of the pathway). The SVF pathways shipped before
this revision have one maximum, so no existing verdict changes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("svf_record") as batch:
        batch.add_column(sa.Column("first_treatment", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("svf_record") as batch:
        batch.drop_column("first_treatment")
