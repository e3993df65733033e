from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.codes.catalog import load_kva, load_professions
from canrehab.domain.coordination import (
    SIP_CODE,
    TEAM_CODES,
    TeamEventKind,
    record_sip,
    record_team_event,
)
from canrehab.domain.errors import DomainError
from canrehab.domain.model import Diagnosis, KvaRecord, Pathway, Profession, Staff
from canrehab.domain.pathway import close_pathway
from tests.domain.conftest import DIAGNOSED

TODAY = DIAGNOSED + timedelta(days=60)
PROFESSIONS = load_professions()


def day(n: int) -> date:
    return DIAGNOSED + timedelta(days=n)


def test_sip_records_au124_with_the_performers_profession(pathway: Pathway, nurse: Staff) -> None:
    meeting, records = record_sip(
        pathway,
        by=nurse,
        on=day(20),
        today=TODAY,
        participants="  Patienten, biståndshandläggare, distriktssköterska  ",
        professions=PROFESSIONS,
    )
    assert [(r.code, r.profession_code, r.unit_hsa_id, r.performed_on, r.performer_id) for r in records] == [
        ("AU124", "XS919", nurse.unit_hsa_id, day(20), nurse.id)
    ]
    assert records[0].patient_id == pathway.patient_id and records[0].pathway_id == pathway.id
    assert meeting.kind == "sip" and meeting.code == SIP_CODE and meeting.on == day(20)
    assert meeting.text == "Patienten, biståndshandläggare, distriktssköterska"
    assert meeting.kva_record_id == records[0].id


def test_sip_needs_participants_and_a_date_in_the_pathway(pathway: Pathway, nurse: Staff) -> None:
    def sip(on: date, participants: str = "Patienten, socialtjänsten", existing=()) -> object:  # type: ignore[no-untyped-def]
        return record_sip(
            pathway,
            by=nurse,
            on=on,
            today=TODAY,
            participants=participants,
            professions=PROFESSIONS,
            existing=existing,
        )

    with pytest.raises(DomainError) as err:
        sip(day(5), "   ")
    assert err.value.code == "coordination.participants_required"
    assert "deltog" in err.value.message_sv
    with pytest.raises(DomainError, match=r"coordination\.text_too_long"):
        sip(day(5), "x" * 2001)
    with pytest.raises(DomainError, match=r"pathway\.date_order"):
        sip(day(-1))
    with pytest.raises(DomainError) as err:
        sip(TODAY + timedelta(days=1))
    assert err.value.code == "coordination.future_date" and "framtiden" in err.value.message_sv
    _, first = sip(day(5))
    with pytest.raises(DomainError) as err:
        sip(day(5), existing=first)
    assert err.value.code == "coordination.already_recorded" and "AU124" in err.value.message_sv
    _, later = sip(day(6), existing=first)  # a new SIP meeting on another day is recorded
    assert [r.code for r in later] == ["AU124"]
    with pytest.raises(DomainError, match=r"pathway\.closed"):
        record_sip(
            close_pathway(pathway, day(10)),
            by=nurse,
            on=day(10),
            today=TODAY,
            participants="Patienten",
            professions=PROFESSIONS,
        )


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (TeamEventKind.CONFERENCE, "XS008"),
        (TeamEventKind.CONFERENCE_WITH_PATIENT, "XS007"),
        (TeamEventKind.TEAM_REHABILITATION, "DV076"),
    ],
)
def test_team_events_are_coded_by_what_the_team_did(
    pathway: Pathway, receiver: Staff, kind: TeamEventKind, code: str
) -> None:
    meeting, records = record_team_event(
        pathway, kind, by=receiver, on=day(30), today=TODAY, note=" Mål: gå 2 km ", professions=PROFESSIONS
    )
    assert [(r.code, r.profession_code, r.unit_hsa_id) for r in records] == [
        (code, "XS918", receiver.unit_hsa_id)
    ]
    assert meeting.kind == kind.value and meeting.text == "Mål: gå 2 km"
    # every code the care process records is in the code list, with Socialstyrelsen's label
    assert code in load_kva()
    with pytest.raises(DomainError, match=r"coordination\.already_recorded"):
        record_team_event(
            pathway,
            kind,
            by=receiver,
            on=day(30),
            today=TODAY,
            note="",
            professions=PROFESSIONS,
            existing=records,
        )


def test_team_rehabilitation_label_is_the_code_lists() -> None:
    kva = load_kva()
    assert kva["DV076"].text_sv == "Teamrehabilitering"
    assert kva["XS008"].text_sv == "Konferens om patient"
    assert kva["XS007"].text_sv == "Konferens med patient"
    assert kva["AU124"].text_sv == "Upprättande av samordnad individuell plan (SIP)"


def test_unknown_team_event_kind_is_refused(pathway: Pathway, nurse: Staff) -> None:
    with pytest.raises(ValueError):
        record_team_event(
            pathway,
            "lunch",  # type: ignore[arg-type]
            by=nurse,
            on=day(1),
            today=TODAY,
            note="",
            professions=PROFESSIONS,
        )


# ------------------------------------------------------------------------------------- property-based

PATHWAY = Pathway(
    patient_id="p",
    unit_hsa_id="U-A",
    diagnosis=Diagnosis(icd10="C509", diagnosed_on=DIAGNOSED, process="breast"),
)
STAFF = Staff(hsa_id="S-A", name="A", profession=Profession.COUNSELLOR, unit_hsa_id="U-A")
ACTIONS = st.lists(
    st.tuples(st.sampled_from(["sip", *TeamEventKind]), st.integers(-5, 70)), min_size=1, max_size=25
)


@settings(max_examples=80, deadline=None)
@given(ACTIONS)
def test_each_code_is_recorded_at_most_once_per_date_and_only_in_the_allowed_window(
    actions: list[tuple[str, int]],
) -> None:
    recorded: list[KvaRecord] = []
    for kind, offset in actions:
        on = day(offset)
        before = list(recorded)
        try:
            if kind == "sip":
                meeting, records = record_sip(
                    PATHWAY,
                    by=STAFF,
                    on=on,
                    today=TODAY,
                    participants="Patienten",
                    professions=PROFESSIONS,
                    existing=recorded,
                )
            else:
                meeting, records = record_team_event(
                    PATHWAY,
                    TeamEventKind(kind),
                    by=STAFF,
                    on=on,
                    today=TODAY,
                    note="",
                    professions=PROFESSIONS,
                    existing=recorded,
                )
        except DomainError as err:
            code = SIP_CODE if kind == "sip" else TEAM_CODES[TeamEventKind(kind)]
            duplicate = any(r.code == code and r.performed_on == on for r in before)
            expected = (
                "pathway.date_order"
                if on < DIAGNOSED
                else "coordination.future_date"
                if on > TODAY
                else "coordination.already_recorded"
            )
            assert err.code == expected
            assert duplicate == (expected == "coordination.already_recorded")
            continue
        assert DIAGNOSED <= on <= TODAY
        assert len(records) == 1 and records[0].profession_code == "XS913"
        assert meeting.code == records[0].code and meeting.kva_record_id == records[0].id
        recorded.extend(records)
    keys = [(r.code, r.performed_on) for r in recorded]
    assert len(keys) == len(set(keys))
