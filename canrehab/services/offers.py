"""Recording the offers the national quality indicators count: Min vårdplan offered, digitally via 1177 or
on paper (the offer of a named contact nurse is recorded with the assignment,
``patients.assign_contact_nurse``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain import offers as rules
from canrehab.domain.access import Actor
from canrehab.domain.model import Pathway
from canrehab.services.guard import require_write

if TYPE_CHECKING:
    from canrehab.services.context import Services


def offer_min_vardplan(
    services: Services,
    actor: Actor,
    pathway_id: str,
    version: int,
    *,
    channel: str,
    offered_on: date | None = None,
) -> Pathway:
    """Record the offer of Min vårdplan and the patient's choice of channel (audited by the store)."""
    chosen = rules.parse_channel(channel)
    with services.uow(actor) as uow:
        pathway: Pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, pathway.patient_id, "pathway", pathway_id)
        today = services.today()
        changed = rules.offer_min_vardplan(pathway, offered_on or today, chosen, today)
        saved: Pathway = uow.pathways.update(changed, expected_version=version)
        uow.refresh_worklist(pathway_id)
        return saved
