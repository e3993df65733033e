"""The gap analysis workspace (004): start an analysis, add gaps linked to indicators, record decisions per
care unit and care level and action items; every change is a new version (the history over time); export
as an Excel workbook laid out like 004's tables (``gap_workbook``).

Who: ``Action.GAP_ANALYSIS`` (the process leader and unit managers). A unit manager decides only for their
own units; a decision for a whole care level (no unit) is the process leader's (region-wide roles).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from canrehab.domain import gap_analysis as rules
from canrehab.domain.access import Actor
from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, GapAnalysis, GapDecision, Participant
from canrehab.domain.model import CareLevel
from canrehab.domain.permissions import Action, allowed
from canrehab.services import gap_workbook
from canrehab.services.guard import denied, log_denied, require_action
from canrehab.store.repositories.gap_analysis import GapAnalysisRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services

INDICATOR_FILES = (Path(__file__).resolve().parents[1] / "followup" / "definitions" / "indicators.yaml",)


def indicator_names() -> dict[str, str]:
    """Every shipped indicator a gap can be linked to (the one indicator model): id -> Swedish name."""
    names: dict[str, str] = {}
    for path in INDICATOR_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(
            {str(item["id"]): str(item.get("name_sv") or item["id"]) for item in data.get("indicators", ())}
        )
    return names


def indicator_ids() -> set[str]:
    """The ids of every shipped indicator a gap can be linked to."""
    return set(indicator_names())


def _change(
    services: Services,
    actor: Actor,
    analysis_id: str,
    detail: str,
    change: Callable[[GapAnalysis], GapAnalysis],
) -> GapAnalysis:
    require_action(actor, Action.GAP_ANALYSIS, services, "gap_analysis")
    with services.uow(actor) as uow:
        repository = GapAnalysisRepository(uow.session, uow.audit)
        current = repository.current(analysis_id)
        if current is None:
            raise rules.DomainError(
                "gap_analysis.not_found", "Gapanalysen finns inte.", "gap analysis not found"
            )
        return repository.save(change(current), by=actor.username or actor.role, detail=detail)


def start(
    services: Services,
    actor: Actor,
    *,
    title: str,
    knowledge_support: str,
    held_on: date,
    participants: tuple[Participant, ...],
) -> GapAnalysis:
    require_action(actor, Action.GAP_ANALYSIS, services, "gap_analysis")
    analysis = rules.start(
        uuid.uuid4().hex, title, knowledge_support, held_on, participants, today=services.today()
    )
    with services.uow(actor) as uow:
        return GapAnalysisRepository(uow.session, uow.audit).save(
            analysis, by=actor.username or actor.role, detail="påbörjad"
        )


def add_gap(
    services: Services, actor: Actor, analysis_id: str, gap: Gap, *, expected_version: int
) -> GapAnalysis:
    known = indicator_ids()
    return _change(
        services,
        actor,
        analysis_id,
        f"gap {gap.id}",
        lambda a: rules.add_gap(a, gap, expected_version=expected_version, known_indicators=known),
    )


def decide(
    services: Services,
    actor: Actor,
    analysis_id: str,
    gap_id: str,
    *,
    care_level: CareLevel,
    decision: Decision,
    comment: str = "",
    unit_hsa_id: str | None = None,
    expected_version: int,
) -> GapAnalysis:
    """A decision approved by the actor today, for a care level (and a unit)."""
    region_wide = allowed(actor.role, Action.FOLLOWUP_REGION_WIDE) or actor.role == "system"
    if not region_wide and (unit_hsa_id is None or unit_hsa_id not in actor.unit_hsa_ids):
        log_denied(services, actor, "gap_analysis", analysis_id, None)
        raise denied("Du kan bara besluta för dina egna enheter.", audited=True)
    if unit_hsa_id is not None:
        with services.uow(actor, log_reads=False) as uow:
            unit = uow.units.find(unit_hsa_id)
        if unit is None:
            raise rules.DomainError("gap_analysis.unknown_unit", "Enheten finns inte.", "unknown unit")
        if unit.level is not care_level:
            raise rules.DomainError(
                "gap_analysis.unit_level",
                f"{unit.name} hör till {unit.level.label_sv}, inte {care_level.label_sv}.",
                "unit not at the care level",
            )
    made = GapDecision(
        care_level, decision, actor.username or actor.role, services.today(), unit_hsa_id, comment
    )
    today = services.today()
    return _change(
        services,
        actor,
        analysis_id,
        f"beslut {gap_id}",
        lambda a: rules.decide(a, gap_id, made, expected_version=expected_version, today=today),
    )


def add_action(
    services: Services,
    actor: Actor,
    analysis_id: str,
    gap_id: str,
    action: ActionItem,
    *,
    expected_version: int,
) -> GapAnalysis:
    return _change(
        services,
        actor,
        analysis_id,
        f"åtgärd {gap_id}",
        lambda a: rules.add_action(a, gap_id, action, expected_version=expected_version),
    )


def history(services: Services, actor: Actor, analysis_id: str) -> list[tuple[GapAnalysis, datetime, str]]:
    """Every version of the analysis (newest first) with when and by whom it was saved."""
    require_action(actor, Action.GAP_ANALYSIS, services, "gap_analysis")
    with services.uow(actor) as uow:
        return GapAnalysisRepository(uow.session, uow.audit).history(analysis_id)


def list_analyses(services: Services, actor: Actor) -> list[GapAnalysis]:
    require_action(actor, Action.GAP_ANALYSIS, services, "gap_analysis")
    with services.uow(actor) as uow:
        return GapAnalysisRepository(uow.session, uow.audit).list_current()


def export(services: Services, actor: Actor, analysis_id: str, output: Path) -> Path | None:
    """The analysis's newest version as an Excel workbook laid out like 004 (``gap_workbook``), with unit and
    indicator names, its versions and the overdue actions as of today; None if there is no such analysis."""
    found = history(services, actor, analysis_id)
    if not found:
        return None
    with services.uow(actor, log_reads=False) as uow:
        units = {u.hsa_id: u.name for u in uow.units.list_all()}
    return gap_workbook.write_workbook(
        found[0][0],
        output,
        unit_names=units,
        indicator_names=indicator_names(),
        history=found,
        today=services.today(),
    )
