"""The report's tables from engine counts: region (county) and RCC tables with suppression, and the code
frequency tables (Bilaga 2 tabell 1–5, 7, 8).

The engine (Ibis, any backend) only produces small count tables grouped by county; roll-ups to RCC and nation
are exact sums here because every person has exactly one county (or an unknown one, counted nationally only).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import pandas as pd

from canrehab.codes.geography import CountyFile, default_counties
from canrehab.codes.kva import rehab_codes
from canrehab.followup import suppression as sup
from canrehab.followup.population import YearModel, care_filter

NATION_CODE = "00"
NATION_NAME = "Totalt"
TOTAL = "__total__"
REGION_COLUMNS = ["region_code", "region_name", "code", "patients", "per_1000", "total_patients"]


def per_1000(n: int, total: int) -> float | None:
    if total <= 0:
        return None
    return float((Decimal(n) * 1000 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(n: int, total: int, decimals: int = 1) -> float | None:
    if total <= 0:
        return None
    q = Decimal(1).scaleb(-decimals)
    return float((Decimal(n) * 100 / Decimal(total)).quantize(q, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class GeoCounts:
    """Counts per county (None = unknown county) for some columns, plus the population per county."""

    columns: tuple[str, ...]
    cells: dict[tuple[str | None, str], int]  # (lan, column) -> persons
    totals: dict[str | None, int]  # lan -> population


def geo_counts(
    model: YearModel,
    codes: Sequence[str],
    *,
    year: int | None = None,
    care_type: str | None = None,
    kon: int | None = None,
    age_group: str | None = None,
) -> GeoCounts:
    p = _restrict(model.persons, year, care_type, kon, age_group, on_code=False)
    c = _restrict(model.codes, year, care_type, kon, age_group, on_code=True)
    c = c.filter(c.code.isin(list(codes)))
    # One query: code counts and population counts (code null), so the population is computed once.
    cnt = c.group_by(["lan", "code"]).aggregate(n=ibis._.count())
    tot = p.group_by("lan").aggregate(n=ibis._.count()).select("lan", code=ibis.null("string"), n="n")
    both = cnt.union(tot).to_pandas()
    is_tot = both["code"].isna()
    cnt, tot = both[~is_tot], both[is_tot]
    return GeoCounts(
        columns=tuple(codes),
        cells={(_lan(r["lan"]), str(r["code"])): int(r["n"]) for r in cnt.to_dict("records")},
        totals={_lan(r["lan"]): int(r["n"]) for r in tot.to_dict("records")},
    )


def _lan(v: Any) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return str(v)


def _restrict(
    t: ibis.Table,
    year: int | None,
    care_type: str | None,
    kon: int | None,
    age_group: str | None,
    *,
    on_code: bool,
) -> ibis.Table:
    if year is not None:
        t = t.filter(t.cyear == year)
    t = care_filter(t, care_type, on_code=on_code)
    if kon is not None:
        t = t.filter(t.kon == kon)
    if age_group is not None:
        t = t.filter(t.age_group == age_group)
    return t


@dataclass(frozen=True)
class GeoTable:
    """A county or RCC table: one row per unit and column, with the nation last. ``numbers`` keeps the raw
    figures and suppression states (for charts); ``published`` is what may be shown."""

    level: str
    # region_code, region_name, code, patients, total, per_1000, state, total_state ("" = published)
    numbers: pd.DataFrame
    threshold: int
    policy: sup.Policy = sup.SUPPRESS
    # the linear system of the county and RCC tables and its suppression, for the suite's joint audit
    system: sup.System | None = None
    state: dict[Hashable, str] | None = None

    def published(self, decimal: str = ".") -> pd.DataFrame:
        pol = self.policy
        rows = []
        for r in self.numbers.to_dict("records"):
            rate = _num(r["per_1000"])
            if pol.rounding > 1 and rate is not None:
                # rates from the rounded counts, so that a rate cannot undo the rounding
                rate = per_1000(pol.rounded(int(r["patients"])), pol.rounded(int(r["total"])))
            rows.append(
                {
                    "region_code": r["region_code"],
                    "region_name": r["region_name"],
                    "code": r["code"],
                    "patients": pol.count_text(r["patients"], r["state"] or None),
                    "per_1000": sup.rate_text(rate, r["state"] or r["total_state"] or None, 2, decimal),
                    "total_patients": pol.count_text(r["total"], r["total_state"] or None),
                }
            )
        return pd.DataFrame(rows, columns=REGION_COLUMNS)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def geo_tables(
    counts: GeoCounts,
    threshold: int = 4,
    *,
    complementary: bool = True,
    counties: CountyFile | None = None,
    policy: sup.Policy | None = None,
    already: Mapping[Hashable, str] | None = None,
) -> dict[str, GeoTable]:
    """County and RCC tables, suppressed jointly (so publishing both reveals nothing either hides)."""
    cf = counties or default_counties()
    county_codes = [c.code for c in cf.counties]
    rcc_of = {c.code: c.rcc for c in cf.counties}
    columns = [*counts.columns, TOTAL]

    def cell(lan: str | None, col: str) -> int:
        return counts.totals.get(lan, 0) if col == TOTAL else counts.cells.get((lan, col), 0)

    values: dict[Hashable, int] = {}
    for col in columns:
        for lan in county_codes:
            values[("county", lan, col)] = cell(lan, col)
        for r in cf.rccs:
            values[("rcc", r.code, col)] = sum(
                cell(lan, col) for lan in county_codes if rcc_of[lan] == r.code
            )
        # The nation includes persons with an unknown county: an unpublished cell of the nation's groups
        # (a small count of them must not be recoverable as nation minus the published counties).
        values[("unknown", "", col)] = cell(None, col)
        values[("nation", NATION_CODE, col)] = (
            sum(counts.totals.values())
            if col == TOTAL
            else sum(n for (_, c), n in counts.cells.items() if c == col)
        )
    groups: list[sup.Group] = []
    for col in columns:
        nat = ("nation", NATION_CODE, col)
        unknown = ("unknown", "", col)
        groups.append(sup.Group((*(("county", lan, col) for lan in county_codes), unknown), nat))
        groups.append(sup.Group((*(("rcc", r.code, col) for r in cf.rccs), unknown), nat))
        for r in cf.rccs:
            members = tuple(("county", lan, col) for lan in county_codes if rcc_of[lan] == r.code)
            groups.append(sup.Group(members, ("rcc", r.code, col)))
    system = sup.System(
        values=values,
        groups=groups,
        unpublished={k for k in values if k[0] == "unknown"},  # type: ignore[index]
    )
    state = sup.protect(
        system, policy or sup.Policy(threshold=threshold), complementary=complementary, already=already
    )

    def rows(level: str, units: list[tuple[str, str]]) -> pd.DataFrame:
        out = []
        for code, name in [*units, (NATION_CODE, NATION_NAME)]:
            lvl = "nation" if code == NATION_CODE else level
            total = values[(lvl, code, TOTAL)]
            for col in counts.columns:
                n = values[(lvl, code, col)]
                out.append(
                    {
                        "region_code": code,
                        "region_name": name,
                        "code": col,
                        "patients": n,
                        "total": total,
                        "per_1000": per_1000(n, total),
                        "state": state.get((lvl, code, col), ""),
                        "total_state": state.get((lvl, code, TOTAL), ""),
                    }
                )
        return pd.DataFrame(out)

    county_units = [(c.code, c.name) for c in cf.counties]
    rcc_units = [(r.code, f"RCC {r.name}") for r in cf.rccs]
    pol = policy or sup.Policy(threshold=threshold)
    return {
        "county": GeoTable("county", rows("county", county_units), threshold, pol, system, state),
        "rcc": GeoTable("rcc", rows("rcc", rcc_units), threshold, pol, system, state),
    }


# --- code frequency tables (Bilaga 2)
# -------------------------------------------------------------------------

CODE_COLUMNS = ["table", "stratum", "code", "text", "patients", "share_percent", "population"]


@dataclass(frozen=True)
class CodeTableSpec:
    id: str
    title_sv: str
    stratum: str  # "all", "sluten", "oppen", "age:<label>", "kon:1", "kon:2"
    top: int | None  # None: every code with at least min_count persons, the rest listed without counts


def default_code_tables(age_labels: Sequence[str] = ("0-17", "18+")) -> list[CodeTableSpec]:
    specs = [
        CodeTableSpec("tabell1", "Samtliga personer vårdade för cancer", "all", None),
        CodeTableSpec("tabell3", "Specialiserad öppenvård", "oppen", 20),
        CodeTableSpec("tabell4", "Slutenvård", "sluten", 20),
    ]
    for i, label in enumerate(age_labels):
        suffix = "abcdefghijklmnopqrstuvwxyz"[i] if i < 26 else str(i)
        specs.append(CodeTableSpec(f"tabell5{suffix}", f"Åldersgrupp {label} år", f"age:{label}", 20))
    specs += [
        CodeTableSpec("tabell7", "Kvinnor", "kon:2", 20),
        CodeTableSpec("tabell8", "Män", "kon:1", 20),
    ]
    return specs


def code_counts(model: YearModel, year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (code, kon, age_group): persons overall and by care type; and the same denominators."""
    c = model.codes if year is None else model.codes.filter(model.codes.cyear == year)
    p = model.persons if year is None else model.persons.filter(model.persons.cyear == year)
    cc = (
        c.group_by(["code", "kon", "age_group"])
        .aggregate(
            n=ibis._.count(),
            n_sluten=(c.sluten & c.on_sluten).cast("int64").sum(),
            n_oppen=(c.oppen & c.on_oppen).cast("int64").sum(),
        )
        .to_pandas()
    )
    pp = (
        p.group_by(["kon", "age_group"])
        .aggregate(
            n=ibis._.count(),
            n_sluten=p.sluten.cast("int64").sum(),
            n_oppen=p.oppen.cast("int64").sum(),
        )
        .to_pandas()
    )
    return cc, pp


def _stratum_rows(df: pd.DataFrame, stratum: str) -> tuple[pd.DataFrame, str]:
    """The rows of a stratum and the count column to add up."""
    if stratum == "all":
        return df, "n"
    if stratum in ("sluten", "oppen"):
        return df, f"n_{stratum}"
    key, value = stratum.split(":", 1)
    sub = df[df["age_group"] == value] if key == "age" else df[df["kon"].astype(int) == int(value)]
    return sub, "n"


def _stratum_codes(cc: pd.DataFrame, stratum: str) -> pd.Series:
    rows, col = _stratum_rows(cc, stratum)
    return rows.groupby("code")[col].sum()


def _stratum_total(pp: pd.DataFrame, stratum: str) -> int:
    rows, col = _stratum_rows(pp, stratum)
    return int(rows[col].sum())


def code_tables(
    cc: pd.DataFrame,
    pp: pd.DataFrame,
    specs: Sequence[CodeTableSpec],
    *,
    min_count: int = 100,
    threshold: int = 4,
    complementary: bool = True,
    already: Mapping[Hashable, str] | None = None,
    collect: dict[str, object] | None = None,
    policy: sup.Policy | None = None,
) -> dict[str, pd.DataFrame]:
    """Long tables per spec; codes under ``min_count`` (overall table) are listed without counts.
    ``collect`` receives the tables' linear system and suppression (``system``, ``state``). Under a rounding
    ``policy`` counts and populations are rounded and shares computed from the rounded counts."""
    pol = policy or sup.Policy(threshold=threshold)
    threshold = pol.threshold
    kva = rehab_codes()
    out: dict[str, pd.DataFrame] = {}
    for spec in specs:
        per_code = _stratum_codes(cc, spec.stratum) if len(cc) else pd.Series(dtype="int64")
        population = _stratum_total(pp, spec.stratum) if len(pp) else 0
        per_code = per_code[per_code > 0].sort_values(ascending=False, kind="stable")
        per_code = per_code.loc[sorted(per_code.index, key=lambda k: (-int(per_code[k]), k))]
        rows = []
        if spec.top is None:
            shown = per_code[per_code >= min_count]
            hidden = sorted(per_code[per_code < min_count].index)
        else:
            shown = per_code.head(spec.top)
            hidden = []
        shown_population = pol.rounded(int(population))
        for code, n in shown.items():
            small = sup.is_small(int(n), threshold)
            share = percent(pol.rounded(int(n)), shown_population) if not small else None
            rows.append(
                {
                    "table": spec.id,
                    "stratum": spec.stratum,
                    "code": code,
                    "text": kva.text(str(code)),
                    "patients": pol.count_text(int(n), sup.PRIMARY if small else None),
                    "share_percent": "X" if share is None else f"{share:.1f}",
                    "population": shown_population,
                }
            )
        for code in hidden:
            rows.append(
                {
                    "table": spec.id if spec.id != "tabell1" else "tabell2",
                    "stratum": spec.stratum,
                    "code": code,
                    "text": kva.text(str(code)),
                    "patients": "",
                    "share_percent": "",
                    "population": shown_population,
                }
            )
        out[spec.id] = pd.DataFrame(rows, columns=CODE_COLUMNS)
    if complementary or collect is not None:
        _protect_partitions(cc, specs, out, threshold, min_count, pp, complementary, already, collect, pol)
    return out


def code_system(
    cc: pd.DataFrame,
    pp: pd.DataFrame,
    specs: Sequence[CodeTableSpec],
    out: Mapping[str, pd.DataFrame],
    *,
    min_count: int = 100,
) -> sup.System:
    """The code tables as one linear system: per code, the strata that partition the population (women/men,
    the age bands) add up to the overall count, a care type's count is at most it (the populations are
    published exactly and take no part). A count a table does not show is unpublished; a code listed
    without its count in table 2 is known to be 1..min_count-1."""
    system = sup.System()
    strata = [s.stratum for s in specs]
    codes = sorted({str(c) for c in cc["code"]}) if len(cc) else []
    shown = {
        (s.stratum, str(r["code"]))
        for s in specs
        for r in out[s.id].to_dict("records")
        if str(r["patients"]) != ""
    }
    listed = {(s.stratum, str(r["code"])) for s in specs for r in out[s.id].to_dict("records")}
    for stratum in strata:
        per_code = _stratum_codes(cc, stratum) if len(cc) else pd.Series(dtype="int64")
        for code in codes:
            key = ("code", stratum, code)
            system.values[key] = int(per_code.get(code, 0))
            if (stratum, code) not in shown:
                system.unpublished.add(key)
                if (stratum, code) in listed:
                    system.known_override[key] = (1, min_count - 1)
    if "all" not in strata:
        return system
    partitions = [
        [s for s in strata if s.startswith("kon:")],
        [s for s in strata if s.startswith("age:")],
    ]
    for code in codes:
        whole = ("code", "all", code)
        for part in partitions:
            if len(part) >= 2:
                system.groups.append(sup.Group(tuple(("code", p, code) for p in part), whole))
        for care in ("sluten", "oppen"):
            if care in strata:
                system.subsets.append(sup.Subset(("code", care, code), whole))
    return system


def _protect_partitions(
    cc: pd.DataFrame,
    specs: Sequence[CodeTableSpec],
    out: dict[str, pd.DataFrame],
    threshold: int,
    min_count: int = 100,
    pp: pd.DataFrame | None = None,
    complementary: bool = True,
    already_joint: Mapping[Hashable, str] | None = None,
    collect: dict[str, object] | None = None,
    policy: sup.Policy | None = None,
) -> None:
    """Hide (X) the shown counts that, with the strata that partition the population, would narrow a small
    count: the code tables' linear system (``code_system``), protected and audited."""
    if not len(cc):
        return
    system = code_system(cc, pp if pp is not None else pd.DataFrame(), specs, out, min_count=min_count)
    already: dict[Hashable, str] = {
        ("code", s.stratum, str(r["code"])): sup.PRIMARY
        for s in specs
        for r in out[s.id].to_dict("records")
        if str(r["patients"]).startswith("<")
    }
    already.update(already_joint or {})
    state = sup.protect(
        system, policy or sup.Policy(threshold=threshold), already=already, complementary=complementary
    )
    if collect is not None:
        collect["system"], collect["state"] = system, state
    for s in specs:
        df = out[s.id]
        for code in {str(c) for c in df["code"]}:
            if state.get(("code", s.stratum, code)) == sup.COMPLEMENTARY:
                mask = (df["code"] == code) & (df["patients"] != "")
                df.loc[mask, "patients"] = sup.HIDDEN_TEXT
                df.loc[mask, "share_percent"] = sup.HIDDEN_TEXT
