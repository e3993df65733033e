"""A pathway started at välgrundad misstanke on the real database (SQLite and PostgreSQL): started with its
SVF record in one write, confirmed or dismissed; a refused step writes nothing; the diagnosis-based
indicators count it from its confirmed diagnosis and never as a dismissed suspicion; the SVF lead time runs
from the suspicion; on the worklist it is in the investigation phase and the key moments anchored on the
diagnosis wait for it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import ClosedReason, KeyMoment
from canrehab.domain.routines import due_assessments
from canrehab.domain.svf import SvfRecord, lead_time_days
from canrehab.services import patients as patient_service
from canrehab.services import readmodel, suspicion, svf
from canrehab.services import worklist as worklist_service
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import in_population
from tests.services.conftest import NURSE, ONK, TODAY

SUSPECTED = TODAY - timedelta(days=30)
OTHER_UNIT = "SE2321000016-KIR"


def _patient(services: Services) -> str:
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    return patient.id


def _start(services: Services, patient_id: str, on: date = SUSPECTED) -> str:
    pathway = suspicion.start(
        services, NURSE, patient_id=patient_id, unit_hsa_id=ONK, svf_pathway="brostcancer", suspicion_on=on
    )
    return pathway.id


def _pathways(services: Services, patient_id: str) -> list[object]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.pathways.for_patient(patient_id))


def test_starting_at_suspicion_writes_the_pathway_and_its_svf_record_together(services: Services) -> None:
    patient_id = _patient(services)
    pathway_id = _start(services, patient_id)
    (pathway,) = patient_service.patient_record(services, NURSE, patient_id).pathways
    assert pathway.suspicion_on == SUSPECTED and not pathway.diagnosis.confirmed
    assert pathway.diagnosis.process == "breast"  # the SVF's own process
    found = svf.find(services, NURSE, patient_id, pathway_id)
    assert found == (SvfRecord("brostcancer", SUSPECTED), 1)
    with services.uow(SYSTEM, log_reads=False) as uow:
        (row,) = uow.worklist.for_pathway(pathway_id).values()
    assert row.phase == "investigation" and row.no_contact_nurse


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"suspicion_on": TODAY + timedelta(days=1)}, "svf.future_date"),
        ({"svf_pathway": "okant"}, "svf.unknown_pathway"),
        ({"svf_pathway": "allvarliga_ospecifika_symtom"}, "pathway.no_process"),  # no process of its own
        ({"unit_hsa_id": OTHER_UNIT}, "access.denied"),
    ],
)
def test_a_refused_start_writes_nothing(services: Services, kwargs: dict[str, object], code: str) -> None:
    patient_id = _patient(services)
    arguments: dict[str, object] = {
        "patient_id": patient_id,
        "unit_hsa_id": ONK,
        "svf_pathway": "brostcancer",
        "suspicion_on": SUSPECTED,
        **kwargs,
    }
    with pytest.raises(DomainError) as err:
        suspicion.start(services, NURSE, **arguments)  # type: ignore[arg-type]
    assert err.value.code == code and err.value.message_sv
    assert _pathways(services, patient_id) == []


def test_a_symptom_svf_starts_with_the_process_the_nurse_chose(services: Services) -> None:
    patient_id = _patient(services)
    pathway = suspicion.start(
        services,
        NURSE,
        patient_id=patient_id,
        unit_hsa_id=ONK,
        svf_pathway="allvarliga_ospecifika_symtom",
        suspicion_on=SUSPECTED,
        process="lung",
    )
    assert pathway.diagnosis.process == "lung"


def test_confirming_counts_the_pathway_from_its_diagnosis_date_and_keeps_the_lead_time_from_the_suspicion(
    services: Services,
) -> None:
    patient_id = _patient(services)
    pathway_id = _start(services, patient_id)
    period = (SUSPECTED - timedelta(days=60), TODAY)
    with services.uow(SYSTEM, log_reads=False) as uow:
        facts, _ = readmodel.indicator_facts(uow, [ONK], None, *period)
    assert facts == []  # not diagnosed yet: in no diagnosis-based population
    with pytest.raises(DomainError) as err:
        suspicion.confirm(
            services, NURSE, pathway_id, 1, icd10="C50.9", diagnosed_on=SUSPECTED - timedelta(1)
        )
    assert err.value.code == "pathway.diagnosis_before_suspicion"
    with pytest.raises(ConflictError):  # another version than the one read
        suspicion.confirm(services, NURSE, pathway_id, 5, icd10="C50.9", diagnosed_on=TODAY)
    confirmed = suspicion.confirm(
        services, NURSE, pathway_id, 1, icd10="c50.9", diagnosed_on=TODAY - timedelta(20)
    )
    assert confirmed.diagnosis.icd10 == "C509" and confirmed.version == 2
    with pytest.raises(DomainError) as err:
        suspicion.confirm(services, NURSE, pathway_id, 2, icd10="C50.9", diagnosed_on=TODAY)
    assert err.value.code == "pathway.already_confirmed"
    started = SvfRecord("brostcancer", SUSPECTED, True, TODAY - timedelta(15), TODAY - timedelta(5))
    svf.record(services, NURSE, patient_id, pathway_id, started, expected_version=1)
    with services.uow(SYSTEM, log_reads=False) as uow:
        (fact,), _ = readmodel.indicator_facts(uow, [ONK], None, *period)
    assert in_population("diagnosed_in_period", fact, *period)
    assert not in_population("diagnosed_in_period", fact, TODAY - timedelta(10), TODAY)
    assert in_population("svf_treatment_started", fact, *period)
    assert fact.svf is not None and lead_time_days(fact.svf) == 25  # from the suspicion, not the diagnosis


def test_the_suspicion_date_of_an_svf_record_is_the_pathways_start(services: Services) -> None:
    patient_id = _patient(services)
    pathway_id = _start(services, patient_id)
    moved = SvfRecord("brostcancer", SUSPECTED - timedelta(days=2))
    with pytest.raises(DomainError) as err:
        svf.record(services, NURSE, patient_id, pathway_id, moved, expected_version=1)
    assert err.value.code == "svf.suspicion_is_start"
    assert svf.find(services, NURSE, patient_id, pathway_id) == (SvfRecord("brostcancer", SUSPECTED), 1)


def test_a_dismissed_suspicion_is_closed_never_counted_and_off_the_worklist(services: Services) -> None:
    patient_id = _patient(services)
    pathway_id = _start(services, patient_id)
    dismissed = suspicion.dismiss(services, NURSE, pathway_id, 1, on=TODAY - timedelta(days=3))
    assert dismissed.closed_reason is ClosedReason.SUSPICION_DISMISSED
    (stored,) = patient_service.patient_record(services, NURSE, patient_id).pathways
    assert stored.closed_on == TODAY - timedelta(days=3) and not stored.diagnosis.confirmed
    with services.uow(SYSTEM, log_reads=False) as uow:
        facts, _ = readmodel.indicator_facts(uow, [ONK], None, SUSPECTED - timedelta(days=60), TODAY)
        rows = uow.worklist.for_pathway(pathway_id)
    assert facts == []
    assert all(not r.no_contact_nurse and r.next_action_on is None for r in rows.values())
    with pytest.raises(DomainError) as err:
        patient_service.assign_contact_nurse(services, NURSE, pathway_id, "nurse-1", 2)
    assert err.value.code == "pathway.suspicion_dismissed"


def test_key_moments_anchored_on_the_diagnosis_wait_for_the_confirmed_diagnosis(services: Services) -> None:
    patient_id = _patient(services)
    pathway_id = _start(services, patient_id, on=TODAY - timedelta(days=20))
    routine = services.catalog.routine_for("breast")
    (pathway,) = patient_service.patient_record(services, NURSE, patient_id).pathways
    waiting = due_assessments(pathway, [], routine, TODAY)
    assert KeyMoment.DIAGNOSIS not in {i.key_moment for i in waiting}
    confirmed = suspicion.confirm(
        services, NURSE, pathway_id, 1, icd10="C50.9", diagnosed_on=TODAY - timedelta(days=10)
    )
    assert KeyMoment.DIAGNOSIS in {i.key_moment for i in due_assessments(confirmed, [], routine, TODAY)}
    (row,) = worklist_service.pathway_rows(services, NURSE, [pathway_id]).values()
    assert row.phase == "diagnosis"
