"""Loading the instruments (FHIR Questionnaire JSON) and their rules, shipped and region-replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from canrehab.domain.definitions import DefinitionError
from canrehab.domain.instrument import ItemKind
from canrehab.instruments import ENV_DIR, PACKAGE_DIR, load_instruments, load_rules, questionnaire_json

SHIPPED = ("halsoskattning", "hantering-av-angest")


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_instrument_is_a_valid_r4_questionnaire(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    q = Questionnaire.model_validate(data)
    assert q.title and q.version and q.url
    # in use, or an example labelled as one (the PREM example: draft, experimental, "EXEMPEL" in the title)
    assert q.status == "active" or (q.status == "draft" and q.experimental and q.title.startswith("EXEMPEL"))
    assert path.stem == data["id"]


def test_shipped_instruments_and_rules_load() -> None:
    instruments = load_instruments()
    assert set(SHIPPED) <= set(instruments)
    for key in SHIPPED:
        rules = load_rules(key)
        assert rules.instrument == key
        assert rules.problems_with(instruments[key]) == []


def test_halsoskattning_content() -> None:
    hs = load_instruments()["halsoskattning"]
    assert hs.title == "Hälsoskattning för cancerrehabilitering"
    assert [g.text for g in hs.domains] == ["Fysiskt", "Psykiskt", "Socialt", "Existentiellt", "Levnadsvanor"]
    areas = [i for i in hs.items if i.kind is ItemKind.CHOICE]
    assert len(areas) >= 25
    lifestyle = {i.link_id for i in hs.items if i.group == "levnadsvanor"}
    for area in areas:
        assert area.required
        talk = hs.item(f"{area.link_id}.talk")
        assert talk is not None and talk.kind is ItemKind.BOOLEAN and talk.parent == area.link_id
        assert not talk.required
        if area.link_id in lifestyle:  # their own answer scales (tests/domain/test_decision_support.py)
            assert talk.text == "Vill du ha stöd eller råd om detta?"
            continue
        scale = [o for o in area.options if not o.not_applicable]
        assert [(o.code, o.ordinal) for o in scale] == [("0", 0), ("1", 1), ("2", 2), ("3", 3)]
        assert [o.display for o in scale] == [
            "Inget problem",
            "Lite besvärande",
            "Ganska besvärande",
            "Mycket besvärande",
        ]
        assert talk.text == "Vill du prata med någon om detta?"
    texts = {i.label for i in areas}
    for expected in (
        "Trötthet",
        "Smärta",
        "Sömn",
        "Oro",
        "Nedstämdhet",
        "Rädsla för återfall",
        "Ekonomi",
        "Barn som anhöriga",
        "Alkohol",
        "Fysisk aktivitet",
        "Matvanor",
        "Stomi",
    ):
        assert expected in texts


def test_angest_content() -> None:
    ha = load_instruments()["hantering-av-angest"]
    distress = ha.item("distress")
    assert distress is not None and distress.kind is ItemKind.INTEGER and distress.required
    assert (distress.min_value, distress.max_value) == (0, 10)
    assert [g.link_id for g in ha.domains] == ["praktiska", "familj", "emotionella", "andliga", "fysiska"]
    assert all(i.kind is ItemKind.BOOLEAN for i in ha.items if i.group == "fysiska")


def _region_copy(tmp_path: Path, title: str) -> Path:
    data = questionnaire_json("halsoskattning")
    data["version"] = "2025.1-region"
    data["title"] = title
    # The region's form drops the lifestyle group.
    data["item"] = [g for g in data["item"] if g["linkId"] != "levnadsvanor"]
    (tmp_path / "hs-region.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_region_file_replaces_the_shipped_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    region = _region_copy(tmp_path, "Hälsoskattning (Region Test)")
    rules_dir = region / "rules"
    rules_dir.mkdir()
    (rules_dir / "halsoskattning.yaml").write_text(
        "instrument: halsoskattning\n"
        "levels:\n"
        "  - {id: any, level: SPECIAL, when: {min_troublesome_areas: 1}, reason_sv: 'något besvär'}\n",
        encoding="utf-8",
    )
    instruments = load_instruments(region)
    hs = instruments["halsoskattning"]
    assert hs.version == "2025.1-region" and hs.title == "Hälsoskattning (Region Test)"
    assert hs.item("tobak") is None
    assert "hantering-av-angest" in instruments  # the other shipped instrument stays
    assert questionnaire_json("halsoskattning", region)["version"] == "2025.1-region"
    assert [r.id for r in load_rules("halsoskattning", region).levels] == ["any"]
    # The same through the environment variable.
    monkeypatch.setenv(ENV_DIR, str(region))
    assert load_instruments()["halsoskattning"].version == "2025.1-region"
    monkeypatch.delenv(ENV_DIR)
    assert load_instruments()["halsoskattning"].version == "1.1.0"


def test_shipped_rules_that_no_longer_fit_a_region_form_are_reported(tmp_path: Path) -> None:
    region = _region_copy(tmp_path, "Utan levnadsvanor")
    with pytest.raises(DefinitionError) as err:
        load_rules("halsoskattning", region)
    assert "halsoskattning.yaml" in str(err.value) and "advice.0.item" in str(err.value)


def test_invalid_questionnaire_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text(
        json.dumps(
            {
                "resourceType": "Questionnaire",
                "id": "x",
                "status": "active",
                "item": [{"text": "utan linkId"}],
            }
        )
    )
    with pytest.raises(DefinitionError) as err:
        load_instruments(tmp_path)
    assert "broken.json: not a valid FHIR R4 Questionnaire" in str(err.value)
    assert "item.0.linkId" in str(err.value)

    bad.write_text(
        json.dumps(
            {
                "resourceType": "Questionnaire",
                "id": "x",
                "status": "active",
                "item": [{"linkId": "a", "type": "boolean"}],
            }
        )
    )
    with pytest.raises(DefinitionError, match=r"broken\.json: version: is required"):
        load_instruments(tmp_path)

    bad.write_text(
        json.dumps(
            {
                "resourceType": "Questionnaire",
                "id": "x",
                "status": "active",
                "version": "1",
                "title": "X",
                "item": [{"linkId": "a", "type": "date"}],
            }
        )
    )
    with pytest.raises(DefinitionError, match=r"item type 'date' is not supported"):
        load_instruments(tmp_path)

    bad.write_text("{not json")
    with pytest.raises(DefinitionError, match=r"broken\.json: not valid JSON"):
        load_instruments(tmp_path)


def test_duplicate_link_ids_are_rejected(tmp_path: Path) -> None:
    data = questionnaire_json("hantering-av-angest")
    data["item"].append({"linkId": "distress", "text": "igen", "type": "integer"})
    (tmp_path / "dup.json").write_text(json.dumps(data))
    with pytest.raises(DefinitionError, match=r"dup\.json: .*linkId distress.*used twice"):
        load_instruments(tmp_path)


def test_missing_region_directory(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="not found"):
        load_instruments(tmp_path / "nope")


def test_questionnaire_json_is_a_copy() -> None:
    q = questionnaire_json("halsoskattning")
    q["title"] = "changed"
    assert questionnaire_json("halsoskattning")["title"] != "changed"
    with pytest.raises(KeyError):
        questionnaire_json("no-such")
