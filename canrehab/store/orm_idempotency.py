"""Form idempotency keys (migration 0015): one row per one-time key a form carried, written in the same
transaction as the record the submit created, with where that record is shown. A second submit of the same
key finds the row and shows the first result instead of creating a second record (issue 14 item 8)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import Base

KEY_LENGTH = 64


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
