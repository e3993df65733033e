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
    PathwayVariant,
    age_group,
    assign_consulting_nurse,
    child_routine,
    instrument_warning,
    is_home_region_handover,
    key_visits,
    level_set_for,
    pathway_variant,
    require_home_region_handover,
    require_transition_handover,
    transition_on,
    young_adult_targets,
)
from canrehab.domain.definitions import RoutineDef
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    CareUnit,
    Diagnosis,
    Handover,
    KeyMoment,
    NurseRole,
    Pathway,
    Patient,
    Profession,
    Sex,
    Staff,
)
from canrehab.domain.pathway import open_pathway
from canrehab.domain.routines import due_assessments

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


def test_nyckelbesok_barn_i_tonaren_two_or_three_and_a_fourth_at_about_25() -> None:
    """002: the key clinics "kallar barn i tonåren ... till två eller tre så kallade nyckelbesök"; "Ett
    fjärde nyckelbesök görs vid dessa mottagningar vid cirka 25 års ålder"."""
    visits = key_visits(_patient(date(2014, 5, 5)), date(2019, 1, 1), RULES)
    assert visits == [
        (13, date(2027, 5, 5)),
        (15, date(2029, 5, 5)),
        (17, date(2031, 5, 5)),
        (25, date(2039, 5, 5)),
    ]
    assert [age for age, _on in key_visits(_patient(date(2014, 5, 5)), date(2030, 1, 1), RULES)] == [17, 25]


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


def _child_pathway(born: date, diagnosed: date) -> tuple[Patient, Pathway]:
    child = _patient(born)
    unit = CareUnit(hsa_id="SE-BCC", name="Barncancercentrum", county_code="01")
    diagnosis = Diagnosis(icd10="C91.0", diagnosed_on=diagnosed, process="other")
    return child, open_pathway(child, unit, diagnosis, diagnosed)


def test_a_child_diagnosed_under_18_gets_the_pathway_variant_barn_och_ungdom() -> None:
    child, pathway = _child_pathway(date(2014, 5, 5), date(2025, 1, 10))
    assert pathway_variant(child, pathway, RULES) is PathwayVariant.CHILDREN
    adult, adult_pathway = _child_pathway(date(1990, 5, 5), date(2025, 1, 10))
    assert pathway_variant(adult, adult_pathway, RULES) is PathwayVariant.ADULT


def test_nyckelbesok_are_routine_triggers_on_a_childs_pathway_and_fall_due_on_the_birthday(
    routines: dict[str, RoutineDef],
) -> None:
    child, pathway = _child_pathway(date(2012, 3, 1), date(2024, 2, 1))
    routine = child_routine(routines["default"], child, pathway, RULES)
    assert len(routine.triggers) == len(routines["default"].triggers) + 4  # 13, 15, 17 and 25
    due = due_assessments(pathway, [], routine, date(2025, 3, 10))
    assert any(i.due_on == date(2025, 3, 1) and i.key_moment is KeyMoment.FOLLOW_UP for i in due)
    adult, adult_pathway = _child_pathway(date(1980, 3, 1), date(2024, 2, 1))
    assert child_routine(routines["default"], adult, adult_pathway, RULES) is routines["default"]


def test_inom_barncancervarden_finns_konsultsjukskoterska_vid_samtliga_bcc() -> None:
    rules = RULES.model_copy(update={"childrens_cancer_centres": ("SE-BCC",)})
    child, pathway = _child_pathway(date(2014, 5, 5), date(2026, 1, 10))
    bcc_nurse = Staff(hsa_id="N1", name="Kim", profession=Profession.NURSE, unit_hsa_id="SE-BCC")
    named = assign_consulting_nurse(pathway, child, bcc_nurse, date(2026, 1, 12), rules)
    assert named.contact_nurses[-1].role is NurseRole.CONSULTING_NURSE
    in_role = bcc_nurse.model_copy(update={"profession": Profession.CONSULTING_NURSE})
    assert assign_consulting_nurse(pathway, child, in_role, date(2026, 1, 12), rules).contact_nurses[
        -1
    ].role is (NurseRole.CONSULTING_NURSE)
    physician = bcc_nurse.model_copy(update={"profession": Profession.PHYSICIAN})
    with pytest.raises(DomainError) as err:
        assign_consulting_nurse(pathway, child, physician, date(2026, 1, 12), rules)
    assert err.value.code == "children.consulting_nurse_not_nurse"
    other = bcc_nurse.model_copy(update={"unit_hsa_id": "SE-HEM"})
    with pytest.raises(DomainError) as err:
        assign_consulting_nurse(pathway, child, other, date(2026, 1, 12), rules)
    assert err.value.code == "children.consulting_nurse_not_bcc"
    adult, adult_pathway = _child_pathway(date(1990, 5, 5), date(2026, 1, 10))
    with pytest.raises(DomainError) as err:
        assign_consulting_nurse(adult_pathway, adult, bcc_nurse, date(2026, 1, 12), rules)
    assert err.value.code == "children.consulting_nurse_adult"


@pytest.mark.parametrize(
    ("from_unit", "to_unit", "born", "code"),
    [
        ("SE-BCC", "SE-HEM", date(2014, 5, 5), None),
        ("SE-HEM", "SE-HEM2", date(2014, 5, 5), "children.not_from_bcc"),
        ("SE-BCC", "SE-BCC2", date(2014, 5, 5), "children.to_bcc"),
        ("SE-BCC", "SE-HEM", date(2000, 5, 5), "children.not_a_child"),
    ],
)
def test_barnets_hemregion_deltar_ocksa_i_varden_the_handover_goes_from_bcc_to_the_home_region(
    from_unit: str, to_unit: str, born: date, code: str | None
) -> None:
    rules = RULES.model_copy(update={"childrens_cancer_centres": ("SE-BCC", "SE-BCC2")})
    units = [CareUnit(hsa_id=u, name=u, county_code="01") for u in (from_unit, to_unit)]
    if code is None:
        require_home_region_handover(_patient(born), units[0], units[1], ON, rules)
        return
    with pytest.raises(DomainError) as err:
        require_home_region_handover(_patient(born), units[0], units[1], ON, rules)
    assert err.value.code == code
