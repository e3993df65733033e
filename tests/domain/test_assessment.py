from __future__ import annotations

from datetime import date, timedelta

import pytest

from canrehab.domain.assessment import confirm_level, save_answers, start_assessment
from canrehab.domain.decision_support import RuleSet
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import Instrument, ItemKind
from canrehab.domain.model import (
    AssessmentStatus,
    KeyMoment,
    NeedsLevel,
    Pathway,
    Respondent,
    Staff,
)
from canrehab.domain.pathway import close_pathway
from canrehab.instruments import load_instruments, load_rules
from tests.domain.conftest import DIAGNOSED

ON = DIAGNOSED + timedelta(days=3)


@pytest.fixture(scope="module")
def hs() -> Instrument:
    return load_instruments()["halsoskattning"]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules("halsoskattning")


def complete(hs: Instrument, **over: object) -> dict[str, object]:
    answers: dict[str, object] = {i.link_id: "0" for i in hs.items if i.kind is ItemKind.CHOICE}
    answers.update(over)
    return answers


def test_start(pathway: Pathway, hs: Instrument) -> None:
    a = start_assessment(pathway, hs, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON)
    assert (a.patient_id, a.pathway_id, a.unit_hsa_id) == (
        pathway.patient_id,
        pathway.id,
        pathway.unit_hsa_id,
    )
    assert (a.instrument_id, a.instrument_version, a.status) == (
        "halsoskattning",
        "1.1.0",
        AssessmentStatus.IN_PROGRESS,
    )
    with pytest.raises(DomainError) as err:
        start_assessment(
            close_pathway(pathway, ON),
            hs,
            key_moment=KeyMoment.DIAGNOSIS,
            respondent=Respondent.PATIENT,
            on=ON,
        )
    assert err.value.code == "pathway.closed"


def test_save_partial_then_resume_and_submit(pathway: Pathway, hs: Instrument, rules: RuleSet) -> None:
    a = start_assessment(pathway, hs, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON)
    a1 = save_answers(a, hs, {"trotthet": "2", "smarta": 1}, on=ON, submit=False, rules=rules)
    assert a1.answers == {"trotthet": "2", "smarta": "1"} and a1.status is AssessmentStatus.IN_PROGRESS
    assert a.answers == {}  # input unchanged
    with pytest.raises(DomainError) as err:
        save_answers(a1, hs, {}, on=ON, submit=True, rules=rules)
    assert err.value.code == "assessment.incomplete" and "obligatoriska" in err.value.message_sv
    a2 = save_answers(
        a1, hs, {**complete(hs, trotthet="2"), "smarta": None}, on=ON, submit=False, rules=rules
    )
    assert "smarta" not in a2.answers
    a3 = save_answers(a2, hs, {"smarta": "0"}, on=ON + timedelta(days=1), submit=True, rules=rules)
    assert a3.status is AssessmentStatus.SUBMITTED and a3.submitted_on == ON + timedelta(days=1)
    assert a3.suggestion is not None and a3.suggestion.level is NeedsLevel.SPECIAL
    assert a3.answers["trotthet"] == "2"
    with pytest.raises(DomainError, match=r"assessment\.submitted"):
        save_answers(a3, hs, {"trotthet": "3"}, on=ON, submit=False, rules=rules)
    a4 = save_answers(a3, hs, {"trotthet": "0"}, on=ON + timedelta(days=1), submit=True, rules=rules)
    assert a4.suggestion is not None and a4.suggestion.level is NeedsLevel.BASIC


def test_invalid_answer_changes_nothing(pathway: Pathway, hs: Instrument, rules: RuleSet) -> None:
    a = start_assessment(pathway, hs, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON)
    a = save_answers(a, hs, {"trotthet": "1"}, on=ON, submit=False, rules=rules)
    with pytest.raises(DomainError) as err:
        save_answers(a, hs, {"smarta": "2", "somn": "9"}, on=ON, submit=False, rules=rules)
    assert err.value.code == "assessment.answer_invalid" and "somn" in err.value.message_sv
    assert a.answers == {"trotthet": "1"}


def _submitted(pathway: Pathway, hs: Instrument, rules: RuleSet, **over: object):  # type: ignore[no-untyped-def]
    a = start_assessment(
        pathway, hs, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.STAFF_ON_BEHALF, on=ON
    )
    return save_answers(a, hs, complete(hs, **over), on=ON, submit=True, rules=rules)


def test_confirm_basic_emits_au010(
    pathway: Pathway, hs: Instrument, rules: RuleSet, nurse: Staff, professions: dict
) -> None:
    a = _submitted(pathway, hs, rules, tobak="2")
    assert a.suggestion.advice_codes == ("DV111",)
    confirmed, p, records = confirm_level(
        a,
        pathway,
        level=NeedsLevel.BASIC,
        by=nurse,
        on=ON,
        reason="",
        professions=professions,
        advice_given=("DV111",),
    )
    assert confirmed.status is AssessmentStatus.CONFIRMED and confirmed.confirmed_level is NeedsLevel.BASIC
    assert not confirmed.level_overridden and confirmed.confirmed_by == nurse.id
    assert (p.confirmed_level, p.confirmed_level_on) == (NeedsLevel.BASIC, ON)
    assert [(r.code, r.profession_code, r.unit_hsa_id) for r in records] == [
        ("AU010", "XS919", nurse.unit_hsa_id),
        ("DV111", "XS919", nurse.unit_hsa_id),
    ]
    _, _, no_advice = confirm_level(
        a, pathway, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions
    )
    assert [r.code for r in no_advice] == ["AU010"]


def test_confirm_advanced_still_records_au010_not_aw019(
    pathway: Pathway, hs: Instrument, rules: RuleSet, nurse: Staff, professions: dict
) -> None:
    # Changed with the sources (004 "Indikatorer"): the Hälsoskattning is AU010 at every level; AW019 is the
    # rehab professional's own assessment (domain.assessment.assess_rehab_needs). Was: AW019 at special+.
    a = _submitted(pathway, hs, rules, trotthet="3", smarta="2", somn="2")
    assert a.suggestion.level is NeedsLevel.ADVANCED
    _, p, records = confirm_level(
        a, pathway, level=NeedsLevel.ADVANCED, by=nurse, on=ON, reason="", professions=professions
    )
    assert [r.code for r in records] == ["AU010"] and p.confirmed_level is NeedsLevel.ADVANCED


def test_override_needs_reason_and_is_stored(
    pathway: Pathway, hs: Instrument, rules: RuleSet, nurse: Staff, professions: dict
) -> None:
    a = _submitted(pathway, hs, rules, trotthet="2")
    with pytest.raises(DomainError) as err:
        confirm_level(
            a, pathway, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="  ", professions=professions
        )
    assert err.value.code == "assessment.override_reason_required" and "motivering" in err.value.message_sv
    confirmed, _, records = confirm_level(
        a,
        pathway,
        level=NeedsLevel.BASIC,
        by=nurse,
        on=ON,
        reason="Besvären avtar redan.",
        professions=professions,
    )
    assert confirmed.level_overridden and confirmed.override_reason == "Besvären avtar redan."
    assert confirmed.suggestion is not None and confirmed.suggestion.level is NeedsLevel.SPECIAL
    assert [r.code for r in records] == ["AU010"]


def test_confirm_errors(
    pathway: Pathway, hs: Instrument, rules: RuleSet, nurse: Staff, professions: dict
) -> None:
    fresh = start_assessment(
        pathway, hs, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON
    )
    with pytest.raises(DomainError, match=r"assessment\.not_submitted"):
        confirm_level(
            fresh, pathway, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions
        )
    a = _submitted(pathway, hs, rules)
    confirmed, p, _ = confirm_level(
        a, pathway, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions
    )
    with pytest.raises(DomainError, match=r"assessment\.confirmed"):
        confirm_level(
            confirmed, p, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions
        )
    with pytest.raises(DomainError, match=r"assessment\.confirmed"):
        save_answers(confirmed, hs, {"trotthet": "1"}, on=ON, submit=True, rules=rules)
    with pytest.raises(DomainError, match=r"assessment\.advice_invalid"):
        confirm_level(
            a,
            pathway,
            level=NeedsLevel.BASIC,
            by=nurse,
            on=ON,
            reason="",
            professions=professions,
            advice_given=("AW020",),
        )
    with pytest.raises(DomainError, match=r"pathway\.closed"):
        confirm_level(
            a,
            close_pathway(pathway, ON),
            level=NeedsLevel.BASIC,
            by=nurse,
            on=ON,
            reason="",
            professions=professions,
        )
    other = pathway.model_copy(update={"id": "other"})
    with pytest.raises(DomainError, match=r"assessment\.pathway_mismatch"):
        confirm_level(a, other, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions)
    with pytest.raises(DomainError, match=r"assessment\.date_order"):
        confirm_level(
            a,
            pathway,
            level=NeedsLevel.BASIC,
            by=nurse,
            on=ON - timedelta(days=1),
            reason="",
            professions=professions,
        )


def test_older_confirmation_does_not_replace_newer_level(
    pathway: Pathway, hs: Instrument, rules: RuleSet, nurse: Staff, professions: dict
) -> None:
    newer = pathway.model_copy(
        update={"confirmed_level": NeedsLevel.ADVANCED, "confirmed_level_on": date(2030, 1, 1)}
    )
    a = _submitted(newer, hs, rules)
    _, p, _ = confirm_level(
        a, newer, level=NeedsLevel.BASIC, by=nurse, on=ON, reason="", professions=professions
    )
    assert p.confirmed_level is NeedsLevel.ADVANCED
