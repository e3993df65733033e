"""Issue 11 item 6 on the real database (SQLite and PostgreSQL): an SVF pathway is on the worklist as
"SVF: väntar på MDK" until its MDK is recorded, then "SVF: väntar på behandlingsstart" until the first
treatment starts, dated by the suspicion plus the SVF's maximum lead time (``codes/svf.yaml``) and grouped
by that date like every other reason; the patient page's to-do offers the SVF page."""

from __future__ import annotations

from datetime import timedelta

from canrehab.domain.model import Pathway, Patient
from canrehab.domain.svf import FirstTreatment, SvfRecord
from canrehab.services import patients as patient_service
from canrehab.services import suspicion, svf
from canrehab.services import worklist as worklist_service
from canrehab.services.context import Services
from canrehab.web.views.patient import todos
from canrehab.web.views.worklist import items
from tests.services.conftest import NURSE, ONK, TODAY

SUSPECTED = TODAY - timedelta(days=60)
DUE = SUSPECTED + timedelta(days=35)  # brostcancer: 35 calendar days (codes/svf.yaml)


def _listed(services: Services, flag: str, pathway_id: str, group: str | None = None) -> list[object]:
    result = worklist_service.unit_worklist(services, NURSE, due=flag, group=group, limit=500)
    return [row for row in result.rows if row.pathway_id == pathway_id]


def _suspected(services: Services) -> tuple[Patient, Pathway]:
    """A patient registered at the unit and a breast-cancer SVF pathway started at the suspicion."""
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = suspicion.start(
        services,
        NURSE,
        patient_id=patient.id,
        unit_hsa_id=ONK,
        svf_pathway="brostcancer",
        suspicion_on=SUSPECTED,
    )
    return patient, pathway


def test_an_svf_pathway_waits_for_its_mdk_then_its_treatment_start_then_leaves_the_list(
    services: Services,
) -> None:
    patient, pathway = _suspected(services)
    assert worklist_service.svf_max_days()["brostcancer"] == 35

    (row,) = _listed(services, "svf_mdk_due", pathway.id)
    assert row.svf_mdk_due == DUE and row.svf_treatment_due is None and row.next_action_on <= DUE
    assert _listed(services, "svf_mdk_due", pathway.id, group="overdue")  # 25 days past, grace 7: red
    labels = {i.key: (i.label, i.severity, i.on) for i in items(row, TODAY, 7)}
    assert labels["svf_mdk_due"] == ("SVF: väntar på MDK", "overdue", DUE)
    assert "svf_treatment_due" not in labels
    record = patient_service.patient_record(services, NURSE, patient.id)
    (todo,) = [t for t in todos(record, {pathway.id: row}, TODAY)[pathway.id] if t["label"].startswith("SVF")]
    assert todo["url"] == f"/patient/{patient.id}/svf/{pathway.id}" and todo["on"] == DUE.isoformat()

    mdk_on = SUSPECTED + timedelta(days=10)
    svf.record(
        services,
        NURSE,
        patient.id,
        pathway.id,
        SvfRecord("brostcancer", SUSPECTED, mdk_discussed=True, mdk_on=mdk_on),
        expected_version=1,
    )
    assert _listed(services, "svf_mdk_due", pathway.id) == []
    (row,) = _listed(services, "svf_treatment_due", pathway.id)
    assert row.svf_treatment_due == DUE and row.svf_mdk_due is None
    assert [i.label for i in items(row, TODAY, 7) if i.key.startswith("svf")] == [
        "SVF: väntar på behandlingsstart"
    ]

    svf.record(
        services,
        NURSE,
        patient.id,
        pathway.id,
        SvfRecord("brostcancer", SUSPECTED, mdk_discussed=True, mdk_on=mdk_on, treatment_start_on=TODAY),
        expected_version=2,
    )
    assert _listed(services, "svf_mdk_due", pathway.id) == []
    assert _listed(services, "svf_treatment_due", pathway.id) == []
    with services.uow(NURSE, log_reads=False) as uow:
        stored = uow.worklist.for_pathway(pathway.id)[ONK]
    assert stored.svf_mdk_due is None and stored.svf_treatment_due is None


def test_a_suspicion_not_to_be_discussed_at_mdk_waits_for_the_treatment_start_only(
    services: Services,
) -> None:
    patient, pathway = _suspected(services)
    svf.record(
        services,
        NURSE,
        patient.id,
        pathway.id,
        SvfRecord("brostcancer", SUSPECTED, mdk_discussed=False),
        expected_version=1,
    )
    assert _listed(services, "svf_mdk_due", pathway.id) == []
    (row,) = _listed(services, "svf_treatment_due", pathway.id)
    assert row.svf_treatment_due == DUE


def test_an_svf_with_a_maximum_per_first_treatment_is_due_by_its_longest_until_the_kind_is_known(
    services: Services,
) -> None:
    """Vulvacancer (kirurgi 30, strålbehandling 34, läkemedel 27, icke tumörspecifik 20 days): before the
    treatment starts its kind is not known, so the worklist dates the wait by the longest maximum, the day
    by which any first treatment is late; the start with its kind takes the pathway off the list."""
    assert worklist_service.svf_max_days()["vulvacancer"] == 34
    assert worklist_service.svf_max_days()["prostatacancer"] == 68
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = suspicion.start(
        services,
        NURSE,
        patient_id=patient.id,
        unit_hsa_id=ONK,
        svf_pathway="vulvacancer",
        suspicion_on=SUSPECTED,
        process="gynaecological",
    )
    (row,) = _listed(services, "svf_mdk_due", pathway.id)
    assert row.svf_mdk_due == SUSPECTED + timedelta(days=34)
    started = SvfRecord(
        "vulvacancer",
        SUSPECTED,
        mdk_discussed=False,
        treatment_start_on=SUSPECTED + timedelta(days=29),
        first_treatment=FirstTreatment.KIRURGI,
    )
    svf.record(services, NURSE, patient.id, pathway.id, started, expected_version=1)
    assert _listed(services, "svf_mdk_due", pathway.id) == []
    assert _listed(services, "svf_treatment_due", pathway.id) == []
