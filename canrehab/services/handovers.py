"""Active handovers between units and referrals to rehab professions or teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from canrehab.domain import handover as handover_rules
from canrehab.domain import referral as referral_rules
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    ContactMethod,
    Handover,
    HandoverContent,
    HandoverStatus,
    Profession,
    Referral,
    ReferralStatus,
)
from canrehab.domain.permissions import Action
from canrehab.services.guard import (
    acting_staff,
    pathway_of,
    require_action,
    require_read,
    require_write,
)

if TYPE_CHECKING:
    from canrehab.services.context import Services

OPEN_STATUSES = (HandoverStatus.SENT, HandoverStatus.RECEIVED)
STEPS = ("mottagen", "patientkontakt", "avsluta", "avvisa")


def send(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit_hsa_id: str,
    to_profession: Profession | None,
    content: HandoverContent,
    patient_informed: bool,
) -> Handover:
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, "handover")
        staff = acting_staff(uow, actor)
        to_unit = uow.units.get(to_unit_hsa_id)
        from_unit = uow.units.find(staff.unit_hsa_id)  # its care level goes with the handover
        handover = handover_rules.send_handover(
            pathway,
            from_unit=from_unit,
            from_staff=staff,
            to_unit=to_unit,
            to_profession=to_profession,
            content=content,
            patient_informed=patient_informed,
            on=services.today(),
        )
        saved: Handover = uow.handovers.add(handover)
        uow.refresh_worklist(pathway_id)
        return saved


def step(
    services: Services,
    actor: Actor,
    handover_id: str,
    step_name: str,
    version: int,
    reason: str = "",
    *,
    contact_method: ContactMethod | None = None,
    contacted_on: date | None = None,
) -> Handover:
    """The receiver's steps: received -> patient contacted (receiver takes over) -> completed; or reject.
    Confirming patient contact records how (``contact_method``) and when (``contacted_on``, default today)."""
    if step_name not in STEPS:
        raise DomainError("handover.unknown_step", "Okänd åtgärd.", f"unknown handover step {step_name}")
    today = services.today()
    with services.uow(actor) as uow:
        handover = uow.handovers.get(handover_id)
        require_write(services, uow, actor, handover.patient_id, "handover", handover_id)
        staff = acting_staff(uow, actor)
        if step_name == "mottagen":
            changed = handover_rules.receive(handover, by=staff, on=today)
        elif step_name == "patientkontakt":
            changed = handover_rules.confirm_patient_contact(
                handover, by=staff, on=today, how=contact_method, contacted_on=contacted_on
            )
        elif step_name == "avsluta":
            changed = handover_rules.complete(handover, by=staff, on=today)
        else:
            changed = handover_rules.reject(handover, by=staff, on=today, reason=reason)
        saved: Handover = uow.handovers.update(changed, expected_version=version)
        uow.refresh_worklist(handover.pathway_id)
        return saved


def inform_patient(services: Services, actor: Actor, handover_id: str, version: int) -> Handover:
    """The sender records that the patient has been informed about the handover (today)."""
    with services.uow(actor) as uow:
        handover = uow.handovers.get(handover_id)
        require_write(services, uow, actor, handover.patient_id, "handover", handover_id)
        staff = acting_staff(uow, actor)
        changed = handover_rules.inform_patient(handover, by=staff, on=services.today())
        saved: Handover = uow.handovers.update(changed, expected_version=version)
        uow.refresh_worklist(handover.pathway_id)
        return saved


@dataclass
class HandoverView:
    handover: Handover
    patient_name: str
    from_unit: str
    to_unit: str
    overdue: bool
    sender_responsible: bool
    is_receiver: bool
    is_sender: bool = False


def _view(services: Services, uow: Any, actor: Actor, h: Handover, names: dict[str, str]) -> HandoverView:
    patient = uow.patients.find(h.patient_id)
    return HandoverView(
        handover=h,
        patient_name=patient.name if patient is not None else "",
        from_unit=names.get(h.from_unit_hsa_id, h.from_unit_hsa_id),
        to_unit=names.get(h.to_unit_hsa_id, h.to_unit_hsa_id),
        overdue=handover_rules.is_overdue(h, services.today(), services.settings.handover_overdue_days),
        sender_responsible=handover_rules.responsible_unit(h) == h.from_unit_hsa_id,
        is_receiver=h.to_unit_hsa_id in actor.unit_hsa_ids,
        is_sender=h.from_unit_hsa_id in actor.unit_hsa_ids,
    )


def boxes(services: Services, actor: Actor) -> tuple[list[HandoverView], list[HandoverView]]:
    """Inbox (open handovers to my units) and outbox (my units' handovers the receiver has not completed)."""
    require_action(actor, Action.UNIT_WORK, services, "handover_boxes")
    units = sorted(actor.unit_hsa_ids)
    with services.uow(actor) as uow:
        names = {u.hsa_id: u.name for u in uow.units.list_all()}
        inbox = uow.handovers.inbox(units, OPEN_STATUSES)
        # The sender keeps seeing a handover until it is completed: unconfirmed ones (still the sender's
        # responsibility), confirmed ones (the receiver has taken over) and rejected ones (act again).
        outbox = uow.handovers.outbox(
            units, (*OPEN_STATUSES, HandoverStatus.PATIENT_CONTACTED, HandoverStatus.REJECTED)
        )
        uow.audit.record(
            "read", "handover_list", ",".join(units), None, f"{len(inbox)}+{len(outbox)} överlämningar"
        )
        today, days = services.today(), services.settings.handover_overdue_days
        return (
            [
                _view(services, uow, actor, h, names)
                for h in handover_rules.newest_and_overdue_first(inbox, today, days)
            ],
            [
                _view(services, uow, actor, h, names)
                for h in handover_rules.newest_and_overdue_first(outbox, today, days)
            ],
        )


def detail(services: Services, actor: Actor, handover_id: str) -> HandoverView:
    with services.uow(actor) as uow:
        handover = uow.handovers.get(handover_id)
        require_read(services, uow, actor, handover.patient_id, "handover", handover_id)
        names = {u.hsa_id: u.name for u in uow.units.list_all()}
        return _view(services, uow, actor, handover, names)


def send_referral(
    services: Services,
    actor: Actor,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit_hsa_id: str | None,
    to_profession: Profession,
    reason: str,
    is_mdk_rehab: bool = False,
) -> Referral:
    with services.uow(actor) as uow:
        pathway = pathway_of(uow, pathway_id, patient_id)
        require_write(services, uow, actor, patient_id, "referral")
        staff = acting_staff(uow, actor)
        if to_unit_hsa_id:
            uow.units.get(to_unit_hsa_id)
        referral = referral_rules.send_referral(
            pathway,
            from_staff=staff,
            to_profession=to_profession,
            to_unit_hsa_id=to_unit_hsa_id,
            reason=reason,
            on=services.today(),
            # A referral to the unit's rehab team is not MDK-rehab: MDK-rehab is the healthcare region's own
            # conference with its coordinator (001), in services/mdk_rehab.py.
            is_mdk_rehab=is_mdk_rehab,
        )
        saved: Referral = uow.referrals.add(referral)
        uow.refresh_worklist(pathway_id)
        return saved


def referral_step(
    services: Services, actor: Actor, referral_id: str, step_name: str, version: int, reason: str = ""
) -> Referral:
    today = services.today()
    with services.uow(actor) as uow:
        referral = uow.referrals.get(referral_id)
        require_write(services, uow, actor, referral.patient_id, "referral", referral_id)
        staff = acting_staff(uow, actor)
        if step_name == "accept":
            changed = referral_rules.accept(referral, by=staff, on=today)
        elif step_name == "reject":
            changed = referral_rules.reject(referral, by=staff, on=today, reason=reason)
        elif step_name == "complete":
            changed = referral_rules.complete(referral, by=staff, on=today)
        elif step_name == "cancel":
            changed = referral_rules.cancel(referral, by=staff, on=today)
        else:
            raise DomainError("referral.unknown_step", "Okänd åtgärd.", f"unknown referral step {step_name}")
        saved: Referral = uow.referrals.update(changed, expected_version=version)
        uow.refresh_worklist(referral.pathway_id)
        return saved


@dataclass
class ReferralView:
    referral: Referral
    patient_name: str
    from_unit: str
    is_receiver: bool


def referral_inbox(services: Services, actor: Actor) -> list[ReferralView]:
    """Referrals to the actor's units (or to their profession without a unit) that are waiting or accepted."""
    require_action(actor, Action.UNIT_WORK, services, "referral_inbox")
    units = sorted(actor.unit_hsa_ids)
    with services.uow(actor) as uow:
        names = {u.hsa_id: u.name for u in uow.units.list_all()}
        waiting = uow.referrals.inbox(units, (ReferralStatus.SENT, ReferralStatus.ACCEPTED))
        # Referrals our units sent that were rejected stand out, with their reason (issue 13).
        rejected = uow.referrals.rejected_from(units)
        shown = referral_rules.rejected_first_then_newest([*waiting, *rejected])
        uow.audit.record("read", "referral_list", ",".join(units), None, f"{len(shown)} remisser")
        views = []
        for r in shown:
            patient = uow.patients.find(r.patient_id)
            views.append(
                ReferralView(
                    referral=r,
                    patient_name=patient.name if patient is not None else "",
                    from_unit=names.get(r.from_unit_hsa_id, r.from_unit_hsa_id),
                    is_receiver=referral_rules.receiving_unit(r) in actor.unit_hsa_ids,
                )
            )
        return views


# Handover and referral records from another system, and their steps with the dates it recorded.

HANDOVER_STEP_ORDER = (
    HandoverStatus.SENT,
    HandoverStatus.RECEIVED,
    HandoverStatus.PATIENT_CONTACTED,
    HandoverStatus.COMPLETED,
)
_HANDOVER_RULES: dict[HandoverStatus, Any] = {
    HandoverStatus.RECEIVED: handover_rules.receive,
    HandoverStatus.PATIENT_CONTACTED: handover_rules.confirm_patient_contact,
    HandoverStatus.COMPLETED: handover_rules.complete,
}


def record_handover(services: Services, actor: Actor, handover: Handover) -> Handover:
    """Store a handover as another system recorded it (pathway, staff named and receiving unit exist)."""
    from canrehab.services.guard import pathway_named, staff_named

    with services.uow(actor) as uow:
        pathway_named(uow, handover.pathway_id, handover.patient_id)
        staff_named(uow, handover.from_staff_id, "Avsändare")
        staff_named(uow, handover.to_staff_id, "Mottagare")
        uow.units.get(handover.to_unit_hsa_id)
        require_write(services, uow, actor, handover.patient_id, "handover", handover.id)
        saved: Handover = uow.handovers.add(handover.model_copy(update={"version": 1}))
        uow.refresh_worklist(saved.pathway_id)
        return saved


def advance_handover(
    services: Services,
    actor: Actor,
    handover_id: str,
    to_status: HandoverStatus,
    *,
    dates: dict[HandoverStatus, date | None],
    reason: str,
    version: int,
) -> Handover:
    """The receiver's steps up to ``to_status`` in one change (received -> patient contacted -> completed,
    each on its date in ``dates`` or today), or rejecting with ``reason``. The same status stores nothing."""
    today = services.today()
    with services.uow(actor) as uow:
        current: Handover = uow.handovers.get(handover_id)
        require_write(services, uow, actor, current.patient_id, "handover", handover_id)
        if to_status is current.status:
            return current
        staff = acting_staff(uow, actor)
        if to_status is HandoverStatus.REJECTED:
            on = dates.get(HandoverStatus.REJECTED) or today
            result = handover_rules.reject(current, by=staff, on=on, reason=reason)
        elif to_status in HANDOVER_STEP_ORDER and HANDOVER_STEP_ORDER.index(
            to_status
        ) > HANDOVER_STEP_ORDER.index(current.status):
            result = current
            first = HANDOVER_STEP_ORDER.index(current.status) + 1
            for status in HANDOVER_STEP_ORDER[first : HANDOVER_STEP_ORDER.index(to_status) + 1]:
                result = _HANDOVER_RULES[status](result, by=staff, on=dates.get(status) or today)
        else:
            raise DomainError(
                "handover.illegal_transition",
                "Överlämningen kan inte gå tillbaka till ett tidigare steg.",
                f"a handover cannot go from {current.status.value} to {to_status.value}",
            )
        saved: Handover = uow.handovers.update(result, expected_version=version)
        uow.refresh_worklist(saved.pathway_id)
        return saved


def record_referral(services: Services, actor: Actor, referral: Referral) -> Referral:
    """Store a referral as another system recorded it (pathway, requester and receiving unit exist)."""
    from canrehab.services.guard import pathway_named, staff_named

    with services.uow(actor) as uow:
        pathway_named(uow, referral.pathway_id, referral.patient_id)
        staff_named(uow, referral.from_staff_id, "Remittent")
        if referral.to_unit_hsa_id:
            uow.units.get(referral.to_unit_hsa_id)
        require_write(services, uow, actor, referral.patient_id, "referral", referral.id)
        saved: Referral = uow.referrals.add(referral.model_copy(update={"version": 1}))
        uow.refresh_worklist(saved.pathway_id)
        return saved


_REFERRAL_RULES: dict[ReferralStatus, Any] = {
    ReferralStatus.ACCEPTED: referral_rules.accept,
    ReferralStatus.COMPLETED: referral_rules.complete,
    ReferralStatus.CANCELLED: referral_rules.cancel,
}


def answer_referral(
    services: Services,
    actor: Actor,
    referral_id: str,
    to_status: ReferralStatus,
    *,
    on: date | None,
    reason: str,
    version: int,
) -> Referral:
    """Accept, reject (with ``reason``), complete or cancel a referral on ``on`` (default today), by the
    referral rules. The same status stores nothing."""
    with services.uow(actor) as uow:
        current: Referral = uow.referrals.get(referral_id)
        require_write(services, uow, actor, current.patient_id, "referral", referral_id)
        if to_status is current.status:
            return current
        staff = acting_staff(uow, actor)
        day = on or services.today()
        if to_status is ReferralStatus.REJECTED:
            result = referral_rules.reject(current, by=staff, on=day, reason=reason)
        elif to_status in _REFERRAL_RULES:
            result = _REFERRAL_RULES[to_status](current, by=staff, on=day)
        else:
            raise DomainError(
                "referral.illegal_transition",
                "Remissen kan inte gå tillbaka till ett tidigare steg.",
                f"a referral cannot go back to {to_status.value}",
            )
        saved: Referral = uow.referrals.update(result, expected_version=version)
        uow.refresh_worklist(saved.pathway_id)
        return saved
