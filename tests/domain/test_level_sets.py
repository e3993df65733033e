"""Needs levels as data: the current national care programme's three levels by default (002 "Insatser på
olika nivåer", 004), 001's four available, the children's programme's generella/särskilda/avancerade
insatser (002 Bilaga 3); decision-support rules name levels of the chosen set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from canrehab.codes.catalog import (
    DefinitionError,
    check_rules_against_level_set,
    load_level_set,
    load_level_sets,
    load_professions,
)
from canrehab.domain.assessment import confirm_level, save_answers, start_assessment
from canrehab.domain.decision_support import RuleSet, suggest
from canrehab.domain.definitions import LevelSetDef
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import ItemKind
from canrehab.domain.model import KeyMoment, NeedsLevel, Pathway, Profession, Respondent, Staff
from canrehab.instruments import load_instruments, load_rules
from tests.domain.conftest import DIAGNOSED

ON = DIAGNOSED + timedelta(days=2)
HS = load_instruments()["halsoskattning"]


def test_the_national_programmes_three_levels_grundlaggande_sarskild_avancerad_are_the_default() -> None:
    national = load_level_set()
    assert national.id == "national_adult"
    assert [d.label_sv for d in national.levels] == ["grundläggande", "särskild", "avancerad"]
    assert national.ranks == (NeedsLevel.BASIC, NeedsLevel.SPECIAL, NeedsLevel.ADVANCED)


def test_the_process_plans_four_levels_are_available_with_mycket_avancerad() -> None:
    four = load_level_set("process_plan_four")
    assert four.label(NeedsLevel.VERY_ADVANCED) == "mycket avancerad" and len(four.levels) == 4


def test_the_childrens_programme_has_generella_sarskilda_and_avancerade_insatser() -> None:
    children = load_level_sets()["children"]
    labels = [d.label_sv for d in children.levels]
    assert labels[0] == "generella insatser"
    assert labels[1] == "särskilda individanpassade insatser"
    assert labels[2].startswith("avancerade insatser utanför barnonkologin")


def test_the_chosen_set_is_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANREHAB_LEVEL_SET", "children")
    assert load_level_set().id == "children"
    monkeypatch.setenv("CANREHAB_LEVEL_SET", "nonesuch")
    with pytest.raises(DefinitionError, match="nonesuch"):
        load_level_set()


def test_a_level_set_has_ranks_one_two_three_in_order() -> None:
    with pytest.raises(ValidationError, match="ranks must be 1, 2"):
        LevelSetDef.model_validate(
            {
                "id": "x",
                "name_sv": "X",
                "levels": [{"rank": 1, "id": "a", "label_sv": "a"}, {"rank": 3, "id": "c", "label_sv": "c"}],
            }
        )


def _submitted(pathway: Pathway):  # type: ignore[no-untyped-def]
    answers = {i.link_id: "0" for i in HS.items if i.kind is ItemKind.CHOICE}
    answers.update(trotthet="3", oro="3", ekonomi="3")
    a = start_assessment(pathway, HS, key_moment=KeyMoment.DIAGNOSIS, respondent=Respondent.PATIENT, on=ON)
    return save_answers(a, HS, answers, on=ON, submit=True, rules=load_rules("halsoskattning"))


def test_confirming_a_level_outside_the_chosen_set_is_refused_and_nothing_changes(
    pathway: Pathway, nurse: Staff
) -> None:
    a = _submitted(pathway)
    with pytest.raises(DomainError) as err:
        confirm_level(
            a,
            pathway,
            level=NeedsLevel.VERY_ADVANCED,
            by=nurse,
            on=ON,
            reason="Mycket komplexa behov.",
            professions=load_professions(),
            level_set=load_level_set(),
        )
    assert err.value.code == "assessment.level_not_in_set"
    assert "grundläggande, särskild, avancerad" in err.value.message_sv
    assert a.confirmed_level is None and pathway.confirmed_level is None


def test_with_001s_four_levels_mycket_avancerad_can_be_confirmed(pathway: Pathway, nurse: Staff) -> None:
    confirmed, p, _ = confirm_level(
        _submitted(pathway),
        pathway,
        level=NeedsLevel.VERY_ADVANCED,
        by=nurse,
        on=ON,
        reason="Mycket komplexa behov.",
        professions=load_professions(),
        level_set=load_level_set("process_plan_four"),
    )
    assert (
        confirmed.confirmed_level is NeedsLevel.VERY_ADVANCED
        and p.confirmed_level is NeedsLevel.VERY_ADVANCED
    )


def test_an_override_message_uses_the_sets_labels(pathway: Pathway) -> None:
    counsellor = Staff(
        hsa_id="S-K", name="K", profession=Profession.COUNSELLOR, unit_hsa_id=pathway.unit_hsa_id
    )
    with pytest.raises(DomainError) as err:
        confirm_level(
            _submitted(pathway),
            pathway,
            level=NeedsLevel.BASIC,
            by=counsellor,
            on=ON,
            reason="",
            professions=load_professions(),
            level_set=load_level_set("children"),
        )
    assert "generella insatser" in err.value.message_sv


def test_the_shipped_rules_name_only_levels_of_the_national_set_and_of_every_shipped_set() -> None:
    rules = {key: load_rules(key) for key, i in load_instruments().items() if i.decision_support}  # no PREM
    for level_set in load_level_sets().values():
        check_rules_against_level_set(rules, level_set)


def test_a_rule_naming_a_level_outside_the_chosen_set_is_refused_at_load() -> None:
    rules = RuleSet.model_validate(
        {
            "instrument": "halsoskattning",
            "levels": [
                {
                    "id": "four",
                    "level": "VERY_ADVANCED",
                    "when": {"min_troublesome_areas": 5},
                    "reason_sv": "x",
                }
            ],
        }
    )
    with pytest.raises(DefinitionError, match=r"levels\.0 \(four\): rank 4"):
        check_rules_against_level_set({"halsoskattning": rules}, load_level_set())
    check_rules_against_level_set({"halsoskattning": rules}, load_level_set("process_plan_four"))


def test_the_suggestions_reasons_name_the_level_with_the_sets_label() -> None:
    answers = {i.link_id: "0" for i in HS.items if i.kind is ItemKind.CHOICE}
    answers["trotthet"] = "2"
    s = suggest(HS, answers, load_rules("halsoskattning"), level_set=load_level_set("children"))
    assert s.level is NeedsLevel.SPECIAL
    assert any(r.startswith("Förslag särskilda individanpassade insatser nivå") for r in s.reasons)


def test_rules_may_name_levels_by_the_chosen_sets_ids() -> None:
    data = {
        "instrument": "halsoskattning",
        "base_level": "generella",
        "levels": [{"id": "r", "level": "sarskilda", "when": {"min_troublesome_areas": 1}, "reason_sv": "x"}],
    }
    rules = RuleSet.model_validate(data, context={"level_set": load_level_set("children")})
    assert (rules.base_level, rules.levels[0].level) == (NeedsLevel.BASIC, NeedsLevel.SPECIAL)
    with pytest.raises(ValidationError, match=r"unknown level 'generella'.*grundlaggande, sarskild"):
        RuleSet.model_validate(data, context={"level_set": load_level_set()})
