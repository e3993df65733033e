"""Relatives by the sources (002 "Närstående", "Barn som anhöriga"): the patient decides who the relatives
are; with the patient's consent relatives are informed and take part (GB010, QQ001); närståendestöd
(QT011); minor children as relatives with DU055-DU057, and "Patienten kan tacka nej till information och
stöd till barnet, och detta ska respekteras"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.codes.catalog import load_kva, load_professions
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Pathway, Profession, Staff
from canrehab.domain.relatives import (
    ConsentStatus,
    RelationKind,
    SupportKind,
    add_relative,
    consenting,
    give_support,
    set_consent,
)
from tests.domain.conftest import DIAGNOSED

PROFESSIONS = load_professions()
CODES = load_kva()
ON = DIAGNOSED + timedelta(days=5)
TODAY = ON + timedelta(days=1)


def _relative(pathway: Pathway, consent: ConsentStatus, birth_date: date | None = None):  # type: ignore[no-untyped-def]
    return add_relative(
        patient_id=pathway.patient_id,
        name="Anna Andersson",
        relation=RelationKind.CHILD if birth_date else RelationKind.PARTNER,
        consent=consent,
        on=ON,
        birth_date=birth_date,
    )


def _give(pathway: Pathway, relative, kind: SupportKind, by: Staff):  # type: ignore[no-untyped-def]
    return give_support(
        pathway, relative, kind, by=by, on=ON, today=TODAY, professions=PROFESSIONS, codes=CODES
    )


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (SupportKind.RELATIVE_SUPPORT, "QT011"),
        (SupportKind.PARTICIPATION, "QQ001"),
        (SupportKind.INFORMATION, "GB010"),
    ],
)
def test_support_offered_to_a_relative_with_consent_is_coded(
    pathway: Pathway, nurse: Staff, kind: SupportKind, code: str
) -> None:
    relative = _relative(pathway, ConsentStatus.GIVEN)
    support, record = _give(pathway, relative, kind, nurse)
    assert record.code == code
    assert record.profession_code == PROFESSIONS[nurse.profession].kva_code
    assert support.kva_record_id == record.id and support.relative_id == relative.id
    assert record.source.startswith(f"relative:{relative.id}:")


@pytest.mark.parametrize("kind", [SupportKind.PARTICIPATION, SupportKind.INFORMATION])
def test_informing_a_relative_needs_the_patients_consent(
    pathway: Pathway, nurse: Staff, kind: SupportKind
) -> None:
    relative = _relative(pathway, ConsentStatus.NOT_ASKED)
    with pytest.raises(DomainError) as err:
        _give(pathway, relative, kind, nurse)
    assert err.value.code == "relative.consent_required"


def test_narstaendestod_for_the_relatives_own_situation_needs_no_consent(
    pathway: Pathway, nurse: Staff
) -> None:
    _, record = _give(
        pathway, _relative(pathway, ConsentStatus.NOT_ASKED), SupportKind.RELATIVE_SUPPORT, nurse
    )
    assert record.code == "QT011"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (SupportKind.CHILD_TALK_WITH_PATIENT, "DU055"),
        (SupportKind.CHILD_TALK_WITH_PATIENT_AND_CHILD, "DU056"),
        (SupportKind.CHILD_TALK_WITH_CHILD, "DU057"),
    ],
)
def test_minor_children_as_relatives_are_coded_du055_to_du057(
    pathway: Pathway, nurse: Staff, kind: SupportKind, code: str
) -> None:
    child = _relative(pathway, ConsentStatus.GIVEN, birth_date=ON - timedelta(days=365 * 9))
    _, record = _give(pathway, child, kind, nurse)
    assert record.code == code


def test_du057_is_refused_for_a_relative_who_is_not_a_minor(pathway: Pathway, nurse: Staff) -> None:
    adult_child = _relative(pathway, ConsentStatus.GIVEN, birth_date=date(2000, 1, 1))
    with pytest.raises(DomainError) as err:
        _give(pathway, adult_child, SupportKind.CHILD_TALK_WITH_CHILD, nurse)
    assert err.value.code == "relative.not_a_minor"


def test_the_patient_may_decline_support_to_the_child_and_that_is_respected(
    pathway: Pathway, nurse: Staff
) -> None:
    child = _relative(pathway, ConsentStatus.DECLINED, birth_date=ON - timedelta(days=365 * 6))
    with pytest.raises(DomainError) as err:
        _give(pathway, child, SupportKind.CHILD_TALK_WITH_CHILD, nurse)
    assert err.value.code == "relative.declined_for_child"
    _, record = _give(pathway, child, SupportKind.CHILD_TALK_WITH_PATIENT, nurse)
    assert record.code == "DU055"


def test_a_profession_that_does_not_perform_the_code_is_refused(pathway: Pathway, unit) -> None:  # type: ignore[no-untyped-def]
    dietitian = Staff(hsa_id="S-D", name="Dietist", profession=Profession.DIETITIAN, unit_hsa_id=unit.hsa_id)
    with pytest.raises(DomainError) as err:
        _give(pathway, _relative(pathway, ConsentStatus.GIVEN), SupportKind.RELATIVE_SUPPORT, dietitian)
    assert err.value.code == "kva.not_performed_by"


def test_consent_is_the_patients_and_can_be_withdrawn(pathway: Pathway) -> None:
    relative = _relative(pathway, ConsentStatus.GIVEN)
    assert consenting([relative]) == {relative.id}
    withdrawn = set_consent(relative, ConsentStatus.DECLINED, TODAY)
    assert consenting([withdrawn]) == frozenset() and withdrawn.consent_on == TODAY


def test_a_relative_needs_a_name(pathway: Pathway) -> None:
    with pytest.raises(DomainError) as err:
        add_relative(
            patient_id=pathway.patient_id,
            name="  ",
            relation=RelationKind.OTHER,
            consent=ConsentStatus.GIVEN,
            on=ON,
        )
    assert err.value.code == "relative.invalid"
