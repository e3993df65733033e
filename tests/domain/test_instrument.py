from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.domain.definitions import DefinitionError
from canrehab.domain.errors import DomainError
from canrehab.domain.instrument import Instrument, ItemKind, missing_required, ordinal_of, validate_answers

Q: dict[str, Any] = {
    "resourceType": "Questionnaire",
    "id": "test",
    "version": "1",
    "title": "Testformulär",
    "status": "active",
    "item": [
        {
            "linkId": "kropp",
            "text": "Kropp",
            "type": "group",
            "item": [
                {
                    "linkId": "trotthet",
                    "text": "Trötthet",
                    "type": "choice",
                    "required": True,
                    "answerOption": [
                        {
                            "valueCoding": {
                                "code": "a",
                                "display": "Inget",
                                "extension": [
                                    {
                                        "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                        "valueDecimal": 0,
                                    }
                                ],
                            }
                        },
                        {
                            "valueCoding": {
                                "code": "b",
                                "display": "Mycket",
                                "extension": [
                                    {
                                        "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                        "valueDecimal": 3,
                                    }
                                ],
                            }
                        },
                    ],
                    "item": [{"linkId": "trotthet.talk", "text": "Prata?", "type": "boolean"}],
                },
                {
                    "linkId": "sub",
                    "text": "Undergrupp",
                    "type": "group",
                    "item": [
                        {
                            "linkId": "varv",
                            "text": "Varv",
                            "type": "choice",
                            "repeats": True,
                            "answerOption": [{"valueString": "x"}, {"valueString": "y"}],
                        },
                    ],
                },
            ],
        },
        {"linkId": "info", "text": "Läs detta", "type": "display"},
        {
            "linkId": "skala",
            "text": "Skala",
            "type": "integer",
            "required": True,
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 10},
            ],
        },
        {
            "linkId": "val",
            "text": "Val",
            "type": "integer",
            "answerOption": [{"valueInteger": 1}, {"valueInteger": 5}],
        },
        {"linkId": "fritext", "text": "Fritext", "type": "text"},
    ],
}
INSTRUMENT = Instrument.from_questionnaire(Q)


def test_model() -> None:
    i = INSTRUMENT
    assert (i.id, i.version, i.title) == ("test", "1", "Testformulär")
    assert [g.link_id for g in i.domains] == ["kropp"]
    assert i.group("kropp").items == ("trotthet", "trotthet.talk", "varv")  # type: ignore[union-attr]
    assert [x.link_id for x in i.items] == ["trotthet", "trotthet.talk", "varv", "skala", "val", "fritext"]
    t = i.item("trotthet")
    assert t is not None and t.kind is ItemKind.CHOICE and t.group == "kropp" and t.parent == "kropp"
    assert [(o.code, o.display, o.ordinal) for o in t.options] == [("a", "Inget", 0), ("b", "Mycket", 3)]
    assert i.item("trotthet.talk").parent == "trotthet"  # type: ignore[union-attr]
    assert i.item("varv").group == "kropp" and i.item("varv").parent == "sub"  # type: ignore[union-attr]
    assert i.item("skala").group is None and i.item("skala").max_value == 10  # type: ignore[union-attr]
    assert i.item("fritext").kind is ItemKind.STRING  # type: ignore[union-attr]
    assert i.item("info") is None


def test_validate_normalises() -> None:
    answers = validate_answers(
        INSTRUMENT,
        {
            "trotthet": " b ",
            "trotthet.talk": "true",
            "varv": ["y", "x", "y"],
            "skala": "7",
            "val": 5,
            "fritext": "  hej  ",
        },
    )
    assert answers == {
        "trotthet": "b",
        "trotthet.talk": True,
        "varv": ("y", "x"),
        "skala": 7,
        "val": 5,
        "fritext": "hej",
    }
    assert validate_answers(INSTRUMENT, {"trotthet": None, "fritext": "", "varv": []}) == {}
    assert ordinal_of(INSTRUMENT, "trotthet", "b") == 3
    assert ordinal_of(INSTRUMENT, "skala", 7) == 7
    assert ordinal_of(INSTRUMENT, "trotthet.talk", True) is None


@pytest.mark.parametrize(
    ("answers", "link_id", "fragment"),
    [
        ({"okand": 1}, "okand", "okänd i formuläret"),
        ({"kropp": 1}, "kropp", "en rubrik"),
        ({"trotthet": "c"}, "trotthet", "inget av svarsalternativen"),
        ({"trotthet": True}, "trotthet", "inget av svarsalternativen"),
        ({"trotthet.talk": 1}, "trotthet.talk", "ja eller nej"),
        ({"skala": 11}, "skala", "utanför skalan 0–10"),
        ({"skala": -1}, "skala", "utanför skalan"),
        ({"skala": "sju"}, "skala", "heltal"),
        ({"skala": "²"}, "skala", "heltal"),
        ({"skala": True}, "skala", "heltal"),
        ({"val": 3}, "val", "inget av svarsalternativen"),
        ({"varv": ["z"]}, "varv", "inget av svarsalternativen"),
        ({"fritext": 5}, "fritext", "text"),
        ({"fritext": "x" * 2001}, "fritext", "längre än"),
    ],
)
def test_invalid_answers_name_the_item(answers: dict[str, object], link_id: str, fragment: str) -> None:
    with pytest.raises(DomainError) as err:
        validate_answers(INSTRUMENT, answers)
    assert err.value.code == "assessment.answer_invalid"
    assert link_id in err.value.message_sv and fragment in err.value.message_sv
    assert link_id in err.value.message_en


def test_missing_required() -> None:
    assert missing_required(INSTRUMENT, {}) == ["trotthet", "skala"]
    assert missing_required(INSTRUMENT, {"trotthet": "a"}) == ["skala"]
    assert missing_required(INSTRUMENT, {"trotthet": "a", "skala": 0}) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"resourceType": "Patient"}, "resourceType"),
        ({"version": ""}, "version"),
        ({"item": []}, "no items"),
        ({"item": [{"linkId": "a", "type": "choice"}]}, "needs answerOption"),
        ({"item": [{"type": "boolean"}]}, "linkId is required"),
        (
            {
                "item": [
                    {
                        "linkId": "a",
                        "type": "choice",
                        "answerOption": [{"valueCoding": {"code": "x"}}, {"valueCoding": {"code": "x"}}],
                    }
                ]
            },
            "distinct",
        ),
        (
            {
                "item": [
                    {
                        "linkId": "a",
                        "type": "integer",
                        "extension": [
                            {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 5},
                            {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 1},
                        ],
                    }
                ]
            },
            "minValue",
        ),
        (
            {"item": [{"linkId": "g", "type": "group", "item": [{"linkId": "i", "type": "display"}]}]},
            "no answerable",
        ),
    ],
)
def test_bad_questionnaires(change: dict[str, Any], fragment: str) -> None:
    with pytest.raises(DefinitionError, match=fragment):
        Instrument.from_questionnaire({**Q, **change})


@given(
    st.dictionaries(
        st.sampled_from(["trotthet", "trotthet.talk", "varv", "skala", "val", "fritext", "nej"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-3, 12),
            st.text(max_size=3),
            st.lists(st.sampled_from(["x", "y", "z"]), max_size=3),
        ),
    )
)
def test_validation_either_accepts_normalised_or_rejects(answers: dict[str, object]) -> None:
    try:
        normal = validate_answers(INSTRUMENT, answers)
    except DomainError as err:
        assert err.code == "assessment.answer_invalid"
    else:
        assert set(normal) <= set(answers)
        assert validate_answers(INSTRUMENT, normal) == normal  # idempotent
