"""The worklist: what is due or missing for the patients of a care unit.

The per-pathway flags are computed by the pure ``domain.worklist`` rules and kept in the denormalised
``worklist_status`` table, refreshed after every write to the pathway and by ``canrehab refresh-worklist``
(nightly, so that dates that pass turn items overdue). A unit's list is then one indexed query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from canrehab.domain.access import Actor
from canrehab.domain.model import AssessmentStatus
from canrehab.domain.worklist import worklist_flags
from canrehab.services.guard import STAFF_ROLES, require_role

if TYPE_CHECKING:
    from canrehab.services.context import Services

# Category keys (the worklist_status flag columns) and their Swedish labels, in display order.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("no_contact_nurse", "Saknar kontaktsjuksköterska"),
    ("no_min_vardplan", "Saknar Min vårdplan"),
    ("assessment_overdue", "Bedömning försenad"),
    ("assessment_due", "Bedömning att göra"),
    ("assessments_to_confirm", "Skattning att bedöma"),
    ("plan_missing", "Rehabplan saknas"),
    ("plan_follow_up_due", "Uppföljning av plan"),
    ("referrals_waiting", "Remisser väntar"),
    ("handovers_in_awaiting", "Överlämning till oss att bekräfta"),
    ("handovers_out_unconfirmed", "Vår överlämning ej bekräftad"),
    ("handovers_out_overdue", "Vår överlämning försenad"),
)
CATEGORY_LABELS = dict(CATEGORIES)


def status_row(services: Services, uow: Any, pathway_id: str, today: date | None = None) -> Any:
    """Recompute the worklist flags of one pathway from its aggregates (no audit: system bookkeeping)."""
    from canrehab.store.repositories import WorklistStatusRow

    today = today or services.today()
    pathway = uow.pathways.find(pathway_id)
    patient = uow.patients.find(pathway.patient_id)
    assessments = [a for a in uow.assessments.for_patient(patient.id) if a.pathway_id == pathway_id]
    plans = [p for p in uow.plans.for_patient(patient.id) if p.pathway_id == pathway_id]
    handovers = [h for h in uow.handovers.for_patient(patient.id) if h.pathway_id == pathway_id]
    referrals = [r for r in uow.referrals.for_patient(patient.id) if r.pathway_id == pathway_id]
    return row_from_aggregates(
        services, patient, pathway, assessments, plans, handovers, referrals, today, WorklistStatusRow
    )


def row_from_aggregates(
    services: Services,
    patient: Any,
    pathway: Any,
    assessments: Sequence[Any],
    plans: Sequence[Any],
    handovers: Sequence[Any],
    referrals: Sequence[Any],
    today: date,
    row_type: Any = None,
) -> Any:
    from canrehab.domain.pathway import current_phase

    if row_type is None:
        from canrehab.store.repositories import WorklistStatusRow

        row_type = WorklistStatusRow
    flags = worklist_flags(
        patient,
        pathway,
        assessments,
        plans,
        handovers,
        referrals,
        services.catalog.routine_for(pathway.diagnosis.process),
        today,
        handover_overdue_days=services.settings.handover_overdue_days,
        plan_follow_up_window_days=services.settings.plan_follow_up_window_days,
        unit_hsa_id=pathway.unit_hsa_id,
    )
    phase = current_phase(pathway, today)
    to_confirm = [
        a for a in assessments if a.pathway_id == pathway.id and a.status == AssessmentStatus.SUBMITTED
    ]
    next_action = min(
        [d for d in (flags.next_action_on, *(a.submitted_on for a in to_confirm)) if d is not None],
        default=None,
    )
    return row_type(
        pathway_id=pathway.id,
        patient_id=patient.id,
        unit_hsa_id=pathway.unit_hsa_id,
        process=pathway.diagnosis.process,
        phase=phase.value if phase is not None and hasattr(phase, "value") else phase,
        level=int(pathway.confirmed_level) if pathway.confirmed_level is not None else None,
        no_contact_nurse=flags.no_contact_nurse,
        no_min_vardplan=flags.no_min_vardplan,
        assessment_due=flags.assessment_due,
        assessment_overdue=flags.assessment_overdue,
        assessments_to_confirm=len(to_confirm),
        plan_missing=flags.plan_missing,
        plan_follow_up_due=flags.plan_follow_up_due,
        referrals_waiting=flags.referrals_waiting,
        handovers_in_awaiting=flags.handovers_in_awaiting,
        handovers_out_unconfirmed=flags.handovers_out_unconfirmed,
        handovers_out_overdue=flags.handovers_out_overdue,
        next_action_on=next_action,
        updated_at=datetime.now(UTC),
    )


def refresh(services: Services, uow: Any, pathway_id: str) -> None:
    uow.worklist.upsert(status_row(services, uow, pathway_id))


@dataclass
class WorklistResult:
    rows: list[Any]
    counts: dict[str, int]
    total: int
    inbox_handovers: list[Any] = field(default_factory=list)
    inbox_referrals: list[Any] = field(default_factory=list)


def unit_worklist(
    services: Services,
    actor: Actor,
    *,
    process: str | None = None,
    phase: str | None = None,
    due: str | None = None,
    sort: str = "next_action",
    limit: int = 50,
    offset: int = 0,
) -> WorklistResult:
    """What is due for the actor's units today: one indexed query for rows, one for the counts."""
    require_role(actor, STAFF_ROLES)
    if due is not None and due not in CATEGORY_LABELS:
        due = None
    units = sorted(actor.unit_hsa_ids)
    with services.uow(actor) as uow:
        rows, counts, total = uow.worklist.query(
            units,
            process=process or None,
            phase=phase or None,
            due=due,
            today=services.today(),
            sort=sort,
            limit=limit,
            offset=offset,
        )
        uow.audit.record("read", "worklist", ",".join(units), None, f"{len(rows)} rader")
    return WorklistResult(rows=list(rows), counts=dict(counts), total=int(total))


def refresh_all(services: Services, actor: Actor, batch: int = 1000) -> int:
    """Recompute all worklist rows (system job, no read audit)."""
    done = 0
    with services.uow(actor, log_reads=False) as uow:
        ids = uow.pathways.all_ids()
    for start in range(0, len(ids), batch):
        with services.uow(actor, log_reads=False) as uow:
            for pathway_id in ids[start : start + batch]:
                refresh(services, uow, pathway_id)
                done += 1
    return done


def refresh_patients(services: Services, uow: Any, patient_ids: set[str]) -> None:
    """Refresh the worklist rows of every pathway of these patients (after writes that did not go through the
    services' use cases, e.g. FHIR updates and Bundle imports)."""
    for patient_id in sorted(patient_ids):
        for pathway in uow.pathways.for_patient(patient_id):
            refresh(services, uow, pathway.id)
