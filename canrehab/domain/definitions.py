"""Schemas of the definitions a region configures as data: professions, diagnosis processes, KVÅ codes and
assessment routines. ``canrehab.codes.catalog`` reads the files; the domain only sees validated models."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from canrehab.domain.model import KeyMoment, PhaseKind, Profession

KVA_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")
ICD10_CATEGORY = re.compile(r"^[A-Z][0-9]{2}$")


class DefinitionError(ValueError):
    """A definition file is missing or invalid. The message names the file and the field."""


class Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProfessionDef(Definition):
    profession: Profession
    label_sv: str = Field(min_length=1)
    kva_code: str | None = None  # profession add-on code (tilläggskod XS9xx); None when there is none

    @field_validator("kva_code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        if v is not None and not KVA_CODE.match(v):
            raise ValueError(f"{v!r} is not a KVÅ code (five characters, e.g. XS918)")
        return v


def _category_bounds(spec: str) -> tuple[str, str]:
    first, _, last = spec.partition("-")
    last = last or first
    for part in (first, last):
        if not ICD10_CATEGORY.match(part):
            raise ValueError(f"{spec!r} is not an ICD-10 category or range (e.g. C50 or C33-C34)")
    if last < first:
        raise ValueError(f"range {spec!r} ends before it starts")
    return first, last


class ProcessDef(Definition):
    """A diagnosis process (e.g. breast cancer) and the ICD-10 categories that belong to it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_sv: str = Field(min_length=1)
    icd10: tuple[str, ...] = ()  # categories or ranges: "C50", "C33-C34"; empty for the catch-all "other"

    @field_validator("icd10")
    @classmethod
    def _ranges(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for spec in v:
            _category_bounds(spec)
        return v

    def matches(self, icd10: str) -> bool:
        """Whether a normalised ICD-10 code (``C509``) belongs to this process."""
        category = icd10[:3]
        for spec in self.icd10:
            first, last = _category_bounds(spec)
            if first <= category <= last:
                return True
        return False


class KvaDef(Definition):
    code: str
    text_sv: str = Field(min_length=1)
    add_on: bool = False  # profession add-on code (tilläggskod), not an action by itself

    @field_validator("code")
    @classmethod
    def _shape(cls, v: str) -> str:
        if not KVA_CODE.match(v):
            raise ValueError(f"{v!r} is not a KVÅ code (five characters, e.g. AW020)")
        return v


class RoutineTrigger(Definition):
    """One assessment a routine asks for: at a key moment, ``offset_days`` after the anchor phase date."""

    key_moment: KeyMoment
    anchor: PhaseKind
    offset_days: int = 0
    grace_days: int = Field(default=14, ge=0)  # days after the due date before it is overdue
    tolerance_days: int = Field(default=14, ge=0)  # an assessment this many days before the due date counts
    upcoming_days: int = Field(default=14, ge=0)  # shown as upcoming this many days before the due date
    expire_days: int | None = Field(default=None, ge=0)  # after due date + this, no longer asked for


class RoutineDef(Definition):
    """A local assessment routine for a diagnosis process (or ``default``)."""

    process: str
    name_sv: str = ""
    triggers: tuple[RoutineTrigger, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> RoutineDef:
        seen: set[tuple[KeyMoment, PhaseKind, int]] = set()
        for t in self.triggers:
            key = (t.key_moment, t.anchor, t.offset_days)
            if key in seen:
                raise ValueError(
                    f"trigger {t.key_moment.value}/{t.anchor.value}/{t.offset_days} listed twice"
                )
            seen.add(key)
        return self
