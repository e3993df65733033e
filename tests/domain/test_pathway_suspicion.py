"""A pathway started at välgrundad misstanke (SVF): the investigation phase from the suspicion, then the
diagnosis confirmed or the suspicion dismissed; every illegal transition a named DomainError."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    CareUnit,
    ClosedReason,
    Pathway,
    Patient,
    PhaseKind,
    PlanContent,
    Sex,
    Staff,
)
from canrehab.domain.pathway import (
    assign_contact_nurse,
    close_pathway,
    confirm_diagnosis,
    current_phase,
    dismiss_suspicion,
    offer_min_vardplan,
    start_at_suspicion,
)
from canrehab.domain.plan import draft_plan

SUSPECTED = date(2026, 3, 2)
TODAY = date(2026, 6, 1)
UNIT = CareUnit(hsa_id="SE2321000032-ONK1", name="Onkologkliniken", county_code="01")
PATIENT = Patient(personnummer="198112189876", pseudonym="p1", sex=Sex.FEMALE, birth_date=date(1981, 12, 18))


def day(n: int) -> date:
    return SUSPECTED + timedelta(days=n)


@pytest.fixture
def suspected() -> Pathway:
    return start_at_suspicion(PATIENT, UNIT, "breast", SUSPECTED, TODAY)


def test_a_pathway_started_at_suspicion_is_in_the_investigation_phase_without_a_diagnosis(
    suspected: Pathway,
) -> None:
    assert suspected.suspicion_on == SUSPECTED and suspected.started_on == SUSPECTED
    assert not suspected.diagnosis.confirmed and suspected.diagnosis.process == "breast"
    assert suspected.diagnosis.icd10 is None and suspected.diagnosis.diagnosed_on is None
    assert current_phase(suspected, day(1)) is PhaseKind.INVESTIGATION


def test_confirming_the_diagnosis_enters_the_diagnosis_phase_and_keeps_the_suspicion(
    suspected: Pathway,
) -> None:
    confirmed = confirm_diagnosis(suspected, "C509", day(12), "breast", TODAY)
    assert confirmed.diagnosis.icd10 == "C509" and confirmed.diagnosis.diagnosed_on == day(12)
    assert confirmed.suspicion_on == SUSPECTED and confirmed.started_on == SUSPECTED
    assert [p.kind for p in confirmed.phases] == [PhaseKind.INVESTIGATION, PhaseKind.DIAGNOSIS]
    assert current_phase(confirmed, day(13)) is PhaseKind.DIAGNOSIS
    assert close_pathway(confirmed, day(200)).closed_reason is None  # closed ordinarily


@pytest.mark.parametrize(
    ("icd10", "on", "code", "words"),
    [
        ("C509", day(-1), "pathway.diagnosis_before_suspicion", "före datumet för välgrundad misstanke"),
        ("C509", TODAY + timedelta(days=1), "pathway.diagnosis_in_future", "efter dagens datum"),
        ("D051", day(5), "pathway.not_malignant", "inte en cancerdiagnos"),
    ],
)
def test_a_confirmation_is_refused_with_a_swedish_reason(
    suspected: Pathway, icd10: str, on: date, code: str, words: str
) -> None:
    with pytest.raises(DomainError) as err:
        confirm_diagnosis(suspected, icd10, on, "breast", TODAY)
    assert err.value.code == code and words in err.value.message_sv


def test_confirming_twice_and_dismissing_a_confirmed_diagnosis_are_refused(suspected: Pathway) -> None:
    confirmed = confirm_diagnosis(suspected, "C509", day(12), "breast", TODAY)
    for attempt in (
        lambda: confirm_diagnosis(confirmed, "C509", day(14), "breast", TODAY),
        lambda: dismiss_suspicion(confirmed, day(20), TODAY),
    ):
        with pytest.raises(DomainError) as err:
            attempt()
        assert err.value.code == "pathway.already_confirmed"
        assert "bekräftades 2026-03-14" in err.value.message_sv


def test_a_pathway_started_at_diagnosis_has_no_suspicion_to_confirm_or_dismiss(pathway: Pathway) -> None:
    with pytest.raises(DomainError) as err:
        dismiss_suspicion(pathway, pathway.started_on, TODAY)
    assert err.value.code == "pathway.not_suspicion" and "startade vid diagnos" in err.value.message_sv


def test_a_dismissed_suspicion_closes_the_pathway_without_a_diagnosis_and_takes_no_plan(
    suspected: Pathway,
) -> None:
    dismissed = dismiss_suspicion(suspected, day(9), TODAY)
    assert dismissed.closed_on == day(9) and dismissed.closed_reason is ClosedReason.SUSPICION_DISMISSED
    assert not dismissed.diagnosis.confirmed
    for attempt in (
        lambda: draft_plan(dismissed, PlanContent(), on=day(10)),
        lambda: confirm_diagnosis(dismissed, "C509", day(10), "breast", TODAY),
        lambda: offer_min_vardplan(dismissed, day(10)),
    ):
        with pytest.raises(DomainError) as err:
            attempt()
        assert err.value.code == "pathway.suspicion_dismissed"
        assert "Misstanken om cancer avskrevs 2026-03-11" in err.value.message_sv


def test_dismissal_and_ordinary_closing_dates_are_checked(suspected: Pathway) -> None:
    with pytest.raises(DomainError) as err:
        dismiss_suspicion(suspected, day(-1), TODAY)
    assert err.value.code == "pathway.date_order" and "välgrundad misstanke" in err.value.message_sv
    with pytest.raises(DomainError) as err:
        close_pathway(suspected, day(5))
    assert err.value.code == "pathway.unconfirmed" and "avskriv misstanken" in err.value.message_sv


def test_a_suspicion_cannot_lie_in_the_future() -> None:
    with pytest.raises(DomainError) as err:
        start_at_suspicion(PATIENT, UNIT, "breast", TODAY + timedelta(days=1), TODAY)
    assert err.value.code == "pathway.suspicion_in_future"


def test_the_contact_nurse_can_be_named_during_the_investigation(suspected: Pathway, nurse: Staff) -> None:
    named = assign_contact_nurse(suspected, nurse, day(1), offered_on=SUSPECTED)
    assert named.contact_nurses[0].from_date == day(1)
    with pytest.raises(DomainError) as err:
        assign_contact_nurse(suspected, nurse, day(-1))
    assert "datumet för välgrundad misstanke" in err.value.message_sv


STEPS = st.lists(
    st.tuples(st.sampled_from(["confirm", "dismiss", "close", "plan"]), st.integers(-10, 120)), max_size=8
)


@given(STEPS)
def test_a_suspicion_is_confirmed_at_most_once_or_dismissed_never_both(steps: list[tuple[str, int]]) -> None:
    """Whatever is tried in whatever order: a refused step changes nothing; the diagnosis, once confirmed,
    never changes and lies between the suspicion and today; a dismissed pathway is closed, has no diagnosis
    and refuses everything after; a pathway is closed only after it was confirmed or dismissed."""
    p = start_at_suspicion(PATIENT, UNIT, "breast", SUSPECTED, TODAY)
    confirmed_as: tuple[str | None, date | None] | None = None
    for action, offset in steps:
        before = p
        on = day(offset)
        try:
            if action == "confirm":
                p = confirm_diagnosis(p, "C509", on, "breast", TODAY)
            elif action == "dismiss":
                p = dismiss_suspicion(p, on, TODAY)
            elif action == "close":
                p = close_pathway(p, on)
            else:
                draft_plan(p, PlanContent(), on=on)
        except DomainError as err:
            assert err.code.startswith("pathway.") and err.message_sv
            assert p == before
            continue
        if p.diagnosis.confirmed:
            now = (p.diagnosis.icd10, p.diagnosis.diagnosed_on)
            assert confirmed_as in (None, now)
            confirmed_as = now
            assert p.diagnosis.diagnosed_on is not None
            assert SUSPECTED <= p.diagnosis.diagnosed_on <= TODAY
            assert p.closed_reason is None
        if p.closed_reason is ClosedReason.SUSPICION_DISMISSED:
            assert confirmed_as is None and p.closed_on is not None and not p.diagnosis.confirmed
        if p.closed_on is not None:
            assert p.diagnosis.confirmed or p.suspicion_dismissed
            assert p.closed_on >= SUSPECTED


def test_a_recorded_pathway_is_checked_where_it_starts(suspected: Pathway) -> None:
    from canrehab.domain.model import Diagnosis
    from canrehab.domain.pathway import check_start

    confirmed = confirm_diagnosis(suspected, "C509", day(3), "breast", TODAY)
    assert check_start(confirmed) == confirmed
    early = confirmed.model_copy(
        update={"diagnosis": Diagnosis(icd10="C509", diagnosed_on=day(-2), process="breast")}
    )
    with pytest.raises(DomainError) as err:
        check_start(early)
    assert err.value.code == "pathway.diagnosis_before_suspicion"
