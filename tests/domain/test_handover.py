from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from canrehab.domain.errors import DomainError
from canrehab.domain.handover import (
    complete,
    confirm_patient_contact,
    inform_patient,
    is_overdue,
    receive,
    reject,
    responsible_unit,
    send_handover,
)
from canrehab.domain.model import (
    CareUnit,
    Diagnosis,
    Handover,
    HandoverContent,
    HandoverStatus,
    Pathway,
    Profession,
    Staff,
)
from canrehab.domain.pathway import close_pathway
from tests.domain.conftest import DIAGNOSED

ON = DIAGNOSED + timedelta(days=100)
CONTENT = HandoverContent(
    needs="Trötthet", wishes="Nära hemmet", plan_summary="Plan finns", ongoing_actions="PT"
)


def _send(pathway: Pathway, nurse: Staff, other_unit: CareUnit) -> Handover:
    return send_handover(
        pathway,
        from_staff=nurse,
        to_unit=other_unit,
        to_profession=Profession.PHYSIOTHERAPIST,
        content=CONTENT,
        patient_informed=True,
        on=ON,
    )


def test_full_flow_and_responsibility(
    pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff
) -> None:
    h = _send(pathway, nurse, other_unit)
    assert (h.status, h.from_unit_hsa_id, h.to_unit_hsa_id) == (
        HandoverStatus.SENT,
        nurse.unit_hsa_id,
        other_unit.hsa_id,
    )
    assert h.from_profession is Profession.CONTACT_NURSE and h.patient_informed_on == ON
    assert responsible_unit(h) == nurse.unit_hsa_id
    h = receive(h, by=receiver, on=ON + timedelta(days=1))
    assert h.status is HandoverStatus.RECEIVED and h.to_staff_id == receiver.id
    assert responsible_unit(h) == nurse.unit_hsa_id  # still the sender's
    h = confirm_patient_contact(h, by=receiver, on=ON + timedelta(days=3))
    assert h.status is HandoverStatus.PATIENT_CONTACTED and responsible_unit(h) == other_unit.hsa_id
    h = complete(h, by=receiver, on=ON + timedelta(days=30))
    assert h.status is HandoverStatus.COMPLETED and responsible_unit(h) == other_unit.hsa_id


def test_confirm_directly_from_sent(
    pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff
) -> None:
    h = confirm_patient_contact(_send(pathway, nurse, other_unit), by=receiver, on=ON + timedelta(days=2))
    assert h.received_on == h.patient_contacted_on == ON + timedelta(days=2)


def test_only_receiver_acts(pathway: Pathway, nurse: Staff, other_unit: CareUnit) -> None:
    h = _send(pathway, nurse, other_unit)
    for action in (
        lambda: receive(h, by=nurse, on=ON),
        lambda: confirm_patient_contact(h, by=nurse, on=ON),
        lambda: reject(h, by=nurse, on=ON, reason="nej"),
    ):
        with pytest.raises(DomainError) as err:
            action()
        assert err.value.code == "handover.not_receiver"


def test_send_rules(pathway: Pathway, nurse: Staff, unit: CareUnit, other_unit: CareUnit) -> None:
    with pytest.raises(DomainError, match=r"handover\.same_unit"):
        send_handover(
            pathway,
            from_staff=nurse,
            to_unit=unit,
            to_profession=None,
            content=CONTENT,
            patient_informed=False,
            on=ON,
        )
    with pytest.raises(DomainError, match=r"handover\.empty"):
        send_handover(
            pathway,
            from_staff=nurse,
            to_unit=other_unit,
            to_profession=None,
            content=HandoverContent(needs="  "),
            patient_informed=False,
            on=ON,
        )
    with pytest.raises(DomainError, match=r"pathway\.closed"):
        _send(close_pathway(pathway, ON), nurse, other_unit)
    h = send_handover(
        pathway,
        from_staff=nurse,
        to_unit=other_unit,
        to_profession=None,
        content=CONTENT,
        patient_informed=False,
        on=ON,
    )
    assert h.patient_informed_on is None
    informed = inform_patient(h, by=nurse, on=ON + timedelta(days=1))
    assert informed.patient_informed and informed.patient_informed_on == ON + timedelta(days=1)


def test_only_the_sender_records_that_the_patient_was_informed(
    pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff
) -> None:
    h = send_handover(
        pathway,
        from_staff=nurse,
        to_unit=other_unit,
        to_profession=None,
        content=CONTENT,
        patient_informed=False,
        on=ON,
    )
    with pytest.raises(DomainError) as err:
        inform_patient(h, by=receiver, on=ON)
    assert err.value.code == "handover.not_sender" and "avsändande" in err.value.message_sv
    with pytest.raises(DomainError, match=r"handover\.date_order"):
        inform_patient(h, by=nurse, on=ON - timedelta(days=1))
    informed = inform_patient(h, by=nurse, on=ON)
    with pytest.raises(DomainError) as err:
        inform_patient(informed, by=nurse, on=ON + timedelta(days=2))
    assert err.value.code == "handover.already_informed" and ON.isoformat() in err.value.message_sv
    rejected = reject(h, by=receiver, on=ON, reason="Fel mottagare")
    with pytest.raises(DomainError) as err:
        inform_patient(rejected, by=nurse, on=ON)
    assert err.value.code == "handover.illegal_transition" and "avvisad" in err.value.message_sv
    # the receiver's steps do not depend on it, and it survives them
    contacted = confirm_patient_contact(informed, by=receiver, on=ON + timedelta(days=3))
    assert contacted.patient_informed and contacted.patient_informed_on == ON


def test_reject_needs_reason(pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff) -> None:
    h = _send(pathway, nurse, other_unit)
    with pytest.raises(DomainError, match=r"handover\.reason_required"):
        reject(h, by=receiver, on=ON, reason=" ")
    r = reject(h, by=receiver, on=ON, reason="Fel upptagningsområde")
    assert r.status is HandoverStatus.REJECTED and r.reject_reason == "Fel upptagningsområde"
    assert responsible_unit(r) == nurse.unit_hsa_id
    with pytest.raises(DomainError) as err:
        confirm_patient_contact(r, by=receiver, on=ON)
    assert err.value.message_sv == "Överlämningen är avvisad och kan inte bekräftas med patientkontakt."


def test_overdue(pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff) -> None:
    h = _send(pathway, nurse, other_unit)
    assert not is_overdue(h, ON + timedelta(days=14), 14)
    assert is_overdue(h, ON + timedelta(days=15), 14)
    received = receive(h, by=receiver, on=ON + timedelta(days=1))
    assert is_overdue(received, ON + timedelta(days=15), 14)
    contacted = confirm_patient_contact(received, by=receiver, on=ON + timedelta(days=2))
    assert not is_overdue(contacted, ON + timedelta(days=60), 14)
    assert not is_overdue(reject(h, by=receiver, on=ON, reason="x"), ON + timedelta(days=60), 14)


def test_date_order(pathway: Pathway, nurse: Staff, other_unit: CareUnit, receiver: Staff) -> None:
    with pytest.raises(DomainError, match=r"handover\.date_order"):
        receive(_send(pathway, nurse, other_unit), by=receiver, on=ON - timedelta(days=1))


# ------------------------------------------------------------------------------- stateful (hypothesis)

SENDER_UNIT = CareUnit(hsa_id="U-A", name="A", county_code="01")
RECEIVER_UNIT = CareUnit(hsa_id="U-B", name="B", county_code="01")
SENDER = Staff(hsa_id="S-A", name="A", profession=Profession.CONTACT_NURSE, unit_hsa_id="U-A")
RECEIVER = Staff(hsa_id="S-B", name="B", profession=Profession.NURSE, unit_hsa_id="U-B")
PATHWAY = Pathway(
    patient_id="p",
    unit_hsa_id="U-A",
    diagnosis=Diagnosis(icd10="C509", diagnosed_on=DIAGNOSED, process="breast"),
)
LEGAL = {
    "receive": {HandoverStatus.SENT},
    "confirm": {HandoverStatus.SENT, HandoverStatus.RECEIVED},
    "complete": {HandoverStatus.PATIENT_CONTACTED},
    "reject": {HandoverStatus.SENT, HandoverStatus.RECEIVED},
}
TARGET = {
    "receive": HandoverStatus.RECEIVED,
    "confirm": HandoverStatus.PATIENT_CONTACTED,
    "complete": HandoverStatus.COMPLETED,
    "reject": HandoverStatus.REJECTED,
}


class HandoverMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = ON
        self.h = send_handover(
            PATHWAY,
            from_staff=SENDER,
            to_unit=RECEIVER_UNIT,
            to_profession=None,
            content=CONTENT,
            patient_informed=False,
            on=ON,
        )
        self.history = [HandoverStatus.SENT]

    def _apply(self, action: str, by: Staff, run) -> None:  # type: ignore[no-untyped-def]
        before = self.h
        snapshot = before.model_dump()
        if before.status not in LEGAL[action]:
            with pytest.raises(DomainError) as err:
                run(before, by)
            assert err.value.code == "handover.illegal_transition"
        elif by is not RECEIVER:
            with pytest.raises(DomainError) as err:
                run(before, by)
            assert err.value.code == "handover.not_receiver"
        else:
            self.h = run(before, by)
            assert self.h.status is TARGET[action]
            self.history.append(self.h.status)
        assert before.model_dump() == snapshot  # the input is never changed

    @rule(days=st.integers(0, 10))
    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(by=st.sampled_from([SENDER, RECEIVER]))
    def do_receive(self, by: Staff) -> None:
        self._apply("receive", by, lambda h, s: receive(h, by=s, on=self.today))

    @rule(by=st.sampled_from([SENDER, RECEIVER]))
    def do_confirm(self, by: Staff) -> None:
        self._apply("confirm", by, lambda h, s: confirm_patient_contact(h, by=s, on=self.today))

    @rule(by=st.sampled_from([SENDER, RECEIVER]))
    def do_complete(self, by: Staff) -> None:
        self._apply("complete", by, lambda h, s: complete(h, by=s, on=self.today))

    @rule(by=st.sampled_from([SENDER, RECEIVER]))
    def do_reject(self, by: Staff) -> None:
        self._apply("reject", by, lambda h, s: reject(h, by=s, on=self.today, reason="Avvisad"))

    @rule(by=st.sampled_from([SENDER, RECEIVER]))
    def do_inform_patient(self, by: Staff) -> None:
        before = self.h
        snapshot = before.model_dump()
        if before.status is HandoverStatus.REJECTED:
            expected = "handover.illegal_transition"
        elif by is not SENDER:
            expected = "handover.not_sender"
        elif before.patient_informed:
            expected = "handover.already_informed"
        else:
            self.h = inform_patient(before, by=by, on=self.today)
            assert self.h.patient_informed and self.h.patient_informed_on == self.today
            assert self.h.status is before.status  # informing the patient is not a step of the handover
            assert before.model_dump() == snapshot
            return
        with pytest.raises(DomainError) as err:
            inform_patient(before, by=by, on=self.today)
        assert err.value.code == expected
        assert before.model_dump() == snapshot

    @invariant()
    def consistent(self) -> None:
        h = self.h
        assert h.patient_informed == (h.patient_informed_on is not None)
        if h.patient_informed_on is not None:
            assert h.patient_informed_on >= h.sent_on
        assert h.status is self.history[-1]
        sender_responsible = h.status in (
            HandoverStatus.SENT,
            HandoverStatus.RECEIVED,
            HandoverStatus.REJECTED,
        )
        assert responsible_unit(h) == ("U-A" if sender_responsible else "U-B")
        steps = [
            d for d in (h.sent_on, h.received_on, h.patient_contacted_on, h.completed_on) if d is not None
        ]
        assert steps == sorted(steps)
        assert (h.patient_contacted_on is not None) == (
            h.status in (HandoverStatus.PATIENT_CONTACTED, HandoverStatus.COMPLETED)
        )
        assert (h.status is HandoverStatus.REJECTED) == bool(h.reject_reason)
        if is_overdue(h, self.today, 14):
            assert sender_responsible and h.status is not HandoverStatus.REJECTED


HandoverMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
TestHandoverStateMachine = HandoverMachine.TestCase
