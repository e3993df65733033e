"""Issue 12 item 7, the domain rules of "Min vårdplan follows the patient" (001): "Byte av ansvarig
vårdkontakt ska tydligt framgå i journalen och i patientens Min vårdplan", and "Efter avslutad behandling
görs en sammanfattning av vården, biverkningar och tydlig information om uppföljning och vem som är
ansvarig för fortsatt vård"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from canrehab.domain import handover as handover_rules
from canrehab.domain import pathway as pathway_rules
from canrehab.domain.min_vardplan import responsible_care, treatment_summary
from canrehab.domain.model import (
    CareLevel,
    ContactMethod,
    Handover,
    HandoverContent,
    Pathway,
    PhaseKind,
    Profession,
)

CONTENT = HandoverContent(
    needs="Trötthet och nedsatt ork efter strålbehandlingen",
    plan_summary="Uppföljning hos sjuksköterskan på vårdcentralen om tre månader",
    disease="Bröstcancer (C50.9), ingen känd återkommande sjukdom",
    treatment="Operation och strålbehandling, avslutad 2026-04-30",
)


def _world(make_unit: Any, make_staff: Any, make_patient: Any, make_pathway: Any) -> tuple[Any, ...]:
    onk = make_unit(name="Onkologiska kliniken")
    vc = make_unit(name="Vårdcentralen", level=CareLevel.REGIONAL_PRIMARY)
    nurse = make_staff(onk)
    receiver = make_staff(vc, profession=Profession.NURSE)
    pathway = make_pathway(make_patient(), onk, diagnosed_on=date(2026, 1, 10))
    pathway = pathway_rules.record_phase(pathway, PhaseKind.TREATMENT_START, date(2026, 2, 1))
    pathway = pathway_rules.assign_contact_nurse(pathway, nurse, date(2026, 1, 12))
    return onk, vc, nurse, receiver, pathway


def _sent(pathway: Pathway, nurse: Any, vc: Any, on: date) -> Handover:
    return handover_rules.send_handover(
        pathway,
        from_staff=nurse,
        to_unit=vc,
        to_profession=Profession.NURSE,
        content=CONTENT,
        patient_informed=True,
        on=on,
    )


def test_byte_av_ansvarig_vardkontakt_ska_tydligt_framga_the_receiver_is_responsible_once_contacted(
    make_unit: Callable[..., Any],
    make_staff: Callable[..., Any],
    make_patient: Callable[..., Any],
    make_pathway: Callable[..., Any],
) -> None:
    onk, vc, nurse, receiver, pathway = _world(make_unit, make_staff, make_patient, make_pathway)
    sent = _sent(pathway, nurse, vc, date(2026, 5, 4))
    before = responsible_care(pathway, [sent], date(2026, 5, 5))
    assert (before.unit_hsa_id, before.staff_id, before.since) == (onk.hsa_id, nurse.id, None)
    received = handover_rules.receive(sent, by=receiver, on=date(2026, 5, 5))
    assert responsible_care(pathway, [received], date(2026, 5, 6)).unit_hsa_id == onk.hsa_id
    contacted = handover_rules.confirm_patient_contact(
        received, by=receiver, on=date(2026, 5, 7), how=ContactMethod.PHONE
    )
    after = responsible_care(pathway, [contacted], date(2026, 5, 8))
    assert after.unit_hsa_id == vc.hsa_id and after.staff_id == receiver.id
    assert after.since == date(2026, 5, 7) and after.previous_unit_hsa_id == onk.hsa_id


def test_a_rejected_handover_leaves_the_treating_unit_responsible(
    make_unit: Callable[..., Any],
    make_staff: Callable[..., Any],
    make_patient: Callable[..., Any],
    make_pathway: Callable[..., Any],
) -> None:
    onk, vc, nurse, receiver, pathway = _world(make_unit, make_staff, make_patient, make_pathway)
    rejected = handover_rules.reject(
        _sent(pathway, nurse, vc, date(2026, 5, 4)), by=receiver, on=date(2026, 5, 5), reason="Fel enhet"
    )
    assert responsible_care(pathway, [rejected], date(2026, 5, 6)).unit_hsa_id == onk.hsa_id


def test_efter_avslutad_behandling_sammanfattning_av_varden_biverkningar_uppfoljning_vem_som_ar_ansvarig(
    make_unit: Callable[..., Any],
    make_staff: Callable[..., Any],
    make_patient: Callable[..., Any],
    make_pathway: Callable[..., Any],
) -> None:
    _onk, vc, nurse, receiver, pathway = _world(make_unit, make_staff, make_patient, make_pathway)
    ended = pathway_rules.record_phase(pathway, PhaseKind.TREATMENT_END, date(2026, 4, 30))
    contacted = handover_rules.confirm_patient_contact(
        _sent(ended, nurse, vc, date(2026, 5, 4)), by=receiver, on=date(2026, 5, 6), how=ContactMethod.VISIT
    )
    summary = treatment_summary(ended, [], [contacted], date(2026, 5, 10))
    assert summary is not None
    assert summary.care_given == CONTENT.treatment  # the care given: the handover's treatment
    assert summary.side_effects == CONTENT.needs
    assert summary.follow_up == CONTENT.plan_summary
    assert (summary.treatment_started_on, summary.treatment_ended_on) == (date(2026, 2, 1), date(2026, 4, 30))
    assert summary.responsible_unit_hsa_id == vc.hsa_id  # who is responsible for the continued care


def test_no_treatment_summary_before_the_treatment_has_ended(
    make_unit: Callable[..., Any],
    make_staff: Callable[..., Any],
    make_patient: Callable[..., Any],
    make_pathway: Callable[..., Any],
) -> None:
    _onk, _vc, _nurse, _receiver, pathway = _world(make_unit, make_staff, make_patient, make_pathway)
    assert treatment_summary(pathway, [], [], date(2026, 5, 10)) is None
    later = pathway_rules.record_phase(pathway, PhaseKind.TREATMENT_END, date(2026, 6, 30))
    assert treatment_summary(later, [], [], date(2026, 5, 10)) is None  # recorded ahead: not yet ended
