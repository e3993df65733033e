"""Offers to the patient as the national quality indicators count them: offered a named contact nurse, and
offered Min vårdplan, digitally via 1177 or on paper.

The offer of a named contact nurse is the ``offered_on`` of the contact nurse assignment (a named nurse given
the patient was offered; without a recorded offer date the assignment's start counts). The offer of Min
vårdplan is the plan's ``offered_on`` with the patient's choice of channel. Every question is asked *as of* a
date: an offer made after the period's end does not count for the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from canrehab.domain.errors import DomainError
from canrehab.domain.model import MinVardplanStatus, Pathway
from canrehab.domain.pathway import offer_min_vardplan as _offer_rule


class MvpChannel(StrEnum):
    DIGITAL_1177 = "digital_1177"
    PAPER = "paper"


CHANNEL_SV: dict[MvpChannel, str] = {
    MvpChannel.DIGITAL_1177: "digitalt via 1177",
    MvpChannel.PAPER: "på papper",
}


def parse_channel(value: str) -> MvpChannel:
    try:
        return MvpChannel(value)
    except ValueError:
        raise DomainError(
            "offer.channel",
            "Välj hur Min vårdplan erbjöds: digitalt via 1177 eller på papper.",
            f"unknown channel {value!r}",
        ) from None


def offer_min_vardplan(pathway: Pathway, on: date, channel: MvpChannel, today: date) -> Pathway:
    """Record that Min vårdplan was offered on ``on`` in the chosen channel (not in the future, not before the
    diagnosis, not when a plan is already offered or established)."""
    if on > today:
        raise DomainError(
            "offer.future",
            f"Erbjudandedatumet ({on.isoformat()}) ligger i framtiden.",
            "offer date in future",
        )
    if on < pathway.started_on:
        what = "diagnosdatumet" if pathway.suspicion_on is None else "datumet för välgrundad misstanke"
        raise DomainError(
            "offer.before_diagnosis",
            f"Erbjudandedatumet ({on.isoformat()}) ligger före {what} ({pathway.started_on.isoformat()}).",
            "offer date before the diagnosis",
        )
    offered = _offer_rule(pathway, on)
    mvp = offered.min_vardplan.model_copy(update={"digital_1177": channel is MvpChannel.DIGITAL_1177})
    return offered.model_copy(update={"min_vardplan": mvp})


def contact_nurse_offered_on(pathway: Pathway) -> date | None:
    """The first date the patient was offered a named contact nurse."""
    return first_contact_nurse_offer((a.offered_on, a.from_date) for a in pathway.contact_nurses)


def first_contact_nurse_offer(assignments: Iterable[tuple[date | None, date]]) -> date | None:
    """The first offer among the assignments' ``(offered_on, from_date)``: without a recorded offer date
    the assignment's start counts. Values in (the bulk extract of the care dataset reads them as columns)."""
    dates = [offered_on or from_date for offered_on, from_date in assignments]
    return min(dates) if dates else None


def min_vardplan_offered_on(pathway: Pathway) -> date | None:
    """The date Min vårdplan was offered (an established or declined plan was offered, at the latest then)."""
    mvp = pathway.min_vardplan
    return first_min_vardplan_offer(mvp.offered_on, mvp.established_on, mvp.declined_on)


def first_min_vardplan_offer(
    offered_on: date | None, established_on: date | None, declined_on: date | None
) -> date | None:
    """``min_vardplan_offered_on`` from the plan's three dates (values in)."""
    dates = [d for d in (offered_on, established_on, declined_on) if d is not None]
    return min(dates) if dates else None


def offered_contact_nurse(pathway: Pathway, end: date) -> bool:
    on = contact_nurse_offered_on(pathway)
    return on is not None and on <= end


def offered_min_vardplan(pathway: Pathway, end: date, *, digital_only: bool = False) -> bool:
    on = min_vardplan_offered_on(pathway)
    return on is not None and on <= end and (not digital_only or pathway.min_vardplan.digital_1177)


@dataclass(frozen=True)
class OfferState:
    """What the patient page shows about one pathway's offers."""

    contact_nurse_on: date | None
    min_vardplan_on: date | None
    min_vardplan_channel: MvpChannel | None
    can_offer_min_vardplan: bool


def offer_state(pathway: Pathway) -> OfferState:
    mvp_on = min_vardplan_offered_on(pathway)
    channel = None
    if mvp_on is not None:
        channel = MvpChannel.DIGITAL_1177 if pathway.min_vardplan.digital_1177 else MvpChannel.PAPER
    return OfferState(
        contact_nurse_offered_on(pathway),
        mvp_on,
        channel,
        pathway.closed_on is None
        and pathway.min_vardplan.status in (MinVardplanStatus.NONE, MinVardplanStatus.DECLINED),
    )
