"""Indicator definitions and the KVÅ code list are data with a schema; indicators are evaluated from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from canrehab.codes.kva import load_kva, rehab_codes
from canrehab.followup import api
from canrehab.followup.goals import IndicatorFile, default_indicators, load_indicators
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]


def test_shipped_definitions_load_and_have_goals_with_sources() -> None:
    f = default_indicators()
    ids = {i.id for i in f.indicators}
    assert {"min_vardplan", "rehabiliteringsplan", "rehabplan_kva"} <= ids
    assert all(i.goal is None or i.goal.source for i in f.indicators)
    assert f.get("rehabplan_kva").numerator.codes_any == ("AW020", "AW024", "AW027", "AW035")


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "x", "name_sv": "X", "numerator": {"codes_any": ["AW20"]}},  # not a KVÅ code
        {"id": "x", "name_sv": "X", "numerator": {"codes_any": []}},  # no codes
        {"id": "X!", "name_sv": "X", "numerator": {"codes_any": ["AW020"]}},  # bad id
        {"id": "x", "name_sv": "X", "numerator": {"codes_any": ["AW020"]}, "disaggregations": ["kommun"]},
        {
            "id": "x",
            "name_sv": "X",
            "numerator": {"codes_any": ["AW020"]},
            "goal": {"level_percent": 120, "by_date": "2028-12-31", "source": "s"},
        },
        {"id": "x", "name_sv": "X", "numerator": {"codes_any": ["AW020"]}, "unknown_field": 1},
    ],
)
def test_bad_definitions_are_refused_at_load_time(tmp_path: Path, bad: dict[str, object]) -> None:
    path = tmp_path / "ind.yaml"
    path.write_text(yaml.safe_dump({"indicators": [bad]}), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_indicators(path)


def test_duplicate_indicator_ids_are_refused() -> None:
    one = {"id": "x", "name_sv": "X", "numerator": {"codes_any": ["AW020"]}}
    with pytest.raises(ValidationError):
        IndicatorFile.model_validate({"indicators": [one, one]})


def test_kva_list_has_the_report_codes_and_the_programme_codes() -> None:
    kva = rehab_codes()
    for code in ("AW020", "AW024", "XV019", "XV020", "XS012", "DU033", "AU010", "AW019", "AW027", "AW035"):
        assert kva.text(code), code
    assert kva.by_code["XS012"].persons_2022 == 47832
    assert kva.by_code["XS918"].profession


def test_kva_loader_refuses_bad_codes(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("codes:\n  - {code: AW20, text: x}\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_kva(path)


def test_indicator_results_per_unit_with_goal(extract: Extract) -> None:
    rows = [contact(str(i), lan="01" if i <= 50 else "12", kon="2" if i % 2 else "1") for i in range(1, 101)]
    for i in range(0, 20):
        rows[i]["op"] = "XV019"  # 20 of 50 in Stockholm
    for i in range(50, 60):
        rows[i]["op"] = "XV020"  # 10 of 50 in Skåne
    rows.append(contact("1", indatum="2021-06-01", op="XV019"))  # 2021
    res = api.indicator_results(
        extract(rows), [2021, 2022], ["min_vardplan"], threshold=1, complementary=False
    )
    r22 = res[res.year == 2022].set_index(["level", "unit_code"])
    assert r22.loc[("nation", "00"), "numerator"] == 30
    assert r22.loc[("nation", "00"), "denominator"] == 100
    assert r22.loc[("nation", "00"), "percent"] == 30.0
    assert r22.loc[("county", "01"), "percent"] == 40.0
    assert r22.loc[("county", "12"), "percent"] == 20.0
    assert r22.loc[("rcc", "SYD"), "numerator"] == 10
    assert r22.loc[("sex", "2"), "denominator"] == 50
    assert r22.loc[("nation", "00"), "goal_percent"] == 100
    assert not r22.loc[("nation", "00"), "goal_met"]
    r21 = res[res.year == 2021].set_index(["level", "unit_code"])
    assert r21.loc[("nation", "00"), "numerator"] == 1 and r21.loc[("nation", "00"), "denominator"] == 1
