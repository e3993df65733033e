"""Children and young adults (002 "Barn och ungdom") in the care process: the children's pathway variant
with the children's level set, the konsultsjuksköterska, the handover between the barncancercentrum and
the home region's hospital, key visits by age as routine triggers, the transition handover to adult care
at 18 that involves rehab staff, the young-adult (18-25) flag with its referral targets, and the warning
when an adult-only instrument is used for a child. Rules in ``domain.children``; numbers and lists in
``codes/children.yaml`` (``services.catalog.children``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import children as rules
from canrehab.domain.access import Actor
from canrehab.domain.children import AgeGroup, ChildrenDef, PathwayVariant
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import age_on
from canrehab.domain.model import (
    Handover,
    HandoverContent,
    NurseRole,
    Pathway,
    Patient,
    Profession,
)
from canrehab.domain.pathway import current_contact_nurse
from canrehab.services.guard import acting_staff, pathway_of, require_read, require_write

if TYPE_CHECKING:
    from canrehab.services.context import Services


def children_rules(services: Services) -> ChildrenDef:
    found = services.catalog.children
    if found is None:  # a catalog built by hand (tests): the shipped rules
        from canrehab.codes.mdk_rehab import load_children

        found = services.catalog.children = load_children()
    return found  # type: ignore[no-any-return]


def routine_for(services: Services, patient: Patient, pathway: Pathway) -> Any:
    """The pathway's routine: the process's, with a child's key visits by age as triggers."""
    routine = services.catalog.routine_for(pathway.diagnosis.process)
    return rules.child_routine(routine, patient, pathway, children_rules(services))


def level_set_for(services: Services, patient: Patient, on: date) -> Any:
    """The children's level set for a patient under 18 (generella, särskilda, avancerade insatser), else the
    region's chosen set."""
    from canrehab.codes.catalog import load_level_sets

    regional = services.catalog.level_set
    if regional is None:
        return None
    wanted = rules.level_set_for(patient, on, children_rules(services), regional.id)
    return regional if wanted == regional.id else load_level_sets()[wanted]


def instrument_warning(services: Services, patient: Patient, instrument_id: str) -> str | None:
    return rules.instrument_warning(instrument_id, patient, services.today(), children_rules(services))


@dataclass
class ChildView:
    """What the patient page shows of the children's and young adults' rules for one pathway."""

    pathway_id: str
    variant: PathwayVariant
    age_group: AgeGroup
    age: int
    level_set: Any  # LevelSetDef
    consulting_nurse: str = ""  # name of the current konsultsjuksköterska
    key_visits: list[tuple[int, date]] = field(default_factory=list)
    next_key_visit: date | None = None
    transition_on: date | None = None
    transition_open: bool = False  # within the year before the 18th birthday (or after)
    young_adult_targets: tuple[Profession, ...] = ()
    warnings: list[str] = field(default_factory=list)
    home_region_handovers: list[Handover] = field(default_factory=list)
    transition_handovers: list[Handover] = field(default_factory=list)
    is_centre: bool = False  # the actor's unit is a barncancercentrum
    level_label: str = ""


def child_views(services: Services, actor: Actor, patient_id: str) -> dict[str, ChildView]:
    """Per pathway of the patient, the children's view (only the children's variant, and young adults)."""
    today = services.today()
    spec = children_rules(services)
    with services.uow(actor) as uow:
        require_read(services, uow, actor, patient_id, "pathway")
        patient = uow.patients.get(patient_id)
        pathways = uow.pathways.for_patient(patient_id)
        handovers = uow.handovers.for_patient(patient_id)
        views: dict[str, ChildView] = {}
        for pw in pathways:
            variant = rules.pathway_variant(patient, pw, spec)
            group = rules.age_group(patient, today, spec)
            if variant is PathwayVariant.ADULT and group is AgeGroup.ADULT:
                continue
            views[pw.id] = _view(services, uow, actor, patient, pw, handovers, variant, group, today)
        return views


def _view(
    services: Services,
    uow: Any,
    actor: Actor,
    patient: Patient,
    pw: Pathway,
    handovers: list[Handover],
    variant: PathwayVariant,
    group: AgeGroup,
    today: date,
) -> ChildView:
    spec = children_rules(services)
    level_set = level_set_for(services, patient, pw.confirmed_level_on or today)
    nurse = current_contact_nurse(pw, today)
    consulting = ""
    if nurse is not None and nurse.role is NurseRole.CONSULTING_NURSE:
        consulting = uow.staff.get(nurse.staff_id).name
    own = [h for h in handovers if h.pathway_id == pw.id]
    is_child_path = variant is PathwayVariant.CHILDREN
    transition = rules.transition_on(patient, spec) if is_child_path else None
    warnings = [
        w
        for instrument in spec.adult_only_instruments
        if (w := rules.instrument_warning(instrument, patient, today, spec)) is not None
    ][:1]
    return ChildView(
        pathway_id=pw.id,
        variant=variant,
        age_group=group,
        age=age_on(patient.birth_date, today),
        level_set=level_set,
        consulting_nurse=consulting,
        key_visits=rules.key_visits(patient, pw.started_on, spec) if is_child_path else [],
        next_key_visit=rules.next_key_visit(patient, pw.started_on, today, spec) if is_child_path else None,
        transition_on=transition,
        transition_open=transition is not None and age_on(patient.birth_date, today) >= spec.adult_age - 1,
        young_adult_targets=rules.young_adult_targets(patient, today, spec),
        warnings=warnings,
        home_region_handovers=[
            h
            for h in own
            if rules.is_home_region_handover(h, spec) and not rules.is_transition_handover(h, patient, spec)
        ],
        transition_handovers=[h for h in own if rules.is_transition_handover(h, patient, spec)],
        is_centre=bool(actor.unit_hsa_ids & set(spec.childrens_cancer_centres)),
        level_label=(
            level_set.label(pw.confirmed_level)
            if level_set is not None and pw.confirmed_level is not None
            else ""
        ),
    )


def assign_consulting_nurse(
    services: Services,
    actor: Actor,
    pathway_id: str,
    staff_id: str,
    version: int,
    *,
    from_date: date | None = None,
) -> Pathway:
    """Name the child's konsultsjuksköterska from ``from_date`` (default today)."""
    with services.uow(actor) as uow:
        pathway = uow.pathways.get(pathway_id)
        require_write(services, uow, actor, pathway.patient_id, "pathway", pathway_id)
        patient = uow.patients.get(pathway.patient_id)
        nurse = uow.staff.get(staff_id)
        changed = rules.assign_consulting_nurse(
            pathway, patient, nurse, from_date or services.today(), children_rules(services)
        )
        saved: Pathway = uow.pathways.update(changed, expected_version=version)
        uow.refresh_worklist(pathway_id)
        return saved


def _check(services: Services, actor: Actor, patient_id: str, pathway_id: str, check: Any) -> None:
    """Run a children's rule on the patient and the units before the handover is sent (a read)."""
    with services.uow(actor, log_reads=False) as uow:
        pathway_of(uow, pathway_id, patient_id)
        patient = uow.patients.get(patient_id)
        from_unit = uow.units.get(acting_staff(uow, actor).unit_hsa_id)
        check(uow, patient, from_unit)


def hand_over_to_home_region(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit_hsa_id: str,
    content: HandoverContent,
    patient_informed: bool,
) -> Handover:
    """The active handover from the barncancercentrum to the hospital of the child's home region."""
    from canrehab.services import handovers

    def check(uow: Any, patient: Patient, from_unit: Any) -> None:
        to_unit = uow.units.get(to_unit_hsa_id)
        rules.require_home_region_handover(
            patient, from_unit, to_unit, services.today(), children_rules(services)
        )

    _check(services, actor, patient_id, pathway_id, check)
    return handovers.send(
        services,
        actor,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=to_unit_hsa_id,
        to_profession=None,
        content=content,
        patient_informed=patient_informed,
    )


def hand_over_to_adult_care(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit_hsa_id: str,
    to_profession: Profession | None,
    content: HandoverContent,
    patient_informed: bool,
) -> Handover:
    """The transition handover to adult care at 18, to rehab staff of the adult unit (002: "hur
    övergången till vuxenvården när barnet fyller 18 år bör ske")."""
    from canrehab.services import handovers

    def check(uow: Any, patient: Patient, _from_unit: Any) -> None:
        spec = children_rules(services)
        if to_unit_hsa_id in spec.childrens_cancer_centres:
            raise DomainError(
                "children.to_bcc",
                "Mottagaren är ett barncancercentrum; välj en enhet i vuxenvården.",
                "transition handover must go to adult care",
            )
        uow.units.get(to_unit_hsa_id)
        rules.require_transition_handover(patient, to_profession, services.today(), spec)

    _check(services, actor, patient_id, pathway_id, check)
    return handovers.send(
        services,
        actor,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=to_unit_hsa_id,
        to_profession=to_profession,
        content=content,
        patient_informed=patient_informed,
    )
