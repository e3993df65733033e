"""Referrals (remisser) to a rehabilitation profession or team (including MDK-rehab).

sent --accept--> accepted --complete--> completed
sent --reject (with reason)--> rejected
sent / accepted --cancel (by the sending unit)--> cancelled
"""

from __future__ import annotations

from datetime import date

from canrehab.domain.errors import DomainError
from canrehab.domain.model import Pathway, Profession, Referral, ReferralStatus, Staff
from canrehab.domain.pathway import require_open

ACTION_LABEL_SV = {
    "accept": "accepteras",
    "reject": "avvisas",
    "complete": "avslutas",
    "cancel": "återkallas",
}
WAITING = (ReferralStatus.SENT,)


def _illegal(r: Referral, action: str) -> DomainError:
    return DomainError(
        "referral.illegal_transition",
        f"Remissen är {r.status.label_sv} och kan inte {ACTION_LABEL_SV[action]}.",
        f"referral is {r.status.value}; cannot {action}",
    )


def _require(r: Referral, allowed: tuple[ReferralStatus, ...], action: str) -> None:
    if r.status not in allowed:
        raise _illegal(r, action)


def receiving_unit(r: Referral) -> str:
    """The unit that answers the referral: the addressed unit, or for a referral to a profession without a
    unit, the referring unit itself (an internal referral, e.g. to the unit's own physiotherapist)."""
    return r.to_unit_hsa_id or r.from_unit_hsa_id


def _require_receiver(r: Referral, by: Staff) -> None:
    if by.unit_hsa_id != receiving_unit(r):
        raise DomainError(
            "referral.not_receiver",
            "Bara personal på den mottagande enheten kan besvara remissen.",
            "only staff of the receiving unit may answer the referral",
        )
    if by.id == r.from_staff_id:
        raise DomainError(
            "referral.own_referral",
            "Du kan inte besvara en remiss som du själv har skickat.",
            "the referring staff member cannot answer their own referral",
        )


def _not_before(on: date, earlier: date | None) -> None:
    if earlier is not None and on < earlier:
        raise DomainError(
            "referral.date_order",
            f"Datumet {on.isoformat()} ligger före remissens föregående steg ({earlier.isoformat()}).",
            f"date {on.isoformat()} before the previous step {earlier.isoformat()}",
        )


def send_referral(
    pathway: Pathway,
    *,
    from_staff: Staff,
    to_profession: Profession,
    to_unit_hsa_id: str | None,
    reason: str,
    on: date,
    is_mdk_rehab: bool = False,
) -> Referral:
    require_open(pathway)
    if not reason.strip():
        raise DomainError(
            "referral.reason_required", "Ange frågeställning/orsak till remissen.", "reason missing"
        )
    return Referral(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        from_unit_hsa_id=from_staff.unit_hsa_id,
        from_staff_id=from_staff.id,
        to_profession=Profession(to_profession),
        to_unit_hsa_id=to_unit_hsa_id or from_staff.unit_hsa_id,
        is_mdk_rehab=is_mdk_rehab,
        reason=reason.strip(),
        sent_on=on,
    )


def accept(r: Referral, *, by: Staff, on: date) -> Referral:
    _require(r, WAITING, "accept")
    _require_receiver(r, by)
    _not_before(on, r.sent_on)
    return r.model_copy(update={"status": ReferralStatus.ACCEPTED, "answered_on": on})


def reject(r: Referral, *, by: Staff, on: date, reason: str) -> Referral:
    _require(r, WAITING, "reject")
    _require_receiver(r, by)
    if not reason.strip():
        raise DomainError(
            "referral.reason_required", "Ange varför remissen avvisas.", "rejection reason missing"
        )
    _not_before(on, r.sent_on)
    return r.model_copy(
        update={"status": ReferralStatus.REJECTED, "answered_on": on, "reject_reason": reason.strip()}
    )


def complete(r: Referral, *, by: Staff, on: date) -> Referral:
    _require(r, (ReferralStatus.ACCEPTED,), "complete")
    _require_receiver(r, by)
    _not_before(on, r.answered_on)
    return r.model_copy(update={"status": ReferralStatus.COMPLETED, "completed_on": on})


def cancel(r: Referral, *, by: Staff, on: date) -> Referral:
    _require(r, (ReferralStatus.SENT, ReferralStatus.ACCEPTED), "cancel")
    if by.unit_hsa_id != r.from_unit_hsa_id:
        raise DomainError(
            "referral.not_sender",
            "Bara den remitterande enheten kan återkalla remissen.",
            "only the referring unit may cancel the referral",
        )
    _not_before(on, r.answered_on or r.sent_on)
    return r.model_copy(update={"status": ReferralStatus.CANCELLED, "completed_on": on})


def is_waiting(r: Referral) -> bool:
    return r.status in WAITING


def rejected_first_then_newest(referrals: list[Referral]) -> list[Referral]:
    """The order of the referral page (issue 13): rejected ones first (the sender must act again), then
    waiting ones, then accepted; newest first within each."""
    rank = {ReferralStatus.REJECTED: 0, ReferralStatus.SENT: 1}
    return sorted(referrals, key=lambda r: (rank.get(r.status, 2), -r.sent_on.toordinal()))
