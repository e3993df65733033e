"""Indicators as Ibis expressions (written once, run on DuckDB or PySpark), evaluated per year and unit.

The engine returns, per indicator, small count tables grouped by year, county, sex, age group and care-type
flags; nation/RCC/sex/age/care-type figures are exact sums of those, computed here, then suppressed.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import ibis
import pandas as pd

from canrehab.codes.geography import default_counties
from canrehab.followup import suppression as sup
from canrehab.followup import tables
from canrehab.followup.goals import IndicatorDef
from canrehab.followup.population import YearModel
from canrehab.followup.tables import NATION_CODE, NATION_NAME, GeoCounts, _lan, geo_tables, percent

RESULT_COLUMNS = [
    "indicator_id",
    "name_sv",
    "year",
    "level",
    "unit_code",
    "unit_name",
    "numerator",
    "denominator",
    "percent",
    "numerator_text",
    "denominator_text",
    "percent_text",
    "state",
    "goal_percent",
    "goal_by",
    "goal_met",
]
KEYS = ["cyear", "lan", "kon", "age_group"]
SEX_NAMES = {1: "Män", 2: "Kvinnor"}
CARE_NAMES = {"sluten": "Slutenvård", "oppen": "Specialiserad öppenvård"}


def denominator_expr(model: YearModel, ind: IndicatorDef) -> ibis.Table:
    p = model.persons
    d = ind.denominator
    if d.care_type:
        p = p.filter(p[d.care_type])
    if d.age_groups:
        p = p.filter(p.age_group.isin(list(d.age_groups)))
    if d.sex:
        p = p.filter(p.kon == d.sex)
    return p


def numerator_expr(model: YearModel, ind: IndicatorDef) -> ibis.Table:
    """Persons (one row each per year) in the denominator who meet the numerator, with care-type flags."""
    c = model.codes.filter(model.codes.code.isin(list(ind.kva().codes_any)))
    if ind.kva().care_type:
        c = c.filter(c[f"on_{ind.kva().care_type}"])
    d = ind.denominator
    if d.care_type:
        c = c.filter(c[d.care_type])
    if d.age_groups:
        c = c.filter(c.age_group.isin(list(d.age_groups)))
    if d.sex:
        c = c.filter(c.kon == d.sex)
    return c.group_by(["lopnr", *KEYS]).aggregate(
        sluten=(c.sluten & c.on_sluten).any(),
        oppen=(c.oppen & c.on_oppen).any(),
    )


def _counts(t: ibis.Table) -> pd.DataFrame:
    df = t.group_by([*KEYS, "sluten", "oppen"]).aggregate(n=ibis._.count()).to_pandas()
    df["lan"] = df["lan"].astype(object).where(df["lan"].notna(), None)
    return df


def evaluate(
    model: YearModel,
    defs: Sequence[IndicatorDef],
    years: Sequence[int],
    *,
    threshold: int = 4,
    complementary: bool = True,
    already: Mapping[tuple[str, int], Mapping[Hashable, str]] | None = None,
    collect: dict[tuple[str, int], tables.GeoTable] | None = None,
) -> pd.DataFrame:
    """Indicator rows per year and unit. ``already``: suppression states (per indicator and year) the suite's
    joint protection adds; ``collect`` receives each indicator-year's geographic table (its linear system)."""
    rows: list[dict[str, object]] = []
    for ind in defs:
        num = _counts(numerator_expr(model, ind))
        den = _counts(denominator_expr(model, ind))
        for year in years:
            rows += _year_rows(
                ind,
                year,
                num[num.cyear == year],
                den[den.cyear == year],
                threshold,
                complementary,
                (already or {}).get((ind.id, year)),
                collect,
            )
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    # person counts stay integers in machine-facing CSV even when some are suppressed (None → <NA>)
    return frame.astype({"numerator": "Int64", "denominator": "Int64"})


def _year_rows(
    ind: IndicatorDef,
    year: int,
    num: pd.DataFrame,
    den: pd.DataFrame,
    threshold: int,
    complementary: bool,
    already: Mapping[Hashable, str] | None = None,
    collect: dict[tuple[str, int], tables.GeoTable] | None = None,
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []

    def emit(
        level: str, code: str, name: str, n: int, d: int, state: str | None, d_state: str | None
    ) -> None:
        pct = percent(n, d) if state is None and d_state is None else None
        goal = ind.goal
        out.append(
            {
                "indicator_id": ind.id,
                "name_sv": ind.name_sv,
                "year": year,
                "level": level,
                "unit_code": code,
                "unit_name": name,
                "numerator": None if state else n,
                "denominator": None if d_state else d,
                "percent": pct,
                "numerator_text": sup.count_text(n, state, threshold),
                "denominator_text": sup.count_text(d, d_state, threshold),
                "percent_text": sup.rate_text(pct, state or d_state, 1),
                "state": state,
                "goal_percent": goal.level_percent if goal else None,
                "goal_by": goal.by_date.isoformat() if goal else None,
                "goal_met": (pct >= goal.level_percent) if goal and pct is not None else None,
            }
        )

    cells: dict[tuple[str | None, str], int] = {
        (_lan(lan), "numerator"): int(n) for lan, n in num.groupby("lan", dropna=False)["n"].sum().items()
    }
    totals: dict[str | None, int] = {
        _lan(lan): int(n) for lan, n in den.groupby("lan", dropna=False)["n"].sum().items()
    }
    geo = geo_tables(
        GeoCounts(("numerator",), cells, totals), threshold, complementary=complementary, already=already
    )
    if collect is not None:
        collect[(ind.id, year)] = geo["county"]
    wanted_geo = [lvl for lvl in ("county", "rcc") if lvl in ind.disaggregations]
    nation_done = False
    for lvl in ["county", "rcc"]:
        for r in geo[lvl].numbers.to_dict("records"):
            if r["region_code"] == NATION_CODE:
                if not nation_done:
                    emit(
                        "nation",
                        NATION_CODE,
                        NATION_NAME,
                        r["patients"],
                        r["total"],
                        r["state"] or None,
                        r["total_state"] or None,
                    )
                    nation_done = True
                continue
            if lvl in wanted_geo:
                emit(
                    lvl,
                    r["region_code"],
                    r["region_name"],
                    r["patients"],
                    r["total"],
                    r["state"] or None,
                    r["total_state"] or None,
                )

    def split(column: str, units: list[tuple[Hashable, str]], level: str) -> None:
        n_by = num.groupby(column)["n"].sum()
        d_by = den.groupby(column)["n"].sum()
        values: dict[Hashable, int] = {}
        for key, _ in units:
            values[("n", key)] = int(n_by.get(key, 0))
            values[("d", key)] = int(d_by.get(key, 0))
        values[("n", "all")] = int(num["n"].sum())
        values[("d", "all")] = int(den["n"].sum())
        groups = (
            [sup.Group(tuple((kind, k) for k, _ in units), (kind, "all")) for kind in ("n", "d")]
            if level != "care_type"
            else []
        )
        state = sup.suppress(values, groups, threshold, complementary=complementary)
        for key, name in units:
            emit(
                level,
                str(key),
                name,
                values[("n", key)],
                values[("d", key)],
                state.get(("n", key)),
                state.get(("d", key)),
            )

    if "sex" in ind.disaggregations:
        split("kon", [(1, SEX_NAMES[1]), (2, SEX_NAMES[2])], "sex")
    if "age_group" in ind.disaggregations:
        labels = sorted(
            {str(a) for a in den["age_group"].dropna()}, key=lambda s: int(s.split("-")[0].rstrip("+"))
        )
        split("age_group", [(a, f"{a} år") for a in labels], "age_group")
    if "care_type" in ind.disaggregations:
        split_care(ind, num, den, emit, threshold)
    return out


def split_care(ind: IndicatorDef, num: pd.DataFrame, den: pd.DataFrame, emit: object, threshold: int) -> None:
    for care in ("sluten", "oppen"):
        n = int(num.loc[num[care].astype(bool), "n"].sum())
        d = int(den.loc[den[care].astype(bool), "n"].sum())
        state = sup.PRIMARY if sup.is_small(n, threshold) else None
        d_state = sup.PRIMARY if sup.is_small(d, threshold) else None
        emit("care_type", care, CARE_NAMES[care], n, d, state, d_state)  # type: ignore[operator]


def counties_order() -> list[str]:
    return [c.code for c in default_counties().counties]
