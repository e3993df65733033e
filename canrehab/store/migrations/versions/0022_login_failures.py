"""login_failure: failed logins per throttle key (sha256 of ``kind:value``), shared by the web app's worker
processes (``canrehab serve --workers N``) instead of each process counting its own.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_failure")),
    )
    op.create_index(op.f("ix_login_failure_last_failure_at"), "login_failure", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_failure_last_failure_at"), table_name="login_failure")
    op.drop_table("login_failure")
