"""Offers as the national quality indicators count them, as of a date."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.errors import DomainError
from canrehab.domain.model import ContactNurseAssignment, Diagnosis, MinVardplanStatus, Pathway
from canrehab.domain.offers import (
    MvpChannel,
    offer_min_vardplan,
    offer_state,
    offered_contact_nurse,
    offered_min_vardplan,
    parse_channel,
)

TODAY = date(2026, 3, 2)


def pathway() -> Pathway:
    return Pathway(
        patient_id="p",
        unit_hsa_id="u",
        diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2026, 1, 10), process="breast"),
    )


def test_min_vardplan_offered_digitally_or_on_paper_counts_from_its_date() -> None:
    digital = offer_min_vardplan(pathway(), date(2026, 2, 1), MvpChannel.DIGITAL_1177, TODAY)
    assert digital.min_vardplan.status is MinVardplanStatus.OFFERED and digital.min_vardplan.digital_1177
    assert not offered_min_vardplan(digital, date(2026, 1, 31))
    assert offered_min_vardplan(digital, date(2026, 2, 1), digital_only=True)
    paper = offer_min_vardplan(pathway(), date(2026, 2, 1), MvpChannel.PAPER, TODAY)
    assert offered_min_vardplan(paper, TODAY) and not offered_min_vardplan(paper, TODAY, digital_only=True)
    assert offer_state(paper).min_vardplan_channel is MvpChannel.PAPER
    assert not offer_state(paper).can_offer_min_vardplan  # offered once; establish or decline next


@pytest.mark.parametrize(
    ("on", "code"),
    [(date(2026, 3, 3), "offer.future"), (date(2026, 1, 9), "offer.before_diagnosis")],
)
def test_an_offer_outside_the_pathway_is_refused_in_swedish(on: date, code: str) -> None:
    with pytest.raises(DomainError) as err:
        offer_min_vardplan(pathway(), on, MvpChannel.PAPER, TODAY)
    assert err.value.code == code and "Erbjudandedatumet" in err.value.message_sv


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        parse_channel("fax")
    assert "1177" in err.value.message_sv


def test_contact_nurse_offered_on_its_offer_date_or_else_its_start() -> None:
    pw = pathway().model_copy(
        update={
            "contact_nurses": (
                ContactNurseAssignment(
                    staff_id="n", offered_on=date(2026, 1, 20), from_date=date(2026, 1, 25)
                ),
            )
        }
    )
    assert not offered_contact_nurse(pw, date(2026, 1, 19)) and offered_contact_nurse(pw, date(2026, 1, 20))
    unrecorded = pathway().model_copy(
        update={"contact_nurses": (ContactNurseAssignment(staff_id="n", from_date=date(2026, 1, 25)),)}
    )
    assert offered_contact_nurse(unrecorded, date(2026, 1, 25)) and not offered_contact_nurse(
        pathway(), TODAY
    )
