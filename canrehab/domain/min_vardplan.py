"""What the patient's Min vårdplan shows, from the pathway's facts (001, "Min vårdplan", "Aktiva
överlämningar"):

* "Byte av ansvarig vårdkontakt ska tydligt framgå i journalen och i patientens Min vårdplan": after a
  handover whose receiver confirmed contact with the patient, the receiving unit (and its named receiver) is
  responsible, and the earlier unit is shown as earlier (``responsible_care``).
* "Efter avslutad behandling görs en sammanfattning av vården, biverkningar och tydlig information om
  uppföljning och vem som är ansvarig för fortsatt vård" (``treatment_summary``).

Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from canrehab.domain.handover import pathway_responsible_unit
from canrehab.domain.model import (
    Entity,
    Handover,
    HandoverStatus,
    Pathway,
    PhaseKind,
    PlanStatus,
    RehabPlan,
)
from canrehab.domain.pathway import current_contact_nurse

CONFIRMED = (HandoverStatus.PATIENT_CONTACTED, HandoverStatus.COMPLETED)


class ResponsibleCare(Entity):
    """Who is responsible for the patient's care now, since when, and who was before."""

    unit_hsa_id: str
    staff_id: str | None = None  # the named receiver, or the treating unit's contact nurse
    since: date | None = None  # the date the receiver confirmed contact (None: from the start)
    previous_unit_hsa_id: str | None = None


class TreatmentSummary(Entity):
    """The end-of-treatment summary: the care given, its side effects and what follows, and who is
    responsible for the continued care."""

    diagnosed_on: date
    treatment_started_on: date | None
    treatment_ended_on: date
    care_given: str
    side_effects: str
    follow_up: str
    follow_up_on: date | None
    responsible_unit_hsa_id: str


def _last_confirmed(pathway: Pathway, handovers: Sequence[Handover]) -> Handover | None:
    own = [h for h in handovers if h.pathway_id == pathway.id and h.status in CONFIRMED]
    return max(own, key=lambda h: (h.patient_contacted_on or h.sent_on, h.sent_on), default=None)


def responsible_care(pathway: Pathway, handovers: Sequence[Handover], today: date) -> ResponsibleCare:
    unit = pathway_responsible_unit(pathway, handovers)
    last = _last_confirmed(pathway, handovers)
    if last is not None and last.to_unit_hsa_id == unit and unit != pathway.unit_hsa_id:
        return ResponsibleCare(
            unit_hsa_id=unit,
            staff_id=last.to_staff_id,
            since=last.patient_contacted_on,
            previous_unit_hsa_id=last.from_unit_hsa_id,
        )
    nurse = current_contact_nurse(pathway, today)
    return ResponsibleCare(unit_hsa_id=unit, staff_id=nurse.staff_id if nurse else None)


def _phase_on(pathway: Pathway, kind: PhaseKind) -> date | None:
    return max((p.on for p in pathway.phases if p.kind is kind), default=None)


def treatment_summary(
    pathway: Pathway, plans: Sequence[RehabPlan], handovers: Sequence[Handover], today: date
) -> TreatmentSummary | None:
    """The summary once treatment has ended (``None`` before): from the handover that carries disease and
    treatment where there is one, else the plan; the follow-up from the current plan."""
    ended = _phase_on(pathway, PhaseKind.TREATMENT_END)
    if ended is None or ended > today:
        return None
    own = [h for h in handovers if h.pathway_id == pathway.id and h.status is not HandoverStatus.REJECTED]
    latest = max(own, key=lambda h: h.sent_on, default=None)
    plan = next(
        (p for p in reversed(plans) if p.pathway_id == pathway.id and p.status is PlanStatus.ESTABLISHED),
        None,
    )
    content = latest.content if latest is not None else None
    return TreatmentSummary(
        diagnosed_on=pathway.diagnosis.diagnosed_on or pathway.started_on,
        treatment_started_on=_phase_on(pathway, PhaseKind.TREATMENT_START),
        treatment_ended_on=ended,
        care_given=(content.treatment if content else "") or (plan.content.summary if plan else ""),
        side_effects=(content.needs if content else ""),
        follow_up=(content.plan_summary if content else "") or (plan.content.self_care if plan else ""),
        follow_up_on=plan.content.follow_up_on if plan else None,
        responsible_unit_hsa_id=pathway_responsible_unit(pathway, handovers),
    )
