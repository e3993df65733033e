"""Decision support: rules as data (``instruments/rules/<instrument>.yaml``, schema ``RuleSet``) turn the
answers of an assessment into a ``Suggestion`` — troublesome areas, professions and self-care advice to
consider, and a suggested needs level. It is a suggestion, never a decision: the clinician confirms or
overrides the level (see ``domain.assessment``).

Troublesome: a choice answer with ordinal >= ``troublesome_ordinal``, or (``boolean_items_are_problems``) a
ticked problem in a problem list. The level is the highest level of the matching ``levels`` rules (all the
conditions of a rule must hold), at least ``base_level``. The levels a rule set names must belong to the
region's chosen level set (``levels_outside``, checked when the definitions are loaded); the reasons name
the levels with the set's labels.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from canrehab.domain.definitions import LevelSetDef
from canrehab.domain.instrument import Instrument, ItemKind, ordinal_of
from canrehab.domain.model import AnswerValue, NeedsLevel, Profession, Suggestion

ADVICE_CODES = ("DV111", "DV121", "DV131", "DV141")
PROFESSION_LABEL_SV: dict[Profession, str] = {
    Profession.NURSE: "sjuksköterska",
    Profession.CONTACT_NURSE: "kontaktsjuksköterska",
    Profession.CONSULTING_NURSE: "konsultsjuksköterska",
    Profession.PHYSICIAN: "läkare",
    Profession.OCCUPATIONAL_THERAPIST: "arbetsterapeut",
    Profession.DIETITIAN: "dietist",
    Profession.PHYSIOTHERAPIST: "fysioterapeut",
    Profession.COUNSELLOR: "kurator",
    Profession.SPEECH_THERAPIST: "logoped",
    Profession.LYMPH_THERAPIST: "lymfterapeut",
    Profession.PSYCHOLOGIST: "psykolog",
    Profession.SEXOLOGIST: "sexolog",
    Profession.STOMA_THERAPIST: "stomiterapeut",
    Profession.URO_THERAPIST: "uroterapeut",
    Profession.REHAB_COORDINATOR: "rehabiliteringskoordinator",
    Profession.REHAB_TEAM: "rehabiliteringsteam",
}


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AdviceRule(_Rules):
    item: str  # linkId
    code: str  # DV111 / DV121 / DV131 / DV141
    min_ordinal: int = 1  # any problem at all suggests the simple advice

    @model_validator(mode="after")
    def _code(self) -> AdviceRule:
        if self.code not in ADVICE_CODES:
            raise ValueError(f"advice code must be one of {', '.join(ADVICE_CODES)}, not {self.code!r}")
        return self


class Condition(_Rules):
    """All given conditions must hold. Area and domain counts leave out ``level_excluded_groups``."""

    min_troublesome_areas: int | None = Field(default=None, ge=1)
    min_very_troublesome_areas: int | None = Field(default=None, ge=1)
    min_troublesome_domains: int | None = Field(default=None, ge=1)
    min_very_troublesome_domains: int | None = Field(default=None, ge=1)
    min_troublesome_in_one_domain: int | None = Field(default=None, ge=1)
    item: str | None = None  # an integer (or choice) item ...
    min_value: int | None = None  # ... whose value (ordinal) is at least this

    @model_validator(mode="after")
    def _some(self) -> Condition:
        if (self.item is None) != (self.min_value is None):
            raise ValueError("item and min_value go together")
        if not any(v is not None for v in self.model_dump().values()):
            raise ValueError("a condition needs at least one criterion")
        return self


class LevelRule(_Rules):
    id: str
    level: NeedsLevel
    when: Condition
    reason_sv: str = Field(min_length=1)


class RuleSet(_Rules):
    instrument: str  # Questionnaire.id
    troublesome_ordinal: int = 2
    very_troublesome_ordinal: int = 3
    talk_suffix: str = ".talk"  # boolean sub-items "do you want to talk to someone about this?"
    boolean_items_are_problems: bool = False  # problem lists: a ticked item is troublesome
    level_excluded_groups: tuple[str, ...] = ()  # e.g. lifestyle: gives advice, not a level
    base_level: NeedsLevel = NeedsLevel.BASIC
    professions: dict[str, tuple[Profession, ...]] = Field(default_factory=dict)  # linkId -> professions
    advice: tuple[AdviceRule, ...] = ()
    levels: tuple[LevelRule, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _level_names(cls, data: object, info: ValidationInfo) -> object:
        """Allow level names in the YAML as well as ranks: the rank names (BASIC, SPECIAL, ADVANCED,
        VERY_ADVANCED) or, when validated with ``context={"level_set": ...}``, the ids of the chosen level
        set's levels (``grundlaggande``, ``sarskild``, ``avancerad``; ``generella``, ...)."""
        level_set = (info.context or {}).get("level_set") if info is not None else None
        if isinstance(data, dict):
            if isinstance(data.get("base_level"), str):
                data = {**data, "base_level": _rank(data["base_level"], level_set)}
            levels = data.get("levels")
            if isinstance(levels, list):
                fixed = []
                for rule in levels:
                    if isinstance(rule, dict) and isinstance(rule.get("level"), str):
                        rule = {**rule, "level": _rank(rule["level"], level_set)}
                    fixed.append(rule)
                data = {**data, "levels": fixed}
        return data

    @model_validator(mode="after")
    def _thresholds(self) -> RuleSet:
        if self.very_troublesome_ordinal < self.troublesome_ordinal:
            raise ValueError("very_troublesome_ordinal must be >= troublesome_ordinal")
        ids = [r.id for r in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError("level rule ids must be distinct")
        return self

    def problems_with(self, instrument: Instrument) -> list[str]:
        """References to items or groups the instrument does not have (empty when consistent)."""
        problems: list[str] = []
        if self.instrument != instrument.id:
            problems.append(f"instrument: rules are for {self.instrument!r}, not {instrument.id!r}")
        for link_id in self.professions:
            if instrument.item(link_id) is None:
                problems.append(f"professions.{link_id}: no such item")
        for n, a in enumerate(self.advice):
            if instrument.item(a.item) is None:
                problems.append(f"advice.{n}.item: no such item {a.item!r}")
        for n, r in enumerate(self.levels):
            if r.when.item is not None and instrument.item(r.when.item) is None:
                problems.append(f"levels.{n}.when.item: no such item {r.when.item!r}")
        for g in self.level_excluded_groups:
            if instrument.group(g) is None:
                problems.append(f"level_excluded_groups: no such group {g!r}")
        return problems

    def levels_outside(self, level_set: LevelSetDef) -> list[str]:
        """The rule set's levels that the level set does not have, as messages (empty when consistent)."""
        problems = []
        if not level_set.contains(self.base_level):
            problems.append(f"base_level: rank {int(self.base_level)} is not in level set {level_set.id}")
        for n, r in enumerate(self.levels):
            if not level_set.contains(r.level):
                problems.append(
                    f"levels.{n} ({r.id}): rank {int(r.level)} ({r.level.name}) is not in level set "
                    f"{level_set.id} (ranks {', '.join(str(int(x)) for x in level_set.ranks)})"
                )
        return problems


def _rank(name: str, level_set: LevelSetDef | None) -> NeedsLevel:
    if name.upper() in NeedsLevel.__members__:
        return NeedsLevel[name.upper()]
    ids = {d.id: d.rank for d in level_set.levels} if level_set is not None else {}
    if name in ids:
        return ids[name]
    known = [*NeedsLevel.__members__, *ids]
    raise ValueError(f"unknown level {name!r} ({', '.join(known)})")


def _label(instrument: Instrument, link_id: str) -> str:
    question = instrument.item(link_id)
    if question is not None:
        return question.label or link_id
    group = instrument.group(link_id)
    return group.text if group is not None and group.text else link_id


def _domain_label(instrument: Instrument, group: str | None) -> str:
    return _label(instrument, group) if group else "Övrigt"


def suggest(
    instrument: Instrument,
    answers: Mapping[str, AnswerValue],
    rules: RuleSet,
    *,
    profession_labels: Mapping[Profession, str] | None = None,
    level_set: LevelSetDef | None = None,
) -> Suggestion:
    """Decision support from validated answers. Reasons are Swedish and say which rule fired and why; with
    ``level_set`` the levels carry its labels."""
    labels = profession_labels or PROFESSION_LABEL_SV

    def level_label(level: NeedsLevel) -> str:
        return level_set.label(level) if level_set is not None else NeedsLevel(level).label_sv

    troublesome: list[str] = []
    very: list[str] = []
    talk: list[str] = []
    for item in instrument.items:
        value = answers.get(item.link_id)
        if value is None:
            continue
        if item.kind is ItemKind.BOOLEAN:
            if value is True and rules.talk_suffix and item.link_id.endswith(rules.talk_suffix):
                talk.append(item.link_id.removesuffix(rules.talk_suffix))
            elif value is True and rules.boolean_items_are_problems:
                troublesome.append(item.link_id)
            continue
        if item.kind is ItemKind.CHOICE:
            ordinal = ordinal_of(instrument, item.link_id, value)
            if ordinal is not None and ordinal >= rules.troublesome_ordinal:
                troublesome.append(item.link_id)
                if ordinal >= rules.very_troublesome_ordinal:
                    very.append(item.link_id)

    reasons: list[str] = []
    if troublesome:
        names = ", ".join(_label(instrument, i) for i in troublesome)
        reasons.append(f"Besvärande problemområden: {names}.")
    if very:
        reasons.append(f"Mycket besvärande: {', '.join(_label(instrument, i) for i in very)}.")
    if talk:
        reasons.append(f"Vill prata med någon om: {', '.join(_label(instrument, i) for i in talk)}.")

    professions: list[Profession] = []
    for link_id in troublesome:
        suggested = rules.professions.get(link_id, ())
        if suggested:
            names = ", ".join(labels.get(p, p.value) for p in suggested)
            reasons.append(f"{_label(instrument, link_id)}: överväg {names}.")
        for p in suggested:
            if p not in professions:
                professions.append(p)

    advice: list[str] = []
    for tip in rules.advice:
        ordinal = ordinal_of(instrument, tip.item, answers.get(tip.item))
        if ordinal is not None and ordinal >= tip.min_ordinal and tip.code not in advice:
            advice.append(tip.code)
            reasons.append(f"{_label(instrument, tip.item)}: enkla råd kan ges ({tip.code}).")

    counted = [i for i in troublesome if _group_of(instrument, i) not in rules.level_excluded_groups]
    counted_very = [i for i in very if _group_of(instrument, i) not in rules.level_excluded_groups]
    level = rules.base_level
    for rule in rules.levels:
        if _holds(rule.when, instrument, answers, counted, counted_very):
            reasons.append(f"Förslag {level_label(rule.level)} nivå: {rule.reason_sv} (regel {rule.id}).")
            level = max(level, rule.level)
    if level == rules.base_level and not any(r.startswith("Förslag") for r in reasons):
        reasons.append(f"Förslag {level_label(level)} nivå: inga regler för högre nivå uppfylls.")
    return Suggestion(
        troublesome_areas=tuple(troublesome),
        wants_to_talk=tuple(talk),
        advice_codes=tuple(advice),
        professions=tuple(professions),
        level=NeedsLevel(level),
        reasons=tuple(reasons),
    )


def _group_of(instrument: Instrument, link_id: str) -> str | None:
    item = instrument.item(link_id)
    return item.group if item is not None else None


def _holds(
    cond: Condition,
    instrument: Instrument,
    answers: Mapping[str, AnswerValue],
    troublesome: list[str],
    very: list[str],
) -> bool:
    by_domain: dict[str | None, int] = {}
    for i in troublesome:
        g = _group_of(instrument, i)
        by_domain[g] = by_domain.get(g, 0) + 1
    very_domains = {_group_of(instrument, i) for i in very}
    checks: list[bool] = []
    if cond.min_troublesome_areas is not None:
        checks.append(len(troublesome) >= cond.min_troublesome_areas)
    if cond.min_very_troublesome_areas is not None:
        checks.append(len(very) >= cond.min_very_troublesome_areas)
    if cond.min_troublesome_domains is not None:
        checks.append(len(by_domain) >= cond.min_troublesome_domains)
    if cond.min_very_troublesome_domains is not None:
        checks.append(len(very_domains) >= cond.min_very_troublesome_domains)
    if cond.min_troublesome_in_one_domain is not None:
        checks.append(max(by_domain.values(), default=0) >= cond.min_troublesome_in_one_domain)
    if cond.item is not None and cond.min_value is not None:
        value = ordinal_of(instrument, cond.item, answers.get(cond.item))
        checks.append(value is not None and value >= cond.min_value)
    return bool(checks) and all(checks)
