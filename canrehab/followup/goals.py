"""Indicator and goal definitions as data, validated by pydantic at load time.

One schema for every indicator (``definitions/indicators.yaml``): an id, a Swedish name and description, its
**kind** (struktur/process/resultat), the **source** it needs and the disaggregations it reports.

- ``register``: a patient-register extract. The numerator is the persons in the denominator population with
  any of the given KVÅ codes in the year (optionally in a given care type); the denominator is the study
  population.
- ``care``: canrehab's own care-process data, published pseudonymised into the analytics store. A population
  (the denominator) and a condition (the numerator), evaluated as of the period's end.
- ``structure``: the structure register per unit and diagnosis process; a unit meets the indicator when every
  listed fact holds (see :mod:`canrehab.followup.structure_goals`).

Goals are stated apart (``definitions/goals.yaml``), each as its source document states it: the indicator that
answers it, kind, level (a percentage, or a stated target such as "rutin finns"), target date, baseline
(nuläge) with its date and the document and section it comes from. The loader attaches each percentage goal
with a target date to the indicators that follow it, so an indicator's ``goal`` is always a goal of the goals
file.
"""

from __future__ import annotations

import os
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_FILE = Path(__file__).parent / "definitions" / "indicators.yaml"
DEFAULT_GOALS_FILE = Path(__file__).parent / "definitions" / "goals.yaml"
Disaggregation = Literal["unit", "process", "county", "rcc", "sex", "age_group", "care_type", "svf", "period"]
Kind = Literal["struktur", "process", "resultat"]
Source = Literal["register", "care", "structure"]
KIND_SV: dict[str, str] = {"struktur": "Strukturmått", "process": "Processmått", "resultat": "Resultatmått"}
SOURCE_SV: dict[str, str] = {
    "register": "registerextrakt",
    "care": "vårdprocessens data",
    "structure": "strukturregistret",
}
_KVA = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")

# The care-process populations and conditions an indicator may name (evaluated as of the period's end).
CarePopulation = Literal[
    "diagnosed_in_period",
    "needs_special_or_more",
    "treatment_ended",
    "handovers_sent",
    "expected_cancer_cases",
    "svf_treatment_started",
    "assessed_twice",
    "prem_answered",
]
CareCondition = Literal[
    "has_contact_nurse",
    "offered_contact_nurse",
    "has_min_vardplan",
    "offered_min_vardplan",
    "offered_min_vardplan_digital",
    "assessed",
    "assessed_repeatedly",
    "has_plan",
    "handover_confirmed",
    "treatment_started_in_svf",
    "within_svf_lead_time",
    "discussed_at_mdk",
    "troublesome_areas_decreased",
    "prem_fully_involved",
]
# The facts the structure register records per unit and diagnosis process.
StructureFact = Literal[
    "contact_nurses_present",
    "assignment_written",
    "assignment_resourced",
    "needs_routine_exists",
    "needs_routine_implemented",
    "coding_routine_exists",
    "primary_care_agreement",
    "rehab_team_available",
]


class Numerator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    codes_any: tuple[str, ...] = Field(min_length=1)
    care_type: Literal["sluten", "oppen"] | None = None

    @field_validator("codes_any")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if not _KVA.match(c)]
        if bad:
            raise ValueError(f"not KVÅ codes: {', '.join(bad)}")
        return v


class Denominator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    population: Literal["cancer"] = "cancer"
    care_type: Literal["sluten", "oppen"] | None = None
    age_groups: tuple[str, ...] | None = None
    sex: Literal[1, 2] | None = None


class CareSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    population: CarePopulation
    condition: CareCondition


class StructureSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    facts_all: tuple[StructureFact, ...] = Field(min_length=1)


class Goal(BaseModel):
    """The percentage goal shown with an indicator (attached from the goals file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    level_percent: float = Field(ge=0, le=100)
    by_date: date
    source: str


class IndicatorDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_sv: str
    description_sv: str = ""
    kind: Kind = "process"
    source: Source = "register"
    numerator: Numerator | None = None
    denominator: Denominator = Denominator()
    care: CareSpec | None = None
    structure: StructureSpec | None = None
    disaggregations: tuple[Disaggregation, ...] = ("county", "rcc")
    goal: Goal | None = None

    def kva(self) -> Numerator:
        """The KVÅ numerator of a register indicator."""
        if self.numerator is None:
            raise ValueError(f"{self.id} is not a register indicator (source {self.source})")
        return self.numerator

    @model_validator(mode="after")
    def _source_matches(self) -> IndicatorDef:
        given = {
            "register": self.numerator is not None,
            "care": self.care is not None,
            "structure": self.structure is not None,
        }
        if not given[self.source]:
            wanted = {"register": "numerator", "care": "care", "structure": "structure"}[self.source]
            raise ValueError(f"indicator {self.id}: source {self.source} needs '{wanted}'")
        other = [s for s, present in given.items() if present and s != self.source]
        if other:
            raise ValueError(
                f"indicator {self.id}: source {self.source} cannot have {', '.join(other)} fields"
            )
        return self


class IndicatorFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    indicators: tuple[IndicatorDef, ...]

    @model_validator(mode="after")
    def _unique(self) -> IndicatorFile:
        ids = [i.id for i in self.indicators]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"indicator id listed twice: {', '.join(sorted(dup))}")
        return self

    def get(self, indicator_id: str) -> IndicatorDef:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(indicator_id)

    def of_source(self, source: Source) -> tuple[IndicatorDef, ...]:
        """The indicators one engine evaluates: ``register`` for extracts, ``care``, ``structure``."""
        return tuple(i for i in self.indicators if i.source == source)


# --- goals -------------------------------------------------------------------------------------------------


class GoalLevel(BaseModel):
    """A percentage where the source gives one, otherwise the target as the source states it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    percent: float | None = Field(default=None, ge=0, le=100)
    comparator: Literal[">=", ">"] = ">="
    stated_sv: str | None = None

    @model_validator(mode="after")
    def _one(self) -> GoalLevel:
        if (self.percent is None) == (self.stated_sv is None):
            raise ValueError("a goal level is either percent or stated_sv")
        return self

    def text_sv(self) -> str:
        if self.percent is None:
            return self.stated_sv or ""
        figure = f"{self.percent:g}".replace(".", ",")
        return f"{'> ' if self.comparator == '>' else ''}{figure} %"

    def reached(self, percent: float | None) -> bool | None:
        """Whether a measured share reaches the level (None: no figure, or a stated target)."""
        if self.percent is None or percent is None:
            return None
        return percent > self.percent if self.comparator == ">" else percent >= self.percent


class Baseline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    text_sv: str
    percent: float | None = Field(default=None, ge=0, le=100)
    as_of: date | None = None


class GoalSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    document: str = Field(pattern=r"^[0-9]{3}$")
    title: str
    section: str

    def text_sv(self) -> str:
        return f"{self.title}, {self.section}"


class GoalDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    name_sv: str
    indicator: str
    followed_by: tuple[str, ...] = ()
    kind: Kind
    kind_stated: bool = True
    level: GoalLevel
    target_date: date | None
    baseline: Baseline
    source: GoalSource
    note_sv: str = ""

    def indicators(self) -> tuple[str, ...]:
        return (self.indicator, *self.followed_by)

    def time_left_days(self, today: date) -> int | None:
        """Days until the target date (negative when passed; None when the source sets no date)."""
        return None if self.target_date is None else (self.target_date - today).days


class GoalFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    goals: tuple[GoalDef, ...]

    @model_validator(mode="after")
    def _unique(self) -> GoalFile:
        ids = [g.id for g in self.goals]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"goal id listed twice: {', '.join(sorted(dup))}")
        return self

    def for_indicator(self, indicator_id: str) -> tuple[GoalDef, ...]:
        return tuple(g for g in self.goals if indicator_id in g.indicators())

    def check_against(self, indicators: IndicatorFile) -> None:
        known = {i.id for i in indicators.indicators}
        missing = sorted({i for g in self.goals for i in g.indicators() if i not in known})
        if missing:
            raise ValueError(f"goals name unknown indicators: {', '.join(missing)}")


def load_goals(path: Path | None = None) -> GoalFile:
    with (path or _goals_path()).open(encoding="utf-8") as fh:
        return GoalFile.model_validate(yaml.safe_load(fh))


def _goals_path() -> Path:
    env = os.environ.get("CANREHAB_GOALS")
    return Path(env) if env else DEFAULT_GOALS_FILE


def _primary_goal(goals: tuple[GoalDef, ...]) -> Goal | None:
    """The goal shown with an indicator: the earliest-dated percentage goal naming it."""
    dated = sorted(
        (g for g in goals if g.level.percent is not None and g.target_date is not None),
        key=lambda g: (g.target_date, g.id),
    )
    if not dated:
        return None
    g = dated[0]
    assert g.level.percent is not None and g.target_date is not None
    return Goal(level_percent=g.level.percent, by_date=g.target_date, source=g.source.text_sv())


def load_indicators(path: Path | None = None, goals: GoalFile | None = None) -> IndicatorFile:
    """Load an indicator file; indicators without their own goal get their goal from the goals file."""
    with (path or DEFAULT_FILE).open(encoding="utf-8") as fh:
        parsed = IndicatorFile.model_validate(yaml.safe_load(fh))
    if path is not None and goals is None:
        return parsed
    goals = goals or load_goals()
    attached = tuple(
        i if i.goal is not None else i.model_copy(update={"goal": _primary_goal(goals.for_indicator(i.id))})
        for i in parsed.indicators
    )
    return IndicatorFile(indicators=attached)


@cache
def default_indicators() -> IndicatorFile:
    return load_indicators()


@cache
def default_goals() -> GoalFile:
    goals = load_goals()
    goals.check_against(load_indicators(DEFAULT_FILE, goals=goals))
    return goals
