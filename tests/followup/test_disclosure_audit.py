"""The disclosure audit over everything published together, on the layouts the issue measured, and the
suppression that leaves it clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from canrehab.followup import suppression as sup
from canrehab.followup.disclosure_audit import ROUND, audit
from canrehab.followup.suite import run_suite
from canrehab.followup.tables import GeoCounts, code_system, code_tables, default_code_tables, geo_tables
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]


def _sydost(complementary: bool) -> dict[str, object]:
    # RCC Sydöst = Östergötland + Jönköping + Kalmar, one person each: the RCC shows <4 over three <4 counties
    cells = {("05", "AW020"): 1, ("06", "AW020"): 1, ("08", "AW020"): 1, ("01", "AW020"): 400}
    cells |= {("12", "AW020"): 90, ("14", "AW020"): 70}
    totals = {"05": 8000, "06": 7000, "08": 5000, "01": 40000, "12": 20000, "14": 30000, None: 12}
    return geo_tables(GeoCounts(("AW020",), cells, totals), 4, complementary=complementary)  # type: ignore


def test_an_rcc_shown_lt4_over_three_lt4_counties_forces_each_to_one_without_complements() -> None:
    t = _sydost(complementary=False)["county"]
    assert t.system is not None and t.state is not None
    result = audit(t.system, t.state)
    exact = {f.cell for f in result.recoverable if f.exact and f.low == 1}
    assert {("county", c, "AW020") for c in ("05", "06", "08")} <= exact


def test_complementary_suppression_leaves_every_small_cell_its_whole_range() -> None:
    t = _sydost(complementary=True)["county"]
    assert t.system is not None and t.state is not None
    result = audit(t.system, t.state)
    assert result.clean
    for c in ("05", "06", "08"):
        low, high = result.intervals[("county", c, "AW020")]
        assert low <= 1 and high >= 3


def test_a_union_indicator_beside_one_of_its_codes_pins_the_other() -> None:
    # Min vårdplan (XV019 or XV020) = 53 beside XV019 = 50: the 3 XV020 persons are recovered exactly
    system = sup.System(
        values={"xv019": 50, "xv020": 3, "mvp": 53},
        unions=[sup.Union("mvp", ("xv019", "xv020"))],
    )
    primary_only = sup.protect(system, complementary=False)
    found = audit(system, primary_only).recoverable
    assert [(f.cell, f.low, f.high) for f in found] == [("xv020", 3, 3)]
    state = sup.protect(system)
    assert audit(system, state).clean and state["xv020"] == sup.PRIMARY
    assert len([k for k, v in state.items() if v == sup.COMPLEMENTARY]) == 1


def _age_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    # AW020: 130 persons, 128 adults (shown in the 18+ table) and 2 children (<4 in the children's table)
    cc = pd.DataFrame(
        [
            {"code": "AW020", "kon": 1, "age_group": "18+", "n": 128, "n_sluten": 0, "n_oppen": 128},
            {"code": "AW020", "kon": 1, "age_group": "0-17", "n": 2, "n_sluten": 0, "n_oppen": 2},
        ]
    )
    pp = pd.DataFrame(
        [
            {"kon": 1, "age_group": "18+", "n": 5000, "n_sluten": 0, "n_oppen": 5000},
            {"kon": 1, "age_group": "0-17", "n": 40, "n_sluten": 0, "n_oppen": 40},
        ]
    )
    return cc, pp


def test_an_adults_table_beside_the_childrens_gives_their_small_count_by_subtraction() -> None:
    cc, pp = _age_split()
    specs = default_code_tables()
    out = code_tables(cc, pp, specs, complementary=False)
    assert out["tabell5a"].set_index("code").loc["AW020", "patients"] == "<4"
    assert out["tabell5b"].set_index("code").loc["AW020", "patients"] == "128"
    system = code_system(cc, pp, specs, out)
    state = {("code", "age:0-17", "AW020"): sup.PRIMARY}
    assert [f.cell for f in audit(system, state).recoverable if f.exact] == [("code", "age:0-17", "AW020")]
    collect: dict[str, object] = {}
    protected = code_tables(cc, pp, specs, collect=collect)
    assert audit(collect["system"], collect["state"]).clean  # type: ignore[arg-type]
    assert "X" in {
        protected["tabell5b"].set_index("code").loc["AW020", "patients"],
        protected["tabell1"].set_index("code").loc["AW020", "patients"],
    }


@pytest.mark.parametrize(
    ("n", "text", "known"), [(0, "0", (0, 0)), (12, "10", (8, 12)), (13, "15", (13, 17))]
)
def test_rounding_policy_publishes_to_five_and_the_audit_knows_the_interval(
    n: int, text: str, known: tuple[int, int]
) -> None:
    assert ROUND.count_text(n, None) == text
    assert ROUND.known(n, None) == known
    assert ROUND.count_text(7, sup.PRIMARY) == "<8"


def test_rounded_margins_still_narrow_a_suppressed_cell_and_protection_repairs_it() -> None:
    # a (1, suppressed <8) + b (100, shown 100: 98..102) = 101 (shown 100): a is 1..4 by the rounded figures
    system = sup.System(values={"a": 1, "b": 100, "m": 101}, groups=[sup.Group(("a", "b"), "m")])
    state = sup.protect(system, ROUND, complementary=False)
    assert not audit(system, state, ROUND).clean
    assert audit(system, sup.protect(system, ROUND), ROUND).clean


def test_every_suite_is_audited_before_it_is_written(extract: Extract, tmp_path: Path) -> None:
    # county 01: 50 persons with XV019, 3 others with XV020; the Min vårdplan indicator is 53 there
    rows = [contact(str(i), op="XV019" if i < 50 else "XV020" if i < 53 else "") for i in range(200)]
    rows += [contact(str(i), lan="03", op="XV019") for i in range(200, 300)]
    src = extract(rows)
    primary_only = run_suite(src, 2022, tmp_path / "p", trend_years=1, complementary=False)
    assert primary_only.audit is not None and not primary_only.audit.clean
    assert any(f.exact for f in primary_only.audit.recoverable)
    res = run_suite(src, 2022, tmp_path / "c", trend_years=1)
    assert res.audit is not None and res.audit.clean and res.audit.hidden > 0


def test_a_year_the_extract_only_partly_covers_is_flagged_and_left_out_of_the_trends(
    extract: Extract, tmp_path: Path
) -> None:
    import csv

    # a 2022 extract (contacts every month) with some contacts of December 2021: Min vårdplan 2021 would
    # read 50 % against 2,5 % in 2022 (the "16,8 % (2021) → 2,8 % (2022)")
    rows = [
        contact(str(i), indatum=f"2022-{i % 12 + 1:02d}-10", op="XV019" if i < 5 else "") for i in range(200)
    ]
    rows += [contact(str(i), indatum="2021-12-20", op="XV019" if i < 10 else "") for i in range(200, 220)]
    res = run_suite(extract(rows), 2022, tmp_path / "out", trend_years=2)
    ind = list(csv.DictReader((tmp_path / "out" / "indikatorer.csv").open(encoding="utf-8")))
    cover = {(r["year"], r["year_coverage"]) for r in ind if r["indicator_id"] == "min_vardplan"}
    assert cover == {("2021", "partial"), ("2022", "full")}
    html = (tmp_path / "out" / "rapport.html").read_text(encoding="utf-8")
    assert "Delvis täckta år" in html and "2021 (1 av 12 månader)" in html
    assert res.audit is not None and res.audit.clean
