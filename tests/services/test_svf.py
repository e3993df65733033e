"""A pathway's SVF record: recorded by the treating unit's nurse, versioned, audited with the patient; wrong
dates and another unit's nurse are refused and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.svf import FirstTreatment, SvfRecord
from canrehab.services import patients as patient_service
from canrehab.services import svf
from canrehab.services.context import SYSTEM, Services
from canrehab.services.guard import AccessRefused
from tests.services.conftest import TODAY

NURSE = Actor(
    role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({"SE2321000016-ONK"}), username="karin"
)
OTHER = Actor(role="nurse", staff_id="nurse-2", unit_hsa_ids=frozenset({"SE2321000016-KIR"}), username="eva")
SUSPECTED = TODAY - timedelta(days=40)


def _pathway(services: Services, icd10: str = "C50.9") -> tuple[str, str]:
    """A patient and a pathway at the oncology unit (breast cancer unless ``icd10`` says otherwise)."""
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        NURSE,
        patient_id=patient.id,
        icd10=icd10,
        diagnosed_on=TODAY - timedelta(days=20),
        unit_hsa_id="SE2321000016-ONK",
    )
    return patient.id, pathway.id


def _audit(services: Services) -> list[tuple[str, str, str | None]]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return [(e.action, e.entity_type, e.patient_id) for e in uow.audit.query()]


def test_the_nurse_records_and_corrects_the_svf_dates_and_both_are_audited(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    assert svf.find(services, NURSE, patient_id, pathway_id) is None
    first = SvfRecord("brostcancer", SUSPECTED)
    assert svf.record(services, NURSE, patient_id, pathway_id, first, expected_version=0) == 1
    later = SvfRecord("brostcancer", SUSPECTED, True, SUSPECTED + timedelta(7), SUSPECTED + timedelta(30))
    assert svf.record(services, NURSE, patient_id, pathway_id, later, expected_version=1) == 2
    assert svf.find(services, NURSE, patient_id, pathway_id) == (later, 2)
    trail = _audit(services)
    assert ("create", "svf_record", patient_id) in trail and ("update", "svf_record", patient_id) in trail
    assert ("read", "svf_record", patient_id) in trail


def test_a_stale_version_is_refused(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    svf.record(
        services, NURSE, patient_id, pathway_id, SvfRecord("brostcancer", SUSPECTED), expected_version=0
    )
    with pytest.raises(ConflictError):
        svf.record(
            services, NURSE, patient_id, pathway_id, SvfRecord("brostcancer", SUSPECTED), expected_version=0
        )


def test_wrong_dates_write_nothing(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    wrong = SvfRecord("brostcancer", SUSPECTED, treatment_start_on=SUSPECTED - timedelta(1))
    with pytest.raises(DomainError, match="before suspicion"):
        svf.record(services, NURSE, patient_id, pathway_id, wrong, expected_version=0)
    assert svf.find(services, NURSE, patient_id, pathway_id) is None


def test_the_kind_of_the_first_treatment_is_stored_with_its_start_and_audited(services: Services) -> None:
    patient_id, pathway_id = _pathway(services, icd10="C51.9")
    started = SvfRecord(
        "vulvacancer",
        SUSPECTED,
        True,
        SUSPECTED + timedelta(7),
        SUSPECTED + timedelta(33),
        FirstTreatment.STRALBEHANDLING,
    )
    svf.record(services, NURSE, patient_id, pathway_id, started, expected_version=0)
    found = svf.find(services, NURSE, patient_id, pathway_id)
    assert found == (started, 1) and found[0].first_treatment is FirstTreatment.STRALBEHANDLING
    with services.uow(SYSTEM, log_reads=False) as uow:
        [created] = [e for e in uow.audit.query() if e.action == "create" and e.entity_type == "svf_record"]
    assert created.after["first_treatment"] == "stralbehandling"
    [row] = svf.analytics_rows(services)
    assert row["svf_first_treatment"] == "stralbehandling" and row["svf_max_days"] == 34
    assert row["svf_within_max"] is True  # 33 days: within strålbehandling's 34, over kirurgi's 30


def test_a_treatment_start_without_its_kind_is_refused_where_the_maximum_depends_on_it(
    services: Services,
) -> None:
    patient_id, pathway_id = _pathway(services, icd10="C51.9")
    svf.record(
        services, NURSE, patient_id, pathway_id, SvfRecord("vulvacancer", SUSPECTED), expected_version=0
    )
    no_kind = SvfRecord("vulvacancer", SUSPECTED, True, SUSPECTED, SUSPECTED + timedelta(20))
    with pytest.raises(DomainError) as raised:
        svf.record(services, NURSE, patient_id, pathway_id, no_kind, expected_version=1)
    assert raised.value.code == "svf.first_treatment_required"
    assert (
        "Ange typ av första behandling" in raised.value.message_sv
        and "kirurgi 30 dagar" in raised.value.message_sv
    )
    assert svf.find(services, NURSE, patient_id, pathway_id) == (SvfRecord("vulvacancer", SUSPECTED), 1)


def test_another_units_nurse_is_refused_and_nothing_is_written(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    with pytest.raises(AccessRefused):
        svf.record(
            services, OTHER, patient_id, pathway_id, SvfRecord("brostcancer", SUSPECTED), expected_version=0
        )
    assert ("denied", "svf_record", patient_id) in _audit(services)
    assert svf.find(services, NURSE, patient_id, pathway_id) is None


def test_the_dates_may_not_lie_after_today(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    with pytest.raises(DomainError, match="future date"):
        svf.record(
            services,
            NURSE,
            patient_id,
            pathway_id,
            SvfRecord("brostcancer", date(2099, 1, 1)),
            expected_version=0,
        )


def test_the_analytics_rows_carry_the_pseudonym_and_the_svf_columns_only(services: Services) -> None:
    patient_id, pathway_id = _pathway(services)
    started = SvfRecord("brostcancer", SUSPECTED, True, SUSPECTED + timedelta(5), SUSPECTED + timedelta(36))
    svf.record(services, NURSE, patient_id, pathway_id, started, expected_version=0)
    rows = svf.analytics_rows(services)
    assert len(rows) == 1 and tuple(rows[0]) == svf.ANALYTICS_COLUMNS
    assert rows[0]["svf_lead_time_days"] == 36 and rows[0]["svf_within_max"] is False
    assert rows[0]["unit_hsa_id"] == "SE2321000016-ONK"
    assert patient_id not in rows[0].values() and "19121212-1212" not in rows[0].values()


# --- the SVF indicators of 003 (Mål 2 and 3) on the dashboard ---------------------------------------------

LEADER = Actor(role="admin", staff_id=None, username="processledare")
ONK = "SE2321000016-ONK"


def _svf_patient(services: Services, pnr: str, record: SvfRecord | None) -> str:
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
    if record is not None:
        svf.record(services, NURSE, patient.id, pathway.id, record, expected_version=0)
    return pathway.id


def _shares(services: Services, **kwargs: object) -> dict[str, tuple[int, int]]:
    from canrehab.services.indicators import dashboard

    board = dashboard(
        services, LEADER, unit=ONK, process=None, start=TODAY - timedelta(days=90), end=TODAY, **kwargs
    )
    return {
        i.definition.id: (i.rows[-1].numerator, i.rows[-1].denominator) for i in board.indicators if i.rows
    }


def test_svf_ledtid_counts_treatment_starts_in_the_period_within_the_pathways_maximum(
    services: Services,
) -> None:
    start = TODAY - timedelta(days=60)
    _svf_patient(
        services, "19121212-1212", SvfRecord("brostcancer", start, True, start, start + timedelta(35))
    )
    _svf_patient(
        services, "19900101-0017", SvfRecord("brostcancer", start, False, None, start + timedelta(36))
    )
    _svf_patient(services, "19800202-0009", SvfRecord("brostcancer", TODAY - timedelta(5)))  # not started
    _svf_patient(services, "19700303-0009", None)  # not an SVF pathway
    shares = _shares(services)
    assert shares["svf_ledtid"] == (1, 2)  # 35 days is within bröstcancer's 35, 36 is not
    assert shares["mdk_diskuterad"] == (1, 4)  # MDK is recorded with the SVF; the others are not discussed


def test_any_indicator_can_be_restricted_to_svf_patients(services: Services) -> None:
    start = TODAY - timedelta(days=30)
    _svf_patient(services, "19121212-1212", SvfRecord("brostcancer", start, True, start))
    _svf_patient(services, "19900101-0017", None)
    assert _shares(services)["named_nurse"][1] == 2
    restricted = _shares(services, svf_only=True)
    assert restricted["named_nurse"][1] == 1 and restricted["mdk_diskuterad"] == (1, 1)
