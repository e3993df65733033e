"""Bulk reads for aggregate statistics: the facts the indicators need for a set of units and a period.

These reads are logged once as an aggregate read by the caller, not per record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from canrehab.services.process_indicators import PathwayFacts


def indicator_facts(
    uow: Any, unit_ids: Collection[str], process: str | None, start: date, end: date
) -> tuple[list[PathwayFacts], list[Any]]:
    pathways = uow.pathways.for_units_diagnosed_between(unit_ids, start, end, process)
    ids = [p.id for p in pathways]
    assessments: dict[str, list[Any]] = defaultdict(list)
    for a in uow.assessments.for_pathways(ids):
        assessments[a.pathway_id].append(a)
    plans: dict[str, list[Any]] = defaultdict(list)
    for p in uow.plans.for_pathways(ids):
        plans[p.pathway_id].append(p)
    facts = [PathwayFacts(pw, assessments[pw.id], plans[pw.id]) for pw in pathways]
    handovers = uow.handovers.from_units_sent_between(unit_ids, start, end)
    if process:
        wanted = set(ids)
        handovers = [h for h in handovers if h.pathway_id in wanted]
    return facts, handovers


def patient_names(uow: Any, patient_ids: Collection[str]) -> dict[str, str]:
    names: dict[str, str] = uow.patients.names(set(patient_ids))
    return names
