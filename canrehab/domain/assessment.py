"""Structured needs assessment: start, save and resume, submit (computes the decision support), and the
clinician's confirmation of the needs level, which is stored together with the suggestion and produces the
KVÅ records: AU010 (general estimation of needs) at basic level, AW019 (assessment of rehabilitation needs)
at special level or higher, plus the simple advice codes (DV111/DV121/DV131/DV141) the clinician gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from canrehab.domain.decision_support import ADVICE_CODES, RuleSet, suggest
from canrehab.domain.definitions import ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import Instrument, missing_required, validate_answers
from canrehab.domain.kva import make_record
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    KeyMoment,
    KvaRecord,
    NeedsLevel,
    Pathway,
    Profession,
    Respondent,
    Staff,
)
from canrehab.domain.pathway import require_open

BASIC_CODE = "AU010"
SPECIAL_CODE = "AW019"


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
    rules: RuleSet,
) -> Assessment:
    """Save answers (merged into the saved ones; ``None`` clears an answer) and optionally submit.

    While in progress partial answers are fine. Submitting needs every required question answered and
    computes the suggestion. A submitted assessment can only be corrected by submitting again; a confirmed
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
    if rules.instrument != instrument.id:
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
            suggestion=suggest(instrument, merged, rules),
        )
    return assessment.model_copy(update=update)


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
) -> tuple[Assessment, Pathway, list[KvaRecord]]:
    """The clinician confirms the suggested level or overrides it (a reason is required for an override).

    Returns the confirmed assessment, the pathway with its confirmed level, and the KVÅ records: AU010 at
    basic level, AW019 at special level or higher, and one record per simple advice actually given.
    """
    if assessment.pathway_id != pathway.id:
        raise DomainError(
            "assessment.pathway_mismatch",
            "Bedömningen hör till ett annat vårdförlopp.",
            "assessment belongs to another pathway",
        )
    require_open(pathway)
    if assessment.status is not AssessmentStatus.SUBMITTED or assessment.suggestion is None:
        raise DomainError(
            "assessment.not_submitted"
            if assessment.status is AssessmentStatus.IN_PROGRESS
            else "assessment.confirmed",
            f"Bedömningen är {assessment.status.label_sv}; bara en inskickad bedömning kan bekräftas.",
            f"assessment is {assessment.status.value}; only a submitted one can be confirmed",
        )
    level = NeedsLevel(level)
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
            f"Du väljer {level.label_sv} nivå i stället för föreslagen "
            f"{assessment.suggestion.level.label_sv} nivå; ange en motivering.",
            "overriding the suggested level requires a reason",
        )
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
    new_pathway = pathway
    if pathway.confirmed_level_on is None or on >= pathway.confirmed_level_on:
        new_pathway = pathway.model_copy(update={"confirmed_level": level, "confirmed_level_on": on})
    codes = [BASIC_CODE if level == NeedsLevel.BASIC else SPECIAL_CODE, *advice]
    records = [
        make_record(
            code=code,
            pathway=pathway,
            on=on,
            unit_hsa_id=by.unit_hsa_id,
            performer=by,
            professions=professions,
            source=f"assessment:{assessment.id}:{code}",
        )
        for code in codes
    ]
    return confirmed, new_pathway, records
