from __future__ import annotations

import pytest
from pydantic import ValidationError

from canrehab.domain.decision_support import RuleSet, suggest
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import Instrument, validate_answers
from canrehab.domain.model import NeedsLevel, Profession, Suggestion
from canrehab.instruments import load_instruments, load_rules


@pytest.fixture(scope="module")
def hs() -> Instrument:
    return load_instruments()["halsoskattning"]


@pytest.fixture(scope="module")
def hs_rules() -> RuleSet:
    return load_rules("halsoskattning")


def _all_zero(instrument: Instrument) -> dict[str, object]:
    return {i.link_id: "0" for i in instrument.items if i.kind.value == "choice"}


def run(hs: Instrument, rules: RuleSet, **answers: object) -> Suggestion:
    base = _all_zero(hs)
    base.update(answers)
    return suggest(hs, validate_answers(hs, base), rules)


def test_no_problems_is_basic(hs: Instrument, hs_rules: RuleSet) -> None:
    s = run(hs, hs_rules)
    assert s.level is NeedsLevel.BASIC
    assert s.troublesome_areas == () and s.professions == () and s.advice_codes == ()
    assert any("grundläggande" in r for r in s.reasons)


def test_a_little_bother_is_not_troublesome(hs: Instrument, hs_rules: RuleSet) -> None:
    s = run(hs, hs_rules, trotthet="1", oro="1")
    assert s.level is NeedsLevel.BASIC and s.troublesome_areas == ()


def test_one_area_special_with_professions(hs: Instrument, hs_rules: RuleSet) -> None:
    s = run(hs, hs_rules, trotthet="2", **{"trotthet.talk": True})
    assert s.level is NeedsLevel.SPECIAL
    assert s.troublesome_areas == ("trotthet",)
    assert s.wants_to_talk == ("trotthet",)
    assert s.professions == (Profession.PHYSIOTHERAPIST, Profession.OCCUPATIONAL_THERAPIST)
    assert "Trötthet: överväg fysioterapeut, arbetsterapeut." in s.reasons
    assert any("regel special_some_areas" in r for r in s.reasons)


@pytest.mark.parametrize(
    ("area", "profession"),
    [
        ("nedstamdhet", Profession.PSYCHOLOGIST),
        ("sexualitet", Profession.SEXOLOGIST),
        ("lymfodem", Profession.LYMPH_THERAPIST),
        ("svaljning", Profession.SPEECH_THERAPIST),
        ("aptit", Profession.DIETITIAN),
        ("vikt", Profession.DIETITIAN),
        ("stomi", Profession.STOMA_THERAPIST),
        ("urin", Profession.URO_THERAPIST),
        ("nedstamdhet", Profession.COUNSELLOR),
    ],
)
def test_area_to_profession(hs: Instrument, hs_rules: RuleSet, area: str, profession: Profession) -> None:
    assert profession in run(hs, hs_rules, **{area: "2"}).professions


def test_two_areas_in_one_domain_still_special(hs: Instrument, hs_rules: RuleSet) -> None:
    assert run(hs, hs_rules, trotthet="3", smarta="2").level is NeedsLevel.SPECIAL


def test_three_areas_advanced(hs: Instrument, hs_rules: RuleSet) -> None:
    assert run(hs, hs_rules, trotthet="2", smarta="2", somn="2").level is NeedsLevel.ADVANCED


def test_very_troublesome_in_two_domains_advanced(hs: Instrument, hs_rules: RuleSet) -> None:
    assert run(hs, hs_rules, trotthet="3", oro="3").level is NeedsLevel.ADVANCED


def test_very_troublesome_in_three_domains_is_avancerad_the_highest_national_level(
    hs: Instrument, hs_rules: RuleSet
) -> None:
    # Changed with the sources (002 "Insatser på olika nivåer", 004): the national care programme has three
    # levels, so the shipped rules suggest no fourth. Was: VERY_ADVANCED.
    s = run(hs, hs_rules, trotthet="3", oro="3", ekonomi="3")
    assert s.level is NeedsLevel.ADVANCED


def test_lifestyle_gives_advice_not_level(hs: Instrument, hs_rules: RuleSet) -> None:
    s = run(hs, hs_rules, tobak="2", alkohol="2", fysisk_aktivitet="2", matvanor="1")
    assert s.advice_codes == ("DV111", "DV121", "DV131", "DV141")
    assert s.level is NeedsLevel.BASIC
    assert any("(DV121)" in r for r in s.reasons)


def test_lifestyle_questions_have_their_own_answer_scale(hs: Instrument) -> None:
    for link_id in ("tobak", "alkohol", "fysisk_aktivitet", "matvanor"):
        item = hs.item(link_id)
        assert item is not None
        displays = [o.display for o in item.options]
        assert not any("besvärande" in d for d in displays), (link_id, displays)
        assert not any("besvärande" in d for d in (item.text,))
    assert [o.display for o in hs.item("tobak").options] == ["Nej", "Ja, ibland", "Ja, dagligen"]  # type: ignore[union-attr]


def test_occasional_drinking_gives_no_alcohol_advice(hs: Instrument, hs_rules: RuleSet) -> None:
    assert "DV121" not in run(hs, hs_rules, alkohol="1").advice_codes


@pytest.mark.parametrize("area", ["stomi", "barn", "arbete", "sexualitet"])
def test_ej_aktuellt_is_an_answer_and_no_need(hs: Instrument, hs_rules: RuleSet, area: str) -> None:
    item = hs.item(area)
    assert item is not None
    na = [o for o in item.options if o.not_applicable]
    assert [o.display for o in na] == ["Ej aktuellt"]
    assert validate_answers(hs, {area: "ej_aktuellt"}) == {area: "ej_aktuellt"}
    s = run(hs, hs_rules, **{area: "ej_aktuellt"})
    assert s.level is NeedsLevel.BASIC and s.troublesome_areas == () and s.professions == ()
    # With every other area 'very troublesome' except this one, it still does not count.
    worst = run(hs, hs_rules, trotthet="3", **{area: "ej_aktuellt"})
    assert area not in worst.troublesome_areas


def test_ej_aktuellt_only_where_it_fits(hs: Instrument) -> None:
    with_na = {i.link_id for i in hs.items if any(o.not_applicable for o in i.options)}
    assert with_na == {"stomi", "barn", "arbete", "sexualitet"}
    with pytest.raises(DomainError):
        validate_answers(hs, {"trotthet": "ej_aktuellt"})


def test_distress_thermometer_levels() -> None:
    ha = load_instruments()["hantering-av-angest"]
    rules = load_rules("hantering-av-angest")

    def level(distress: int, **problems: bool) -> NeedsLevel:
        return suggest(ha, validate_answers(ha, {"distress": distress, **problems}), rules).level

    assert level(0) is NeedsLevel.BASIC
    assert level(3) is NeedsLevel.BASIC
    assert level(4) is NeedsLevel.SPECIAL
    assert level(7) is NeedsLevel.SPECIAL
    assert level(8) is NeedsLevel.ADVANCED
    assert level(10) is NeedsLevel.ADVANCED
    s = suggest(
        ha,
        validate_answers(
            ha, {"distress": 5, "emotionella.oro": True, "fysiska.svullnad": True, "fysiska.hud": False}
        ),
        rules,
    )
    assert s.troublesome_areas == ("emotionella.oro", "fysiska.svullnad")
    assert s.professions == (Profession.COUNSELLOR, Profession.PSYCHOLOGIST, Profession.LYMPH_THERAPIST)


def test_rules_schema() -> None:
    with pytest.raises(ValidationError, match="advice code"):
        RuleSet.model_validate({"instrument": "x", "advice": [{"item": "a", "code": "AW020"}]})
    with pytest.raises(ValidationError, match="unknown level"):
        RuleSet.model_validate(
            {
                "instrument": "x",
                "levels": [
                    {"id": "a", "level": "HUGE", "when": {"min_troublesome_areas": 1}, "reason_sv": "x"}
                ],
            }
        )
    with pytest.raises(ValidationError, match="at least one criterion"):
        RuleSet.model_validate(
            {"instrument": "x", "levels": [{"id": "a", "level": 2, "when": {}, "reason_sv": "x"}]}
        )
    with pytest.raises(ValidationError, match="go together"):
        RuleSet.model_validate(
            {"instrument": "x", "levels": [{"id": "a", "level": 2, "when": {"item": "d"}, "reason_sv": "x"}]}
        )
    with pytest.raises(ValidationError, match="unknown_profession"):
        RuleSet.model_validate({"instrument": "x", "professions": {"a": ["unknown_profession"]}})


def test_rules_must_fit_the_instrument(hs: Instrument) -> None:
    rules = RuleSet.model_validate(
        {
            "instrument": "other",
            "professions": {"nope": ["dietitian"]},
            "levels": [
                {"id": "a", "level": "SPECIAL", "when": {"item": "x", "min_value": 1}, "reason_sv": "x"}
            ],
            "level_excluded_groups": ["nogroup"],
        }
    )
    problems = rules.problems_with(hs)
    assert len(problems) == 4
