"""The group-level distribution (``services.indicators.distribution``, "Fördelning på gruppnivå") on the
real database: the problem-area table counts every patient with a Hälsoskattning completed in the period,
whatever the diagnosis date (a patient diagnosed before the period used to be missing); the needs-level
table keeps its population, the pathways diagnosed in the period."""

from __future__ import annotations

from datetime import date, timedelta

from canrehab.domain.access import Actor
from canrehab.domain.model import KeyMoment, NeedsLevel, Respondent
from canrehab.services import assessments, indicators
from canrehab.services import patients as patient_service
from canrehab.services.context import Services
from tests.services.conftest import NURSE, ONK, TODAY

MANAGER = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({ONK}), username="chef")
START, END = TODAY - timedelta(days=30), TODAY


def _patient_with_assessment(services: Services, personnummer: str, diagnosed_on: date) -> None:
    """A patient at the oncology unit diagnosed on ``diagnosed_on``, whose Hälsoskattning (every area very
    troublesome) is submitted TODAY and its suggested level confirmed."""
    patient = patient_service.register_patient(
        services, NURSE, personnummer=personnummer, name="Testperson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services, NURSE, patient_id=patient.id, icd10="C50.9", diagnosed_on=diagnosed_on, unit_hsa_id=ONK
    )
    a = assessments.start(
        services,
        NURSE,
        patient_id=patient.id,
        pathway_id=pathway.id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    instrument = services.catalog.instruments["halsoskattning"]
    answers: dict[str, object] = {
        item.link_id: item.options[-1].value
        for item in instrument.items
        if item.kind == "choice" and item.options and not item.repeats
    }
    a = assessments.save_answers(services, NURSE, a.id, answers, a.version, submit=True)
    assert a.suggestion is not None and a.suggestion.troublesome_areas
    assessments.confirm(services, NURSE, a.id, level=NeedsLevel.ADVANCED, reason="", version=a.version)


def _denominators(services: Services) -> dict[str, str]:
    tables = indicators.distribution(services, MANAGER, unit=None, process=None, start=START, end=END)
    out: dict[str, str] = {}
    for t in tables:
        assert t.population  # the page says which pathways each table counts
        (row,) = [r for r in t.rows if r[0] == ONK] or [(ONK, "", {"_den": "0"})]
        out[t.title] = row[2]["_den"]
    return out


def test_a_patient_assessed_in_the_period_but_diagnosed_before_it_is_in_the_problem_area_table(
    services: Services,
) -> None:
    _patient_with_assessment(services, "19121212-1212", TODAY - timedelta(days=200))  # diagnosed before
    _patient_with_assessment(services, "19101010-1010", TODAY - timedelta(days=3))  # diagnosed in the period
    shown = _denominators(services)
    # both were assessed in the period: both count among the problem areas
    assert shown["Besvärande problemområden vid senaste Hälsoskattningen"] == "2"
    # the needs-level table counts the pathways diagnosed in the period only
    assert shown["Bekräftad behovsnivå"] == "1"
    (areas, _) = indicators.distribution(services, MANAGER, unit=None, process=None, start=START, end=END)
    (onk,) = [cells for unit_id, _, cells in areas.rows if unit_id == ONK]
    assert {cells for key, cells in onk.items() if key != "_den"} == {"2"}  # every area troublesome for both


def test_an_assessment_before_the_period_is_not_counted(services: Services) -> None:
    _patient_with_assessment(services, "19121212-1212", TODAY - timedelta(days=200))
    tables = indicators.distribution(
        services, MANAGER, unit=None, process=None, start=START - timedelta(days=60), end=START - timedelta(1)
    )
    assert all(not t.rows for t in tables)
