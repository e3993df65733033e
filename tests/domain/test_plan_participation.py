"""Plan participation by the sources: AW020 "tillsammans med patientens och/eller dennes anhörig/närstående"
(002 Bilaga 2), relatives only with the patient's consent (002 "Närstående"), several professions per plan
event, and DV077 instead of AW020 for a plan for return to work (002: AW020 "se DV077")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from canrehab.codes.catalog import load_kva, load_professions
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    Goal,
    Pathway,
    PlanContent,
    PlanParticipation,
    Profession,
    Staff,
)
from canrehab.domain.plan import draft_plan, establish, follow_up
from tests.domain.conftest import DIAGNOSED

PROFESSIONS = load_professions()
CODES = load_kva()
ON = DIAGNOSED + timedelta(days=10)


def _content(return_to_work: bool = False) -> PlanContent:
    return PlanContent(
        goals=(Goal(text="Tillbaka i arbete på halvtid"),),
        follow_up_on=ON + timedelta(days=30),
        return_to_work=return_to_work,
    )


def test_the_plan_is_made_together_with_the_patient_and_a_consenting_relative_and_several_professions(
    pathway: Pathway, nurse: Staff
) -> None:
    taking_part = PlanParticipation(
        patient=True,
        relative_ids=("rel-1",),
        professions=(Profession.PHYSIOTHERAPIST, Profession.COUNSELLOR),
    )
    plan, records = establish(
        draft_plan(pathway, _content(), on=ON),
        by=nurse,
        on=ON,
        professions=PROFESSIONS,
        codes=CODES,
        participation=taking_part,
        consenting_relatives={"rel-1"},
    )
    event = plan.events[0]
    assert event.participation.patient is True
    assert event.participation.relative_ids == ("rel-1",)
    # the performer's profession is always among those taking part, first, each profession once
    assert event.participation.professions == (
        Profession.CONTACT_NURSE,
        Profession.PHYSIOTHERAPIST,
        Profession.COUNSELLOR,
    )
    assert [r.code for r in records] == ["AW020"]


def test_a_relative_without_the_patients_consent_cannot_take_part_and_nothing_changes(
    pathway: Pathway, nurse: Staff
) -> None:
    draft = draft_plan(pathway, _content(), on=ON)
    with pytest.raises(DomainError) as err:
        establish(
            draft,
            by=nurse,
            on=ON,
            professions=PROFESSIONS,
            participation=PlanParticipation(relative_ids=("rel-2",)),
            consenting_relatives={"rel-1"},
        )
    assert err.value.code == "plan.relative_without_consent"
    assert "patientens medgivande" in err.value.message_sv
    assert draft.events == ()


def test_a_plan_for_return_to_work_is_coded_dv077_instead_of_aw020(pathway: Pathway, nurse: Staff) -> None:
    plan, records = establish(
        draft_plan(pathway, _content(return_to_work=True), on=ON),
        by=nurse,
        on=ON,
        professions=PROFESSIONS,
        codes=CODES,
    )
    assert [r.code for r in records] == ["DV077"]
    # its follow-up is a follow-up of the rehab plan (AW024)
    _, later = follow_up(plan, by=nurse, on=ON + timedelta(days=5), note="", professions=PROFESSIONS)
    assert [r.code for r in later] == ["AW024"]
