"""updated_at on every record the FHIR API serves (meta.lastUpdated, Last-Modified, _lastUpdated) and
record_version: every version of a versioned record as written (FHIR history and vread; issue 15 item 4);
staff.assignment_hsa_id: the HSA-id of a staff member's assignment (medarbetaruppdrag), beside the person's.

Existing rows get the migration's time as their updated_at; their earlier versions were not kept, so their
history starts with the current version.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = (
    "care_unit",
    "staff",
    "patient",
    "pathway",
    "assessment",
    "rehab_plan",
    "handover",
    "referral",
    "kva_record",
)


def upgrade() -> None:
    for table in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "updated_at",
                    sa.DateTime(timezone=True),
                    server_default=sa.func.now(),
                    nullable=False,
                )
            )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignment_hsa_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_staff_assignment_hsa_id", ["assignment_hsa_id"])
    op.create_table(
        "record_version",
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", "version", name=op.f("pk_record_version")),
    )
    op.create_index("ix_record_version_patient_id", "record_version", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_record_version_patient_id", table_name="record_version")
    op.drop_table("record_version")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_assignment_hsa_id")
        batch_op.drop_column("assignment_hsa_id")
    for table in reversed(STAMPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
