"""The worklist: what is due or missing for the patients of a care unit.

The flags of each pathway, per unit it concerns, are computed by the pure ``domain.worklist`` rules and kept
in the denormalised ``worklist_status`` table. A row is recomputed after every write to its pathway and
again on its ``refresh_on`` date, when the passing of time changes its flags (an assessment falls due, a
handover becomes overdue): by the web app's daily job, by ``canrehab refresh-worklist``, and, as a safety
net, for a unit's stale rows just before its list is read. A unit's list is then one indexed query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from canrehab.codes.svf import load_definitions as load_svf_definitions
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus
from canrehab.domain.permissions import Action
from canrehab.domain.worklist import (
    MAX_GRACE_DAYS,
    flags_change_on,
    week_end,
    worklist_flags,
    worklist_units,
)
from canrehab.services import children as children_service
from canrehab.services.guard import require_action
from canrehab.store.repositories.care import MdkRehabRepository
from canrehab.store.repositories.svf import SvfRepository
from canrehab.store.repositories.worklist import DateWindow, WorklistPage

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
    ("team_missing", "Avancerad nivå utan rehabteam"),
    ("svf_mdk_due", "SVF: väntar på MDK"),
    ("svf_treatment_due", "SVF: väntar på behandlingsstart"),
    ("referrals_waiting", "Remisser väntar"),
    ("handovers_in_awaiting", "Överlämning till oss att bekräfta"),
    ("handovers_out_unconfirmed", "Vår överlämning ej bekräftad"),
    ("handovers_out_overdue", "Vår överlämning försenad"),
)
CATEGORY_LABELS = dict(CATEGORIES)
# Date groups (by the row's earliest date, ``domain.worklist.date_group``) and their labels, in display order.
GROUPS: tuple[tuple[str, str], ...] = (
    ("overdue", "Försenat"),
    ("today", "Att göra idag"),
    ("week", "Denna vecka"),
    ("later", "Senare"),
)
GROUP_LABELS = dict(GROUPS)


def status_rows(
    services: Services, uow: Any, pathway_ids: Sequence[str], today: date
) -> dict[str, list[Any]]:
    """Recompute the worklist rows of these pathways (one per unit each concerns) from their aggregates,
    loaded with one query per table and chunk of ids (no audit: system bookkeeping)."""
    single = len(pathway_ids) == 1  # the refresh after a write: cached one-key statements
    if single:
        found = uow.pathways.find(pathway_ids[0])
        pathways = [found] if found is not None else []
        patients = {pw.patient_id: uow.patients.get(pw.patient_id) for pw in pathways}
    else:
        pathways = uow.pathways.find_many(pathway_ids)
        patients = {p.id: p for p in uow.patients.find_many({pw.patient_id for pw in pathways})}
    children: dict[str, dict[str, list[Any]]] = {pw.id: defaultdict(list) for pw in pathways}
    ids = [pw.id for pw in pathways]
    for kind, repository in (
        ("assessments", uow.assessments),
        ("plans", uow.plans),
        ("handovers", uow.handovers),
        ("referrals", uow.referrals),
    ):
        for entity in repository.for_pathway(ids[0]) if single and ids else repository.for_pathways(ids):
            children[entity.pathway_id][kind].append(entity)
    mdk_cases = MdkRehabRepository(uow.session, uow.audit)
    for case in mdk_cases.for_pathway(ids[0]) if single and ids else mdk_cases.for_pathways(ids):
        children[case.pathway_id]["mdk_rehab_cases"].append(case)
    svf = SvfRepository(uow.session, uow.audit).for_pathways(ids)  # bookkeeping: no read audit
    return {
        pw.id: rows_from_aggregates(
            services,
            patients[pw.patient_id],
            pw,
            children[pw.id]["assessments"],
            children[pw.id]["plans"],
            children[pw.id]["handovers"],
            children[pw.id]["referrals"],
            today,
            mdk_rehab_cases=children[pw.id]["mdk_rehab_cases"],
            svf=svf.get(pw.id),
        )
        for pw in pathways
    }


@cache
def svf_max_days() -> dict[str, int]:
    """The maximum lead time of each SVF pathway (``codes/svf.yaml``), read once: for a pathway with maxima
    per kind of first treatment the longest (the kind is known only with the treatment start, and the
    worklist's due date is the day by which any first treatment is late)."""
    return {p.id: p.longest_max_days() for p in load_svf_definitions().pathways}


def rows_from_aggregates(
    services: Services,
    patient: Any,
    pathway: Any,
    assessments: Sequence[Any],
    plans: Sequence[Any],
    handovers: Sequence[Any],
    referrals: Sequence[Any],
    today: date,
    *,
    mdk_rehab_cases: Sequence[Any] = (),
    svf: Any = None,
) -> list[Any]:
    """The worklist rows of one pathway on ``today``: the responsible unit's row (always, so that the date
    of its next change is kept), and a row for each other unit with an open handover or waiting referral
    of the pathway. A child's routine gains the key visits by age (``services.children.routine_for``); an
    SVF pathway (its ``svf`` record) waits for its MDK or treatment start by the SVF's maximum lead time."""
    from canrehab.domain.pathway import current_contact_nurse, current_phase
    from canrehab.store.repositories import WorklistStatusRow

    routine = children_service.routine_for(services, patient, pathway)
    settings = services.settings
    # only the needs assessments (the Hälsoskattning family): a PREM is never due, confirmed or "assessed"
    instruments = services.catalog.instruments
    assessments = [
        a
        for a in assessments
        if a.instrument_id not in instruments or instruments[a.instrument_id].decision_support
    ]
    responsible, others = worklist_units(pathway, handovers, referrals)
    phase = current_phase(pathway, today)
    nurse = current_contact_nurse(pathway, today)
    refresh_on = flags_change_on(
        patient,
        pathway,
        handovers,
        plans,
        routine,
        today,
        handover_overdue_days=settings.handover_overdue_days,
        plan_follow_up_window_days=settings.plan_follow_up_window_days,
    )
    to_confirm = [
        a for a in assessments if a.pathway_id == pathway.id and a.status == AssessmentStatus.SUBMITTED
    ]
    rows = []
    for unit in (responsible, *others):
        flags = worklist_flags(
            patient,
            pathway,
            assessments,
            plans,
            handovers,
            referrals,
            routine,
            today,
            handover_overdue_days=settings.handover_overdue_days,
            plan_follow_up_window_days=settings.plan_follow_up_window_days,
            unit_hsa_id=unit,
            mdk_rehab_cases=mdk_rehab_cases,
            svf=svf,
            svf_max_days=svf_max_days().get(svf.svf_pathway) if svf is not None else None,
        )
        confirm = to_confirm if unit == responsible and pathway.closed_on is None else []
        next_action = min(
            [d for d in (flags.next_action_on, *(a.submitted_on for a in confirm)) if d is not None],
            default=None,
        )
        rows.append(
            WorklistStatusRow(
                pathway_id=pathway.id,
                patient_id=patient.id,
                unit_hsa_id=unit,
                process=pathway.diagnosis.process,
                phase=phase.value if phase is not None and hasattr(phase, "value") else phase,
                level=int(pathway.confirmed_level) if pathway.confirmed_level is not None else None,
                no_contact_nurse=flags.no_contact_nurse,
                no_min_vardplan=flags.no_min_vardplan,
                assessment_due=flags.assessment_due,
                assessment_overdue=flags.assessment_overdue,
                assessments_to_confirm=len(confirm),
                plan_missing=flags.plan_missing,
                plan_follow_up_due=flags.plan_follow_up_due,
                referrals_waiting=flags.referrals_waiting,
                handovers_in_awaiting=flags.handovers_in_awaiting,
                handovers_out_unconfirmed=flags.handovers_out_unconfirmed,
                handovers_out_overdue=flags.handovers_out_overdue,
                next_action_on=next_action,
                updated_at=datetime.now(UTC),
                refresh_on=refresh_on,
                contact_nurse_id=nurse.staff_id if nurse is not None else None,
                team_missing=flags.team_missing,
                svf_mdk_due=flags.svf_mdk_due,
                svf_treatment_due=flags.svf_treatment_due,
            )
        )
    return rows


def refresh(services: Services, uow: Any, pathway_id: str, today: date | None = None) -> None:
    """Recompute and store the worklist rows of one pathway (after a write to it)."""
    refresh_many(services, uow, [pathway_id], today)


def refresh_many(services: Services, uow: Any, pathway_ids: Sequence[str], today: date | None = None) -> None:
    """Recompute and store the worklist rows of these pathways, and drop their rows for units they no
    longer concern."""
    if pathway_ids:
        uow.worklist.replace_pathways(status_rows(services, uow, pathway_ids, today or services.today()))


@dataclass
class WorklistResult:
    rows: list[Any]
    counts: dict[str, int]
    total: int  # rows matching the filters, the category included
    all_total: int = 0  # rows with anything due, whatever the category filter ("Alla")
    groups: dict[str, int] = field(default_factory=dict)  # rows per date group, for the other filters
    grace_days: dict[str, int] = field(default_factory=dict)  # per unit
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
    mine: bool = False,
    group: str | None = None,
) -> WorklistResult:
    """What is due for the actor's units today: one indexed query for rows, one for the counts.

    Rows whose flags have changed with the date since they were computed (``refresh_on`` reached) are
    recomputed first, so the list is exact for today even if the daily refresh has not run. Each patient
    shown (name and personnummer) is a read of patient data and is audited, one row per patient.
    ``mine`` keeps the patients whose contact nurse the actor is; the rows are counted per date group
    (the units' grace periods applied) and ``group`` keeps one."""
    require_action(actor, Action.UNIT_WORK)
    if due is not None and due not in CATEGORY_LABELS:
        due = None
    if group is not None and group not in GROUP_LABELS:
        group = None
    units = sorted(actor.unit_hsa_ids)
    today = services.today()
    query = {
        "process": process or None,
        "phase": phase or None,
        "due": due,
        "sort": sort,
        "limit": limit,
        "offset": offset,
        "contact_nurse_id": (actor.staff_id or "-") if mine else None,
        "group": group,
    }
    window = DateWindow(today=today, week_end=week_end(today))
    with services.uow(actor) as uow:
        page = uow.worklist.query(units, window=window, **query)  # one round trip: rows, counts, unit state
        if not page.stale:  # the usual case: one statement, one transaction
            return _result(uow, page)
    # a row's date-driven flags changed since its last refresh (the daily job has not run yet): recompute
    # the stale rows, then read again (the first read's rows were not shown: not logged as read)
    with services.uow(actor, log_reads=False) as uow:  # bookkeeping, not the user's read
        refresh_many(services, uow, uow.worklist.stale_pathways(today, units), today)
    with services.uow(actor) as uow:
        return _result(uow, uow.worklist.query(units, window=window, **query))


def _result(uow: Any, page: WorklistPage) -> WorklistResult:
    for row in page.rows:
        uow.audit.record_read("worklist", row.unit_hsa_id, row.patient_id, "arbetslista")
    return WorklistResult(
        rows=list(page.rows),
        counts=dict(page.counts),
        total=page.total,
        all_total=page.all_total,
        groups=dict(page.groups),
        grace_days=dict(page.grace_days or {}),
    )


def grace_days(services: Services, actor: Actor) -> dict[str, int]:
    """The grace period of each of the actor's units."""
    require_action(actor, Action.UNIT_WORK)
    with services.uow(actor, log_reads=False) as uow:  # unit settings, no patient data
        return dict(uow.worklist.grace_days(sorted(actor.unit_hsa_ids)))


def set_grace_days(services: Services, actor: Actor, unit_hsa_id: str, days: int) -> None:
    """The unit manager sets how many days past its date an item may be before it counts as overdue."""
    require_action(actor, Action.CONFIGURE_UNIT)
    if unit_hsa_id not in actor.unit_hsa_ids:
        raise DomainError(
            "access.denied", "Du kan bara ändra inställningar för din egen enhet.", "other unit"
        )
    if not 0 <= days <= MAX_GRACE_DAYS:
        raise DomainError(
            "worklist.grace_days",
            f"Ange ett antal dagar mellan 0 och {MAX_GRACE_DAYS}.",
            f"grace days {days} out of range",
        )
    with services.uow(actor) as uow:
        uow.worklist.set_grace_days(unit_hsa_id, days)
        uow.audit.record(
            "update", "worklist_unit_setting", unit_hsa_id, None, "grace_days", after={"grace_days": days}
        )


def refresh_stale(services: Services, actor: Actor, today: date | None = None, batch: int = 1000) -> int:
    """Recompute the rows whose date-driven flags have changed by ``today`` (the daily job; a system job,
    no read audit). Returns the number of pathways refreshed."""
    today = today or services.today()
    done = 0
    while True:
        with services.uow(actor, log_reads=False) as uow:
            ids = uow.worklist.stale_pathways(today, limit=batch)
            refresh_many(services, uow, ids, today)
        done += len(ids)
        if len(ids) < batch:
            return done


def refresh_all(services: Services, actor: Actor, batch: int = 1000) -> int:
    """Recompute all worklist rows (system job, no read audit)."""
    done = 0
    with services.uow(actor, log_reads=False) as uow:
        ids = uow.pathways.all_ids()
    for start in range(0, len(ids), batch):
        with services.uow(actor, log_reads=False) as uow:
            refresh_many(services, uow, ids[start : start + batch])
        done += len(ids[start : start + batch])
    return done


def refresh_patients(services: Services, uow: Any, patient_ids: set[str]) -> None:
    """Refresh the worklist rows of every pathway of these patients (after writes that did not go through the
    services' use cases, e.g. FHIR updates and Bundle imports)."""
    ids = [
        pathway.id for patient_id in sorted(patient_ids) for pathway in uow.pathways.for_patient(patient_id)
    ]
    refresh_many(services, uow, ids)


def pathway_rows(services: Services, actor: Actor, pathway_ids: Sequence[str]) -> dict[str, Any]:
    """The actor's units' worklist rows of these pathways (why the patient is on the list), by pathway. The
    caller has read the record (audited there); these are its derived flags."""
    require_action(actor, Action.UNIT_WORK)
    found: dict[str, Any] = {}
    with services.uow(actor, log_reads=False) as uow:
        for pathway_id in pathway_ids:
            for unit, row in uow.worklist.for_pathway(pathway_id).items():
                if unit in actor.unit_hsa_ids and row.next_action_on is not None:
                    found[pathway_id] = row
    return found
