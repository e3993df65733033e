"""The county/RCC mapping is data and can be replaced."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from canrehab.codes import geography
from canrehab.followup import api
from tests.followup.conftest import contact


def test_shipped_rcc_mapping_matches_the_issue() -> None:
    cf = geography.load_counties()
    members: dict[str, set[str]] = {}
    for c in cf.counties:
        members.setdefault(cf.rcc_of(c.code).name, set()).add(c.code)
    assert members == {
        "Norr": {"22", "23", "24", "25"},
        "Mellansverige": {"03", "04", "17", "18", "19", "20", "21"},
        "Stockholm-Gotland": {"01", "09"},
        "Sydöst": {"05", "06", "08"},
        "Syd": {"07", "10", "12"},
        "Väst": {"13", "14"},
    }


def test_a_replacement_file_changes_the_rcc_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extract: Callable[[list[dict[str, str]]], Path]
) -> None:
    data = yaml.safe_load(geography.DEFAULT_FILE.read_text(encoding="utf-8"))
    for c in data["counties"]:
        if c["code"] == "09":
            c["rcc"] = "SYDOST"  # a hypothetical move of Gotland
    path = tmp_path / "counties.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    src = extract([contact("1", lan="09", op="AW020")])
    monkeypatch.setenv("CANREHAB_COUNTIES_FILE", str(path))
    geography.default_counties.cache_clear()
    try:
        df = api.region_table(src, 2022, ["AW020"], level="rcc", threshold=1, complementary=False)
        by = df.set_index("region_code")["patients"]
        assert by["SYDOST"] == "1" and by["STHLM_GOTLAND"] == "0"
    finally:
        monkeypatch.delenv("CANREHAB_COUNTIES_FILE")
        geography.default_counties.cache_clear()
