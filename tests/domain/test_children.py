"""Children and young adults by the sources (002 "Barn och ungdom": "insatser för barn och unga under 18 års
ålder"; "generella insatser, särskilda individanpassade insatser samt avancerade insatser"; "hur
övergången till vuxenvården när barnet fyller 18 år bör ske"; multiprofessional teams "på
barncancercentrum och hemortssjukhus")."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.codes.mdk_rehab import load_children
from canrehab.domain.children import (
    AgeGroup,
    age_group,
    instrument_warning,
    is_home_region_handover,
    key_visits,
    level_set_for,
    require_transition_handover,
    transition_on,
    young_adult_targets,
)
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Handover, Patient, Profession, Sex

RULES = load_children()
ON = date(2026, 6, 1)


def _patient(born: date) -> Patient:
    return Patient(personnummer="201405059876", pseudonym="c1", sex=Sex.MALE, birth_date=born)


@pytest.mark.parametrize(
    ("born", "group"),
    [
        (date(2014, 5, 5), AgeGroup.CHILD),
        (date(2008, 6, 2), AgeGroup.CHILD),  # 17, turns 18 tomorrow
        (date(2008, 6, 1), AgeGroup.YOUNG_ADULT),  # 18 today
        (date(2001, 1, 1), AgeGroup.YOUNG_ADULT),  # 25
        (date(1999, 1, 1), AgeGroup.ADULT),
    ],
)
def test_barn_och_unga_under_18_and_young_adults_18_to_25(born: date, group: AgeGroup) -> None:
    assert age_group(_patient(born), ON, RULES) is group


def test_a_child_gets_the_childrens_level_set_generella_sarskilda_avancerade() -> None:
    assert level_set_for(_patient(date(2014, 5, 5)), ON, RULES, "national") == "children"
    assert level_set_for(_patient(date(1970, 5, 5)), ON, RULES, "national") == "national"


def test_key_visits_by_age_after_the_diagnosis_up_to_18() -> None:
    visits = key_visits(_patient(date(2014, 5, 5)), date(2019, 1, 1), RULES)
    assert visits == [
        (6, date(2020, 5, 5)),
        (10, date(2024, 5, 5)),
        (13, date(2027, 5, 5)),
        (16, date(2030, 5, 5)),
        (18, date(2032, 5, 5)),
    ]


def test_the_transition_to_adult_care_at_18_involves_rehab_staff() -> None:
    child = _patient(date(2008, 9, 1))
    assert transition_on(child, RULES) == date(2026, 9, 1)
    with pytest.raises(DomainError) as err:
        require_transition_handover(child, None, ON, RULES)
    assert err.value.code == "children.transition_without_rehab"
    require_transition_handover(child, Profession.PHYSIOTHERAPIST, ON, RULES)
    with pytest.raises(DomainError) as err:
        require_transition_handover(_patient(date(2014, 5, 5)), Profession.PHYSIOTHERAPIST, ON, RULES)
    assert err.value.code == "children.transition_too_early"


def test_the_handover_from_barncancercentrum_to_hemortssjukhus() -> None:
    rules = RULES.model_copy(update={"childrens_cancer_centres": ("SE-BCC",)})
    h = Handover(
        patient_id="p",
        pathway_id="w",
        from_unit_hsa_id="SE-BCC",
        to_unit_hsa_id="SE-HEM",
        from_staff_id="s",
        sent_on=ON,
    )
    assert is_home_region_handover(h, rules)
    assert not is_home_region_handover(h.model_copy(update={"from_unit_hsa_id": "SE-X"}), rules)


def test_a_young_adult_is_flagged_with_referral_targets() -> None:
    assert Profession.COUNSELLOR in young_adult_targets(_patient(date(2004, 1, 1)), ON, RULES)
    assert young_adult_targets(_patient(date(1980, 1, 1)), ON, RULES) == ()


def test_an_adult_only_instrument_warns_for_a_child_but_is_not_refused() -> None:
    warning = instrument_warning("halsoskattning", _patient(date(2014, 5, 5)), ON, RULES)
    assert warning is not None and "framtaget för vuxna" in warning and "12 år" in warning
    assert instrument_warning("halsoskattning", _patient(date(1980, 5, 5)), ON, RULES) is None
