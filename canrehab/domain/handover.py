"""Active handover (aktiv överlämning) between care units, preferably profession to profession.

    sent --receive--> received --confirm_patient_contact--> patient_contacted --complete--> completed
    sent / received --reject (with reason)--> rejected

The sender stays responsible until the receiver confirms contact with the patient (004: "behåller ansvaret
tills mottagaren bekräftat att de tagit kontakt med patienten"); the confirmation records the date of the
contact and how it was made (``ContactMethod``). The content covers the patient's needs and wishes, the plan,
ongoing actions, and the disease and treatment. The handover keeps the care levels of the sending and
receiving units (a routine can ask for an assessment at a handover from specialised to primary care). Only
staff of the receiving unit may receive, confirm, complete or reject. An unconfirmed handover older than the
configured number of days is overdue for the sender.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    CareUnit,
    ContactMethod,
    Handover,
    HandoverContent,
    HandoverStatus,
    Pathway,
    Profession,
    Staff,
)
from canrehab.domain.pathway import require_open

ACTION_LABEL_SV = {
    "receive": "tas emot",
    "confirm_patient_contact": "bekräftas med patientkontakt",
    "complete": "avslutas",
    "reject": "avvisas",
    "inform_patient": "ändras",
}
UNCONFIRMED = (HandoverStatus.SENT, HandoverStatus.RECEIVED)


def _illegal(h: Handover, action: str) -> DomainError:
    return DomainError(
        "handover.illegal_transition",
        f"Överlämningen är {h.status.label_sv} och kan inte {ACTION_LABEL_SV[action]}.",
        f"handover is {h.status.value}; cannot {action}",
    )


def _require(h: Handover, allowed: tuple[HandoverStatus, ...], action: str) -> None:
    if h.status not in allowed:
        raise _illegal(h, action)


def _require_receiver(h: Handover, by: Staff) -> None:
    if by.unit_hsa_id != h.to_unit_hsa_id:
        raise DomainError(
            "handover.not_receiver",
            "Bara personal på den mottagande enheten kan hantera överlämningen.",
            "only staff of the receiving unit may act on the handover",
        )


def _not_before(on: date, earlier: date | None) -> None:
    if earlier is not None and on < earlier:
        raise DomainError(
            "handover.date_order",
            f"Datumet {on.isoformat()} ligger före överlämningens föregående steg ({earlier.isoformat()}).",
            f"date {on.isoformat()} before the previous step {earlier.isoformat()}",
        )


def send_handover(
    pathway: Pathway,
    *,
    from_staff: Staff,
    to_unit: CareUnit,
    to_profession: Profession | None,
    content: HandoverContent,
    patient_informed: bool,
    on: date,
    from_unit: CareUnit | None = None,
) -> Handover:
    """Send an active handover from the staff member's unit (``from_unit``, for its care level) to another
    unit."""
    require_open(pathway)
    if from_unit is not None and from_unit.hsa_id != from_staff.unit_hsa_id:
        raise DomainError(
            "handover.not_sender",
            "Överlämningen skickas från din egen enhet.",
            "from_unit is not the sender's unit",
        )
    if to_unit.hsa_id == from_staff.unit_hsa_id:
        raise DomainError(
            "handover.same_unit",
            "En överlämning går till en annan enhet än din egen.",
            "handover must go to a different unit",
        )
    if not any(v.strip() for v in content.model_dump().values()):
        raise DomainError(
            "handover.empty",
            "Överlämningen saknar innehåll: beskriv behov, önskemål, plan, pågående åtgärder, sjukdom eller "
            "behandling.",
            "handover content is empty",
        )
    return Handover(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        from_unit_hsa_id=from_staff.unit_hsa_id,
        to_unit_hsa_id=to_unit.hsa_id,
        from_staff_id=from_staff.id,
        from_profession=from_staff.profession,
        to_profession=to_profession,
        content=content,
        sent_on=on,
        patient_informed=patient_informed,
        patient_informed_on=on if patient_informed else None,
        from_care_level=from_unit.level if from_unit is not None else None,
        to_care_level=to_unit.level,
    )


def receive(h: Handover, *, by: Staff, on: date) -> Handover:
    _require(h, (HandoverStatus.SENT,), "receive")
    _require_receiver(h, by)
    _not_before(on, h.sent_on)
    return h.model_copy(update={"status": HandoverStatus.RECEIVED, "received_on": on, "to_staff_id": by.id})


def confirm_patient_contact(
    h: Handover,
    *,
    by: Staff,
    on: date,
    how: ContactMethod | None = None,
    contacted_on: date | None = None,
) -> Handover:
    """The receiver confirms contact with the patient: responsibility passes to the receiving unit.

    Records the date of the contact (``contacted_on``, default ``on``, the day it is recorded; not later
    than that and not before the handover was sent or received) and how it was made (``how``; ``None``
    only for callers that do not ask yet). A handover that was not yet marked received is received at the
    same time."""
    _require(h, UNCONFIRMED, "confirm_patient_contact")
    _require_receiver(h, by)
    contacted_on = contacted_on or on
    if contacted_on > on:
        raise DomainError(
            "handover.future_contact",
            f"Patientkontakten ({contacted_on.isoformat()}) kan inte ligga efter dagens datum "
            f"({on.isoformat()}).",
            "contact date after the recording date",
        )
    _not_before(contacted_on, h.received_on or h.sent_on)
    return h.model_copy(
        update={
            "status": HandoverStatus.PATIENT_CONTACTED,
            "received_on": h.received_on or contacted_on,
            "patient_contacted_on": contacted_on,
            "patient_contact_method": ContactMethod(how) if how is not None else None,
            "to_staff_id": h.to_staff_id or by.id,
        }
    )


def complete(h: Handover, *, by: Staff, on: date) -> Handover:
    _require(h, (HandoverStatus.PATIENT_CONTACTED,), "complete")
    _require_receiver(h, by)
    _not_before(on, h.patient_contacted_on)
    return h.model_copy(update={"status": HandoverStatus.COMPLETED, "completed_on": on})


def reject(h: Handover, *, by: Staff, on: date, reason: str) -> Handover:
    _require(h, UNCONFIRMED, "reject")
    _require_receiver(h, by)
    if not reason.strip():
        raise DomainError(
            "handover.reason_required",
            "Ange varför överlämningen avvisas.",
            "a rejection needs a reason",
        )
    _not_before(on, h.received_on or h.sent_on)
    return h.model_copy(
        update={"status": HandoverStatus.REJECTED, "rejected_on": on, "reject_reason": reason.strip()}
    )


def inform_patient(h: Handover, *, by: Staff, on: date) -> Handover:
    """The sender records that the patient was informed about the handover (after it was sent without).

    Only staff of the sending unit may record it; a rejected handover cannot be changed, and a patient who is
    already recorded as informed is not informed "again" (``handover.already_informed``).
    """
    if h.status is HandoverStatus.REJECTED:
        raise _illegal(h, "inform_patient")
    if by.unit_hsa_id != h.from_unit_hsa_id:
        raise DomainError(
            "handover.not_sender",
            "Bara personal på den avsändande enheten kan registrera att patienten har informerats.",
            "only staff of the sending unit may record that the patient was informed",
        )
    if h.patient_informed:
        when = f" {h.patient_informed_on.isoformat()}" if h.patient_informed_on else ""
        raise DomainError(
            "handover.already_informed",
            f"Det är redan registrerat att patienten har informerats{when}.",
            "the patient is already recorded as informed",
        )
    _not_before(on, h.sent_on)
    return h.model_copy(update={"patient_informed": True, "patient_informed_on": on})


def responsible_unit(h: Handover) -> str:
    """The unit responsible for the patient: the sender until the receiver confirmed patient contact."""
    if h.status in (HandoverStatus.PATIENT_CONTACTED, HandoverStatus.COMPLETED):
        return h.to_unit_hsa_id
    return h.from_unit_hsa_id


def pathway_responsible_unit(pathway: Pathway, handovers: Sequence[Handover]) -> str:
    """The unit responsible for the pathway now: the treating unit, or the receiving unit of the latest
    handover of the pathway whose receiver has confirmed contact with the patient (a rejected handover
    leaves the responsibility where it was; an unconfirmed one leaves it with the sender)."""
    responsible = pathway.unit_hsa_id
    own = [h for h in handovers if h.pathway_id == pathway.id and h.status is not HandoverStatus.REJECTED]
    for h in sorted(own, key=lambda h: (h.sent_on, h.patient_contacted_on or h.sent_on)):
        if h.status in (HandoverStatus.PATIENT_CONTACTED, HandoverStatus.COMPLETED):
            responsible = h.to_unit_hsa_id
    return responsible


def overdue_on(h: Handover, overdue_days: int) -> date:
    return h.sent_on + timedelta(days=overdue_days)


def is_overdue(h: Handover, today: date, overdue_days: int) -> bool:
    """Unconfirmed (sent or received, no patient contact) more than ``overdue_days`` after sending."""
    return h.status in UNCONFIRMED and today > overdue_on(h, overdue_days)


def newest_and_overdue_first(handovers: Sequence[Handover], today: date, overdue_days: int) -> list[Handover]:
    """The order of the in- and outbox (issue 13): overdue ones first, then rejected ones (the sender must act
    again), then the rest; newest first within each group."""

    def key(h: Handover) -> tuple[int, int, int]:
        group = 0 if is_overdue(h, today, overdue_days) else 1 if h.status is HandoverStatus.REJECTED else 2
        return (group, -h.sent_on.toordinal(), -(h.rejected_on or h.sent_on).toordinal())

    return sorted(handovers, key=key)


def require_contact_method(how: ContactMethod | None) -> ContactMethod:
    """The page's confirmation of patient contact must say how the contact was made."""
    if how is None:
        choices = ", ".join(m.label_sv for m in ContactMethod)
        raise DomainError(
            "handover.contact_method_required",
            f"Ange hur ni hade kontakt med patienten ({choices}).",
            "contact method missing",
        )
    return how
