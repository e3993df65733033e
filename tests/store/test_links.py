"""Assessment links: only the hash is stored; unknown, expired and revoked links resolve to nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canrehab.store.audit import AuditActor
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())


@pytest.fixture
def seeded(uow: Callable[..., UnitOfWork]) -> Callable[..., UnitOfWork]:
    with uow(SYSTEM, log_reads=False) as u:
        u.units.add(samples.unit())
        u.patients.add(samples.patient())
        u.pathways.add(samples.pathway())
        u.assessments.add(samples.assessment())
    return uow


def test_link_resolves_until_it_expires(seeded: Callable[..., UnitOfWork], engine: Engine) -> None:
    expires = datetime.now(UTC) + timedelta(days=14)
    with seeded() as u:
        token = u.links.create("as-1", "pat-1", expires)
    assert len(token) >= 40
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM assessment_link")).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # the raw token is never stored
    with seeded() as u:
        found = u.links.resolve(token)
        assert found is not None
        assessment_id, expiry = found
        assert assessment_id == "as-1" and abs((expiry - expires).total_seconds()) < 1
        assert u.links.resolve(token, now=expires + timedelta(seconds=1)) is None
        assert u.links.resolve("not-a-token") is None
        assert u.links.resolve("") is None


def test_expired_and_revoked_links(seeded: Callable[..., UnitOfWork]) -> None:
    with seeded() as u:
        old = u.links.create("as-1", "pat-1", datetime.now(UTC) - timedelta(minutes=1))
        fresh = u.links.create("as-1", "pat-1", datetime.now(UTC) + timedelta(days=1))
        with pytest.raises(ValueError, match="timezone"):
            u.links.create("as-1", "pat-1", datetime(2030, 1, 1))
    with seeded() as u:
        assert u.links.resolve(old) is None
        assert u.links.resolve(fresh) is not None
        assert u.links.revoke_for_assessment("as-1") == 2
    with seeded() as u:
        assert u.links.resolve(fresh) is None


def test_derived_tokens_open_links_and_a_repeated_create(seeded: Callable[..., UnitOfWork]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with seeded() as u:
        u.links.create("as-1", "pat-1", now + timedelta(hours=1), token="soon-over", created_at=now)
        u.links.create("as-1", "pat-1", now + timedelta(days=3), token="derived", created_at=now)
        # the same derived token again (two requests at once): no error, still one link
        assert u.links.create("as-1", "pat-1", now + timedelta(days=3), token="derived") == "derived"
    with seeded() as u:
        assert u.links.known("derived") and u.links.known("soon-over") and not u.links.known("other")
        still_open = u.links.open_for_assessment("as-1", now + timedelta(days=1))
    assert [(link.created_at, link.expires_at) for link in still_open] == [(now, now + timedelta(days=3))]
    assert still_open[0].token_hash == hashlib.sha256(b"derived").hexdigest()
