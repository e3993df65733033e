"""What the patient page shows of the care process beyond the pathway itself: relatives and the support
given to them, MDK-rehab cases, and the children's and young adults' view per pathway (one use case, so
that the page's route calls one thing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor
from canrehab.domain.pathway import CONSULTING_NURSE_PROFESSIONS
from canrehab.services import children, mdk_rehab, relatives

if TYPE_CHECKING:
    from canrehab.services.context import Services


@dataclass
class CarePanels:
    relatives: list[Any] = field(default_factory=list)
    supports: list[Any] = field(default_factory=list)
    mdk_rehab_cases: list[Any] = field(default_factory=list)
    children: dict[str, Any] = field(default_factory=dict)  # pathway id -> services.children.ChildView
    consulting_nurse_candidates: list[Any] = field(default_factory=list)  # nurses of the actor's BCC


def patient_care_panels(services: Services, actor: Actor, patient_id: str) -> CarePanels:
    """The patient's relatives, support to them, MDK-rehab cases and children's views (each read audited by
    the use case that reads it)."""
    panels = CarePanels(
        relatives=relatives.for_patient(services, actor, patient_id),
        supports=relatives.supports_for_patient(services, actor, patient_id),
        mdk_rehab_cases=mdk_rehab.for_patient(services, actor, patient_id),
        children=children.child_views(services, actor, patient_id),
    )
    centres = set(children.children_rules(services).childrens_cancer_centres) & actor.unit_hsa_ids
    if panels.children and centres:
        with services.uow(actor, log_reads=False) as uow:  # staff lists, no patient data
            panels.consulting_nurse_candidates = [
                s
                for unit in sorted(centres)
                for s in uow.staff.for_unit(unit)
                if s.profession in CONSULTING_NURSE_PROFESSIONS
            ]
    return panels
