"""Primary and complementary suppression."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canrehab.followup import api
from canrehab.followup import suppression as sup
from canrehab.followup.tables import GeoCounts, geo_tables
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]


def _published(policy: str, numerator: int, denominator: int, threshold: int) -> tuple[str, str, str]:
    """What a reader sees of a numerator of a denominator under ``policy``: (numerator, denominator, rate)."""
    if policy == sup.DASHBOARD:
        cells = sup.share_cells(numerator, denominator, threshold)
        return cells.numerator_text, cells.denominator_text, "X" if cells.hidden else "rate"
    state = sup.primary({"num": numerator, "den": denominator}, threshold)
    rate = sup.rate_text(1.0, state.get("num") or state.get("den"))
    return (
        sup.count_text(numerator, state.get("num"), threshold),
        sup.count_text(denominator, state.get("den"), threshold),
        "X" if rate == "X" else "rate",
    )


# The two disclosure-control policies side by side (see the module docstring for why they differ):
# (policy, numerator, denominator, threshold) -> published (numerator, denominator, rate).
RULES = [
    (sup.REPORT, 0, 100, 4, ("0", "100", "rate")),  # zero reveals no person
    (sup.REPORT, 1, 100, 4, ("<4", "100", "X")),
    (sup.REPORT, 3, 100, 4, ("<4", "100", "X")),
    (sup.REPORT, 4, 100, 4, ("4", "100", "rate")),  # the threshold itself is published
    (sup.REPORT, 98, 100, 4, ("98", "100", "rate")),  # a small complement is not the report's concern
    (sup.REPORT, 0, 3, 4, ("0", "<4", "X")),
    (sup.REPORT, 4, 100, 6, ("<6", "100", "X")),  # the threshold is configurable
    (sup.DASHBOARD, 0, 100, 4, ("0", "100", "rate")),
    (sup.DASHBOARD, 2, 100, 4, ("<4", "100", "X")),
    (sup.DASHBOARD, 4, 100, 4, ("4", "100", "rate")),
    (sup.DASHBOARD, 98, 100, 4, ("X", "100", "X")),  # 2 patients fail: the complement is small
    (sup.DASHBOARD, 100, 100, 4, ("100", "100", "rate")),  # nobody fails: nothing to hide
    (sup.DASHBOARD, 0, 3, 4, ("X", "<4", "X")),  # "0 of <4" would say every one of them failed
    (sup.DASHBOARD, 2, 3, 4, ("<4", "<4", "X")),
    (sup.DASHBOARD, 0, 0, 4, ("0", "0", "rate")),
    (sup.DASHBOARD, 4, 10, 6, ("<6", "10", "X")),
]


@pytest.mark.parametrize(("policy", "numerator", "denominator", "threshold", "expected"), RULES)
def test_disclosure_rules(
    policy: str, numerator: int, denominator: int, threshold: int, expected: tuple[str, str, str]
) -> None:
    assert _published(policy, numerator, denominator, threshold) == expected


def test_primary_small_counts_become_lt4_and_x_zero_stays_zero() -> None:
    assert sup.count_text(7, sup.COMPLEMENTARY, 4) == "X"
    assert sup.rate_text(0.0, None) == "0.00"


def test_single_suppressed_cell_gets_a_complementary_partner() -> None:
    counts = {"a": 2, "b": 50, "c": 9, "d": 0, "total": 61}
    state = sup.suppress(counts, [sup.Group(("a", "b", "c", "d"), "total")], 4)
    assert state["a"] == sup.PRIMARY
    assert state["c"] == sup.COMPLEMENTARY  # smallest positive cell
    assert "b" not in state and "d" not in state and "total" not in state


def test_two_small_cells_with_a_revealing_sum_get_more_company() -> None:
    # 1 + 1 = 2 would reveal both (each is 1..3), so a third cell is suppressed
    counts = {"a": 1, "b": 1, "c": 20, "d": 30, "total": 52}
    state = sup.suppress(counts, [sup.Group(("a", "b", "c", "d"), "total")], 4)
    assert {k for k, v in state.items() if v == sup.COMPLEMENTARY} == {"c"}
    assert sum(counts[k] for k in state) >= 8


def test_margin_is_suppressed_only_when_nothing_else_is_left() -> None:
    counts = {"a": 2, "total": 2}
    state = sup.suppress(counts, [sup.Group(("a",), "total")], 4)
    assert state == {"a": sup.PRIMARY, "total": sup.PRIMARY}
    counts = {"a": 3, "b": 3, "z": 0, "total": 6}
    state = sup.suppress(counts, [sup.Group(("a", "b", "z"), "total")], 4)
    # a zero cell is never hidden (it protects nothing); 6 = 3 + 3 would pin both down, so the margin goes
    assert state == {"a": sup.PRIMARY, "b": sup.PRIMARY, "total": sup.COMPLEMENTARY}


def test_zero_cells_stay_zero_and_a_narrowing_margin_is_hidden() -> None:
    # 3 + 2 = 5 in the nation would narrow each <4 cell to 2..3 (not its whole range 1..3): the nation is
    # hidden, the zero counties stay 0 (the auditor's case: AW035 in two counties only)
    counts = {"a": 3, "b": 2, **{f"z{i}": 0 for i in range(19)}, "nation": 5}
    cells = ("a", "b", *(f"z{i}" for i in range(19)))
    state = sup.suppress(counts, [sup.Group(cells, "nation")], 4)
    assert state == {"a": sup.PRIMARY, "b": sup.PRIMARY, "nation": sup.COMPLEMENTARY}
    # 1 + 3 + 2 = 6 leaves each of three <4 cells its whole range: the nation stays published
    counts = {"a": 1, "b": 3, "c": 2, "z": 0, "nation": 6}
    assert sup.suppress(counts, [sup.Group(("a", "b", "c", "z"), "nation")], 4) == {
        "a": sup.PRIMARY,
        "b": sup.PRIMARY,
        "c": sup.PRIMARY,
    }
    # the margin is hidden instead of the zeros
    counts = {"a": 3, "b": 3, "c": 3, "z": 0, "nation": 9}  # 9 = 3 + 3 + 3: all three pinned down
    state = sup.suppress(counts, [sup.Group(("a", "b", "c", "z"), "nation")], 4)
    assert state == {"a": sup.PRIMARY, "b": sup.PRIMARY, "c": sup.PRIMARY, "nation": sup.COMPLEMENTARY}


def _possible_values(bounds: list[tuple[int, int]], total: int) -> list[set[int]]:
    """For each hidden cell, the values it can take given every cell's bounds and their known sum."""
    out = []
    for i, (lo, hi) in enumerate(bounds):
        others = [b for j, b in enumerate(bounds) if j != i]
        reachable = {0}
        for olo, ohi in others:
            reachable = {r + v for r in reachable for v in range(olo, ohi + 1) if r + v <= total}
        out.append({v for v in range(lo, hi + 1) if total - v in reachable})
    return out


def test_complementary_off_reproduces_primary_only() -> None:
    counts = {"a": 2, "b": 50, "total": 52}
    assert sup.suppress(counts, [sup.Group(("a", "b"), "total")], 4, complementary=False) == {
        "a": sup.PRIMARY
    }


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=4), min_size=1, max_size=4),
    st.integers(3, 6),  # at threshold 2, "<2" itself says "1": there is nothing to protect
)
def test_no_group_leaves_a_lone_or_revealing_suppressed_set(rows: list[list[int]], threshold: int) -> None:
    # hierarchy: cells -> subtotal per row -> grand total
    counts: dict[object, int] = {}
    groups = []
    for i, row in enumerate(rows):
        for j, n in enumerate(row):
            counts[(i, j)] = n
        counts[("sub", i)] = sum(row)
        groups.append(sup.Group(tuple((i, j) for j in range(len(row))), ("sub", i)))
    counts["all"] = sum(sum(r) for r in rows)
    groups.append(sup.Group(tuple(("sub", i) for i in range(len(rows))), "all"))
    state = sup.suppress(counts, groups, threshold)
    for g in groups:
        hidden = [m for m in g.cells if m in state]
        if hidden and g.margin not in state:
            # what a reader can derive: the hidden cells' sum (margin minus the published cells) and their
            # bounds (<4 cells are 1..threshold-1, X cells at least 1): no hidden cell may be pinned down
            total = sum(counts[m] for m in hidden)
            bounds = [(1, threshold - 1) if state[m] == sup.PRIMARY else (1, total) for m in hidden]
            for m, values in zip(hidden, _possible_values(bounds, total), strict=True):
                assert len(values) >= 2, (g, m, state)
    for k, n in counts.items():
        if 0 < n < threshold:
            assert k in state  # <4, or X when its smallness would narrow another cell
        if n == 0:
            assert k not in state


def test_persons_with_unknown_county_cannot_be_counted_by_subtraction() -> None:
    # 2 persons without a county: the nation minus the published counties must not reveal them
    cells = {("01", "AW020"): 500, ("03", "AW020"): 40, (None, "AW020"): 2}
    totals = {"01": 5000, "03": 3000, None: 2}
    tabs = geo_tables(GeoCounts(("AW020",), cells, totals), 4)
    rows = tabs["county"].numbers
    for state_column in ("state", "total_state"):
        # a county or the nation is hidden with them (Uppsala, the smallest positive cell)
        hidden = set(rows.loc[rows[state_column] != "", "region_code"])
        assert hidden & {"01", "03", "00"}, state_column
    assert tabs["county"].published().set_index("region_code").loc["03", "patients"] == "X"


def test_county_rcc_and_nation_are_suppressed_jointly() -> None:
    # Gotland (09) has 2 persons with the code: Stockholm (01), its RCC partner, must not be published
    # as-is, or RCC Stockholm-Gotland minus Stockholm would reveal Gotland.
    cells = {("01", "AW020"): 500, ("09", "AW020"): 2, ("12", "AW020"): 40, ("14", "AW020"): 60}
    totals = {"01": 5000, "09": 200, "12": 3000, "14": 3500, None: 10}
    tabs = geo_tables(GeoCounts(("AW020",), cells, totals), 4)
    county = tabs["county"].published().set_index("region_code")
    rcc = tabs["rcc"].published().set_index("region_code")
    assert county.loc["09", "patients"] == "<4" and county.loc["09", "per_1000"] == "X"
    assert "X" in (county.loc["01", "patients"], rcc.loc["STHLM_GOTLAND", "patients"])
    # a county with 0 persons with the code shows 0
    assert county.loc["03", "patients"] == "0"


def test_region_report_suppresses_small_counts(extract: Extract) -> None:
    rows = [contact(str(i), lan="01") for i in range(1, 41)]
    rows += [contact(str(i), lan="03") for i in range(41, 81)]
    for i in range(0, 2):
        rows[i]["op"] = "AW020"  # 2 in Stockholm
    for i in range(40, 50):
        rows[i]["op"] = "AW020"  # 10 in Uppsala
    df = api.region_table(extract(rows), 2022, ["AW020"])
    by = df.set_index("region_code")
    assert by.loc["01", "patients"] == "<4" and by.loc["01", "per_1000"] == "X"
    # nation 12 = Stockholm + Uppsala: hiding Uppsala would also need its RCC (10 + 10 persons), so the
    # least-cost complement is the nation (12)
    assert by.loc["03", "patients"] == "10"
    assert by.loc["00", "patients"] == "X" and by.loc["00", "per_1000"] == "X"
    primary_only = api.region_table(extract(rows), 2022, ["AW020"], complementary=False).set_index(
        "region_code"
    )
    assert primary_only.loc["03", "patients"] == "10"


def test_code_tables_hide_a_stratum_count_that_subtraction_would_reveal() -> None:
    import pandas as pd

    from canrehab.followup.tables import code_tables, default_code_tables

    # AW020: 120 persons, 118 women (shown in the women's top 20) and 2 men (outside the men's top 20)
    rows = [
        {"code": "AW020", "kon": 2, "age_group": "18+", "n": 118, "n_sluten": 0, "n_oppen": 118},
        {"code": "AW020", "kon": 1, "age_group": "18+", "n": 2, "n_sluten": 0, "n_oppen": 2},
    ]
    rows += [
        {"code": f"XS{900 + i}", "kon": 1, "age_group": "18+", "n": 200 + i, "n_sluten": 0, "n_oppen": 1}
        for i in range(25)
    ]
    cc = pd.DataFrame(rows)
    pp = pd.DataFrame(
        [
            {"kon": 1, "age_group": "18+", "n": 5000, "n_sluten": 0, "n_oppen": 5000},
            {"kon": 2, "age_group": "18+", "n": 4000, "n_sluten": 0, "n_oppen": 4000},
        ]
    )
    tabs = code_tables(cc, pp, default_code_tables())
    women = tabs["tabell7"].set_index("code")
    assert women.loc["AW020", "patients"] == "X" and women.loc["AW020", "share_percent"] == "X"
    assert "AW020" not in set(tabs["tabell8"]["code"])
    assert tabs["tabell1"].set_index("code").loc["AW020", "patients"] == "120"
    # a code whose hidden remainder is large stays published
    assert women.shape[0] >= 1 and tabs["tabell8"].set_index("code").loc["XS924", "patients"] == "224"
