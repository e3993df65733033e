"""Structured needs assessment: start, save and resume, submit (computes the decision support), and the
clinician's confirmation of the needs level, which is stored together with the suggestion; and the rehab
professional's own assessment of rehabilitation needs.

Coding, as the sources have it (004, "Indikatorer"; 002, "Insatser på olika nivåer"):

* Every confirmed structured assessment (Hälsoskattning or Hantering av ångest, the two instruments of the
  care programme for basic structured assessment) records AU010 *Allmän skattning av behov eller
  funktionsförmåga*, whatever level is confirmed and whoever confirms: AU010 is "recommended for the
  identification of rehabilitation needs, i.e. the Hälsoskattning". Plus one record per simple advice
  (DV111/DV121/DV131/DV141) the clinician gave.
* AW019 *Bedömning av rehabiliteringsbehov* is its own action (``assess_rehab_needs``): a rehab
  professional's assessment at särskild or avancerad level ("ska användas på särskild och avancerad nivå").

Levels are ranks of the region's chosen level set (``LevelSetDef``); with one given, a level outside it is
refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from canrehab.domain.decision_support import ADVICE_CODES, RuleSet, suggest
from canrehab.domain.definitions import KvaDef, LevelSetDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import Instrument, missing_required, validate_answers
from canrehab.domain.kva import DEFAULT_CARE_TYPE, make_record
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    CareType,
    KeyMoment,
    KvaRecord,
    NeedsLevel,
    Pathway,
    Profession,
    Respondent,
    Staff,
)
from canrehab.domain.pathway import require_done_between_diagnosis_and_today, require_open

# The PREM question and answer that the indicator ``prem_fully_involved`` reads (the shipped example's linkId
# and code; a region's official PREM must use the same linkId and code for this question).
PREM_INVOLVEMENT_ITEM = "delaktighet"
PREM_FULLY = "ja-helt"

ASSESSMENT_CODE = "AU010"  # every confirmed structured assessment (004)
REHAB_ASSESSMENT_CODE = "AW019"  # the rehab professional's assessment, särskild/avancerad level (004)
BASIC_CODE = ASSESSMENT_CODE  # the old names, kept for callers; the code no longer depends on the level
SPECIAL_CODE = REHAB_ASSESSMENT_CODE
# The professions that assess at särskild level (002: "utförs i stora delar av de professioner som arbetar med
# olika områden inom rehabilitering, exempelvis kurator, arbetsterapeut, psykoterapeut, dietist eller
# psykolog"; the glossary's rehabiliteringsprofessioner) and the rehab team at avancerad level (002: "kräver
# samverkan mellan professioner i ett team").
REHAB_PROFESSIONS = frozenset(
    {
        Profession.OCCUPATIONAL_THERAPIST,
        Profession.DIETITIAN,
        Profession.PHYSIOTHERAPIST,
        Profession.COUNSELLOR,
        Profession.SPEECH_THERAPIST,
        Profession.LYMPH_THERAPIST,
        Profession.PSYCHOLOGIST,
        Profession.SEXOLOGIST,
        Profession.STOMA_THERAPIST,
        Profession.URO_THERAPIST,
        Profession.NURSE,
        Profession.REHAB_TEAM,
    }
)


def start_assessment(
    pathway: Pathway,
    instrument: Instrument,
    *,
    key_moment: KeyMoment,
    respondent: Respondent,
    on: date,
) -> Assessment:
    """A new, empty assessment on an open pathway."""
    require_open(pathway)
    return Assessment(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        unit_hsa_id=pathway.unit_hsa_id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        key_moment=key_moment,
        respondent=respondent,
        started_on=on,
    )


def _check_instrument(assessment: Assessment, instrument: Instrument) -> None:
    if instrument.id != assessment.instrument_id:
        raise DomainError(
            "assessment.instrument_mismatch",
            f"Bedömningen gjordes med formuläret {assessment.instrument_id}, inte {instrument.id}.",
            f"assessment uses {assessment.instrument_id}, not {instrument.id}",
        )


def save_answers(
    assessment: Assessment,
    instrument: Instrument,
    answers: Mapping[str, object],
    *,
    on: date,
    submit: bool,
    rules: RuleSet | None,
    level_set: LevelSetDef | None = None,
) -> Assessment:
    """Save answers (merged into the saved ones; ``None`` clears an answer) and optionally submit.

    While in progress partial answers are fine. Submitting needs every required question answered and
    computes the suggestion (an instrument without decision support, a PREM, gets none and takes no
    ``rules``). A submitted assessment can only be corrected by submitting again; a confirmed
    one cannot be changed.
    """
    _check_instrument(assessment, instrument)
    if assessment.status is AssessmentStatus.CONFIRMED:
        raise DomainError(
            "assessment.confirmed",
            "Bedömningen är redan bekräftad och kan inte ändras; gör en ny bedömning.",
            "assessment is confirmed and cannot be changed",
        )
    if assessment.status is AssessmentStatus.SUBMITTED and not submit:
        raise DomainError(
            "assessment.submitted",
            "Bedömningen är redan inskickad; ändrade svar måste skickas in igen.",
            "a submitted assessment can only be changed by submitting again",
        )
    if on < assessment.started_on:
        raise DomainError(
            "assessment.date_order",
            f"Datumet {on.isoformat()} ligger före bedömningens start ({assessment.started_on.isoformat()}).",
            "save date before start date",
        )
    if instrument.decision_support and rules is None:
        raise DomainError(
            "assessment.rules_missing",
            "Beslutsstödets regler för formuläret saknas.",
            f"no decision-support rules for {instrument.id}",
        )
    if rules is not None and rules.instrument != instrument.id:
        raise DomainError(
            "assessment.rules_mismatch",
            "Beslutsstödets regler hör till ett annat formulär.",
            f"rules are for {rules.instrument}, not {instrument.id}",
        )
    normal = validate_answers(instrument, answers)
    merged = {k: v for k, v in assessment.answers.items() if k not in answers}
    merged.update(normal)
    update: dict[str, object] = {"answers": merged}
    if submit:
        missing = missing_required(instrument, merged)
        if missing:
            names = [(instrument.item(m).text or m) for m in missing]  # type: ignore[union-attr]
            shown = ", ".join(names[:5]) + (f" och {len(names) - 5} till" if len(names) > 5 else "")
            raise DomainError(
                "assessment.incomplete",
                f"Bedömningen kan inte skickas in: {len(missing)} obligatoriska frågor saknar svar "
                f"({shown}).",
                f"required answers missing: {', '.join(missing)}",
            )
        update.update(
            status=AssessmentStatus.SUBMITTED,
            submitted_on=on,
            suggestion=suggest(instrument, merged, rules, level_set=level_set)
            if instrument.decision_support and rules is not None
            else None,
        )
    return assessment.model_copy(update=update)


def _level_label(level: NeedsLevel, level_set: LevelSetDef | None) -> str:
    return level_set.label(level) if level_set is not None else level.label_sv


def require_level_in_set(level: NeedsLevel, level_set: LevelSetDef | None) -> NeedsLevel:
    """The level, when it belongs to the chosen set (any level without a set); else DomainError
    ``assessment.level_not_in_set``."""
    level = NeedsLevel(level)
    if level_set is not None and not level_set.contains(level):
        names = ", ".join(d.label_sv for d in level_set.levels)
        raise DomainError(
            "assessment.level_not_in_set",
            f"Nivå {int(level)} finns inte i regionens nivåindelning ({level_set.name_sv}: {names}).",
            f"level {int(level)} is not in level set {level_set.id}",
        )
    return level


def confirm_level(
    assessment: Assessment,
    pathway: Pathway,
    *,
    level: NeedsLevel,
    by: Staff,
    on: date,
    reason: str,
    professions: Mapping[Profession, ProfessionDef],
    advice_given: Sequence[str] = (),
    level_set: LevelSetDef | None = None,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[Assessment, Pathway, list[KvaRecord]]:
    """The clinician confirms the suggested level or overrides it (a reason is required for an override).

    Returns the confirmed assessment, the pathway with its confirmed level, and the KVÅ records: AU010 for
    the structured assessment whatever the level (004), and one record per simple advice actually given,
    each with ``care_type``. With ``level_set`` the level must be one of its levels; with ``codes`` every
    code must be valid on the date (``domain.kva.require_recordable``).
    """
    if assessment.pathway_id != pathway.id:
        raise DomainError(
            "assessment.pathway_mismatch",
            "Bedömningen hör till ett annat vårdförlopp.",
            "assessment belongs to another pathway",
        )
    require_open(pathway)
    if assessment.status is AssessmentStatus.SUBMITTED and assessment.suggestion is None:
        raise DomainError(
            "assessment.no_decision_support",
            "Formuläret är en patientenkät utan beslutsstöd; ingen behovsnivå bekräftas med den.",
            "the instrument has no decision support (a PREM): nothing to confirm",
        )
    if assessment.status is not AssessmentStatus.SUBMITTED or assessment.suggestion is None:
        raise DomainError(
            "assessment.not_submitted"
            if assessment.status is AssessmentStatus.IN_PROGRESS
            else "assessment.confirmed",
            f"Bedömningen är {assessment.status.label_sv}; bara en inskickad bedömning kan bekräftas.",
            f"assessment is {assessment.status.value}; only a submitted one can be confirmed",
        )
    level = require_level_in_set(level, level_set)
    if assessment.submitted_on is not None and on < assessment.submitted_on:
        raise DomainError(
            "assessment.date_order",
            "Bekräftelsen kan inte dateras före inskickandet.",
            "confirmation date before submission date",
        )
    overridden = level != assessment.suggestion.level
    reason = reason.strip()
    if overridden and not reason:
        raise DomainError(
            "assessment.override_reason_required",
            f"Du väljer {_level_label(level, level_set)} nivå i stället för föreslagen "
            f"{_level_label(assessment.suggestion.level, level_set)} nivå; ange en motivering.",
            "overriding the suggested level requires a reason",
        )
    advice = _advice(advice_given)
    confirmed = assessment.model_copy(
        update={
            "status": AssessmentStatus.CONFIRMED,
            "confirmed_level": level,
            "level_overridden": overridden,
            "override_reason": reason,
            "confirmed_by": by.id,
            "confirmed_on": on,
        }
    )
    records = [
        make_record(
            code=code,
            pathway=pathway,
            on=on,
            unit_hsa_id=by.unit_hsa_id,
            performer=by,
            professions=professions,
            source=f"assessment:{assessment.id}:{code}",
            care_type=care_type,
            codes=codes,
        )
        for code in (ASSESSMENT_CODE, *advice)
    ]
    return confirmed, _with_level(pathway, level, on), records


def _advice(advice_given: Sequence[str]) -> list[str]:
    advice: list[str] = []
    for code in advice_given:
        if code not in ADVICE_CODES:
            raise DomainError(
                "assessment.advice_invalid",
                f"{code!r} är ingen kod för enkla råd ({', '.join(ADVICE_CODES)}).",
                f"{code!r} is not a simple-advice code",
            )
        if code not in advice:
            advice.append(code)
    return advice


def _with_level(pathway: Pathway, level: NeedsLevel, on: date) -> Pathway:
    """The pathway with its confirmed level, unless a later confirmation is already recorded."""
    if pathway.confirmed_level_on is None or on >= pathway.confirmed_level_on:
        return pathway.model_copy(update={"confirmed_level": level, "confirmed_level_on": on})
    return pathway


def assess_rehab_needs(
    pathway: Pathway,
    *,
    level: NeedsLevel,
    by: Staff,
    on: date,
    today: date,
    professions: Mapping[Profession, ProfessionDef],
    existing: Sequence[KvaRecord] = (),
    level_set: LevelSetDef | None = None,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[Pathway, KvaRecord]:
    """A rehab professional's assessment of the patient's rehabilitation needs at särskild or avancerad
    level: AW019 with the professional's add-on code (004: "ska användas på särskild och avancerad nivå").

    The level must be särskild or higher (and in ``level_set``); the assessor one of ``REHAB_PROFESSIONS``
    (not the contact nurse's or physician's basic identification of needs, which is the Hälsoskattning,
    AU010). The date lies between the diagnosis and ``today``; one AW019 per professional, pathway and date.
    The pathway's confirmed level becomes this level (unless a later one is recorded).
    """
    require_open(pathway)
    level = require_level_in_set(level, level_set)
    if level < NeedsLevel.SPECIAL:
        special = _level_label(NeedsLevel.SPECIAL, level_set)
        advanced = _level_label(NeedsLevel.ADVANCED, level_set)
        raise DomainError(
            "assessment.rehab_level",
            f"Bedömning av rehabiliteringsbehov (AW019) görs på {special} eller {advanced} nivå, inte på "
            f"{_level_label(level, level_set)} nivå; den grundläggande bedömningen är Hälsoskattningen "
            "(AU010).",
            "AW019 is the assessment at special or advanced level",
        )
    if by.profession not in REHAB_PROFESSIONS:
        label = professions[by.profession].label_sv if by.profession in professions else by.profession.value
        raise DomainError(
            "assessment.rehab_profession",
            f"Bedömning av rehabiliteringsbehov (AW019) görs av en rehabiliteringsprofession, inte av "
            f"{label}.",
            f"AW019 is assessed by a rehab profession, not {by.profession.value}",
        )
    require_done_between_diagnosis_and_today(pathway, on, today)
    if any(
        r.pathway_id == pathway.id
        and r.code == REHAB_ASSESSMENT_CODE
        and r.performed_on == on
        and r.performer_id == by.id
        for r in existing
    ):
        raise DomainError(
            "assessment.rehab_already_recorded",
            f"Din bedömning av rehabiliteringsbehov (AW019) är redan registrerad {on.isoformat()}.",
            "AW019 already recorded for this professional, pathway and date",
        )
    record = make_record(
        code=REHAB_ASSESSMENT_CODE,
        pathway=pathway,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=professions,
        source=f"rehab_assessment:{pathway.id}:{by.id}:{on.isoformat()}",
        care_type=care_type,
        codes=codes,
    )
    return _with_level(pathway, level, on), record
