"""Role refusals inside the use cases are audited (on SQLite and PostgreSQL): a role check given the services
logs the refusal itself and marks it audited, so the web app does not log it twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action
from canrehab.services import audit as audit_service
from canrehab.services.context import SYSTEM, Services
from canrehab.services.guard import AccessRefused, require_action

ANALYST = Actor(
    role="regional_analyst", staff_id=None, unit_hsa_ids=frozenset({"SE-U1"}), username="analytiker"
)


def _denied(services: Services) -> list:  # type: ignore[type-arg]
    with services.uow(SYSTEM, log_reads=False) as uow:
        return [e for e in uow.audit.query(actor="analytiker") if e.action == "denied"]


def test_role_refusal_in_a_use_case_is_logged_and_marked_audited(engine: Engine, tmp_path: Path) -> None:
    services = Services(settings=Settings(data_dir=tmp_path, secret_key="t"), engine=engine)
    with pytest.raises(AccessRefused) as refused:
        audit_service.events(services, ANALYST)
    assert refused.value.audited
    (event,) = _denied(services)
    assert (event.entity_type, event.entity_id, event.actor_role) == (
        "function",
        "audit_log",
        "regional_analyst",
    )
    assert event.actor_units == ("SE-U1",)


def test_role_refusal_without_services_is_left_to_the_caller(engine: Engine, tmp_path: Path) -> None:
    services = Services(settings=Settings(data_dir=tmp_path, secret_key="t"), engine=engine)
    with pytest.raises(AccessRefused) as refused:
        require_action(ANALYST, Action.CHANGE_RECORD)
    assert not refused.value.audited
    assert _denied(services) == []
