"""The gap analysis workspace (004): start an analysis, add gaps linked to indicators, record decisions per
care unit and care level and action items; every change is a new version (the history over time); export
as an Excel workbook laid out like 004's tables (gaps by area with Ja/Avvakta/Nej per care level and a
comment, the action items, the participants).

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
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from canrehab.domain import gap_analysis as rules
from canrehab.domain.access import Actor
from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, GapAnalysis, GapDecision, Participant
from canrehab.domain.model import CareLevel
from canrehab.domain.permissions import Action, allowed
from canrehab.services.guard import denied, log_denied, require_action
from canrehab.store.repositories.gap_analysis import GapAnalysisRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services

INDICATOR_FILES = (
    Path(__file__).resolve().parents[1] / "followup" / "definitions" / "indicators.yaml",
)


def indicator_ids() -> set[str]:
    """The ids of every shipped indicator a gap can be linked to (the one indicator model)."""
    ids: set[str] = set()
    for path in INDICATOR_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids.update(str(item["id"]) for item in data.get("indicators", ()))
    return ids


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


def _mark(gap_decision: GapDecision | None, value: Decision) -> str:
    return "X" if gap_decision is not None and gap_decision.decision is value else ""


def write_workbook(analysis: GapAnalysis, output: Path, *, unit_names: dict[str, str] | None = None) -> Path:
    """The analysis as 004 lays it out: per area a heading row (Beslut Ja/Avvakta/Nej, Kommentar), each gap
    with its priority, one row per decision's care level (and unit) with an X under its decision; then the
    action items and the participants, each on its own sheet."""
    names = unit_names or {}
    wb = Workbook()
    summary = wb.active
    assert summary is not None  # a new workbook has one sheet
    summary.title = "Sammanfattning"
    summary.append([f"{analysis.title} – gapanalys mot {analysis.knowledge_support}"])
    summary.append([f"Datum {analysis.held_on.isoformat()}, version {analysis.version}"])
    summary["A1"].font = Font(bold=True, size=13)
    areas: dict[str, list[Gap]] = {}
    for gap in analysis.gaps:
        areas.setdefault(gap.area, []).append(gap)
    for number, (area, gaps) in enumerate(areas.items(), start=1):
        summary.append([])
        summary.append([f"{number}. {area}", "Ja", "Avvakta", "Nej", "Kommentar", "Indikatorer"])
        for cell in summary[summary.max_row]:
            cell.font = Font(bold=True)
        for gap in gaps:
            summary.append([f"{gap.text} ({gap.priority_sv})", "", "", "", "", ", ".join(gap.indicator_ids)])
            for d in gap.decisions:
                who = d.care_level.label_sv.capitalize()
                if d.unit_hsa_id:
                    who += f", {names.get(d.unit_hsa_id, d.unit_hsa_id)}"
                summary.append(
                    [
                        who,
                        _mark(d, Decision.YES),
                        _mark(d, Decision.WAIT),
                        _mark(d, Decision.NO),
                        f"{d.comment} ({d.approved_by} {d.approved_on.isoformat()})".strip(),
                    ]
                )
    summary.column_dimensions["A"].width = 80
    summary.column_dimensions["E"].width = 60
    for row in summary.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    actions = wb.create_sheet("Åtgärder")
    actions.append(["Gap", "Åtgärd", "Ansvarig", "Klart senast", "Klart"])
    for gap in analysis.gaps:
        for a in gap.actions:
            actions.append(
                [
                    gap.text,
                    a.text,
                    a.responsible,
                    a.due_on.isoformat(),
                    a.done_on.isoformat() if a.done_on else "",
                ]
            )
    people = wb.create_sheet("Deltagare")
    people.append(["Deltagare", "Profession/funktion", "Verksamhet/enhet", "Vårdnivå"])
    for p in analysis.participants:
        people.append([p.name, p.role, p.unit, p.care_level.label_sv.capitalize() if p.care_level else ""])
    for sheet in (actions, people):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    wb.save(output)
    return output
