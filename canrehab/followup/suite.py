"""The full report suite for a year: region and RCC tables, code tables (Bilaga 2 tabell 1–5, 7, 8),
indicators with their trend over several years; as CSV files, one Excel workbook, an HTML report and
charts.

One population model (cached on the backend) serves every table."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from canrehab import __version__
from canrehab.codes.kva import rehab_codes
from canrehab.followup import population, suite_disclosure, tables
from canrehab.followup import suppression as sup
from canrehab.followup.disclosure_audit import AuditResult, DisclosureError
from canrehab.followup.disclosure_audit import audit as audit_published
from canrehab.followup.goals import IndicatorDef, default_indicators
from canrehab.followup.indicators import evaluate
from canrehab.followup.render import charts
from canrehab.followup.render.csvout import write_csv
from canrehab.followup.render.html import render_report
from canrehab.followup.render.swedish import fmt_cell, fmt_dec, fmt_int
from canrehab.followup.render.xlsx import Sheet, write_workbook
from canrehab.followup.sources import Source, contacts_table

DEFAULT_REGION_CODES = ("AW020", "AW024", "XV019", "XV020")
LEVEL_SV = {
    "nation": "Riket",
    "county": "Region",
    "rcc": "RCC",
    "sex": "Kön",
    "age_group": "Ålder",
    "care_type": "Vårdform",
}


def stratum_sv(stratum: str) -> str:
    """A code table's selection in Swedish (``all``, ``sluten``, ``kon:2``, ``age:0-17`` …)."""
    fixed = {"all": "Alla", "sluten": "Slutenvård", "oppen": "Specialiserad öppenvård"}
    if stratum in fixed:
        return fixed[stratum]
    key, _, value = stratum.partition(":")
    if key == "kon":
        return {"1": "Män", "2": "Kvinnor"}.get(value, stratum)
    if key == "age":
        return f"{value.replace('-', '–')} år"
    return stratum


def _in_swedish(df: pd.DataFrame, column: str, translate: Callable[[str], str]) -> pd.DataFrame:
    """A copy of ``df`` with an internal code column (level, selection) in Swedish, for human output."""
    return df.assign(**{column: df[column].map(lambda v: translate(str(v)))}) if len(df) else df


EXCEL_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def code_sheet_name(table_id: str, title_sv: str) -> str:
    """A code table's Excel sheet as people name it: ``Tabell 5a Åldersgrupp 0-17 år`` (Bilaga 2's number
    and the table's title, at most Excel's 31 characters), not the internal id ``tabell5a``."""
    number = table_id.removeprefix("tabell")
    return " ".join(f"Tabell {number} {title_sv}".translate(EXCEL_FORBIDDEN).split())[:31].rstrip()


def level_sv(level: str) -> str:
    return LEVEL_SV.get(level, level)


REGION_HEADERS = {
    "region_code": "Kod",
    "region_name": "Region/län",
    "code": "KVÅ",
    "patients": "Antal",
    "per_1000": "Antal per 1 000",
    "total_patients": "Totalt antal cancerpatienter",
}
CODE_HEADERS = {
    "table": "Tabell",
    "stratum": "Urval",
    "code": "KVÅ",
    "text": "Vårdåtgärd",
    "patients": "Antal",
    "share_percent": "Andel (%)",
    "population": "Antal i urvalet",
}
IND_HEADERS = {
    "indicator_id": "Indikator",
    "name_sv": "Namn",
    "year": "År",
    "level": "Nivå",
    "unit_code": "Kod",
    "unit_name": "Enhet",
    "numerator_text": "Täljare",
    "denominator_text": "Nämnare",
    "percent_text": "Procent",
    "goal_percent": "Målnivå (%)",
    "goal_by": "Mål senast",
    "goal_met": "Mål uppnått",
}


REGION_NUMERIC = {"patients": 0, "per_1000": 2, "total_patients": 0}
CODE_NUMERIC = {"patients": 0, "share_percent": 1, "population": 0}
IND_NUMERIC = {"numerator_text": 0, "denominator_text": 0, "percent_text": 1, "goal_percent": 0}


@dataclass
class SuiteResult:
    out: Path
    files: list[Path] = field(default_factory=list)
    population: int = 0
    audit: AuditResult | None = None  # the disclosure audit of everything the suite published together
    policy: sup.Policy = sup.SUPPRESS  # the disclosure policy the suite was published under


def resolve_policy(policy: str | sup.Policy = "suppress", threshold: int = 4) -> sup.Policy:
    """The disclosure policy by name: ``suppress`` (counts 1..threshold-1 as ``<threshold``, the register
    reports' rule) or ``round`` (OpenSAFELY's: counts up to 7 suppressed, the rest rounded to the nearest 5;
    ``threshold`` does not apply)."""
    if isinstance(policy, sup.Policy):
        return policy
    if policy == "suppress":
        return sup.Policy(threshold=threshold)
    if policy in sup.POLICIES:
        return sup.POLICIES[policy]
    raise ValueError(f"okänd röjandepolicy {policy!r}: välj {' eller '.join(sup.POLICIES)}")


def policy_note_sv(policy: sup.Policy) -> str:
    """The disclosure policy in one Swedish sentence (the report's footnote and metadata)."""
    t = policy.threshold
    if policy.rounding > 1:
        return (
            f"Röjandepolicy: avrundning (OpenSAFELY). Antal 1–{t - 1} redovisas som <{t} och kvoten som X; "
            f"övriga antal avrundas till närmaste {policy.rounding}-tal och kvoter beräknas på de avrundade "
            "antalen; 0 visas som 0."
        )
    return (
        f"Röjandepolicy: undertryckning. Antal 1–{t - 1} redovisas som <{t} och kvoten som X; 0 visas som 0."
    )


def _method_notes(threshold: int, complementary: bool, policy: sup.Policy | None = None) -> list[str]:
    policy = policy or sup.Policy(threshold=threshold)
    return [
        "Studiepopulation: personer med minst en kontakt under året med huvuddiagnos C00–C97 "
        "(maligna tumörer) "
        "i slutenvård eller specialiserad öppenvård (läkarbesök).",
        "En person räknas en gång per åtgärd om åtgärden registrerats vid någon av personens kontakter under "
        "året, oavsett huvuddiagnos vid den kontakten. Personer räknas, inte registreringar.",
        "Region: personens län enligt den senaste kontakten under året som har länskod. Personer "
        "med okänt län "
        "ingår bara i riket.",
        "Vårdform: personen ingår i slutenvård (öppenvård) om hen haft en cancerkontakt i den "
        "vårdformen, och "
        "har åtgärden där om den registrerats vid en kontakt i den vårdformen.",
        policy_note_sv(policy)
        + (
            " Kompletterande undertryckning (X) hindrar att ett dolt värde räknas fram ur summor."
            if complementary
            else ""
        ),
        "Källa: patientregistret (extrakt). Kontaktens år: utskrivningsår för slutenvård, besöksår "
        "för öppenvård.",
    ]


def run_suite(
    source: Source,
    year: int,
    out: Path,
    *,
    backend: str = "duckdb",
    codes: Sequence[str] = DEFAULT_REGION_CODES,
    trend_years: int = 5,
    threshold: int = 4,
    complementary: bool = True,
    min_count: int = 100,
    definitions: Sequence[IndicatorDef] | None = None,
    bands: population.Bands = population.DEFAULT_AGE_BANDS,
    policy: str | sup.Policy = "suppress",
) -> SuiteResult:
    pol = resolve_policy(policy, threshold)
    threshold = pol.threshold
    out.mkdir(parents=True, exist_ok=True)
    defs = list(definitions or default_indicators().of_source("register"))
    years = list(range(year - trend_years + 1, year + 1))
    all_codes = sorted(
        {c.code for c in rehab_codes().codes} | set(codes) | {c for d in defs for c in d.kva().codes_any}
    )
    res = SuiteResult(out=out, policy=pol)
    with contacts_table(source, backend) as (_, contacts):
        months = population.months_covered(contacts, years)
        model = population.build(contacts, years, all_codes, bands, cache=True)
        try:
            counts = tables.geo_counts(model, list(codes), year=year)
            cc, pp = tables.code_counts(model, year)
            ind_geo: dict[tuple[str, int], tables.GeoTable] = {}
            ind = evaluate(
                model, defs, years, threshold=threshold, complementary=complementary, collect=ind_geo
            )
            specs = tables.default_code_tables([population.band_label(lo, hi) for lo, hi in bands])
            geo, code_tabs, audit, ind = _protected(
                model,
                counts,
                cc,
                pp,
                specs,
                ind,
                ind_geo,
                defs,
                years,
                year,
                codes,
                threshold=threshold,
                complementary=complementary,
                min_count=min_count,
                policy=pol,
            )
            res.audit = audit
        finally:
            model.release()
    ind = rounded_indicators(ind, pol)
    if len(ind):
        # Drop only the rows without a population (denominator 0); a suppressed denominator (None) is a row
        # with a small population, published as <4 / X.
        empty = ind["denominator"].notna() & (pd.to_numeric(ind["denominator"]) == 0)
        ind = ind[~empty].reset_index(drop=True)
    shown_years = _years_with_data(ind, year)
    ind = ind[ind["year"].isin(shown_years)]
    partial = partly_covered(months, shown_years)
    # machine-facing: every year with its coverage; human-facing trends: only the fully covered years
    ind = ind.assign(year_coverage=ind["year"].map(lambda y: "partial" if int(y) in partial else "full"))
    ind_csv = ind
    ind = ind[~ind["year"].isin(partial)].reset_index(drop=True)
    coverage_note = coverage_note_sv(partial, months)
    shown_years = [y for y in shown_years if y not in partial] or [year]
    res.population = int(pp["n"].sum()) if len(pp) else 0

    # CSV (machine-facing)
    region_pub = geo["county"].published()
    rcc_pub = geo["rcc"].published()
    csv_files = {"region.csv": region_pub, "rcc.csv": rcc_pub, "indikatorer.csv": ind_csv}
    for spec in specs:
        csv_files[f"koder_{spec.id}.csv"] = code_tabs[spec.id]
    for name, df in csv_files.items():
        write_csv(df, out / name)
        res.files.append(out / name)

    # Charts
    chart_dir = out / "diagram"
    kva = rehab_codes()
    region_sections = []
    for code in codes:
        png, svg = charts.county_ranking(
            rounded_numbers(geo["county"].numbers, pol),
            code,
            f"{code} {kva.text(code)}, {year}: per 1 000 cancerpatienter",
            chart_dir / f"region_{code}",
        )
        res.files += [png, svg]
        region_sections.append(_region_section(geo["county"], code, kva.text(code), svg))
    ind_sections = []
    for d in defs:
        sub = ind[ind["indicator_id"] == d.id]
        if not len(sub):
            continue
        png, svg = charts.indicator_trend(
            sub,
            d.id,
            f"{d.name_sv} (procent)",
            chart_dir / f"indikator_{d.id}",
            note=f"Delvis täckta år utelämnade: {', '.join(map(str, sorted(partial)))}" if partial else "",
        )
        res.files += [png, svg]
        ind_sections.append(_indicator_section(d, sub, year, svg))

    # Excel
    sheets = [
        Sheet("Region", f"Per region {year}", region_pub, REGION_HEADERS, REGION_NUMERIC),
        Sheet("RCC", f"Per RCC {year}", rcc_pub, REGION_HEADERS, REGION_NUMERIC),
        Sheet(
            "Indikatorer",
            f"Indikatorer {shown_years[0]}"
            + (f"–{shown_years[-1]}" if shown_years[-1] != shown_years[0] else ""),
            _in_swedish(ind, "level", level_sv),
            IND_HEADERS,
            IND_NUMERIC,
        ),
    ]
    for spec in specs:
        sheets.append(
            Sheet(
                code_sheet_name(spec.id, spec.title_sv),
                f"{spec.title_sv} {year}",
                _in_swedish(code_tabs[spec.id], "stratum", stratum_sv),
                CODE_HEADERS,
                CODE_NUMERIC,
            )
        )
    sheets.append(
        Sheet(
            "Metod",
            "Metod",
            pd.DataFrame({"text": _method_notes(threshold, complementary, pol) + coverage_note}),
            {"text": "Beskrivning"},
            {},
        )
    )
    if len(ind):
        trend = ind[ind["level"].isin(["nation", "rcc", "county"])].pivot_table(
            index=["indicator_id", "level", "unit_code", "unit_name"],
            columns="year",
            values="percent_text",
            aggfunc="first",
            sort=False,
        )
        trend.columns = [str(c) for c in trend.columns]
        trend = _in_swedish(trend.reset_index(), "level", level_sv)
        names = {d.id: d.name_sv for d in defs}  # the indicator by its name, not its internal id
        trend = _in_swedish(trend, "indicator_id", lambda v: names.get(v, v))
        headers = {"indicator_id": "Indikator", "level": "Nivå", "unit_code": "Kod", "unit_name": "Enhet"}
        headers |= {c: c for c in trend.columns if c not in headers}
        numeric = {
            c: 1 for c in trend.columns if c not in ("indicator_id", "level", "unit_code", "unit_name")
        }
        sheets.insert(3, Sheet("Indikatortrend", "Indikatorer: procent per år", trend, headers, numeric))
    write_workbook(sheets, out / "rapport.xlsx")
    res.files.append(out / "rapport.xlsx")

    # HTML
    context = {
        "title": f"Uppföljning av cancerrehabilitering {year}",
        "subtitle": "Registrerade vårdåtgärder av relevans för cancerrehabilitering bland personer "
        "som vårdats "
        "för cancer, per region, RCC, kön, ålder och vårdform.",
        "year": year,
        "kpis": _kpis(geo, pp, code_tabs, pol),
        "region_sections": region_sections,
        "rcc_codes": list(codes),
        "rcc_rows": _rcc_rows(geo["rcc"], list(codes)),
        "indicators": ind_sections,
        "code_tables": _code_sections(code_tabs, specs),
        "min_count": min_count,
        "method": _method_notes(threshold, complementary, pol) + coverage_note,
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "version": __version__,
    }
    render_report(context, out / "rapport.html")
    res.files.append(out / "rapport.html")
    res.files.append(write_metadata(res, complementary))
    return res


METADATA = "metadata.json"


def write_metadata(res: SuiteResult, complementary: bool) -> Path:
    """The report's disclosure metadata: the policy (and its Swedish footnote) and the joint audit's figures
    (no person-level data)."""
    pol = res.policy
    audit = res.audit
    meta = {
        "policy": "round" if pol.rounding > 1 else "suppress",
        "threshold": pol.threshold,
        "rounding": pol.rounding,
        "complementary": complementary,
        "policy_sv": policy_note_sv(pol),
        "audit": None
        if audit is None
        else {
            "hidden": audit.hidden,
            "recoverable": len(audit.recoverable),
            "exact": sum(f.exact for f in audit.recoverable),
            "summary_sv": audit.summary_sv(),
        },
        "version": __version__,
    }
    path = res.out / METADATA
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def partly_covered(months: dict[int, int], years: Sequence[int]) -> set[int]:
    """Years the extract covers only in part: contacts in fewer calendar months than the best-covered year
    (a 2022 extract with some contacts of December 2021 covers 2021 in one month of twelve)."""
    best = max((months.get(y, 0) for y in years), default=0)
    return {y for y in years if months.get(y, 0) < best}


def coverage_note_sv(partial: set[int], months: dict[int, int]) -> list[str]:
    if not partial:
        return []
    parts = ", ".join(f"{y} ({months.get(y, 0)} av 12 månader)" for y in sorted(partial))
    return [
        f"Delvis täckta år: extraktet har kontakter under bara en del av året {parts}. Dessa år visas inte i "
        "trenderna (diagram och tabeller) eftersom andelarna inte är jämförbara; i indikatorer.csv har de "
        "year_coverage = partial."
    ]


def _protected(
    model: population.YearModel,
    counts: tables.GeoCounts,
    cc: pd.DataFrame,
    pp: pd.DataFrame,
    specs: Sequence[tables.CodeTableSpec],
    ind: pd.DataFrame,
    ind_geo: dict[tuple[str, int], tables.GeoTable],
    defs: Sequence[IndicatorDef],
    years: Sequence[int],
    year: int,
    codes: Sequence[str],
    *,
    threshold: int,
    complementary: bool,
    min_count: int,
    policy: sup.Policy | None = None,
) -> tuple[dict[str, tables.GeoTable], dict[str, pd.DataFrame], AuditResult, pd.DataFrame]:
    """Suppress every table of the suite as one linear system and audit it before anything is written: each
    table is first protected on its own, then the joint system (with the relations between the tables) is
    completed, the tables are rebuilt with the joint states, and the joint audit must be clean (unless
    complementary suppression is off, when the audit only reports what is recoverable). Under rounding
    the audit knows every published count only as its rounding interval."""
    policy = policy or sup.Policy(threshold=threshold)
    geo = tables.geo_tables(counts, threshold, complementary=complementary, policy=policy)
    collect: dict[str, object] = {}
    code_tabs = tables.code_tables(
        cc,
        pp,
        specs,
        min_count=min_count,
        threshold=threshold,
        complementary=complementary,
        collect=collect,
        policy=policy,
    )
    system = suite_disclosure.joint(geo["county"], ind_geo, collect, defs, year, codes)
    state = system.state
    if complementary:
        state = sup.protect(system.system, policy, already=state)
    if state != system.state:
        geo_state, ind_state, code_state = suite_disclosure.split(state)
        geo = tables.geo_tables(counts, threshold, already=geo_state, policy=policy)
        code_tabs = tables.code_tables(
            cc, pp, specs, min_count=min_count, threshold=threshold, already=code_state, policy=policy
        )
        ind = evaluate(model, defs, years, threshold=threshold, already=ind_state)
    result = audit_published(system.system, state, policy)
    if complementary and not result.clean:
        raise DisclosureError(result)
    return geo, code_tabs, result, ind


def rounded_indicators(ind: pd.DataFrame, policy: sup.Policy) -> pd.DataFrame:
    """The indicator rows as published under a rounding policy: every shown count rounded, the percent and
    the goal from the rounded counts (so that a percent cannot undo the rounding). Suppressed cells stay."""
    if policy.rounding <= 1 or not len(ind):
        return ind
    out = ind.copy()
    nums, dens, pcts, ntext, dtext, ptext, met = [], [], [], [], [], [], []
    for r in ind.to_dict("records"):
        n = None if pd.isna(r["numerator"]) else policy.rounded(int(r["numerator"]))
        d = None if pd.isna(r["denominator"]) else policy.rounded(int(r["denominator"]))
        shown = n is not None and d is not None and r["percent"] is not None and not pd.isna(r["percent"])
        pct = tables.percent(n, d) if shown and d else None  # type: ignore[arg-type]
        goal = r["goal_percent"]
        nums.append(n)
        dens.append(d)
        pcts.append(pct)
        ntext.append(r["numerator_text"] if n is None else str(n))
        dtext.append(r["denominator_text"] if d is None else str(d))
        ptext.append(r["percent_text"] if pct is None else sup.rate_text(pct, None, 1))
        met.append(None if goal is None or pd.isna(goal) or pct is None else pct >= float(goal))
    out["numerator"] = pd.array(nums, dtype="Int64")
    out["denominator"] = pd.array(dens, dtype="Int64")
    out["percent"] = pcts
    out["numerator_text"] = ntext
    out["denominator_text"] = dtext
    out["percent_text"] = ptext
    out["goal_met"] = met
    return out


def rounded_numbers(numbers: pd.DataFrame, policy: sup.Policy) -> pd.DataFrame:
    """A geographic table's figures for charts under a rounding policy (rates from the rounded counts)."""
    if policy.rounding <= 1 or not len(numbers):
        return numbers
    out = numbers.copy()
    out["per_1000"] = [
        None if pd.isna(rate) else tables.per_1000(policy.rounded(int(n)), policy.rounded(int(t)))
        for n, t, rate in zip(numbers["patients"], numbers["total"], numbers["per_1000"], strict=True)
    ]
    return out


def _years_with_data(ind: pd.DataFrame, year: int) -> list[int]:
    if not len(ind):
        return [year]
    return sorted(set(ind["year"].astype(int)))


def _inline_svg(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.find("<svg") :]


def _region_section(t: tables.GeoTable, code: str, text: str, svg: Path) -> dict[str, object]:
    pub = t.published()
    rows = [
        {
            "name": r["region_name"],
            "n": fmt_cell(r["patients"]),
            "rate": fmt_cell(r["per_1000"]),
            "tot": fmt_cell(r["total_patients"]),
            "total": r["region_code"] == tables.NATION_CODE,
        }
        for r in pub[pub["code"] == code].to_dict("records")
    ]
    return {"code": code, "text": text, "svg": _inline_svg(svg), "rows": rows}


def _rcc_rows(t: tables.GeoTable, codes: list[str]) -> list[dict[str, object]]:
    pub = t.published()
    out = []
    for region_code, g in pub.groupby("region_code", sort=False):
        values = []
        for code in codes:
            r = g[g["code"] == code].iloc[0]
            values.append(f"{fmt_cell(r['patients'])} / {fmt_cell(r['per_1000'])}")
        out.append(
            {
                "name": g["region_name"].iloc[0],
                "cells": values,
                "tot": fmt_cell(g["total_patients"].iloc[0]),
                "total": region_code == tables.NATION_CODE,
            }
        )
    return out


def _indicator_section(d: IndicatorDef, sub: pd.DataFrame, year: int, svg: Path) -> dict[str, object]:
    latest = sub[sub["year"] == year]
    rows = [
        {
            "level": level_sv(str(r["level"])),
            "unit": r["unit_name"],
            "num": fmt_cell(r["numerator_text"]),
            "den": fmt_cell(r["denominator_text"]),
            "pct": fmt_cell(r["percent_text"]),
            "met": ""
            if r["goal_met"] is None or pd.isna(r["goal_met"])
            else ("ja" if r["goal_met"] else "nej"),
        }
        for r in latest.to_dict("records")
    ]
    goal = (
        f"{fmt_dec(d.goal.level_percent, 0)} % senast {d.goal.by_date.isoformat()} ({d.goal.source})"
        if d.goal
        else ""
    )
    return {
        "name": d.name_sv,
        "description": d.description_sv,
        "goal": goal,
        "svg": _inline_svg(svg),
        "rows": rows,
        **_trend_table(sub),
    }


def _trend_table(sub: pd.DataFrame) -> dict[str, object]:
    """Percent per unit (nation, RCC, county) and year: the indicator's trend, suppressed cells as X."""
    years = sorted({int(y) for y in sub["year"]})
    geo = sub[sub["level"].isin(["nation", "rcc", "county"])]
    units = geo.drop_duplicates(["level", "unit_code"])[["level", "unit_code", "unit_name"]]
    by = {(r["level"], r["unit_code"], int(r["year"])): r["percent_text"] for r in geo.to_dict("records")}
    trend = [
        {
            "unit": u["unit_name"],
            "level": level_sv(str(u["level"])),
            "cells": [fmt_cell(by.get((u["level"], u["unit_code"], y), "")) for y in years],
        }
        for u in units.to_dict("records")
    ]
    return {"trend_years": years, "trend": trend}


def _code_sections(
    code_tabs: dict[str, pd.DataFrame], specs: Sequence[tables.CodeTableSpec]
) -> list[dict[str, Any]]:
    out = []
    for spec in specs:
        df = code_tabs[spec.id]
        shown = df[df["patients"] != ""]
        hidden = df[df["patients"] == ""]
        population = int(df["population"].iloc[0]) if len(df) else 0
        out.append(
            {
                "title": spec.title_sv,
                "population": fmt_int(population),
                "rows": [
                    {
                        "code": r["code"],
                        "text": r["text"],
                        "n": fmt_cell(r["patients"]),
                        "share": fmt_cell(r["share_percent"]),
                    }
                    for r in shown.to_dict("records")
                ],
                "hidden": [{"code": r["code"], "text": r["text"]} for r in hidden.to_dict("records")],
            }
        )
    return out


def _kpis(
    geo: dict[str, tables.GeoTable],
    pp: pd.DataFrame,
    code_tabs: dict[str, pd.DataFrame],
    policy: sup.Policy = sup.SUPPRESS,
) -> list[object]:
    def count(col: str) -> str:
        return fmt_int(policy.rounded(int(pp[col].sum()) if len(pp) else 0))

    return [
        {"value": count("n"), "label": "personer med cancer som huvuddiagnos"},
        {"value": count("n_sluten"), "label": "i slutenvård"},
        {"value": count("n_oppen"), "label": "i specialiserad öppenvård"},
        {"value": fmt_int(len(code_tabs["tabell1"])), "label": "rehabrelevanta åtgärder registrerade"},
    ]
