"""The curated list of rehab-relevant KVÅ codes (``kva_rehab.yaml``) with Swedish descriptions, validity dates
and dated description changes.

An importer (the follow-up's PAR import) checks an imported code and date with
``canrehab.domain.kva.require_in_force(code, on, rehab_codes().definitions())``: a code outside its validity
is a ``DomainError`` naming the code's dates, the same rule the care process applies when it records.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from canrehab.domain.definitions import KvaDef, KvaDescription

DEFAULT_FILE = Path(__file__).with_name("kva_rehab.yaml")
KVA_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")


class KvaCode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    text: str
    persons_2022: int | None = None  # Bilaga 2 tabell 1 (reference figure), if published
    profession: bool = False  # profession add-on code (tilläggskod)
    valid_from: date | None = None  # first date the code can be recorded; None: no date in the sources
    valid_to: date | None = None  # last date (inclusive); None: still valid
    descriptions: tuple[KvaDescription, ...] = ()  # dated changes of the description text

    def as_definition(self) -> KvaDef:
        """The code as the care process's code-list definition (for ``domain.kva.require_in_force``)."""
        return KvaDef(
            code=self.code,
            text_sv=self.text,
            add_on=self.profession,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            descriptions=self.descriptions,
        )

    @field_validator("code")
    @classmethod
    def _shape(cls, v: str) -> str:
        if not KVA_CODE.match(v):
            raise ValueError(f"{v!r} is not a KVÅ code (five characters, e.g. AW020)")
        return v


class KvaFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    codes: tuple[KvaCode, ...]

    @model_validator(mode="after")
    def _unique(self) -> KvaFile:
        seen: set[str] = set()
        for c in self.codes:
            if c.code in seen:
                raise ValueError(f"KVÅ code {c.code} listed twice")
            seen.add(c.code)
        return self

    @property
    def by_code(self) -> dict[str, KvaCode]:
        return {c.code: c for c in self.codes}

    def text(self, code: str, on: date | None = None) -> str:
        """The code's description (on a date: the dated description in force then)."""
        c = self.by_code.get(code)
        if c is None:
            return ""
        return c.as_definition().description_on(on) if on is not None else c.text

    def definitions(self) -> dict[str, KvaDef]:
        """Every code as a code-list definition, by code (validity and description changes included)."""
        return {c.code: c.as_definition() for c in self.codes}


def load_kva(path: Path | None = None) -> KvaFile:
    with (path or DEFAULT_FILE).open(encoding="utf-8") as fh:
        return KvaFile.model_validate(yaml.safe_load(fh))


@cache
def rehab_codes() -> KvaFile:
    return load_kva()
