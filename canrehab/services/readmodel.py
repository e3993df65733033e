"""Bulk reads for aggregate statistics: the facts the indicators need for a set of units and a period.

Set-based queries over the store's tables (entities rebuilt with the store's own mapping); the caller logs
them once as an aggregate read, not per record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select

from canrehab.services.process_indicators import PathwayFacts
from canrehab.store.repositories.svf import SvfRepository

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
    uow: Any, unit_ids: Collection[str], process: str | None, start: date, end: date
) -> tuple[list[PathwayFacts], list[Any]]:
    """The pathways of the units diagnosed in the period, and those whose SVF treatment started in it (the
    lead-time population), with their assessments, plans and SVF records; the handovers sent in the period."""
    pw = uow.pathways.table.c
    svf = SvfRepository(uow.session, uow.audit)
    in_period = pw.diagnosed_on.between(start, end)
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
