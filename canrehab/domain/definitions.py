"""Schemas of the definitions a region configures as data: professions, diagnosis processes, KVÅ codes,
assessment routines (with prehabilitation) and needs-level sets. ``canrehab.codes.catalog`` reads the files;
the domain only sees validated models."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from canrehab.domain.model import CareLevel, CareType, KeyMoment, NeedsLevel, PhaseKind, Profession

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


class KvaDescription(Definition):
    """A dated change of a code's description: from ``valid_from`` on, it reads ``text_sv``."""

    valid_from: date
    text_sv: str = Field(min_length=1)
    source: str = ""  # where the change is decided (e.g. the gap analysis, 004)


class KvaDef(Definition):
    """A KVÅ code the care process records, with the dates it is valid.

    ``valid_from``/``valid_to`` (inclusive): the code may be recorded on those dates only; ``None`` means no
    limit is known from the sources (the code existed before the care process records anything).
    ``descriptions``: dated changes of the description text (``description_on``). ``performed_by``: the
    professions that may record the code as a procedure of its own (``domain.procedure``); empty when the
    code is only produced by its care-process action (assessment, plan, SIP, ...). ``care_types``: the care
    types the code belongs to (empty: inpatient and outpatient), e.g. AW030 is inpatient only.
    """

    code: str
    text_sv: str = Field(min_length=1)
    add_on: bool = False  # profession add-on code (tilläggskod), not an action by itself
    valid_from: date | None = None
    valid_to: date | None = None
    descriptions: tuple[KvaDescription, ...] = ()
    performed_by: tuple[Profession, ...] = ()
    care_types: tuple[CareType, ...] = ()

    @field_validator("code")
    @classmethod
    def _shape(cls, v: str) -> str:
        if not KVA_CODE.match(v):
            raise ValueError(f"{v!r} is not a KVÅ code (five characters, e.g. AW020)")
        return v

    @model_validator(mode="after")
    def _dates(self) -> KvaDef:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"{self.code}: valid_to {self.valid_to} is before valid_from {self.valid_from}")
        starts = [d.valid_from for d in self.descriptions]
        if starts != sorted(set(starts)):
            raise ValueError(f"{self.code}: description changes must be in date order, one per date")
        if self.add_on and self.performed_by:
            raise ValueError(f"{self.code}: an add-on code is not performed by itself (performed_by)")
        return self

    def description_on(self, on: date) -> str:
        """The description in force on a date: the latest dated change on or before it, else ``text_sv``."""
        text = self.text_sv
        for change in self.descriptions:
            if change.valid_from <= on:
                text = change.text_sv
        return text

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or on >= self.valid_from) and (
            self.valid_to is None or on <= self.valid_to
        )


HANDOVER_ANCHOR = "handover"
Anchor = PhaseKind | Literal["handover"]


class RoutineTrigger(Definition):
    """One assessment a routine asks for: at a key moment, ``offset_days`` after the latest date of its
    anchor, a pathway event: a phase (diagnosis, treatment start and end, progression, ...) or
    ``handover`` (an active handover sent to another unit, optionally only from and to given care levels,
    e.g. from specialised care to primary care)."""

    key_moment: KeyMoment
    anchor: Anchor
    handover_from: tuple[CareLevel, ...] = ()  # anchor handover: the sending unit's care level (empty: any)
    handover_to: tuple[CareLevel, ...] = ()  # anchor handover: the receiving unit's care level (empty: any)
    offset_days: int = 0
    grace_days: int = Field(default=14, ge=0)  # days after the due date before it is overdue
    tolerance_days: int = Field(default=14, ge=0)  # an assessment this many days before the due date counts
    upcoming_days: int = Field(default=14, ge=0)  # shown as upcoming this many days before the due date
    expire_days: int | None = Field(default=None, ge=0)  # after due date + this, no longer asked for

    @model_validator(mode="after")
    def _handover_levels(self) -> RoutineTrigger:
        if self.anchor != HANDOVER_ANCHOR and (self.handover_from or self.handover_to):
            raise ValueError("handover_from/handover_to go with anchor: handover")
        return self

    @property
    def anchor_name(self) -> str:
        anchor = self.anchor
        name = anchor.value if isinstance(anchor, PhaseKind) else anchor
        if self.handover_from or self.handover_to:
            levels = "+".join(v.value for v in self.handover_from) or "any"
            name += f"[{levels}->{'+'.join(v.value for v in self.handover_to) or 'any'}]"
        return name


class PrehabilitationActionDef(Definition):
    """One kind of prehabilitation action (tobacco, physical activity, nutrition, psychosocial support) and
    the KVÅ codes that record it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_sv: str = Field(min_length=1)
    codes: tuple[str, ...] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if not KVA_CODE.match(code):
                raise ValueError(f"{code!r} is not a KVÅ code")
        return v


class PrehabilitationDef(Definition):
    """Prehabilitation: actions in the window from the diagnosis (or a recorded prehabilitation phase) to
    the treatment start."""

    name_sv: str = "Prehabilitering"
    actions: tuple[PrehabilitationActionDef, ...] = ()


class RoutineDef(Definition):
    """A local assessment routine for a diagnosis process (or ``default``)."""

    process: str
    name_sv: str = ""
    triggers: tuple[RoutineTrigger, ...] = Field(min_length=1)
    prehabilitation: PrehabilitationDef | None = None

    @model_validator(mode="after")
    def _distinct(self) -> RoutineDef:
        seen: set[tuple[KeyMoment, str, int]] = set()
        for t in self.triggers:
            key = (t.key_moment, t.anchor_name, t.offset_days)
            if key in seen:
                raise ValueError(f"trigger {t.key_moment.value}/{t.anchor_name}/{t.offset_days} listed twice")
            seen.add(key)
        return self


class NeedsLevelDef(Definition):
    """One level of a level set: its rank (1 lowest; the stored ``NeedsLevel`` value) and Swedish label."""

    rank: NeedsLevel
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label_sv: str = Field(min_length=1)
    description_sv: str = ""


class LevelSetDef(Definition):
    """A set of needs levels (the national care programme's three, 001's four, the children's three)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_sv: str = Field(min_length=1)
    source: str = ""
    levels: tuple[NeedsLevelDef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ranks(self) -> LevelSetDef:
        ranks = [int(level.rank) for level in self.levels]
        if ranks != list(range(1, len(ranks) + 1)):
            raise ValueError(f"level set {self.id}: ranks must be 1, 2, ... in order, not {ranks}")
        return self

    @property
    def ranks(self) -> tuple[NeedsLevel, ...]:
        return tuple(level.rank for level in self.levels)

    def label(self, level: NeedsLevel | int) -> str:
        """The Swedish label of a level of the set (falls back to the rank's national name outside it)."""
        for defined in self.levels:
            if defined.rank == level:
                return defined.label_sv
        return NeedsLevel(level).label_sv

    def contains(self, level: NeedsLevel | int) -> bool:
        return any(defined.rank == level for defined in self.levels)
