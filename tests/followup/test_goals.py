"""Goals are data as the sources state them; ``canrehab goals`` lists them; structure indicators are evaluated
from per-unit facts through the interface the structure register plugs into."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from canrehab.cli import app
from canrehab.followup.goals import (
    IndicatorDef,
    default_goals,
    default_indicators,
    load_goals,
)
from canrehab.followup.structure_goals import UnitFacts, evaluate_structure


def test_every_goal_names_its_source_and_an_indicator_of_the_one_model() -> None:
    goals = default_goals()
    indicators = default_indicators()
    for g in goals.goals:
        assert g.source.document in {"000", "001", "003"} and g.source.section, g.id
        for ind in g.indicators():
            indicators.get(ind)  # every goal is answered by an indicator of the one model


def test_000_each_goal_and_measure_no_percentages_all_2028() -> None:
    g000 = [g for g in default_goals().goals if g.source.document == "000"]
    sections = " ".join(g.source.section for g in g000)
    for n in (1, 2, 3, 4):
        assert f"mål {n}" in sections
    assert all(g.level.percent is None and g.target_date == date(2028, 12, 31) for g in g000)
    # mål 1 is a structure measure answered by the structure register (not a share of nurses)
    m1 = [g for g in g000 if "mål 1" in g.source.section]
    assert {g.kind for g in m1} == {"struktur"}
    assert {default_indicators().get(g.indicator).source for g in m1} == {"structure"}
    # mål 4 follows the plan's KVÅ codes
    m4 = default_indicators().get(next(g.indicator for g in g000 if g.id == "m000_4_kva_statistik"))
    assert m4.kva().codes_any == ("AW020", "AW024", "AW027", "AW035")


def test_001_tabell_3_every_row_due_2024() -> None:
    rows = [g for g in default_goals().goals if g.source.document == "001"]
    assert sorted(g.source.section for g in rows) == [f"Tabell 3, rad {n}" for n in range(1, 7)]
    assert all(g.target_date == date(2024, 12, 31) for g in rows)
    assert [g.level.percent for g in rows[:5]] == [100.0] * 5
    assert rows[5].level.stated_sv and "överenskommelser" in rows[5].level.stated_sv
    assert rows[0].indicator == "erbjuden_kontaktsjukskoterska"  # "erbjudits", not "has"


def test_003_svf_and_national_quality_indicators_with_baselines() -> None:
    by_id = {g.id: g for g in default_goals().goals if g.source.document == "003"}
    assert set(by_id) == {
        "svf_inklusion",
        "svf_ledtid_nationellt",
        "svf_ledtid_regionalt_delmal",
        "mdk_diskuterad",
        "nki_erbjuden_kssk",
        "nki_erbjuden_mvp",
    }
    inkl = by_id["svf_inklusion"]
    assert inkl.level.percent == 70 and inkl.level.comparator == ">"
    assert inkl.level.reached(70.0) is False and inkl.level.reached(70.1) is True
    assert (inkl.baseline.percent, inkl.baseline.as_of) == (82, date(2021, 6, 30))
    delmal = by_id["svf_ledtid_regionalt_delmal"]
    assert (delmal.level.percent, delmal.target_date, delmal.baseline.percent) == (
        60,
        date(2021, 12, 31),
        50.3,
    )
    assert by_id["svf_ledtid_nationellt"].level.percent == 80
    assert {
        by_id[i].baseline.percent for i in ("mdk_diskuterad", "nki_erbjuden_kssk", "nki_erbjuden_mvp")
    } == {
        64.5,
        79.7,
        71.8,
    }


def test_nothing_the_sources_do_not_say() -> None:
    texts = yaml.safe_dump([g.model_dump(mode="json") for g in default_goals().goals], allow_unicode=True)
    assert "30 dagar" not in texts and "90" not in texts
    assert all(g.level.percent in (None, 60, 70, 80, 100) for g in default_goals().goals)


def test_indicator_shows_the_goal_of_the_goals_file() -> None:
    ind = default_indicators().get("erbjuden_kontaktsjukskoterska")
    assert ind.goal is not None and ind.goal.by_date == date(2024, 12, 31) and "Tabell 3" in ind.goal.source
    assert default_indicators().get("rehabplan_kva").goal is None


def test_goals_csv_lists_every_goal_with_the_columns() -> None:
    r = CliRunner().invoke(app, ["goals", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["id", "indicator", "kind", "level", "target_date", "source"]
    assert len(rows) == len(default_goals().goals)
    t3 = next(x for x in rows if x["id"] == "t3_erbjuden_kssk")
    assert (t3["kind"], t3["level"], t3["target_date"]) == ("struktur", "100 %", "2024-12-31")
    assert t3["source"].startswith("001 ") and "Tabell 3" in t3["source"]
    assert next(x for x in rows if x["id"] == "svf_inklusion")["level"] == "> 70 %"


def test_a_region_file_naming_an_unknown_indicator_is_refused_in_swedish(tmp_path: Path) -> None:
    one = default_goals().goals[0].model_dump(mode="json")
    path = tmp_path / "goals.yaml"
    path.write_text(yaml.safe_dump({"goals": [{**one, "indicator": "finns_inte"}]}), encoding="utf-8")
    r = CliRunner().invoke(app, ["goals", "--format", "csv", "--file", str(path)])
    assert r.exit_code == 2 and "Målfilen kunde inte läsas" in r.output and "finns_inte" in r.output


@pytest.mark.parametrize(
    "change",
    [
        {"level": {"percent": 100, "stated_sv": "x"}},  # both a figure and a stated target
        {"level": {}},  # neither
        {"kind": "utfall"},
        {"source": {"document": "x", "title": "t", "section": "s"}},
        {"baseline": {"text_sv": "x", "percent": 120}},
    ],
)
def test_bad_goals_are_refused_at_load_time(tmp_path: Path, change: dict[str, object]) -> None:
    one = {**default_goals().goals[0].model_dump(mode="json"), **change}
    path = tmp_path / "goals.yaml"
    path.write_text(yaml.safe_dump({"goals": [one]}), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_goals(path)


def test_an_indicator_must_carry_what_its_source_needs() -> None:
    with pytest.raises(ValidationError):
        IndicatorDef.model_validate({"id": "x", "name_sv": "X", "source": "structure"})
    with pytest.raises(ValidationError):
        IndicatorDef.model_validate(
            {
                "id": "x",
                "name_sv": "X",
                "source": "care",
                "care": {"population": "diagnosed_in_period", "condition": "has_plan"},
                "numerator": {"codes_any": ["AW020"]},
            }
        )


def test_structure_indicator_is_the_share_of_units_where_every_fact_holds() -> None:
    ind = default_indicators().get("kssk_skriftligt_uppdrag")
    facts = [
        UnitFacts(
            "onk",
            {
                "contact_nurses_present": True,
                "assignment_written": True,
                "assignment_resourced": True,
            },
            "lunga",
        ),
        UnitFacts("kir", {"contact_nurses_present": True, "assignment_written": True}),  # not resourced
        UnitFacts("gyn", {}),
    ]
    r = evaluate_structure(ind, facts)
    assert (r.units, r.units_met) == (3, 1)
    assert r.met_by_unit[("onk", "lunga")] and not r.met_by_unit[("kir", None)]
    assert r.percent == pytest.approx(100 / 3)
    assert evaluate_structure(ind, []).percent is None
    with pytest.raises(ValueError):
        evaluate_structure(default_indicators().get("rehabplan_kva"), facts)
