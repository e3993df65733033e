"""The patients' personal assessment links: expiring, revocable, stored only as the sha256 of their token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from canrehab.store.audit import AuditLog
from canrehab.store.mapping import aware
from canrehab.store.orm import TABLES

LINK = TABLES["assessment_link"]


@dataclass(frozen=True)
class OpenLink:
    token_hash: str
    created_at: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkRepository:
    """Personal, expiring links for a patient to fill in an assessment. The raw token is returned once and
    never stored; the table holds its sha256."""

    def __init__(self, session: Session, audit: AuditLog) -> None:
        self.session = session
        self.audit = audit

    def create(
        self,
        assessment_id: str,
        patient_id: str,
        expires_at: datetime,
        *,
        token: str | None = None,
        created_at: datetime | None = None,
    ) -> str:
        """A new link; the token is random unless the caller derives one (returned, never stored)."""
        if expires_at.tzinfo is None or (created_at is not None and created_at.tzinfo is None):
            raise ValueError("expires_at and created_at must be timezone-aware")
        token = token or secrets.token_urlsafe(32)
        hashed = token_hash(token)
        values = {
            "token_hash": hashed,
            "assessment_id": assessment_id,
            "patient_id": patient_id,
            "expires_at": expires_at.astimezone(UTC),
            "created_at": (created_at or datetime.now(UTC)).astimezone(UTC),
            "revoked": False,
        }
        if self.session.get_bind().dialect.name == "postgresql":
            # a derived token made twice at once (a double click) is the same link, not an error
            stmt: Any = pg_insert(LINK).values(**values).on_conflict_do_nothing()
        else:
            stmt = sqlite_insert(LINK).values(**values).on_conflict_do_nothing()
        if not int(getattr(self.session.execute(stmt), "rowcount", 0) or 0):
            return token
        self.audit.record(
            "create",
            "assessment_link",
            hashed[:16],
            patient_id,
            f"bedömning {assessment_id}",
            after={"assessment_id": assessment_id, "expires_at": expires_at.astimezone(UTC).isoformat()},
        )
        return token

    def resolve(self, token: str, *, now: datetime | None = None) -> tuple[str, datetime] | None:
        """(assessment id, expiry) of a valid link; None when unknown, expired or revoked."""
        if not token:
            return None
        row = (
            self.session.execute(select(LINK).where(LINK.c.token_hash == token_hash(token)))
            .mappings()
            .first()
        )
        if row is None or row["revoked"]:
            return None
        expires = aware(row["expires_at"])
        if expires is None or expires <= (now or datetime.now(UTC)):
            return None
        return str(row["assessment_id"]), expires

    def known(self, token: str) -> bool:
        """Whether a link with this token exists at all (valid, expired or revoked)."""
        found = self.session.execute(select(LINK.c.token_hash).where(LINK.c.token_hash == token_hash(token)))
        return found.first() is not None

    def open_for_assessment(self, assessment_id: str, valid_after: datetime) -> list[OpenLink]:
        """The assessment's links that are not revoked and still valid at ``valid_after``, newest first."""
        rows = self.session.execute(
            select(LINK.c.token_hash, LINK.c.created_at, LINK.c.expires_at)
            .where(
                LINK.c.assessment_id == assessment_id,
                LINK.c.revoked.is_(False),
                LINK.c.expires_at > valid_after.astimezone(UTC),
            )
            .order_by(LINK.c.created_at.desc())
        ).mappings()
        return [
            OpenLink(row["token_hash"], aware(row["created_at"]), aware(row["expires_at"]))  # type: ignore[arg-type]
            for row in rows
        ]

    def revoke_for_assessment(self, assessment_id: str) -> int:
        """Revoke every link to an assessment (e.g. when it is submitted); returns how many."""
        result = self.session.execute(
            update(LINK)
            .where(LINK.c.assessment_id == assessment_id, LINK.c.revoked.is_(False))
            .values(revoked=True)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            self.audit.record("revoke", "assessment_link", assessment_id, None, f"{count} länkar")
        return count
