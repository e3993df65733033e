"""client_assertion: the SMART Backend Services client assertions already used (jti replay store)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_assertion",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_client_assertion")),
    )
    op.create_index(op.f("ix_client_assertion_expires_at"), "client_assertion", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_client_assertion_expires_at"), table_name="client_assertion")
    op.drop_table("client_assertion")
