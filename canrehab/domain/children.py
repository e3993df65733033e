"""Children and young adults (002 "Barn och ungdom"): the 0-17 variant with the children's level set, key
visits by age, the handover between the children's cancer centre and the home region's hospital, the
transition to adult care at 18 that involves rehab staff, the young-adult (18-25) flag with its referral
targets, and a warning when an adult-only instrument is used for a child. The numbers and lists are data
(``codes/children.yaml``, ``ChildrenDef``). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from canrehab.domain.definitions import RoutineDef, RoutineTrigger
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import age_on
from canrehab.domain.model import (
    CareUnit,
    Entity,
    Handover,
    KeyMoment,
    Labelled,
    NurseRole,
    Pathway,
    Patient,
    PhaseKind,
    Profession,
    Staff,
    register_labels,
)
from canrehab.domain.pathway import CONSULTING_NURSE_PROFESSIONS, assign_contact_nurse
from canrehab.domain.routines import trigger_anchor


class YoungAdultDef(Entity):
    min_age: int
    max_age: int
    referral_targets: tuple[Profession, ...]


class ChildrenDef(Entity):
    adult_age: int
    level_set: str
    young_adult: YoungAdultDef
    key_visit_ages: tuple[int, ...]
    follow_up_visit_age: int | None = None  # the fourth key visit, at the adults' uppföljningsmottagning
    key_visit_grace_days: int = 60
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
    """The key visits by age after the diagnosis: (age, the birthday it is due on). 002: the key clinics
    "kallar barn i tonåren ... till två eller tre så kallade nyckelbesök" before 18, and "Ett fjärde
    nyckelbesök görs vid [uppföljnings]mottagningar vid cirka 25 års ålder"."""
    ages = [a for a in rules.key_visit_ages if a < rules.adult_age]
    if rules.follow_up_visit_age is not None:
        ages.append(rules.follow_up_visit_age)
    return [
        (age, _birthday(patient.birth_date, age))
        for age in sorted(set(ages))
        if _birthday(patient.birth_date, age) > diagnosed_on
    ]


class PathwayVariant(Labelled):
    ADULT = "adult"
    CHILDREN = "children"  # 0-17 at diagnosis: the children's programme


register_labels(
    PathwayVariant,
    {
        PathwayVariant.ADULT: "vuxna",
        PathwayVariant.CHILDREN: "barn och ungdom (0–17 år)",
    },
)


def pathway_variant(patient: Patient, pathway: Pathway, rules: ChildrenDef) -> PathwayVariant:
    """The children's variant for a pathway whose diagnosis came before the 18th birthday (002 "Barn och
    ungdom": "insatser för barn och unga under 18 års ålder"); it stays so until the transition."""
    if age_on(patient.birth_date, pathway.diagnosis.diagnosed_on or pathway.started_on) < rules.adult_age:
        return PathwayVariant.CHILDREN
    return PathwayVariant.ADULT


def child_routine(routine: RoutineDef, patient: Patient, pathway: Pathway, rules: ChildrenDef) -> RoutineDef:
    """The routine of a child's pathway: the process's triggers plus one follow-up trigger per key visit
    by age (anchored on the diagnosis, due on the birthday), so that the worklist asks for them like any
    key moment. An adult's routine is returned as it is."""
    if pathway_variant(patient, pathway, rules) is not PathwayVariant.CHILDREN:
        return routine
    anchor = trigger_anchor(pathway, PhaseKind.DIAGNOSIS)
    if anchor is None:  # a suspicion not yet confirmed: the key visits wait for the diagnosis
        return routine
    taken = {(t.key_moment, t.anchor_name, t.offset_days) for t in routine.triggers}
    visits = [
        RoutineTrigger(
            key_moment=KeyMoment.FOLLOW_UP,
            anchor=PhaseKind.DIAGNOSIS,
            offset_days=(on - anchor).days,
            grace_days=rules.key_visit_grace_days,
            tolerance_days=rules.key_visit_grace_days,
            upcoming_days=30,
            expire_days=2 * rules.key_visit_grace_days,
        )
        for _age, on in key_visits(patient, anchor, rules)
    ]
    extra = tuple(t for t in visits if (t.key_moment, t.anchor_name, t.offset_days) not in taken)
    return routine.model_copy(update={"triggers": routine.triggers + extra})


def assign_consulting_nurse(
    pathway: Pathway, patient: Patient, staff: Staff, on: date, rules: ChildrenDef
) -> Pathway:
    """Name the child's konsultsjuksköterska (002: "istället finns en roll som kallas
    konsultsjuksköterska vid samtliga BCC"): only on a child's pathway while the patient is under 18, and
    a nurse of a barncancercentrum when the region has named its centres."""
    require_consulting_nurse(pathway, patient, staff, on, rules)
    changed = assign_contact_nurse(pathway, staff, on)
    if changed is pathway:
        return pathway
    last = changed.contact_nurses[-1].model_copy(update={"role": NurseRole.CONSULTING_NURSE})
    return changed.model_copy(update={"contact_nurses": (*changed.contact_nurses[:-1], last)})


def require_consulting_nurse(
    pathway: Pathway, patient: Patient, staff: Staff, on: date, rules: ChildrenDef
) -> None:
    """The konsultsjuksköterska's rule (see ``assign_consulting_nurse``), also for a pathway recorded
    whole by another system."""
    age = age_on(patient.birth_date, on)
    if pathway_variant(patient, pathway, rules) is not PathwayVariant.CHILDREN or age >= rules.adult_age:
        raise DomainError(
            "children.consulting_nurse_adult",
            f"Konsultsjuksköterska är en roll inom barncancervården; patienten är {age} år. Utse en "
            "kontaktsjuksköterska.",
            "a consulting nurse is for a child's pathway under 18",
        )
    if staff.profession not in CONSULTING_NURSE_PROFESSIONS:
        raise DomainError(
            "children.consulting_nurse_not_nurse",
            "Konsultsjuksköterskan måste vara sjuksköterska eller ha rollen konsultsjuksköterska.",
            f"a consulting nurse must be a nurse or consulting nurse, not {staff.profession.value}",
        )
    centres = rules.childrens_cancer_centres
    if centres and staff.unit_hsa_id not in centres:
        raise DomainError(
            "children.consulting_nurse_not_bcc",
            "Konsultsjuksköterskan finns vid barncancercentrum (BCC); välj en sjuksköterska där.",
            "the consulting nurse must work at a children's cancer centre",
        )


def require_home_region_handover(
    patient: Patient, from_unit: CareUnit, to_unit: CareUnit, on: date, rules: ChildrenDef
) -> None:
    """A handover from the barncancercentrum to the child's home region (002: "barnets hemregion deltar
    också i vården och ger vissa typer av behandlingar"): from a centre, to a unit outside the centres,
    for a patient under 18."""
    centres = set(rules.childrens_cancer_centres)
    if from_unit.hsa_id not in centres:
        raise DomainError(
            "children.not_from_bcc",
            "Överlämning till hemortssjukhuset görs från barncancercentrum (BCC); din enhet är inte "
            "angiven som barncancercentrum.",
            "home-region handover must be sent from a children's cancer centre",
        )
    if to_unit.hsa_id in centres:
        raise DomainError(
            "children.to_bcc",
            "Mottagaren är ett barncancercentrum; välj sjukhuset i barnets hemregion.",
            "home-region handover must go to a unit outside the centres",
        )
    if age_group(patient, on, rules) is not AgeGroup.CHILD:
        raise DomainError(
            "children.not_a_child",
            "Patienten har fyllt 18 år; använd överlämningen till vuxenvården.",
            "home-region handover is for a patient under 18",
        )


def is_transition_handover(h: Handover, patient: Patient, rules: ChildrenDef) -> bool:
    """A handover to rehab staff sent in the year before the 18th birthday or the year after it: the
    transition to adult care."""
    start = _birthday(patient.birth_date, rules.adult_age - 1)
    end = _birthday(patient.birth_date, rules.adult_age + 1)
    return h.to_profession in rules.transition_professions and start <= h.sent_on < end


def next_key_visit(patient: Patient, diagnosed_on: date, today: date, rules: ChildrenDef) -> date | None:
    """The next key visit on or after ``today`` (a month's slack back), if any."""
    return next(
        (on for _age, on in key_visits(patient, diagnosed_on, rules) if on >= today - timedelta(days=30)),
        None,
    )


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
