"""The unit worklist through the services, on SQLite and PostgreSQL: each unit sees a pathway from its own
side (handovers and referrals to it, the care flags once responsibility has passed to it), date-driven
flags are exact on the day they change without any write, and every patient shown is an audited read."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from canrehab.domain.errors import DomainError
from canrehab.domain.model import HandoverContent, Profession
from canrehab.services import handovers, worklist
from canrehab.services.context import SYSTEM, Services
from tests.services.conftest import TODAY
from tests.services.test_care_flow import NURSE, PHYSIO, _patient_with_pathway

ONK, REH = "SE2321000016-ONK", "SE2321000016-REH"


def _row_of(services: Services, actor: object, patient_id: str) -> object | None:
    rows = worklist.unit_worklist(services, actor).rows  # type: ignore[arg-type]
    return next((r for r in rows if r.patient_id == patient_id), None)


def test_a_handover_is_on_both_units_lists_and_confirmation_moves_the_care_flags(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    assert _row_of(services, PHYSIO, patient_id) is None  # not REH's patient yet
    h = handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=REH,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning efter operation"),
        patient_informed=True,
    )
    incoming = _row_of(services, PHYSIO, patient_id)
    assert incoming is not None and incoming.handovers_in_awaiting == 1  # type: ignore[attr-defined]
    assert not incoming.no_contact_nurse  # type: ignore[attr-defined]  # still ONK's to handle
    outgoing = _row_of(services, NURSE, patient_id)
    assert outgoing is not None and outgoing.handovers_out_unconfirmed == 1  # type: ignore[attr-defined]
    assert outgoing.no_contact_nurse  # type: ignore[attr-defined]
    counts = worklist.unit_worklist(services, PHYSIO, due="handovers_in_awaiting")
    assert [r.patient_id for r in counts.rows] == [patient_id] and counts.counts["handovers_in_awaiting"] == 1

    h = handovers.step(services, PHYSIO, h.id, "mottagen", h.version)
    handovers.step(services, PHYSIO, h.id, "patientkontakt", h.version)
    receiving = _row_of(services, PHYSIO, patient_id)
    assert receiving is not None and receiving.handovers_in_awaiting == 0  # type: ignore[attr-defined]
    assert receiving.no_contact_nurse and receiving.assessment_due is not None  # type: ignore[attr-defined]
    assert _row_of(services, NURSE, patient_id) is None  # ONK is no longer responsible, nothing pending


def test_date_driven_flags_are_exact_on_the_day_they_change_without_any_write(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)  # diagnosed three days ago
    row = _row_of(services, NURSE, patient_id)
    assert row is not None and not row.assessment_overdue  # type: ignore[attr-defined]
    with services.uow(SYSTEM, log_reads=False) as uow:
        refresh_on = uow.worklist.for_pathway(pathway_id)[ONK].refresh_on
    assert refresh_on is not None and refresh_on > TODAY

    the_day_before = replace(services, clock=lambda: refresh_on - timedelta(days=1))
    assert worklist.refresh_stale(the_day_before, SYSTEM) == 0
    on_the_day = replace(services, clock=lambda: refresh_on)
    later = _row_of(on_the_day, NURSE, patient_id)  # read refreshes the unit's stale rows first
    assert later is not None and later.assessment_overdue  # type: ignore[attr-defined]
    assert worklist.refresh_stale(on_the_day, SYSTEM) == 0  # nothing left to do for that day
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.worklist.stale_pathways(refresh_on + timedelta(days=1)) == []  # overdue is final here


def test_refresh_stale_recomputes_every_unit_s_due_rows(services: Services) -> None:
    _, pathway_id = _patient_with_pathway(services)
    with services.uow(SYSTEM, log_reads=False) as uow:
        refresh_on = uow.worklist.for_pathway(pathway_id)[ONK].refresh_on
    assert refresh_on is not None
    on_the_day = replace(services, clock=lambda: refresh_on)
    assert worklist.refresh_stale(on_the_day, SYSTEM, batch=1) == 1
    with services.uow(SYSTEM, log_reads=False) as uow:
        assert uow.worklist.for_pathway(pathway_id)[ONK].assessment_overdue


def test_each_patient_shown_on_the_worklist_is_an_audited_read(services: Services) -> None:
    patient_id, _ = _patient_with_pathway(services)
    worklist.unit_worklist(services, NURSE)
    with services.uow(SYSTEM, log_reads=False) as uow:
        events = uow.audit.query(actor=NURSE.username)
    shown = [e for e in events if e.entity_type == "worklist"]
    assert [(e.action, e.patient_id, e.entity_id) for e in shown] == [("read", patient_id, ONK)]


def test_a_referral_without_unit_is_answered_by_a_colleague_at_the_referring_unit(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    referral = handovers.send_referral(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=None,
        to_profession=Profession.DIETITIAN,
        reason="Viktnedgång",
    )
    assert referral.to_unit_hsa_id == ONK
    assert [v.referral.id for v in handovers.referral_inbox(services, NURSE)] == [referral.id]
    row = _row_of(services, NURSE, patient_id)
    assert row is not None and row.referrals_waiting == 1  # type: ignore[attr-defined]
    with pytest.raises(DomainError, match=r"referral\.own_referral"):
        handovers.referral_step(services, NURSE, referral.id, "accept", referral.version)
    assert handovers.referral_inbox(services, PHYSIO) == []
