"""The patient page's care-process panels (relatives, MDK-rehab, children and young adults): the context
of the partials ``_care_relatives.html``, ``_care_mdk_rehab.html`` and ``_care_children.html``."""

from __future__ import annotations

from typing import Any

from canrehab.domain.access import Actor
from canrehab.domain.mdk_rehab import MdkRehabStatus
from canrehab.domain.relatives import ConsentStatus, RelationKind, SupportKind
from canrehab.services import organisation
from canrehab.services.care_panels import patient_care_panels
from canrehab.web import format as fmt

CHOICES = {
    "relations": [(k.value, k.label_sv) for k in RelationKind],
    "consents": [(k.value, k.label_sv) for k in ConsentStatus],
    "support_kinds": [(k.value, k.label_sv) for k in SupportKind],
}


def context(
    services: Any,
    actor: Actor,
    record: Any,
    *,
    can_act: bool,
    refused: tuple[str, str, dict[str, str]] | None,
    panels: Any = None,
    units: list[Any] | None = None,
) -> dict[str, Any]:
    """The panels' context; ``refused`` (form id, message, input) puts an error and the kept input on one
    form. ``panels`` and ``units``: already read by the caller (``services.readmodel.patient_page``)."""
    if panels is None:
        panels = patient_care_panels(services, actor, record.patient.id)
    if units is None:
        units = organisation.care_units(services) if can_act else []
    relative_names = {r.id: r.name for r in panels.relatives}
    form_id, message, values = refused if refused else ("", "", {})
    return {
        "care": panels,
        "care_units": units,
        "care_choices": CHOICES,
        "relative_names": relative_names,
        "mdk_by_pathway": {
            p.id: [c for c in panels.mdk_rehab_cases if c.pathway_id == p.id] for p in record.pathways
        },
        "mdk_coordinator": {
            c.id: c.coordinator_unit_hsa_id in actor.unit_hsa_ids for c in panels.mdk_rehab_cases
        },
        "MDK_OPEN": (MdkRehabStatus.REFERRED.value, MdkRehabStatus.RECEIVED.value),
        "form_error": {form_id: message} if form_id else {},
        "form_values": {form_id: values} if form_id else {},
        "profession_label": lambda v: fmt.label(fmt.PROFESSION_SV, v),
    }
