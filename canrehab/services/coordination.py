"""SIP (samordnad individuell plan, AU124) and the rehabilitation team (MDK-rehab conference XS008/XS007,
team rehabilitation DV076) for a patient's pathway.

The pathway does not change; the use case stores the KVÅ record and writes a ``create`` row for the meeting to
the audit log whose ``after`` holds what was recorded, including the free text (SIP participants, the team's
note). The schema has no table for meetings: the KVÅ record is the care-process fact, and the audit row is
where the text is kept (see ``domain.coordination``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import coordination as rules
from canrehab.domain.access import Actor
from canrehab.domain.coordination import CareMeeting, TeamEventKind
from canrehab.domain.kva import DEFAULT_CARE_TYPE
from canrehab.domain.model import CareType
from canrehab.services.guard import acting_staff, pathway_of, require_write
from canrehab.services.procedures import code_list

if TYPE_CHECKING:
    from canrehab.services.context import Services

AUDIT_ENTITY = "care_meeting"


def _store(services: Services, uow: Any, meeting: CareMeeting, records: list[Any], detail: str) -> None:
    uow.kva.add_many(records)
    patient_id = records[0].patient_id
    uow.audit.record(
        "create",
        AUDIT_ENTITY,
        meeting.kva_record_id,
        patient_id,
        detail,
        after=meeting.model_dump(mode="json"),
    )
    uow.refresh_worklist(records[0].pathway_id)


def _existing(uow: Any, patient_id: str, pathway_id: str) -> list[Any]:
    return [r for r in uow.kva.for_patient(patient_id) if r.pathway_id == pathway_id]


def record_sip(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    on: date,
    participants: str,
    care_type: CareType = DEFAULT_CARE_TYPE,
) -> CareMeeting:
    """A SIP was established for the patient (KVÅ AU124, with the performer's profession add-on code)."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, AUDIT_ENTITY)
        staff = acting_staff(uow, actor)
        meeting, records = rules.record_sip(
            pathway,
            by=staff,
            on=on,
            today=services.today(),
            participants=participants,
            professions=services.catalog.professions,
            existing=_existing(uow, patient_id, pathway_id),
            care_type=care_type,
            codes=code_list(services),
        )
        _store(services, uow, meeting, records, f"SIP ({meeting.code})")
        return meeting


def record_team_event(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    kind: TeamEventKind,
    on: date,
    note: str,
    care_type: CareType = DEFAULT_CARE_TYPE,
) -> CareMeeting:
    """The rehabilitation team's conference about/with the patient (XS008/XS007) or team rehabilitation
    (DV076)."""
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, AUDIT_ENTITY)
        staff = acting_staff(uow, actor)
        meeting, records = rules.record_team_event(
            pathway,
            kind,
            by=staff,
            on=on,
            today=services.today(),
            note=note,
            professions=services.catalog.professions,
            existing=_existing(uow, patient_id, pathway_id),
            care_type=care_type,
            codes=code_list(services),
        )
        _store(
            services, uow, meeting, records, f"{rules.TEAM_LABEL_SV[TeamEventKind(kind)]} ({meeting.code})"
        )
        return meeting
