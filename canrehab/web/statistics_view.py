"""The statistics pages' request parsing and view models (routes in ``web/routes/statistics.py``): the
validated choices with Swedish messages for bad input, and the engine's published cells re-formatted in
Swedish (``canrehab.domain.sv``) for the templates. Every number comes from the follow-up engine as
published (``<4`` / ``X`` for suppressed cells); nothing here computes or un-suppresses a figure."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from canrehab.domain.sv import sv_number, sv_percent
from canrehab.followup import cache
from canrehab.followup.datasets import Dataset, find_datasets
from canrehab.followup.goals import IndicatorDef
from canrehab.followup.population import DEFAULT_AGE_BANDS, band_label
from canrehab.followup.tables import NATION_CODE
from canrehab.web.charts import Series, ranked_bar_chart, trend_chart
from canrehab.web.format import sv_date

DEFAULT_CODES = ("AU010", "AW019", "AW020", "AW024", "AW027", "AW035", "XV019", "XV020")
MAX_CODES = 20
KVA_SHAPE = re.compile(r"^[A-Z]{2}[A-Z0-9][0-9]{2}$")
# Query value -> (engine level, Swedish label of the level, Swedish label of a unit).
LEVELS: dict[str, tuple[str, str, str]] = {
    "lan": ("county", "Län (region)", "Län"),
    "rcc": ("rcc", "RCC (sjukvårdsregion)", "RCC"),
}
CARE_TYPES = {"sluten": "Slutenvård", "oppen": "Specialiserad öppenvård"}
SEXES = {"2": "Kvinnor", "1": "Män"}
AGE_GROUPS = tuple(band_label(lo, hi) for lo, hi in DEFAULT_AGE_BANDS)
BREAKDOWN_LEVELS = {"sex": "Kön", "age_group": "Åldersgrupp", "care_type": "Vårdform"}
IMPORT_HELP = (
    "Importera ett extrakt med <code>canrehab import-par FIL</code> (CSV, Parquet eller SAS), eller skapa "
    "ett syntetiskt med <code>canrehab synth-par --year 2022 --output par2022.parquet</code> och importera "
    "det med <code>canrehab import-par par2022.parquet</code>."
)


def published_count(text: str) -> str:
    """A published count in Swedish ('4590' -> '4 590'); suppression markers and blanks unchanged."""
    return sv_number(int(text), 0) if text.isdigit() else text


def published_rate(text: str) -> str:
    """A published rate with the engine's decimals in Swedish ('21.35' -> '21,35'); ``X`` and blanks
    unchanged."""
    value = rate_value(text)
    return text if value is None else sv_number(value, len(text.partition(".")[2]))


def published_percent(text: str) -> str:
    """A published percentage in Swedish ('4.6' -> '4,6 %'); ``X`` unchanged, blank as '–'."""
    value = rate_value(text)
    if value is None:
        return text or "–"
    return sv_percent(value / 100, len(text.partition(".")[2]))


def rate_value(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class Selection:
    """The validated choices of a statistics page; ``errors`` holds Swedish messages for bad input."""

    datasets: list[Dataset]
    dataset: Dataset | None = None
    level: str = "lan"
    errors: list[str] = field(default_factory=list)


def select_dataset(analytics_dir: Path, name: str) -> Selection:
    """The datasets of the analytics store and the chosen one (the newest when ``name`` is empty)."""
    sel = Selection(datasets=find_datasets(analytics_dir))
    if not sel.datasets:
        return sel
    if name:
        chosen = [d for d in sel.datasets if d.name == name]
        if not chosen:
            sel.errors.append(f"Datamängden ”{name}” finns inte i analyslagret.")
        sel.dataset = chosen[0] if chosen else sel.datasets[0]
    else:
        sel.dataset = sel.datasets[0]
    return sel


def parse_level(value: str, sel: Selection) -> None:
    if value and value not in LEVELS:
        sel.errors.append("Okänd nivå: välj län eller RCC.")
        return
    sel.level = value or "lan"


def parse_codes(text: str) -> tuple[tuple[str, ...], list[str]]:
    """KVÅ codes from a comma/space separated text (default codes if empty), and error messages."""
    raw = [c.strip().upper() for c in re.split(r"[,;\s]+", text or "") if c.strip()]
    if not raw:
        return DEFAULT_CODES, []
    errors: list[str] = []
    bad = [c for c in raw if not KVA_SHAPE.match(c)]
    if bad:
        errors.append("Ogiltig KVÅ-kod: " + ", ".join(bad) + " (en KVÅ-kod har fem tecken, t.ex. AW020).")
    codes = tuple(dict.fromkeys(c for c in raw if KVA_SHAPE.match(c)))
    if len(codes) > MAX_CODES:
        errors.append(f"Välj högst {MAX_CODES} KVÅ-koder åt gången.")
    return codes, errors


def _year(value: str, dataset: Dataset, sel: Selection) -> int:
    if not value:
        return dataset.years[-1]
    if value.isdigit() and int(value) in dataset.years:
        return int(value)
    sel.errors.append(
        f"Året {value} finns inte i datamängden; välj ett av "
        + ", ".join(str(y) for y in dataset.years)
        + "."
    )
    return dataset.years[-1]


def _choice(value: str, allowed: Sequence[str], what: str, sel: Selection) -> str | None:
    if not value:
        return None
    if value not in allowed:
        sel.errors.append(f"Okänt värde för {what}: {value}.")
        return None
    return value


@dataclass
class RegionQuery:
    year: int
    codes: tuple[str, ...]
    care_type: str | None
    sex: str | None
    age_group: str | None

    def table(self, dataset: Dataset, level: str, threshold: int) -> pd.DataFrame:
        """The engine's published county or RCC table for this query (cached per dataset version)."""
        return cache.region_table(
            dataset,
            self.year,
            self.codes,
            level=LEVELS[level][0],
            threshold=threshold,
            care_type=self.care_type,
            kon=int(self.sex) if self.sex else None,
            age_group=self.age_group,
        )

    def query_string(self, dataset: Dataset, level: str) -> str:
        params = {
            "dataset": dataset.name,
            "year": str(self.year),
            "level": level,
            "codes": ",".join(self.codes),
            "care_type": self.care_type or "",
            "sex": self.sex or "",
            "age_group": self.age_group or "",
        }
        return urlencode({k: v for k, v in params.items() if v})


def region_query(q: Mapping[str, str], sel: Selection) -> RegionQuery | None:
    """The KVÅ table's choices from the query parameters ``q``; errors are added to ``sel``."""
    parse_level(q.get("level", ""), sel)
    if sel.dataset is None:
        return None
    year = _year(q.get("year", ""), sel.dataset, sel)
    codes, code_errors = parse_codes(q.get("codes", ""))
    sel.errors += code_errors
    care = _choice(q.get("care_type", ""), tuple(CARE_TYPES), "vårdform", sel)
    sex = _choice(q.get("sex", ""), tuple(SEXES), "kön", sel)
    age = _choice(q.get("age_group", ""), AGE_GROUPS, "åldersgrupp", sel)
    return RegionQuery(year, codes, care, sex, age)


def no_data_context(sel: Selection) -> dict[str, Any]:
    return {"datasets": sel.datasets, "import_help": IMPORT_HELP}


def wide_rows(table: pd.DataFrame, codes: Sequence[str]) -> list[dict[str, Any]]:
    """One row per unit (nation last) with the published cells of each code, formatted in Swedish."""
    rows: dict[str, dict[str, Any]] = {}
    for r in table.to_dict("records"):
        unit = rows.setdefault(
            str(r["region_code"]),
            {
                "code": str(r["region_code"]),
                "name": str(r["region_name"]),
                "total": published_count(str(r["total_patients"])),
                "is_nation": r["region_code"] == NATION_CODE,
                "cells": {},
            },
        )
        patients, rate = str(r["patients"]), str(r["per_1000"])
        unit["cells"][str(r["code"])] = {
            "patients": published_count(patients),
            "rate": published_rate(rate),
            "suppressed": not patients.isdigit(),
        }
    ordered = sorted(rows.values(), key=lambda u: u["is_nation"])  # stable: engine order, nation last
    for unit in ordered:
        unit["cells"] = [unit["cells"][c] for c in codes]
    return ordered


def ranking_svg(table: pd.DataFrame, code: str, level: str, year: int) -> str:
    sub = table[table["code"] == code]
    bars: list[tuple[str, float | None, str]] = []
    national: float | None = None
    for r in sub.to_dict("records"):
        rate = str(r["per_1000"])
        value = rate_value(rate)
        if r["region_code"] == NATION_CODE:
            national = value
            continue
        note = str(r["patients"]) if not str(r["patients"]).isdigit() else rate
        bars.append((str(r["region_name"]), value, note))
    unit = "län" if level == "lan" else "RCC"
    title = f"{code} per 1 000 cancerpatienter {year}, {unit} rangordnade, rikets nivå markerad"
    return ranked_bar_chart(bars, national, title)


def _cell(r: Mapping[Hashable, Any] | None) -> dict[str, Any]:
    if r is None:
        return {"percent": "–", "detail": "", "met": None, "suppressed": False}
    num, den = str(r["numerator_text"]), str(r["denominator_text"])
    met = r["goal_met"]
    return {
        "percent": published_percent(str(r["percent_text"])),
        "detail": f"{published_count(num)} av {published_count(den)}",
        "met": None if met is None or (isinstance(met, float) and math.isnan(met)) else bool(met),
        "suppressed": bool(r["state"]) and isinstance(r["state"], str),
    }


def indicator_view(
    d: IndicatorDef,
    results: pd.DataFrame,
    years: Sequence[int],
    level: str,
    region: str,
    region_names: dict[str, str],
) -> dict[str, Any]:
    mine = results[results["indicator_id"] == d.id]
    by_key: dict[tuple[str, str, int], Mapping[Hashable, Any]] = {
        (str(r["level"]), str(r["unit_code"]), int(r["year"])): r for r in mine.to_dict("records")
    }

    def table(lvl: str) -> list[dict[str, Any]]:
        sub = mine[mine["level"] == lvl][["unit_code", "unit_name"]].drop_duplicates()
        return [
            {
                "code": str(code),
                "name": str(name),
                "cells": [_cell(by_key.get((lvl, str(code), y))) for y in years],
            }
            for code, name in sub.itertuples(index=False)
        ]

    nation = {
        "code": NATION_CODE,
        "name": "Riket",
        "cells": [_cell(by_key.get(("nation", NATION_CODE, y))) for y in years],
    }

    def points(lvl: str, code: str) -> tuple[tuple[int, float | None], ...]:
        return tuple(
            (
                y,
                rate_value(str(by_key[(lvl, code, y)]["percent_text"])) if (lvl, code, y) in by_key else None,
            )
            for y in years
        )

    series = [Series("Riket", points("nation", NATION_CODE), "#005b8f")]
    if region and level in d.disaggregations:
        series.append(Series(region_names.get(region, region), points(level, region), "#a33a00"))
    goal = d.goal.level_percent if d.goal else None
    breakdown = [
        {"label": label, "rows": table(lvl)}
        for lvl, label in BREAKDOWN_LEVELS.items()
        if lvl in d.disaggregations
    ]
    return {
        "id": d.id,
        "name": d.name_sv,
        "description": d.description_sv,
        "codes": ", ".join(d.kva().codes_any),
        "goal": (
            {
                "level": sv_number(d.goal.level_percent, 0),
                "by": sv_date(d.goal.by_date, long=True),
                "source": d.goal.source,
            }
            if d.goal
            else None
        ),
        "by_level": level in d.disaggregations,
        "rows": table(level) if level in d.disaggregations else [],
        "nation": nation,
        "breakdown": breakdown,
        "svg": trend_chart(years, series, goal, f"{d.name_sv}: andel i procent per år"),
    }
