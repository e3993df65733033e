"""Indicator definitions as data (``definitions/indicators.yaml``), validated by pydantic at load time.

An indicator has a numerator (persons in the denominator population with any of the given KVÅ codes in the
year, optionally registered in a given care type), a denominator (the study population, optionally restricted
to a care type, age groups or sex), the disaggregations to report, and an optional goal: a level in percent to
reach by a date, with the source of the goal.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_FILE = Path(__file__).parent / "definitions" / "indicators.yaml"
Disaggregation = Literal["county", "rcc", "sex", "age_group", "care_type"]
_KVA = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")


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


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    level_percent: float = Field(ge=0, le=100)
    by_date: date
    source: str


class IndicatorDef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_sv: str
    description_sv: str = ""
    numerator: Numerator
    denominator: Denominator = Denominator()
    disaggregations: tuple[Disaggregation, ...] = ("county", "rcc")
    goal: Goal | None = None


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


def load_indicators(path: Path | None = None) -> IndicatorFile:
    with (path or DEFAULT_FILE).open(encoding="utf-8") as fh:
        return IndicatorFile.model_validate(yaml.safe_load(fh))


@cache
def default_indicators() -> IndicatorFile:
    return load_indicators()
