"""Care-process indicators as data (``codes/process_indicators.yaml``) and their pure evaluation.

Each indicator has a population (the denominator) and a condition (the numerator), evaluated per pathway (or
per handover) at the end of the period. The definitions file is validated at load time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    Handover,
    MinVardplanStatus,
    NeedsLevel,
    Pathway,
    PhaseKind,
    PlanStatus,
    RehabPlan,
)

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "codes" / "process_indicators.yaml"
ASSESSMENT_WINDOW_DAYS = 30

Population = Literal["diagnosed_in_period", "needs_special_or_more", "treatment_ended", "handovers_sent"]
Condition = Literal[
    "has_contact_nurse",
    "has_min_vardplan",
    "offered_min_vardplan",
    "assessed_at_diagnosis",
    "assessed_repeatedly",
    "has_plan",
    "handover_confirmed",
]


class Goal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    percent: float = Field(ge=0, le=100)
    by: date
    source: str = ""


class IndicatorDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title_sv: str
    description_sv: str
    population: Population
    condition: Condition
    goal: Goal | None = None


class IndicatorFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicators: list[IndicatorDef]


@cache
def load_process_indicators(path: Path | None = None) -> tuple[IndicatorDef, ...]:
    path = path or Path(os.environ.get("CANREHAB_PROCESS_INDICATORS") or DEFAULT_FILE)
    try:
        parsed = IndicatorFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise DomainError(
            "indicators.invalid",
            f"Indikatorfilen {path.name} kan inte läsas: {exc}",
            f"cannot load indicator file {path}: {exc}",
        ) from exc
    ids = [d.id for d in parsed.indicators]
    if len(ids) != len(set(ids)):
        raise DomainError(
            "indicators.invalid", f"Dubbla indikator-id i {path.name}.", "duplicate indicator ids"
        )
    return tuple(parsed.indicators)


@dataclass(frozen=True)
class PathwayFacts:
    """What the indicators need to know about one pathway (assessments, plans of that pathway)."""

    pathway: Pathway
    assessments: Sequence[Assessment]
    plans: Sequence[RehabPlan]


def _done(a: Assessment, end: date) -> bool:
    return a.status != AssessmentStatus.IN_PROGRESS and (a.submitted_on or a.started_on) <= end


def in_population(population: Population, facts: PathwayFacts, start: date, end: date) -> bool:
    pw = facts.pathway
    diagnosed = start <= pw.diagnosis.diagnosed_on <= end
    if population == "diagnosed_in_period":
        return diagnosed
    if population == "needs_special_or_more":
        return diagnosed and pw.confirmed_level is not None and pw.confirmed_level >= NeedsLevel.SPECIAL
    if population == "treatment_ended":
        return diagnosed and any(p.kind == PhaseKind.TREATMENT_END and p.on <= end for p in pw.phases)
    return False


def condition_met(condition: Condition, facts: PathwayFacts, end: date) -> bool:
    pw = facts.pathway
    if condition == "has_contact_nurse":
        return any(a.from_date <= end for a in pw.contact_nurses)
    if condition == "has_min_vardplan":
        return pw.min_vardplan.status in (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED)
    if condition == "offered_min_vardplan":
        return pw.min_vardplan.status != MinVardplanStatus.NONE
    if condition == "assessed_at_diagnosis":
        limit = pw.diagnosis.diagnosed_on + timedelta(days=ASSESSMENT_WINDOW_DAYS)
        return any(_done(a, end) and (a.submitted_on or a.started_on) <= limit for a in facts.assessments)
    if condition == "assessed_repeatedly":
        return sum(1 for a in facts.assessments if _done(a, end)) >= 2
    if condition == "has_plan":
        return any(p.status != PlanStatus.DRAFT and p.events and p.events[0].on <= end for p in facts.plans)
    return False


def handover_counts(condition: Condition, handover: Handover, end: date) -> bool:
    if condition == "handover_confirmed":
        return handover.patient_contacted_on is not None and handover.patient_contacted_on <= end
    return False
