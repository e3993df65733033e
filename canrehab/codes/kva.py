"""The curated list of rehab-relevant KVÅ codes (``kva_rehab.yaml``) with Swedish descriptions."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

DEFAULT_FILE = Path(__file__).with_name("kva_rehab.yaml")
KVA_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")


class KvaCode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str
    text: str
    persons_2022: int | None = None  # Bilaga 2 tabell 1 (reference figure), if published
    profession: bool = False  # profession add-on code (tilläggskod)

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

    def text(self, code: str) -> str:
        c = self.by_code.get(code)
        return c.text if c else ""


def load_kva(path: Path | None = None) -> KvaFile:
    with (path or DEFAULT_FILE).open(encoding="utf-8") as fh:
        return KvaFile.model_validate(yaml.safe_load(fh))


@cache
def rehab_codes() -> KvaFile:
    return load_kva()
