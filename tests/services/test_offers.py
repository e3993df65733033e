"""Recording the offer of Min vårdplan through the services on SQLite and PostgreSQL: stored with its
channel, audited, counted by the care indicator as of the period's end; a refused or invalid offer writes
nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import MinVardplanStatus
from canrehab.services import offers
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import PathwayFacts, condition_met
from tests.services.conftest import NURSE, TODAY, patient_with_pathway

ONK = "SE2321000016-ONK"
OTHER = Actor(role="nurse", staff_id="nurse-2", unit_hsa_ids=frozenset({"SE2321000016-KIR"}), username="eva")


def _pathway(services: Services) -> tuple[str, str]:
    return patient_with_pathway(services, days_ago=30)


def test_offer_is_stored_with_its_channel_audited_and_counted_as_of_the_period_end(
    services: Services,
) -> None:
    patient_id, pathway_id = _pathway(services)
    with services.uow(SYSTEM, log_reads=False) as uow:
        version = uow.pathways.get(pathway_id).version
    on = TODAY - timedelta(days=5)
    saved = offers.offer_min_vardplan(
        services, NURSE, pathway_id, version, channel="digital_1177", offered_on=on
    )
    with services.uow(SYSTEM, log_reads=False) as uow:
        stored = uow.pathways.get(pathway_id)
        events = [e for e in uow.audit.query(patient_id=patient_id, limit=100) if e.entity_type == "pathway"]
    assert stored == saved
    assert (stored.min_vardplan.status, stored.min_vardplan.offered_on, stored.min_vardplan.digital_1177) == (
        MinVardplanStatus.OFFERED,
        on,
        True,
    )
    assert any(e.action == "update" and e.actor_username == "karin" for e in events)
    facts = PathwayFacts(stored, (), ())
    assert condition_met("offered_min_vardplan_digital", facts, on)
    assert not condition_met("offered_min_vardplan", facts, on - timedelta(days=1))


@pytest.mark.parametrize(
    ("actor", "channel", "offered_on"),
    [
        (OTHER, "paper", None),  # no care relation
        (NURSE, "fax", None),  # no such channel
        (NURSE, "paper", TODAY + timedelta(days=1)),  # in the future
    ],
)
def test_a_refused_or_invalid_offer_writes_nothing(
    services: Services, actor: Actor, channel: str, offered_on: date | None
) -> None:
    _, pathway_id = _pathway(services)
    with services.uow(SYSTEM, log_reads=False) as uow:
        before = uow.pathways.get(pathway_id)
    with pytest.raises(DomainError):
        offers.offer_min_vardplan(
            services, actor, pathway_id, before.version, channel=channel, offered_on=offered_on
        )
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.pathways.get(pathway_id) == before
