"""Counties (län) and regional cancer centres (RCC), loaded from ``counties.yaml`` (or a replacement file)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

DEFAULT_FILE = Path(__file__).with_name("counties.yaml")


class Rcc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    name: str


class County(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    name: str
    region_name: str
    rcc: str


class CountyFile(BaseModel):
    """Schema of the county/RCC data file."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rccs: tuple[Rcc, ...]
    counties: tuple[County, ...]

    @model_validator(mode="after")
    def _consistent(self) -> CountyFile:
        rcc_codes = {r.code for r in self.rccs}
        seen: set[str] = set()
        for c in self.counties:
            if len(c.code) != 2 or not c.code.isdigit():
                raise ValueError(f"county code {c.code!r} must be two digits")
            if c.code in seen:
                raise ValueError(f"county code {c.code} listed twice")
            if c.rcc not in rcc_codes:
                raise ValueError(f"county {c.code} refers to unknown RCC {c.rcc!r}")
            seen.add(c.code)
        return self

    @property
    def by_code(self) -> dict[str, County]:
        return {c.code: c for c in self.counties}

    def rcc_of(self, county_code: str) -> Rcc:
        rcc = self.by_code[county_code].rcc
        return next(r for r in self.rccs if r.code == rcc)


def load_counties(path: Path | None = None) -> CountyFile:
    with (path or DEFAULT_FILE).open(encoding="utf-8") as fh:
        return CountyFile.model_validate(yaml.safe_load(fh))


@cache
def default_counties() -> CountyFile:
    """The county/RCC file in use: ``CANREHAB_COUNTIES_FILE`` if set (a replacement, e.g. after a change of
    RCC membership), else the shipped ``counties.yaml``."""
    override = os.environ.get("CANREHAB_COUNTIES_FILE")
    return load_counties(Path(override) if override else None)


def is_county_code(code: str) -> bool:
    return code in default_counties().by_code
