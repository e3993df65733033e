"""Children and young adults (002 "Barn och ungdom"): the 0-17 variant with the children's level set, key
visits by age, the handover between the children's cancer centre and the home region's hospital, the
transition to adult care at 18 that involves rehab staff, the young-adult (18-25) flag with its referral
targets, and a warning when an adult-only instrument is used for a child. The numbers and lists are data
(``codes/children.yaml``, ``ChildrenDef``). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from canrehab.domain.errors import DomainError
from canrehab.domain.kva import age_on
from canrehab.domain.model import Entity, Handover, Labelled, Patient, Profession, register_labels


class YoungAdultDef(Entity):
    min_age: int
    max_age: int
    referral_targets: tuple[Profession, ...]


class ChildrenDef(Entity):
    adult_age: int
    level_set: str
    young_adult: YoungAdultDef
    key_visit_ages: tuple[int, ...]
    adult_only_instruments: tuple[str, ...]
    childrens_cancer_centres: tuple[str, ...] = ()
    transition_professions: tuple[Profession, ...]


class AgeGroup(Labelled):
    CHILD = "child"  # 0-17
    YOUNG_ADULT = "young_adult"  # 18-25
    ADULT = "adult"


register_labels(
    AgeGroup,
    {
        AgeGroup.CHILD: "barn och ungdom (0–17 år)",
        AgeGroup.YOUNG_ADULT: "ung vuxen (18–25 år)",
        AgeGroup.ADULT: "vuxen",
    },
)


def age_group(patient: Patient, on: date, rules: ChildrenDef) -> AgeGroup:
    age = age_on(patient.birth_date, on)
    if age < rules.adult_age:
        return AgeGroup.CHILD
    if rules.young_adult.min_age <= age <= rules.young_adult.max_age:
        return AgeGroup.YOUNG_ADULT
    return AgeGroup.ADULT


def level_set_for(patient: Patient, on: date, rules: ChildrenDef, regional_set: str) -> str:
    """The children's level set for a patient under 18, else the region's."""
    return rules.level_set if age_group(patient, on, rules) is AgeGroup.CHILD else regional_set


def _birthday(birth_date: date, age: int) -> date:
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:  # born 29 February
        return date(birth_date.year + age, 3, 1)


def key_visits(patient: Patient, diagnosed_on: date, rules: ChildrenDef) -> list[tuple[int, date]]:
    """The key visits by age after the diagnosis: (age, the birthday it is due on), up to adult age."""
    return [
        (age, _birthday(patient.birth_date, age))
        for age in rules.key_visit_ages
        if age <= rules.adult_age and _birthday(patient.birth_date, age) > diagnosed_on
    ]


def transition_on(patient: Patient, rules: ChildrenDef) -> date:
    """The day care moves to adult care (the 18th birthday)."""
    return _birthday(patient.birth_date, rules.adult_age)


def require_transition_handover(
    patient: Patient, to_profession: Profession | None, on: date, rules: ChildrenDef
) -> None:
    """The transition handover to adult care at 18 involves rehab staff (002: "hur övergången till
    vuxenvården när barnet fyller 18 år bör ske")."""
    if to_profession not in rules.transition_professions:
        allowed = ", ".join(p.value for p in rules.transition_professions)
        raise DomainError(
            "children.transition_without_rehab",
            "Överlämningen till vuxenvården vid 18 år ska gå till rehabiliteringspersonal (till exempel "
            "arbetsterapeut, fysioterapeut, kurator eller psykolog); ange mottagande profession.",
            f"transition handover must go to one of {allowed}",
        )
    if on < _birthday(patient.birth_date, rules.adult_age - 1):
        raise DomainError(
            "children.transition_too_early",
            "Övergången till vuxenvården planeras inför 18-årsdagen "
            f"({transition_on(patient, rules).isoformat()}).",
            "transition handover more than a year before the 18th birthday",
        )


def is_home_region_handover(h: Handover, rules: ChildrenDef) -> bool:
    """A handover from the children's cancer centre to a unit outside it (the home region's hospital)."""
    centres = set(rules.childrens_cancer_centres)
    return h.from_unit_hsa_id in centres and h.to_unit_hsa_id not in centres


def young_adult_targets(patient: Patient, on: date, rules: ChildrenDef) -> tuple[Profession, ...]:
    """The referral targets offered to a young adult (18-25); empty for everyone else."""
    if age_group(patient, on, rules) is AgeGroup.YOUNG_ADULT:
        return rules.young_adult.referral_targets
    return ()


def instrument_warning(instrument_id: str, patient: Patient, on: date, rules: ChildrenDef) -> str | None:
    """A Swedish warning when an instrument made for adults is used for a child (not a refusal)."""
    if instrument_id in rules.adult_only_instruments and age_group(patient, on, rules) is AgeGroup.CHILD:
        return (
            f"Formuläret är framtaget för vuxna; patienten är {age_on(patient.birth_date, on)} år. Använd "
            "barnonkologins bedömning enligt vårdprogrammet för barn och ungdom."
        )
    return None


def adult_only_used_for_children(
    instrument_ids: Sequence[str], patient: Patient, on: date, rules: ChildrenDef
) -> list[str]:
    return [i for i in instrument_ids if instrument_warning(i, patient, on, rules) is not None]
