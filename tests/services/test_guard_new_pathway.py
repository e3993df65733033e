"""Starting a pathway for a patient with no care relation at the nurse's unit yet, on the real database: she
looks the patient up by personnummer and reads only the name and personnummer for the new-pathway page (the
read audited); the patient's records stay refused until her pathway exists; other roles are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.services import patients as patient_service
from canrehab.services import suspicion
from canrehab.services.context import SYSTEM, Services
from canrehab.services.guard import AccessRefused
from canrehab.store.audit import AUDIT
from tests.services.conftest import TODAY, patient_with_pathway

KIR = "SE2321000016-KIR"
KIR_NURSE = Actor(role="nurse", staff_id="nurse-2", unit_hsa_ids=frozenset({KIR}), username="eva")
ANALYST = Actor(role="regional_analyst", staff_id=None, unit_hsa_ids=frozenset(), username="analytiker")


def _audit(services: Services, patient_id: str) -> list[tuple[str, str, str]]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        rows = uow.session.execute(AUDIT.select().where(AUDIT.c.patient_id == patient_id)).mappings()
        return [(r["action"], r["entity_type"], r["detail"]) for r in rows]


def test_a_nurse_without_a_care_relation_starts_a_pathway_and_only_then_reads_the_record(
    services: Services,
) -> None:
    patient_id, _ = patient_with_pathway(services)  # at the oncology unit, not at KIR
    with pytest.raises(AccessRefused):
        patient_service.patient_record(services, KIR_NURSE, patient_id)
    found = suspicion.patient_for_new_pathway_by_personnummer(services, KIR_NURSE, "19121212-1212")
    assert found == patient_id
    brief = suspicion.patient_for_new_pathway(services, KIR_NURSE, patient_id)
    assert brief.name == "Tolvan Tolvansson"
    # the brief opened nothing else: the record and the oncology unit's pathway stay refused
    with pytest.raises(AccessRefused):
        patient_service.patient_record(services, KIR_NURSE, patient_id)
    logged = _audit(services, patient_id)
    assert ("read", "patient", suspicion.LOOKED_UP) in logged
    assert ("read", "patient", suspicion.NO_RELATION) in logged
    assert ("denied", "patient", "åtkomst nekad") in logged
    started = suspicion.start(
        services,
        KIR_NURSE,
        patient_id=patient_id,
        unit_hsa_id=KIR,
        svf_pathway="brostcancer",
        suspicion_on=TODAY - timedelta(days=2),
    )
    record = patient_service.patient_record(services, KIR_NURSE, patient_id)  # the relation exists now
    assert started.id in {p.id for p in record.pathways}
    assert any(a == "create" and e == "pathway" for a, e, _ in _audit(services, patient_id))


def test_roles_that_may_not_change_records_get_neither_the_lookup_nor_the_brief(services: Services) -> None:
    patient_id, _ = patient_with_pathway(services)
    with pytest.raises(AccessRefused):
        suspicion.patient_for_new_pathway_by_personnummer(services, ANALYST, "19121212-1212")
    with pytest.raises(AccessRefused):
        suspicion.patient_for_new_pathway(services, ANALYST, patient_id)


def test_an_unknown_or_malformed_personnummer_is_a_swedish_refusal(services: Services) -> None:
    patient_with_pathway(services)
    with pytest.raises(DomainError) as unknown:
        suspicion.patient_for_new_pathway_by_personnummer(services, KIR_NURSE, "19101010-1010")
    assert unknown.value.code == "patient.unknown_personnummer" and "personnumret" in unknown.value.message_sv
    with pytest.raises(DomainError) as malformed:
        suspicion.patient_for_new_pathway_by_personnummer(services, KIR_NURSE, "19121212-1213")
    assert malformed.value.message_sv
