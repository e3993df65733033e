"""The OAuth tables (migration 0012): the client assertions already used, so that a SMART Backend Services
client assertion (a signed JWT) is accepted once only, on every server process that shares the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import Base


class ClientAssertionRow(Base):
    """One used client assertion: the sha256 of client id and jti, kept until the assertion has expired
    (an expired assertion is refused anyway, so its row can go)."""

    __tablename__ = "client_assertion"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
