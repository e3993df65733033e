from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    CareUnit,
    Diagnosis,
    MinVardplanStatus,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    Profession,
    Staff,
)
from canrehab.domain.pathway import (
    PHASE_RANK,
    SIDE_PHASES,
    assign_contact_nurse,
    close_pathway,
    current_contact_nurse,
    current_phase,
    decline_min_vardplan,
    end_contact_nurse,
    establish_min_vardplan,
    offer_min_vardplan,
    open_pathway,
    record_phase,
    revise_min_vardplan,
)
from tests.domain.conftest import DIAGNOSED

D = DIAGNOSED


def day(n: int) -> date:
    return D + timedelta(days=n)


def test_open_pathway_starts_with_diagnosis(pathway: Pathway, patient: Patient, unit: CareUnit) -> None:
    assert pathway.patient_id == patient.id and pathway.unit_hsa_id == unit.hsa_id
    assert [(p.kind, p.on) for p in pathway.phases] == [(PhaseKind.DIAGNOSIS, D)]
    assert current_phase(pathway, D) is PhaseKind.DIAGNOSIS
    assert current_phase(pathway, D - timedelta(days=1)) is None


def test_open_pathway_rejects_benign_diagnosis(patient: Patient, unit: CareUnit) -> None:
    with pytest.raises(DomainError) as err:
        open_pathway(patient, unit, Diagnosis(icd10="D051", diagnosed_on=D, process="breast"), D)
    assert err.value.code == "pathway.not_malignant"
    with pytest.raises(DomainError, match="icd10"):
        open_pathway(patient, unit, Diagnosis(icd10="X", diagnosed_on=D, process="breast"), D)


def test_phases_in_order(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.INVESTIGATION, day(-20))
    p = record_phase(p, PhaseKind.TREATMENT_START, day(20))
    p = record_phase(p, PhaseKind.TREATMENT_END, day(120))
    p = record_phase(p, PhaseKind.FOLLOW_UP, day(150))
    assert [x.kind for x in p.phases] == [
        PhaseKind.INVESTIGATION,
        PhaseKind.DIAGNOSIS,
        PhaseKind.TREATMENT_START,
        PhaseKind.TREATMENT_END,
        PhaseKind.FOLLOW_UP,
    ]
    assert current_phase(p, day(60)) is PhaseKind.TREATMENT_START
    assert current_phase(p, day(400)) is PhaseKind.FOLLOW_UP
    assert record_phase(p, PhaseKind.FOLLOW_UP, day(150)) == p  # same entry again: no change


@pytest.mark.parametrize(
    ("kind", "offset", "fragment"),
    [
        (PhaseKind.TREATMENT_START, -1, "före diagnos"),
        (PhaseKind.INVESTIGATION, 1, "efter diagnos"),
        (PhaseKind.TREATMENT_END, 30, "innan behandlingsstart"),
    ],
)
def test_phase_order_errors(pathway: Pathway, kind: PhaseKind, offset: int, fragment: str) -> None:
    with pytest.raises(DomainError) as err:
        record_phase(pathway, kind, day(offset))
    assert err.value.code == "pathway.phase_order" and fragment in err.value.message_sv


def test_treatment_end_not_before_start(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(20))
    with pytest.raises(DomainError, match="before treatment_start"):
        record_phase(p, PhaseKind.TREATMENT_END, day(19))


def test_contact_nurse_assignments(pathway: Pathway, nurse: Staff, unit: CareUnit) -> None:
    p = assign_contact_nurse(pathway, nurse, day(2), offered_on=day(0))
    a = current_contact_nurse(p, day(2))
    assert a is not None and a.staff_id == nurse.id and a.offered_on == day(0)
    assert current_contact_nurse(p, day(1)) is None
    assert assign_contact_nurse(p, nurse, day(5)) == p

    second = Staff(hsa_id="S2", name="Nina Ny", profession=Profession.NURSE, unit_hsa_id=unit.hsa_id)
    p2 = assign_contact_nurse(p, second, day(30))
    assert p2.contact_nurses[0].to_date == day(29)
    assert current_contact_nurse(p2, day(29)).staff_id == nurse.id  # type: ignore[union-attr]
    assert current_contact_nurse(p2, day(30)).staff_id == second.id  # type: ignore[union-attr]
    with pytest.raises(DomainError) as err:
        assign_contact_nurse(p2, nurse, day(30))
    assert err.value.code == "contact_nurse.date_order"

    p3 = end_contact_nurse(p2, day(40))
    assert current_contact_nurse(p3, day(41)) is None
    with pytest.raises(DomainError, match=r"contact_nurse\.none"):
        end_contact_nurse(p3, day(50))


def test_contact_nurse_must_be_nurse(pathway: Pathway, receiver: Staff) -> None:
    with pytest.raises(DomainError) as err:
        assign_contact_nurse(pathway, receiver, day(1))
    assert err.value.code == "contact_nurse.not_nurse"


def test_min_vardplan_lifecycle(pathway: Pathway, nurse: Staff, unit: CareUnit, professions: dict) -> None:
    p = offer_min_vardplan(pathway, day(1))
    assert p.min_vardplan.status is MinVardplanStatus.OFFERED
    p, records = establish_min_vardplan(p, nurse, unit, day(3), professions)
    assert p.min_vardplan.status is MinVardplanStatus.ESTABLISHED and p.min_vardplan.established_on == day(3)
    assert [(r.code, r.profession_code, r.unit_hsa_id, r.performed_on) for r in records] == [
        ("XV019", "XS919", unit.hsa_id, day(3))
    ]
    p, records = revise_min_vardplan(p, nurse, unit, day(90), professions)
    p, records2 = revise_min_vardplan(p, nurse, unit, day(120), professions)
    assert p.min_vardplan.status is MinVardplanStatus.REVISED
    assert p.min_vardplan.revised_on == (day(90), day(120))
    assert [r.code for r in records + records2] == ["XV020", "XV020"]
    with pytest.raises(DomainError) as err:
        establish_min_vardplan(p, nurse, unit, day(130), professions)
    assert err.value.code == "min_vardplan.illegal_transition"
    with pytest.raises(DomainError, match=r"min_vardplan\.illegal_transition"):
        decline_min_vardplan(p, day(130))
    with pytest.raises(DomainError, match=r"pathway\.date_order"):
        revise_min_vardplan(p, nurse, unit, day(100), professions)


def test_min_vardplan_revise_requires_established(
    pathway: Pathway, nurse: Staff, unit: CareUnit, professions: dict
) -> None:
    with pytest.raises(DomainError) as err:
        revise_min_vardplan(pathway, nurse, unit, day(3), professions)
    assert err.value.code == "min_vardplan.illegal_transition" and "inte erbjuden" in err.value.message_sv
    declined = decline_min_vardplan(offer_min_vardplan(pathway, day(1)), day(2))
    assert declined.min_vardplan.status is MinVardplanStatus.DECLINED
    again = offer_min_vardplan(declined, day(40))
    assert again.min_vardplan.status is MinVardplanStatus.OFFERED and again.min_vardplan.declined_on is None


def test_closed_pathway_refuses_everything(
    pathway: Pathway, nurse: Staff, unit: CareUnit, professions: dict
) -> None:
    p = assign_contact_nurse(pathway, nurse, day(1))
    closed = close_pathway(p, day(200))
    assert closed.closed_on == day(200) and closed.contact_nurses[0].to_date == day(200)
    for action in (
        lambda: record_phase(closed, PhaseKind.FOLLOW_UP, day(201)),
        lambda: assign_contact_nurse(closed, nurse, day(201)),
        lambda: end_contact_nurse(closed, day(201)),
        lambda: offer_min_vardplan(closed, day(201)),
        lambda: establish_min_vardplan(closed, nurse, unit, day(201), professions),
        lambda: decline_min_vardplan(closed, day(201)),
        lambda: close_pathway(closed, day(201)),
    ):
        with pytest.raises(DomainError) as err:
            action()
        assert err.value.code == "pathway.closed"


def test_palliative_and_chronic_can_begin_during_treatment(pathway: Pathway) -> None:
    p = record_phase(pathway, PhaseKind.TREATMENT_START, day(20))
    p = record_phase(p, PhaseKind.TREATMENT_END, day(200))
    p = record_phase(p, PhaseKind.PALLIATIVE, day(100))
    assert current_phase(p, day(150)) is PhaseKind.PALLIATIVE
    assert current_phase(p, day(250)) is PhaseKind.TREATMENT_END
    with pytest.raises(DomainError) as err:
        record_phase(p, PhaseKind.TREATMENT_START, day(260))  # after treatment end: a new pathway
    assert "som kommer senare" in err.value.message_sv
    p = record_phase(p, PhaseKind.TREATMENT_START, day(30))  # backfilling within the order is fine
    assert current_phase(p, day(40)) is PhaseKind.TREATMENT_START
    with pytest.raises(DomainError, match=r"pathway\.phase_order"):
        record_phase(pathway, PhaseKind.CHRONIC, day(-1))


@given(st.lists(st.tuples(st.sampled_from(list(PhaseKind)), st.integers(-30, 400)), max_size=12))
def test_recorded_phases_always_respect_the_phase_order(steps: list[tuple[PhaseKind, int]]) -> None:
    diagnosis = Diagnosis(icd10="C509", diagnosed_on=D, process="breast")
    p = Pathway(
        patient_id="p",
        unit_hsa_id="U",
        diagnosis=diagnosis,
        phases=(PhaseEntry(kind=PhaseKind.DIAGNOSIS, on=D),),
    )
    for kind, offset in steps:
        before = p
        try:
            p = record_phase(p, kind, day(offset))
        except DomainError as err:
            assert err.code == "pathway.phase_order" and p == before
    main = [e for e in p.phases if e.kind not in SIDE_PHASES]
    for a in main:
        for b in main:
            if PHASE_RANK[a.kind] < PHASE_RANK[b.kind]:
                assert a.on <= b.on
    for e in p.phases:
        if e.kind in SIDE_PHASES:
            assert e.on >= D
    assert list(p.phases) == sorted(p.phases, key=lambda e: (e.on, PHASE_RANK[e.kind]))
    if any(e.kind is PhaseKind.TREATMENT_END for e in p.phases):
        assert any(e.kind is PhaseKind.TREATMENT_START for e in p.phases)


def test_contact_nurse_offer_and_end_dates(pathway: Pathway, nurse: Staff) -> None:
    with pytest.raises(DomainError) as err:
        assign_contact_nurse(pathway, nurse, day(2), offered_on=day(3))
    assert err.value.code == "pathway.date_order" and "Erbjudandedatumet" in err.value.message_sv
    p = assign_contact_nurse(pathway, nurse, day(2), offered_on=day(2))
    with pytest.raises(DomainError) as err:
        end_contact_nurse(p, day(1))
    assert err.value.code == "pathway.date_order"
    ended = end_contact_nurse(p, day(2))  # a one-day assignment is allowed
    assert ended.contact_nurses[0].to_date == day(2) and ended.contact_nurses[0].offered_on == day(2)
    assert current_contact_nurse(ended, day(3)) is None
    # a new open-ended assignment may not reach back over an ended one
    second = Staff(hsa_id="S2", name="Nina Ny", profession=Profession.NURSE, unit_hsa_id=nurse.unit_hsa_id)
    with pytest.raises(DomainError) as err:
        assign_contact_nurse(ended, second, day(1))
    assert err.value.code == "contact_nurse.overlap" and day(3).isoformat() in err.value.message_sv
    assert current_contact_nurse(assign_contact_nurse(ended, second, day(3)), day(3)).staff_id == second.id  # type: ignore[union-attr]


NURSES = [
    Staff(hsa_id=f"S-N{i}", name=f"Nurse {i}", profession=Profession.CONTACT_NURSE, unit_hsa_id="U")
    for i in range(3)
]
NURSE_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("assign"), st.integers(0, 2), st.integers(-5, 200), st.integers(-3, 3)),
        st.tuples(st.just("end"), st.just(0), st.integers(-5, 200), st.just(0)),
    ),
    max_size=15,
)


@given(NURSE_STEPS)
def test_contact_nurse_assignments_never_overlap(steps: list[tuple[str, int, int, int]]) -> None:
    """Whatever is assigned and ended, and whatever is refused: at most one contact nurse is in force on any
    date, assignments are ordered and closed intervals, an offer never lies after the start, and a refused
    step leaves the pathway as it was."""
    p = Pathway(
        patient_id="p", unit_hsa_id="U", diagnosis=Diagnosis(icd10="C509", diagnosed_on=D, process="breast")
    )
    for action, who, offset, offer_delta in steps:
        before = p
        try:
            if action == "assign":
                offered = day(offset - abs(offer_delta)) if offer_delta <= 0 else day(offset + offer_delta)
                p = assign_contact_nurse(p, NURSES[who], day(offset), offered_on=offered)
            else:
                p = end_contact_nurse(p, day(offset))
        except DomainError as err:
            assert err.code.startswith(("contact_nurse.", "pathway."))
            assert p == before
            continue
        spans = sorted(p.contact_nurses, key=lambda a: a.from_date)
        assert sum(a.to_date is None for a in spans) <= 1
        for a in spans:
            assert a.from_date >= D
            assert a.to_date is None or a.to_date >= a.from_date
            assert a.offered_on is None or a.offered_on <= a.from_date
        for earlier, later in pairwise(spans):
            assert earlier.to_date is not None and earlier.to_date < later.from_date
        for n in range(-5, 205, 7):
            in_force = [
                a
                for a in p.contact_nurses
                if a.from_date <= day(n) and (a.to_date is None or a.to_date >= day(n))
            ]
            assert len(in_force) <= 1
