"""Bulk reads for aggregate statistics: the facts the indicators need for a set of units and a period.

Set-based queries over the store's tables (entities rebuilt with the store's own mapping); the caller logs
them once as an aggregate read, not per record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from canrehab.domain.model import AssessmentStatus
from canrehab.services.process_indicators import PathwayFacts
from canrehab.store.repositories.svf import SvfRepository

if TYPE_CHECKING:
    from canrehab.domain.access import Actor
    from canrehab.services.context import Services

CHUNK = 5000


def _load(repo: Any, where: Any) -> list[Any]:
    rows = repo.session.execute(select(repo.table).where(where)).mappings()
    return [repo.map.from_row(row) for row in rows]


def _by_pathway(repo: Any, pathway_ids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for start in range(0, len(pathway_ids), CHUNK):
        for entity in _load(repo, repo.table.c.pathway_id.in_(pathway_ids[start : start + CHUNK])):
            out[entity.pathway_id].append(entity)
    return out


def indicator_facts(
    uow: Any,
    unit_ids: Collection[str],
    process: str | None,
    start: date,
    end: date,
    *,
    assessed: bool = True,
) -> tuple[list[PathwayFacts], list[Any]]:
    """The pathways of the units diagnosed in the period, those whose SVF treatment started in it (the
    lead-time population) and (``assessed``) those with an assessment or PREM completed in it, whatever their
    diagnosis date (the populations "at least two assessments, the latest in the period" and "PREM answered
    in the period"), with their assessments, plans and SVF records; the handovers sent in the period."""
    pw = uow.pathways.table.c
    svf = SvfRepository(uow.session, uow.audit)
    in_period = pw.diagnosed_on.between(start, end)
    if assessed:
        a = uow.assessments.table.c
        done_on = func.coalesce(a.submitted_on, a.started_on)
        completed = select(a.pathway_id).where(
            (a.status != AssessmentStatus.IN_PROGRESS.value) & done_on.between(start, end)
        )
        in_period = in_period | pw.id.in_(completed)
    svf_started = svf.pathways_started_between(start, end)
    for chunk_start in range(0, len(svf_started), CHUNK):
        in_period = in_period | pw.id.in_(svf_started[chunk_start : chunk_start + CHUNK])
    where = pw.unit_hsa_id.in_(list(unit_ids)) & in_period
    if process:
        where = where & (pw.process == process)
    pathways = _load(uow.pathways, where)
    ids = [p.id for p in pathways]
    assessments = _by_pathway(uow.assessments, ids)
    plans = _by_pathway(uow.plans, ids)
    records = svf.for_pathways(ids)
    facts = [PathwayFacts(p, assessments[p.id], plans[p.id], records.get(p.id)) for p in pathways]
    ho = uow.handovers.table.c
    handovers = _load(uow.handovers, ho.from_unit_hsa_id.in_(list(unit_ids)) & ho.sent_on.between(start, end))
    if process:
        wanted = set(ids)
        handovers = [h for h in handovers if h.pathway_id in wanted]
    return facts, handovers


def pathway_patients(uow: Any, pathway_ids: Collection[str]) -> dict[str, tuple[str, str]]:
    """``{pathway id: (patient id, diagnosis process)}`` for the drill-down's pathways."""
    table = uow.pathways.table
    ids = list(set(pathway_ids))
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = uow.session.execute(
            select(table.c.id, table.c.patient_id, table.c.process).where(
                table.c.id.in_(ids[start : start + CHUNK])
            )
        )
        out.update({pathway_id: (patient_id, process) for pathway_id, patient_id, process in rows})
    return out


def patient_names(uow: Any, patient_ids: Collection[str]) -> dict[str, str]:
    table = uow.patients.table
    ids = list(set(patient_ids))
    names: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        rows = uow.session.execute(
            select(table.c.id, table.c.name).where(table.c.id.in_(ids[start : start + CHUNK]))
        )
        names.update({pid: name for pid, name in rows})
    return names


@dataclass
class PatientPage:
    """What the patient page shows, read in one unit of work (one transaction, one commit of its audit rows):
    the record, the contact-nurse candidates per open pathway (when the actor may change the record), the
    actor's units' worklist rows (when they do unit work), the care-process panels and the care units."""

    record: Any
    candidates: dict[str, list[Any]]
    worklist_rows: dict[str, Any] | None
    panels: Any
    care_units: list[Any]


def patient_page(
    services: Services, actor: Actor, patient_id: str, *, can_act: bool, unit_work: bool
) -> PatientPage:
    """The patient page's reads in one unit of work. Each use case called here joins it (same actor) and
    checks access itself; its reads are audited once per record in the joint unit of work."""
    from canrehab.services import patients as patient_service
    from canrehab.services import worklist as worklist_service
    from canrehab.services.care_panels import patient_care_panels

    with services.uow(actor) as uow:
        record = patient_service.patient_record(services, actor, patient_id)
        candidates = {
            p.id: patient_service.contact_nurse_candidates(services, actor, p.id)
            for p in record.pathways
            if can_act and p.closed_on is None
        }
        rows = (
            worklist_service.pathway_rows(services, actor, [p.id for p in record.pathways])
            if unit_work
            else None
        )
        panels = patient_care_panels(services, actor, patient_id)
        units = list(uow.units.list_all()) if can_act else []  # unit names, no patient data
    return PatientPage(record, candidates, rows, panels, units)
