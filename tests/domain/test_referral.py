from __future__ import annotations

from datetime import timedelta

import pytest

from canrehab.domain.errors import DomainError
from canrehab.domain.model import Pathway, Profession, Referral, ReferralStatus, Staff
from canrehab.domain.pathway import close_pathway
from canrehab.domain.referral import (
    accept,
    cancel,
    complete,
    is_waiting,
    receiving_unit,
    reject,
    send_referral,
)
from tests.domain.conftest import DIAGNOSED

ON = DIAGNOSED + timedelta(days=20)


def _send(pathway: Pathway, nurse: Staff, to_unit: str | None = "SE2321000032-VC9") -> Referral:
    return send_referral(
        pathway,
        from_staff=nurse,
        to_profession=Profession.PHYSIOTHERAPIST,
        to_unit_hsa_id=to_unit,
        reason=" Trötthet ",
        on=ON,
    )


def test_accept_and_complete(pathway: Pathway, nurse: Staff, receiver: Staff) -> None:
    r = _send(pathway, nurse)
    assert (r.status, r.reason, r.from_unit_hsa_id) == (ReferralStatus.SENT, "Trötthet", nurse.unit_hsa_id)
    assert is_waiting(r)
    r = accept(r, by=receiver, on=ON + timedelta(days=3))
    assert (
        r.status is ReferralStatus.ACCEPTED and r.answered_on == ON + timedelta(days=3) and not is_waiting(r)
    )
    r = complete(r, by=receiver, on=ON + timedelta(days=60))
    assert r.status is ReferralStatus.COMPLETED
    with pytest.raises(DomainError) as err:
        cancel(r, by=nurse, on=ON + timedelta(days=61))
    assert err.value.code == "referral.illegal_transition"
    assert err.value.message_sv == "Remissen är avslutad och kan inte återkallas."


def test_reject_and_cancel(pathway: Pathway, nurse: Staff, receiver: Staff) -> None:
    r = _send(pathway, nurse)
    with pytest.raises(DomainError, match=r"referral\.reason_required"):
        reject(r, by=receiver, on=ON, reason="")
    rejected = reject(r, by=receiver, on=ON, reason="Ej vår målgrupp")
    assert rejected.status is ReferralStatus.REJECTED and rejected.reject_reason == "Ej vår målgrupp"
    with pytest.raises(DomainError, match=r"referral\.illegal_transition"):
        accept(rejected, by=receiver, on=ON)
    with pytest.raises(DomainError, match=r"referral\.not_sender"):
        cancel(r, by=receiver, on=ON)
    assert cancel(r, by=nurse, on=ON).status is ReferralStatus.CANCELLED
    with pytest.raises(DomainError, match=r"referral\.illegal_transition"):
        complete(r, by=receiver, on=ON)  # not accepted


def test_receiver_rules(pathway: Pathway, nurse: Staff, receiver: Staff) -> None:
    with pytest.raises(DomainError, match=r"referral\.not_receiver"):
        accept(_send(pathway, nurse), by=nurse, on=ON)
    team = send_referral(
        pathway,
        from_staff=nurse,
        to_profession=Profession.REHAB_TEAM,
        to_unit_hsa_id=None,
        reason="MDK-rehab",
        on=ON,
        is_mdk_rehab=True,
    )
    # without a unit the referral is internal: the referring unit answers it, but not the sender themself
    assert team.is_mdk_rehab and team.to_unit_hsa_id == nurse.unit_hsa_id
    assert receiving_unit(team.model_copy(update={"to_unit_hsa_id": None})) == nurse.unit_hsa_id
    with pytest.raises(DomainError, match=r"referral\.not_receiver"):
        accept(team, by=receiver, on=ON)
    with pytest.raises(DomainError, match=r"referral\.own_referral"):
        accept(team, by=nurse, on=ON)
    colleague = nurse.model_copy(update={"id": "colleague", "profession": Profession.PHYSIOTHERAPIST})
    assert accept(team, by=colleague, on=ON).status is ReferralStatus.ACCEPTED
    with pytest.raises(DomainError, match=r"referral\.date_order"):
        accept(_send(pathway, nurse), by=receiver, on=ON - timedelta(days=1))


def test_send_rules(pathway: Pathway, nurse: Staff) -> None:
    with pytest.raises(DomainError, match=r"referral\.reason_required"):
        send_referral(
            pathway,
            from_staff=nurse,
            to_profession=Profession.DIETITIAN,
            to_unit_hsa_id=None,
            reason="  ",
            on=ON,
        )
    with pytest.raises(DomainError, match=r"pathway\.closed"):
        _send(close_pathway(pathway, ON), nurse)
