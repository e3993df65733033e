"""handover: how the receiver contacted the patient (patient_contact_method) and the care levels of the
sending and receiving units when the handover was sent (from_care_level, to_care_level), so that a routine
can ask for an assessment at a handover from specialised to primary care (004). All nullable: handovers
recorded before this revision keep "not known".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handover") as batch:
        batch.add_column(sa.Column("patient_contact_method", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("from_care_level", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("to_care_level", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handover") as batch:
        batch.drop_column("to_care_level")
        batch.drop_column("from_care_level")
        batch.drop_column("patient_contact_method")
