"""The care actions beyond the main flow, through the services layer on SQLite and PostgreSQL: SIP, the
rehabilitation team (MDK-rehab), the contact nurse's lifecycle, the sender informing the patient about a
handover, a plan follow-up that sets the next date, and advice recorded when a level is confirmed. Each
checks its KVÅ records, the audit log, access by care unit, and that a refused action changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.coordination import TeamEventKind
from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.model import (
    Assessment,
    CareUnit,
    Goal,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    PlanContent,
    PlanEventKind,
    Profession,
    RehabPlan,
    Respondent,
    Staff,
)
from canrehab.services import assessments, coordination, handovers, plans
from canrehab.services import patients as patient_service
from canrehab.services.context import SYSTEM, Services

TODAY = date(2026, 3, 2)
ONK = "SE2321000016-ONK"
REH = "SE2321000016-REH"


@pytest.fixture
def services(engine: object, tmp_path: Path) -> Iterator[Services]:
    svc = Services(
        settings=Settings(data_dir=tmp_path, secret_key="test"),
        engine=engine,  # type: ignore[arg-type]
        clock=lambda: TODAY,
    )
    with svc.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(CareUnit(hsa_id=ONK, name="Onkologiska kliniken", county_code="01"))
        uow.units.add(CareUnit(hsa_id=REH, name="Rehabenheten", county_code="01"))
        for staff_id, name, profession, unit in (
            ("nurse-1", "Karin Nilsson", Profession.CONTACT_NURSE, ONK),
            ("nurse-3", "Anna Ek", Profession.NURSE, ONK),
            ("doc-1", "Doktor Dahl", Profession.PHYSICIAN, ONK),
            ("pt-1", "Per Berg", Profession.PHYSIOTHERAPIST, REH),
        ):
            uow.staff.add(
                Staff(
                    id=staff_id, hsa_id=f"HSA-{staff_id}", name=name, profession=profession, unit_hsa_id=unit
                )
            )
    yield svc


NURSE = Actor(role="nurse", staff_id="nurse-1", unit_hsa_ids=frozenset({ONK}), username="karin")
PHYSIO = Actor(role="rehab_professional", staff_id="pt-1", unit_hsa_ids=frozenset({REH}), username="per")
MANAGER = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({ONK}), username="chef")


def _patient_with_pathway(services: Services) -> tuple[str, str]:
    patient = patient_service.register_patient(
        services, NURSE, personnummer="19121212-1212", name="Tolvan Tolvansson", county_code="01"
    )
    pathway = patient_service.open_pathway(
        services,
        NURSE,
        patient_id=patient.id,
        icd10="C50.9",
        diagnosed_on=TODAY - timedelta(days=30),
        unit_hsa_id=ONK,
    )
    return patient.id, pathway.id


def _records(services: Services, patient_id: str) -> list[tuple[str, str | None, str, date]]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(
            (k.code, k.profession_code, k.unit_hsa_id, k.performed_on)
            for k in uow.kva.for_patient(patient_id)
        )


def _audit(services: Services, patient_id: str, entity_type: str) -> list:  # type: ignore[type-arg]
    with services.uow(SYSTEM, log_reads=False) as uow:
        return [e for e in uow.audit.query(patient_id=patient_id, limit=1000) if e.entity_type == entity_type]


# ---------------------------------------------------------------------------------------- SIP, MDK-rehab


def test_sip_is_coded_au124_and_the_participants_are_kept_in_the_audit_log(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    held = TODAY - timedelta(days=2)
    meeting = coordination.record_sip(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        on=held,
        participants="Patienten, biståndshandläggare, distriktssköterska",
    )
    assert meeting.code == "AU124"
    assert _records(services, patient_id) == [("AU124", "XS919", ONK, held)]
    created = [e for e in _audit(services, patient_id, "care_meeting") if e.action == "create"]
    assert len(created) == 1 and created[0].actor_username == "karin"
    assert created[0].detail == "SIP (AU124)"
    assert created[0].after["text"] == "Patienten, biståndshandläggare, distriktssköterska"
    assert created[0].after["kva_record_id"] == meeting.kva_record_id

    with pytest.raises(DomainError) as err:  # the same SIP entered again
        coordination.record_sip(
            services, NURSE, patient_id=patient_id, pathway_id=pathway_id, on=held, participants="Patienten"
        )
    assert err.value.code == "coordination.already_recorded"
    with pytest.raises(DomainError) as err:
        coordination.record_sip(
            services, NURSE, patient_id=patient_id, pathway_id=pathway_id, on=TODAY, participants=" "
        )
    assert err.value.code == "coordination.participants_required"
    assert _records(services, patient_id) == [("AU124", "XS919", ONK, held)]
    assert len(_audit(services, patient_id, "care_meeting")) == 1


def test_rehab_team_events_are_coded_by_what_the_team_did(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    for kind in TeamEventKind:
        coordination.record_team_event(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            kind=kind,
            on=TODAY,
            note="Fysioterapeut, dietist och kurator. Plan: träning 2 ggr/vecka.",
        )
    assert _records(services, patient_id) == [
        ("DV076", "XS919", ONK, TODAY),
        ("XS007", "XS919", ONK, TODAY),
        ("XS008", "XS919", ONK, TODAY),
    ]
    details = sorted(e.detail for e in _audit(services, patient_id, "care_meeting"))
    assert details == [
        "MDK-rehab: konferens med patienten (XS007)",
        "MDK-rehab: konferens om patienten (XS008)",
        "Teamrehabilitering (DV076)",
    ]
    with pytest.raises(DomainError) as err:
        coordination.record_team_event(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            kind=TeamEventKind.CONFERENCE,
            on=TODAY + timedelta(days=1),
            note="",
        )
    assert err.value.code == "coordination.future_date"
    assert len(_records(services, patient_id)) == 3


def test_coordination_needs_a_clinician_with_access_and_refusals_are_audited(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    with pytest.raises(DomainError) as err:  # the rehab unit has no part in this patient's care (yet)
        coordination.record_sip(
            services, PHYSIO, patient_id=patient_id, pathway_id=pathway_id, on=TODAY, participants="X"
        )
    assert err.value.code == "access.denied"
    assert [e.actor_username for e in _audit(services, patient_id, "care_meeting")] == ["per"]
    with pytest.raises(DomainError) as err:  # a unit manager performs no care actions
        coordination.record_team_event(
            services,
            MANAGER,
            patient_id=patient_id,
            pathway_id=pathway_id,
            kind=TeamEventKind.CONFERENCE,
            on=TODAY,
            note="",
        )
    assert err.value.code in ("access.denied", "access.not_clinician")
    assert _records(services, patient_id) == []


# ---------------------------------------------------------------------------------------- contact nurse


def test_contact_nurse_offered_assigned_and_ended_without_a_kva_code(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    candidates = patient_service.contact_nurse_candidates(services, NURSE, pathway_id)
    assert [c.id for c in candidates] == ["nurse-3", "nurse-1"]  # nurses only, by name
    with services.uow(SYSTEM, log_reads=False) as uow:
        version = uow.pathways.get(pathway_id).version
    offered, start = TODAY - timedelta(days=20), TODAY - timedelta(days=18)
    pathway = patient_service.assign_contact_nurse(
        services, NURSE, pathway_id, "nurse-1", version, from_date=start, offered_on=offered
    )
    [assignment] = pathway.contact_nurses
    assert (assignment.staff_id, assignment.offered_on, assignment.from_date, assignment.to_date) == (
        "nurse-1",
        offered,
        start,
        None,
    )
    with pytest.raises(ConflictError):  # a form opened before the assignment
        patient_service.end_contact_nurse(services, NURSE, pathway_id, TODAY, version)
    with pytest.raises(DomainError) as err:
        patient_service.end_contact_nurse(
            services, NURSE, pathway_id, start - timedelta(days=1), pathway.version
        )
    assert err.value.code == "pathway.date_order"
    ended = patient_service.end_contact_nurse(services, NURSE, pathway_id, TODAY, pathway.version)
    assert ended.contact_nurses[0].to_date == TODAY and ended.version == pathway.version + 1
    with pytest.raises(DomainError) as err:
        patient_service.end_contact_nurse(services, NURSE, pathway_id, TODAY, ended.version)
    assert err.value.code == "contact_nurse.none"
    with pytest.raises(DomainError) as err:  # only a nurse can be the contact nurse
        patient_service.assign_contact_nurse(services, NURSE, pathway_id, "doc-1", ended.version)
    assert err.value.code == "contact_nurse.not_nurse"
    # Named contact nurses have only local KVÅ codes; XV019/XV020 belong to Min vårdplan.
    assert _records(services, patient_id) == []
    updates = sorted(
        (e for e in _audit(services, patient_id, "pathway") if e.action == "update"), key=lambda e: e.id
    )
    assert len(updates) == 2 and updates[-1].after["contact_nurses"][0]["to_date"] == TODAY.isoformat()


def test_assigning_without_dates_starts_today(services: Services) -> None:
    _patient_id, pathway_id = _patient_with_pathway(services)
    with services.uow(SYSTEM, log_reads=False) as uow:
        version = uow.pathways.get(pathway_id).version
    pathway = patient_service.assign_contact_nurse(services, NURSE, pathway_id, "nurse-3", version)
    assert pathway.contact_nurses[0].from_date == TODAY and pathway.contact_nurses[0].offered_on is None


# ---------------------------------------------------------------------------------------- handover


def test_the_sender_records_that_the_patient_was_informed(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    sent = handovers.send(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=REH,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=HandoverContent(needs="Träning"),
        patient_informed=False,
    )
    assert handovers.detail(services, NURSE, sent.id).is_sender
    assert not handovers.detail(services, PHYSIO, sent.id).is_sender
    with pytest.raises(DomainError) as err:  # the receiver cannot record it for the sender
        handovers.inform_patient(services, PHYSIO, sent.id, sent.version)
    assert err.value.code == "handover.not_sender"
    with pytest.raises(ConflictError):
        handovers.inform_patient(services, NURSE, sent.id, sent.version - 1 or 99)
    informed = handovers.inform_patient(services, NURSE, sent.id, sent.version)
    assert informed.patient_informed and informed.patient_informed_on == TODAY
    assert informed.version == sent.version + 1 and informed.status == sent.status
    with pytest.raises(DomainError) as err:
        handovers.inform_patient(services, NURSE, sent.id, informed.version)
    assert err.value.code == "handover.already_informed"
    updates = [e for e in _audit(services, patient_id, "handover") if e.action == "update"]
    assert len(updates) == 1 and updates[0].actor_username == "karin"
    assert updates[0].before["patient_informed"] is False and updates[0].after["patient_informed"] is True
    assert _records(services, patient_id) == []


# ---------------------------------------------------------------------------------------- plan follow-up


def test_follow_up_without_revision_sets_the_next_follow_up_date(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    content = PlanContent(summary="Trötthet", goals=(Goal(text="Promenera"),), follow_up_on=TODAY)
    plan = plans.act(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        op="establish",
        content=content,
        version=0,
    )
    nxt = TODAY + timedelta(days=90)

    def follow_up(version: int, next_on: date | None) -> RehabPlan:
        return plans.act(
            services,
            NURSE,
            patient_id=patient_id,
            pathway_id=pathway_id,
            op="follow_up",
            content=content,
            version=version,
            note="Mår bättre",
            next_follow_up_on=next_on,
        )

    with pytest.raises(DomainError) as err:
        follow_up(plan.version, TODAY - timedelta(days=1))
    assert err.value.code == "plan.invalid"
    assert plans.current(services, NURSE, pathway_id) == plan
    followed = follow_up(plan.version, nxt)
    assert followed.content.follow_up_on == nxt
    assert [(e.kind, e.follow_up_on, e.note) for e in followed.events] == [
        (PlanEventKind.ESTABLISHED, TODAY, ""),
        (PlanEventKind.FOLLOWED_UP, nxt, "Mår bättre"),
    ]
    assert len(followed.versions) == 1  # not a revision
    done = follow_up(followed.version, None)  # the planned follow-up is done, no new date
    assert done.content.follow_up_on == nxt and done.events[-1].follow_up_on is None
    assert [r[0] for r in _records(services, patient_id)] == ["AW020", "AW024", "AW024"]


# ---------------------------------------------------------------------------------------- advice


def _submitted(services: Services, patient_id: str, pathway_id: str) -> Assessment:
    started = assessments.start(
        services,
        NURSE,
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=KeyMoment.DIAGNOSIS,
        respondent=Respondent.STAFF_ON_BEHALF,
    )
    answers = {
        i.link_id: (False if i.kind == "boolean" else i.options[0].value)
        for i in services.catalog.instruments["halsoskattning"].items
        if i.kind in ("boolean", "choice")
    }
    return assessments.save_answers(services, NURSE, started.id, answers, started.version, submit=True)


def test_each_advice_given_at_confirmation_is_coded(services: Services) -> None:
    patient_id, pathway_id = _patient_with_pathway(services)
    submitted = _submitted(services, patient_id, pathway_id)
    with pytest.raises(DomainError) as err:
        assessments.confirm(
            services,
            NURSE,
            submitted.id,
            level=NeedsLevel.BASIC,
            reason="Inga besvär",
            version=submitted.version,
            advice_given=("DV131", "AW020"),
        )
    assert err.value.code == "assessment.advice_invalid"
    assert _records(services, patient_id) == []
    assessments.confirm(
        services,
        NURSE,
        submitted.id,
        level=NeedsLevel.BASIC,
        reason="Inga besvär",
        version=submitted.version,
        advice_given=("DV141", "DV131", "DV141"),
    )
    assert _records(services, patient_id) == [
        ("AU010", "XS919", ONK, TODAY),
        ("DV131", "XS919", ONK, TODAY),
        ("DV141", "XS919", ONK, TODAY),
    ]
