"""Failed logins per throttle key (migration 0022), shared by every worker process of the web app, so that N
workers do not give a guesser N times the attempts.

The key (``pair:<user>@<address>``, ``user:<user>``, ``ip:<address>``) is kept only as its sha256: the
table holds no user name or address, whatever an account's name is, and has a fixed key length whatever
a client typed into the login form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import Base


class LoginFailure(Base):
    __tablename__ = "login_failure"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    # the time of the last failure: the back-off runs from it, and the row is forgotten a while after it
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
