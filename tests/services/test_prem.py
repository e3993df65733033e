"""A PREM (patient-reported experience measure, instrument kind ``prem``) through the services on a small
region: the patient answers it by link, it gets no suggested level, never waits on the worklist for a
confirmation and never counts as a needs assessment; ``prem_delaktighet`` counts the patients whose latest
answer is "Ja, helt", the same per pathway and with the care engine."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.domain.errors import DomainError
from canrehab.domain.model import AssessmentStatus, KeyMoment, NeedsLevel, Respondent
from canrehab.followup import backends, care
from canrehab.followup.goals import default_indicators
from canrehab.services import assessments, readmodel, worklist
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import is_prem, per_pathway_counts, svf_definitions
from tests.services.conftest import NURSE, ONK, TODAY
from tests.services.test_svf import LEADER

PREM = "prem-exempel"
START = TODAY - timedelta(days=90)


def _pathway(services: Services, pnr: str) -> tuple[str, str]:
    patient = patient_service.register_patient(
        services, NURSE, personnummer=pnr, name=f"Patient {pnr[-4:]}", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        NURSE,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=TODAY - timedelta(days=20),
        unit_hsa_id=ONK,
    )
    return patient.id, pathway.id


def _answer_prem(services: Services, patient_id: str, pathway_id: str, involvement: str) -> str:
    """The nurse starts the PREM and makes the patient's link; the patient submits it by the link."""
    started = assessments.start(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.OTHER,
        respondent=Respondent.PATIENT,
        instrument_id=PREM,
    )
    token, _expires = assessments.create_link(services, NURSE, started.id, validity=timedelta(days=7))
    answers = {"information": "ja-helt", "delaktighet": involvement, "kontakt": "nej"}
    saved = assessments.save_by_link(services, token, answers, started.version, submit=True)
    return saved.id


def _shares(services: Services) -> dict[str, tuple[int, int]]:
    from canrehab.services.indicators import dashboard

    board = dashboard(services, LEADER, unit=ONK, process=None, start=START, end=TODAY)
    return {
        i.definition.id: (i.rows[-1].numerator, i.rows[-1].denominator) for i in board.indicators if i.rows
    }


@pytest.fixture
def region(services: Services) -> dict[str, tuple[str, str]]:
    """Four patients: fully involved; not involved; a tie on the latest day (one "Ja, helt", one "Nej");
    no PREM answered (only an unfinished one)."""
    people = {
        name: _pathway(services, pnr)
        for name, pnr in (
            ("full", "19121212-1212"),
            ("not", "19900101-0017"),
            ("tie", "19800202-0009"),
            ("none", "19700303-0009"),
        )
    }
    _answer_prem(services, *people["full"], "ja-helt")
    _answer_prem(services, *people["not"], "nej")
    _answer_prem(services, *people["tie"], "ja-helt")
    _answer_prem(services, *people["tie"], "nej")
    assessments.start(
        services,
        NURSE,
        patient_id=people["none"][0],
        pathway_id=people["none"][1],
        key_moment=KeyMoment.OTHER,
        respondent=Respondent.PATIENT,
        instrument_id=PREM,
    )
    return people


def test_a_prem_answered_by_link_is_stored_without_a_suggestion_and_cannot_be_confirmed(
    services: Services, region: dict[str, tuple[str, str]]
) -> None:
    _patient_id, pathway_id = region["full"]
    with services.uow(SYSTEM, log_reads=False) as uow:
        stored = [a for a in uow.assessments.for_pathway(pathway_id)]
    assert [(a.instrument_id, a.status, a.suggestion) for a in stored] == [
        (PREM, AssessmentStatus.SUBMITTED, None)
    ]
    assert stored[0].answers["delaktighet"] == "ja-helt" and stored[0].submitted_on == TODAY
    with pytest.raises(DomainError) as refused:
        assessments.confirm(
            services, NURSE, stored[0].id, level=NeedsLevel.BASIC, reason="", version=stored[0].version
        )
    assert (
        refused.value.code == "assessment.no_decision_support" and "patientenkät" in refused.value.message_sv
    )
    rows = worklist.pathway_rows(services, NURSE, [p for _pat, p in region.values()])
    assert all(r.assessments_to_confirm == 0 for r in rows.values())  # never "Skattning att bedöma"
    assert all(r.assessment_due is not None for r in rows.values())  # a PREM is no Hälsoskattning


def test_the_prem_indicator_counts_the_latest_answer_and_a_prem_is_not_an_assessment(
    services: Services, region: dict[str, tuple[str, str]]
) -> None:
    shares = _shares(services)
    assert shares["prem_delaktighet"] == (1, 3)  # full; not and the tie are not; none has not answered
    assert shares["strukturerad_behovsbedomning_vard"][0] == 0  # no Hälsoskattning: nobody assessed
    assert shares["assessment_repeated"][0] == 0


def test_the_prem_indicator_is_the_same_with_the_care_engine(
    services: Services, region: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    with services.uow(SYSTEM, log_reads=False) as uow:
        facts, handovers = readmodel.indicator_facts(uow, [ONK], None, date(2000, 1, 1), TODAY)
    directory = care.write_dataset(
        care.care_frames(facts, handovers, svf_definitions(), is_prem), tmp_path / "care"
    )
    tables = care.read_dataset(backends.connect("duckdb"), directory)
    wanted = [
        d
        for d in default_indicators().of_source("care")
        if d.id in ("prem_delaktighet", "strukturerad_behovsbedomning_vard")
    ]
    for start, end in ((START, TODAY), (TODAY - timedelta(days=1), TODAY - timedelta(days=1))):
        engine = care.evaluate_units(tables, wanted, start, end)
        for d in wanted:
            assert engine[d.id] == per_pathway_counts(d, facts, handovers, start, end), (d.id, start, end)
    assert care.evaluate_units(tables, wanted, START, TODAY)["prem_delaktighet"] == {ONK: (1, 3)}
