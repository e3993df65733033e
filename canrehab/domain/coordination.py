"""Coordination around the patient: samordnad individuell plan (SIP) and the rehabilitation team (MDK-rehab).

Neither changes the pathway; each records one KVÅ code (with the performer's profession add-on code) and
returns a ``CareMeeting`` that says what was recorded, including the free text (participants, note).

Codes, as Socialstyrelsen's KVÅ names them (the code list ``canrehab/codes/kva.yaml``):

* AU124 *Upprättande av samordnad individuell plan (SIP)*.
* XS008 *Konferens om patient* for a multiprofessional rehabilitation conference (MDK-rehab) about the
  patient, XS007 *Konferens med patient* when the patient takes part.
* DV076 *Teamrehabilitering*: rehabilitation given by the multiprofessional team. DV076 is a treatment, not a
  conference; a conference is coded XS008/XS007, and team rehabilitation that follows is coded DV076 on its
  own date.

A code is recorded at most once per pathway and date (a repeated submit, or the same meeting entered twice,
raises ``coordination.already_recorded``). Dates lie between the diagnosis and today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE, make_record
from canrehab.domain.model import (
    CareType,
    Entity,
    KvaRecord,
    Labelled,
    Pathway,
    Profession,
    Staff,
    register_labels,
)
from canrehab.domain.pathway import require_open

SIP_CODE = "AU124"
MAX_TEXT = 2000


class TeamEventKind(Labelled):
    """What the rehabilitation team (MDK-rehab) did for the patient."""

    CONFERENCE = "conference"  # konferens om patienten (MDK-rehab), XS008
    CONFERENCE_WITH_PATIENT = "conference_with_patient"  # konferens med patienten, XS007
    TEAM_REHABILITATION = "team_rehabilitation"  # teamrehabilitering, DV076


TEAM_CODES: dict[TeamEventKind, str] = {
    TeamEventKind.CONFERENCE: "XS008",
    TeamEventKind.CONFERENCE_WITH_PATIENT: "XS007",
    TeamEventKind.TEAM_REHABILITATION: "DV076",
}
TEAM_LABEL_SV = register_labels(
    TeamEventKind,
    {
        TeamEventKind.CONFERENCE: "MDK-rehab: konferens om patienten",
        TeamEventKind.CONFERENCE_WITH_PATIENT: "MDK-rehab: konferens med patienten",
        TeamEventKind.TEAM_REHABILITATION: "Teamrehabilitering",
    },
)


class CareMeeting(Entity):
    """What a SIP or rehabilitation-team entry recorded: kind (``sip`` or a ``TeamEventKind`` value), date,
    the KVÅ record and the free text (SIP participants, team note)."""

    kind: str
    code: str
    on: date
    text: str = ""
    kva_record_id: str


def _check_date(pathway: Pathway, on: date, today: date) -> None:
    if on < pathway.started_on:
        what = "diagnosdatumet" if pathway.suspicion_on is None else "datumet för välgrundad misstanke"
        raise DomainError(
            "pathway.date_order",
            f"Datumet {on.isoformat()} ligger före {what} ({pathway.started_on.isoformat()}).",
            f"date {on.isoformat()} is before the diagnosis date",
        )
    if on > today:
        raise DomainError(
            "coordination.future_date",
            f"Datumet {on.isoformat()} ligger i framtiden; registrera det som har ägt rum.",
            f"date {on.isoformat()} is after today ({today.isoformat()})",
        )


def _not_recorded(pathway: Pathway, code: str, on: date, existing: Sequence[KvaRecord], what_sv: str) -> None:
    if any(r.pathway_id == pathway.id and r.code == code and r.performed_on == on for r in existing):
        raise DomainError(
            "coordination.already_recorded",
            f"{what_sv} ({code}) är redan registrerad för vårdförloppet {on.isoformat()}.",
            f"{code} is already recorded for the pathway on {on.isoformat()}",
        )


def record_sip(
    pathway: Pathway,
    *,
    by: Staff,
    on: date,
    today: date,
    participants: str,
    professions: Mapping[Profession, ProfessionDef],
    existing: Sequence[KvaRecord] = (),
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[CareMeeting, list[KvaRecord]]:
    """A SIP was established for the patient on ``on`` with the named participants (KVÅ AU124).

    ``existing`` are the pathway's KVÅ records so far (a second AU124 on the same date is refused).
    """
    require_open(pathway)
    participants = participants.strip()
    if not participants:
        raise DomainError(
            "coordination.participants_required",
            "Ange vilka som deltog i SIP-mötet (till exempel patienten, socialtjänsten, vårdcentralen).",
            "a SIP needs its participants",
        )
    if len(participants) > MAX_TEXT:
        raise DomainError(
            "coordination.text_too_long",
            f"Texten får vara högst {MAX_TEXT} tecken.",
            f"text longer than {MAX_TEXT} characters",
        )
    _check_date(pathway, on, today)
    _not_recorded(pathway, SIP_CODE, on, existing, "SIP")
    record = make_record(
        code=SIP_CODE,
        pathway=pathway,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=professions,
        care_type=care_type,
        codes=codes,
        source=f"pathway:{pathway.id}:sip:{on.isoformat()}",
    )
    meeting = CareMeeting(kind="sip", code=SIP_CODE, on=on, text=participants, kva_record_id=record.id)
    return meeting, [record]


def record_team_event(
    pathway: Pathway,
    kind: TeamEventKind,
    *,
    by: Staff,
    on: date,
    today: date,
    note: str,
    professions: Mapping[Profession, ProfessionDef],
    existing: Sequence[KvaRecord] = (),
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[CareMeeting, list[KvaRecord]]:
    """The rehabilitation team held a conference about (or with) the patient, or gave team rehabilitation.

    Coded XS008 / XS007 / DV076 by ``kind`` (see the module docstring); ``note`` is optional.
    """
    require_open(pathway)
    kind = TeamEventKind(kind)
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise DomainError(
            "coordination.text_too_long",
            f"Texten får vara högst {MAX_TEXT} tecken.",
            f"text longer than {MAX_TEXT} characters",
        )
    _check_date(pathway, on, today)
    code = TEAM_CODES[kind]
    _not_recorded(pathway, code, on, existing, kind.label_sv)
    record = make_record(
        code=code,
        pathway=pathway,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=professions,
        care_type=care_type,
        codes=codes,
        source=f"pathway:{pathway.id}:{kind.value}:{on.isoformat()}",
    )
    meeting = CareMeeting(kind=kind.value, code=code, on=on, text=note, kva_record_id=record.id)
    return meeting, [record]
