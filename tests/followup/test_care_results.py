"""The result measure of the repeated Hälsoskattning: did the number of troublesome areas decrease between the
first and the latest completed assessment, as of the period's end."""

from __future__ import annotations

from datetime import date

from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    Diagnosis,
    KeyMoment,
    Pathway,
    Respondent,
    Suggestion,
)
from canrehab.followup.goals import default_indicators
from canrehab.services.process_indicators import (
    PathwayFacts,
    condition_met,
    evaluable,
    in_population,
    troublesome_change,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)
PW = Pathway(
    patient_id="p",
    unit_hsa_id="u",
    diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2024, 11, 1), process="breast"),
)


def assessment(on: date, areas: int, status: AssessmentStatus = AssessmentStatus.CONFIRMED) -> Assessment:
    return Assessment(
        patient_id="p",
        pathway_id=PW.id,
        unit_hsa_id="u",
        instrument_id="halsoskattning",
        instrument_version="1",
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.PATIENT,
        started_on=on,
        submitted_on=None if status is AssessmentStatus.IN_PROGRESS else on,
        status=status,
        suggestion=Suggestion(troublesome_areas=tuple(f"q{i}" for i in range(areas))),
    )


def facts(*assessments: Assessment) -> PathwayFacts:
    return PathwayFacts(PW, assessments, ())


def test_the_result_indicator_is_data_of_kind_resultat_and_evaluated() -> None:
    ind = default_indicators().get("besvar_minskade")
    assert ind.kind == "resultat" and ind.source == "care" and evaluable(ind)


def test_fewer_areas_at_the_latest_assessment_counts() -> None:
    f = facts(
        assessment(date(2024, 11, 20), 5), assessment(date(2025, 3, 1), 4), assessment(date(2025, 9, 1), 2)
    )
    assert troublesome_change(f, END) == (5, 2)
    assert in_population("assessed_twice", f, START, END)
    assert condition_met("troublesome_areas_decreased", f, END)


def test_same_or_more_areas_does_not_count_and_one_assessment_is_outside_the_population() -> None:
    same = facts(assessment(date(2025, 2, 1), 3), assessment(date(2025, 6, 1), 3))
    assert in_population("assessed_twice", same, START, END)
    assert not condition_met("troublesome_areas_decreased", same, END)
    assert not in_population("assessed_twice", facts(assessment(date(2025, 2, 1), 3)), START, END)


def test_an_assessment_after_the_period_or_unfinished_does_not_count() -> None:
    later = facts(assessment(date(2025, 2, 1), 4), assessment(date(2026, 2, 1), 1))
    assert not in_population("assessed_twice", later, START, END)
    assert troublesome_change(later, END) is None
    open_one = facts(
        assessment(date(2025, 2, 1), 4), assessment(date(2025, 5, 1), 1, AssessmentStatus.IN_PROGRESS)
    )
    assert not condition_met("troublesome_areas_decreased", open_one, END)
    # the latest completed assessment must fall in the period
    old = facts(assessment(date(2024, 2, 1), 4), assessment(date(2024, 6, 1), 1))
    assert not in_population("assessed_twice", old, START, END)


def test_the_prem_example_is_a_valid_questionnaire_labelled_as_an_example_with_its_indicator() -> None:
    import json
    from pathlib import Path

    from canrehab.domain.instrument import Instrument, InstrumentKind
    from canrehab.instruments import PACKAGE_DIR

    path = Path(PACKAGE_DIR) / "prem-exempel.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    instrument = Instrument.from_questionnaire(data)
    assert instrument.id == "prem-exempel" and instrument.item("delaktighet") is not None
    assert instrument.kind is InstrumentKind.PREM and not instrument.decision_support
    assert data["status"] == "draft" and data["experimental"] is True and data["title"].startswith("EXEMPEL")
    ind = default_indicators().get("prem_delaktighet")
    assert ind.kind == "resultat" and "EXEMPEL" in ind.description_sv
    assert evaluable(ind)  # the PREM answers are stored as assessments of the instrument
