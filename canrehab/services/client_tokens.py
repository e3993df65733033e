"""The use cases of the SMART token endpoint that touch the database: a client assertion is used once
(``first_use_of_assertion``), and an issued or refused token is in the audit log with the client as actor."""

from __future__ import annotations

from datetime import datetime

from canrehab.domain.access import Actor
from canrehab.services.context import Services
from canrehab.store.assertions import AssertionStore


def first_use_of_assertion(services: Services, client_id: str, jti: str, expires_at: datetime) -> bool:
    """True the first time (client, jti) is presented; False for a replay (on any process sharing the
    database)."""
    return AssertionStore(services.engine).first_use(client_id, jti, expires_at)


def record_token_issued(services: Services, actor: Actor, client_id: str, scope: str) -> None:
    with services.uow(actor, log_reads=False) as uow:
        uow.audit.record("login", "oauth_client", client_id, None, f"åtkomsttoken utfärdad: {scope}")


def record_token_refused(services: Services, actor: Actor, client_id: str, reason: str) -> None:
    with services.uow(actor, log_reads=False) as uow:
        uow.audit.record("denied", "oauth_client", client_id, None, f"åtkomsttoken nekad: {reason}")
