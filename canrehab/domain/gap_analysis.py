"""The gap analysis (gapanalys, 004): an analysis of the region's care against a knowledge support (e.g. the
national care programme), with its participants and date; gaps, each with a priority 1–4 (004 also gives a
range, "prio 2-4"), the indicators that show whether it closed, a decision per care unit and care level
(Ja/Avvakta/Nej, comment, who approved, when) and action items with a responsible person and a due date.
Values in, new values out: every change returns a new analysis one version on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import CareLevel

PRIORITIES = range(1, 5)
TEXT_MAX = 1000


class Decision(StrEnum):
    YES = "ja"
    WAIT = "avvakta"
    NO = "nej"

    @property
    def label_sv(self) -> str:
        return DECISION_LABEL_SV[self]


DECISION_LABEL_SV = {Decision.YES: "Ja", Decision.WAIT: "Avvakta", Decision.NO: "Nej"}


@dataclass(frozen=True)
class Participant:
    name: str
    role: str  # profession/funktion
    unit: str  # verksamhet/enhet
    care_level: CareLevel | None = None


@dataclass(frozen=True)
class GapDecision:
    care_level: CareLevel
    decision: Decision
    approved_by: str
    approved_on: date
    unit_hsa_id: str | None = None  # None: the decision of the whole care level
    comment: str = ""


@dataclass(frozen=True)
class ActionItem:
    text: str
    responsible: str
    due_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class Gap:
    id: str
    area: str  # 004's headings: Identifierade gap, Samverkan, Dokumentation, Riktlinjer ...
    text: str
    priority: int
    priority_to: int | None = None  # "prio 2-4": priority 2, priority_to 4
    indicator_ids: tuple[str, ...] = ()
    decisions: tuple[GapDecision, ...] = ()
    actions: tuple[ActionItem, ...] = ()

    @property
    def priority_sv(self) -> str:
        return f"prio {self.priority}" + (f"-{self.priority_to}" if self.priority_to else "")


@dataclass(frozen=True)
class GapAnalysis:
    id: str
    title: str
    knowledge_support: str  # e.g. "Nationellt vårdprogram för cancerrehabilitering"
    held_on: date
    participants: tuple[Participant, ...] = ()
    gaps: tuple[Gap, ...] = ()
    version: int = 1


def _error(code: str, message_sv: str) -> DomainError:
    return DomainError(f"gap_analysis.{code}", message_sv, code.replace("_", " "))


def _text(value: str, label_sv: str, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise _error("missing_text", f"{label_sv} måste anges.")
    if len(text) > TEXT_MAX:
        raise _error("too_long", f"{label_sv} får vara högst {TEXT_MAX} tecken.")
    return text


def _next(analysis: GapAnalysis, expected_version: int, **changes: object) -> GapAnalysis:
    if expected_version != analysis.version:
        raise ConflictError("gapanalysen", expected_version, analysis.version)
    return replace(analysis, version=analysis.version + 1, **changes)  # type: ignore[arg-type]


def start(
    analysis_id: str,
    title: str,
    knowledge_support: str,
    held_on: date,
    participants: tuple[Participant, ...],
    *,
    today: date,
) -> GapAnalysis:
    """A new analysis: title, knowledge support, date (not in the future) and at least one participant."""
    if held_on > today:
        raise _error("future_date", "Datum för gapanalysen kan inte ligga efter dagens datum.")
    if not participants:
        raise _error("no_participants", "Ange minst en deltagare.")
    for p in participants:
        _text(p.name, "Deltagarens namn")
    return GapAnalysis(
        id=analysis_id,
        title=_text(title, "Rubrik"),
        knowledge_support=_text(knowledge_support, "Kunskapsstöd"),
        held_on=held_on,
        participants=participants,
    )


def add_gap(
    analysis: GapAnalysis, gap: Gap, *, expected_version: int, known_indicators: set[str]
) -> GapAnalysis:
    """Add a gap: priority 1–4 (a range low–high), linked only to indicators that exist, a new id."""
    if gap.priority not in PRIORITIES or (
        gap.priority_to is not None and (gap.priority_to not in PRIORITIES or gap.priority_to <= gap.priority)
    ):
        raise _error("priority", "Prioritet ska vara 1–4 (eller ett intervall, till exempel 2–4).")
    unknown = sorted(set(gap.indicator_ids) - known_indicators)
    if unknown:
        raise _error("unknown_indicator", f"Okänd indikator: {', '.join(unknown)}.")
    if any(g.id == gap.id for g in analysis.gaps):
        raise _error("duplicate_gap", "Gapet finns redan i analysen.")
    checked = replace(gap, text=_text(gap.text, "Gapets beskrivning"), area=_text(gap.area, "Område"))
    return _next(analysis, expected_version, gaps=(*analysis.gaps, checked))


def _gap(analysis: GapAnalysis, gap_id: str) -> Gap:
    found = next((g for g in analysis.gaps if g.id == gap_id), None)
    if found is None:
        raise _error("gap_not_found", "Gapet finns inte i analysen.")
    return found


def _with_gap(analysis: GapAnalysis, changed: Gap, expected_version: int) -> GapAnalysis:
    gaps = tuple(changed if g.id == changed.id else g for g in analysis.gaps)
    return _next(analysis, expected_version, gaps=gaps)


def decide(
    analysis: GapAnalysis, gap_id: str, decision: GapDecision, *, expected_version: int, today: date
) -> GapAnalysis:
    """Record a decision for a care level (and unit); a new decision for the same level and unit replaces
    the earlier one (the earlier stays in the analysis's history). Avvakta and Nej need a comment."""
    if decision.approved_on > today:
        raise _error("future_date", "Beslutsdatum kan inte ligga efter dagens datum.")
    _text(decision.approved_by, "Vem som beslutat")
    comment = _text(decision.comment, "Kommentar", required=decision.decision is not Decision.YES)
    gap = _gap(analysis, gap_id)
    key = (decision.care_level, decision.unit_hsa_id)
    kept = tuple(d for d in gap.decisions if (d.care_level, d.unit_hsa_id) != key)
    changed = replace(gap, decisions=(*kept, replace(decision, comment=comment)))
    return _with_gap(analysis, changed, expected_version)


def add_action(
    analysis: GapAnalysis, gap_id: str, action: ActionItem, *, expected_version: int
) -> GapAnalysis:
    """An action item for a gap: what, who is responsible, by when."""
    checked = replace(
        action, text=_text(action.text, "Åtgärd"), responsible=_text(action.responsible, "Ansvarig")
    )
    gap = _gap(analysis, gap_id)
    return _with_gap(analysis, replace(gap, actions=(*gap.actions, checked)), expected_version)


def open_actions(analysis: GapAnalysis, today: date) -> list[tuple[Gap, ActionItem, bool]]:
    """Every action not done, with whether it is overdue, by due date."""
    found = [(g, a, a.due_on < today) for g in analysis.gaps for a in g.actions if a.done_on is None]
    return sorted(found, key=lambda item: item[1].due_on)
