"""Regional and national statistics from the follow-up engine (patient-register extracts in the analytics
store): KVÅ codes per county or RCC as Socialstyrelsen computes them, and the indicators against their goal
levels over the available years.

Only aggregated, suppressed figures are shown: every number comes from ``canrehab.followup.api`` as published
(``<4`` / ``X`` for suppressed cells) and is only re-formatted here (decimal comma, thousands separator). The
extract is pseudonymised and no person-level value ever reaches a page. Aggregates are not patient data, so
these pages are not written to the audit log; access is limited to ``DASHBOARD_ROLES``.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.codes.kva import rehab_codes
from canrehab.config import Settings
from canrehab.followup import api
from canrehab.followup.goals import IndicatorDef, default_indicators
from canrehab.followup.importer import MANIFEST, dataset_root
from canrehab.followup.population import DEFAULT_AGE_BANDS, band_label
from canrehab.followup.render.csvout import to_csv_text
from canrehab.followup.tables import NATION_CODE
from canrehab.web.deps import FollowupUser
from canrehab.web.format import sv_date, sv_number
from canrehab.web.pages import render

router = APIRouter()

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


# ------------------------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Dataset:
    """An imported PAR dataset in the analytics store (``<analytics_dir>/par/<name>``)."""

    name: str
    path: Path
    years: tuple[int, ...]
    stamp: int  # changes when the dataset is replaced: part of the cache key
    source: str = ""
    imported_at: str = ""


def find_datasets(analytics_dir: Path) -> list[Dataset]:
    """The imported datasets that have at least one year, newest import first."""
    root = dataset_root(analytics_dir)
    if not root.is_dir():
        return []
    found: list[Dataset] = []
    for path in root.iterdir():
        if not path.is_dir() or path.name.startswith("."):
            continue
        years = tuple(
            sorted(int(p.name[5:]) for p in path.glob("year=*") if p.is_dir() and p.name[5:].isdigit())
        )
        if not years:
            continue
        manifest = path / MANIFEST
        meta: dict[str, Any] = {}
        if manifest.exists():
            try:
                meta = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        stamp = (manifest if manifest.exists() else path).stat().st_mtime_ns
        found.append(
            Dataset(
                name=path.name,
                path=path,
                years=years,
                stamp=stamp,
                source=str(meta.get("source", "")),
                imported_at=str(meta.get("imported_at", "")),
            )
        )
    return sorted(found, key=lambda d: (d.stamp, d.name), reverse=True)


# ------------------------------------------------------------------------------------ engine (cached)


@lru_cache(maxsize=64)
def _region_table(
    path: str,
    stamp: int,
    year: int,
    codes: tuple[str, ...],
    level: str,
    threshold: int,
    care_type: str | None,
    kon: int | None,
    age_group: str | None,
) -> pd.DataFrame:
    del stamp  # cache key only
    return api.region_table(
        path,
        year,
        codes,
        level=level,
        threshold=threshold,
        care_type=care_type,
        kon=kon,
        age_group=age_group,
    )


@lru_cache(maxsize=16)
def _indicator_results_cached(path: str, stamp: int, years: tuple[int, ...], threshold: int) -> pd.DataFrame:
    del stamp  # cache key only
    return api.indicator_results(path, years, threshold=threshold)


_INDICATOR_LOCK = threading.Lock()
_WARMED: set[tuple[str, int, tuple[int, ...], int]] = set()


def _indicator_results(path: str, stamp: int, years: tuple[int, ...], threshold: int) -> pd.DataFrame:
    """The engine's indicator results (all indicators, years and units), computed once per dataset version.
    Serialised, so that a request arriving during the warm-up waits for it instead of computing again."""
    with _INDICATOR_LOCK:
        return _indicator_results_cached(path, stamp, years, threshold)


def warm_indicators(dataset: Dataset, threshold: int) -> None:
    """Compute the indicator results in the background (they take seconds on a national extract), so the
    indicator page is ready when the user opens it after the KVÅ page. Not a daemon thread: a DuckDB query
    cut off at interpreter exit aborts the process, so shutting down waits for a running warm-up instead."""
    key = (str(dataset.path), dataset.stamp, dataset.years, threshold)
    if key in _WARMED:
        return
    _WARMED.add(key)

    def run() -> None:
        try:
            _indicator_results(*key)
        except Exception:  # the indicator page computes again and shows the error there
            _WARMED.discard(key)

    threading.Thread(target=run, name="statistik-indikatorer", daemon=False).start()


# --------------------------------------------------------------------------------------- formatting


def count_sv(text: str) -> str:
    """A published count in Swedish ('4590' -> '4 590'); suppression markers and blanks unchanged."""
    return sv_number(int(text), 0) if text.isdigit() else text


def rate_sv(text: str) -> str:
    """A published rate in Swedish ('21.35' -> '21,35'); ``X`` and blanks unchanged."""
    return text.replace(".", ",")


def _rate_value(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ------------------------------------------------------------------------------------------- charts


def ranked_bar_chart(
    bars: Sequence[tuple[str, float | None, str]],
    national: float | None,
    title: str,
    width: int = 680,
) -> str:
    """Horizontal bars ranked by value (per 1 000) with the national rate as a dashed line; suppressed units
    (value None) are listed last with their marker instead of a bar. Returns SVG markup."""
    shown = sorted((b for b in bars if b[1] is not None), key=lambda b: (-(b[1] or 0.0), b[0]))
    hidden = [b for b in bars if b[1] is None]
    ordered = [*shown, *hidden]
    label_w, value_w, row_h, top = 190, 64, 22, 30
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(ordered), 1) + 10
    top_value = max([b[1] or 0.0 for b in shown] + [national or 0.0])
    scale = plot_w / (top_value * 1.05) if top_value > 0 else 0.0
    parts = [
        f'<svg class="chart ranked" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, note) in enumerate(ordered):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label[:30])}</text>')
        if value is not None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{value * scale:.1f}" height="{row_h - 6}" '
                f'fill="#005b8f"><title>{escape(label)}: {escape(sv_number(value, 2))}</title></rect>'
            )
            text = sv_number(value, 2)
        else:
            text = note or "–"
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 15}">{escape(text)}</text>')
    if national is not None:
        nx = label_w + national * scale
        parts.append(
            f'<line x1="{nx:.1f}" y1="{top - 4}" x2="{nx:.1f}" y2="{height - 6}" stroke="#a33a00" '
            'stroke-dasharray="5 3" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{nx:.1f}" y="{top - 10}" text-anchor="middle" class="nat">'
            f"Riket {escape(sv_number(national, 2))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[int, float | None], ...]  # (year, percent) ; None = suppressed
    color: str


def trend_chart(
    years: Sequence[int], series: Sequence[Series], goal: float | None, title: str, width: int = 400
) -> str:
    """A small line chart of percentages over the years with the goal level as a dashed line (or a note when
    the goal lies far above the scale, so that low values stay readable). Returns SVG markup."""
    height, left, right, top, bottom = 190, 40, 24, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for _, v in s.points if v is not None]
    top_value = max(values, default=0.0)
    show_goal = goal is not None and (goal <= top_value * 2 or top_value == 0)
    y_max = max(top_value, goal if show_goal and goal is not None else 0.0, 1.0) * 1.1
    n = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return left + (plot_w * i / n if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    parts = [
        f'<svg class="chart trend" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f6f7f8"/>',
        f'<text x="{left - 4}" y="{top + plot_h + 4}" text-anchor="end">0</text>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{escape(sv_number(y_max, 0))}</text>',
        f'<text x="4" y="{top - 8}">%</text>',
    ]
    for i, year in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 15}" text-anchor="middle">{year}</text>')
    if goal is not None:
        if show_goal:
            gy = y(goal)
            parts.append(
                f'<line x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" stroke="#1b1b1b" '
                'stroke-dasharray="4 3" stroke-width="1.5"/>'
            )
            parts.append(
                f'<text x="{left + plot_w}" y="{gy - 3:.1f}" text-anchor="end">'
                f"mål {escape(sv_number(goal, 0))} %</text>"
            )
        else:
            parts.append(
                f'<text x="{left + plot_w}" y="{top - 8}" text-anchor="end">'
                f"mål {escape(sv_number(goal, 0))} % (över skalan)</text>"
            )
    index = {year: i for i, year in enumerate(years)}
    for s in series:
        coords = [(x(index[yr]), y(v)) for yr, v in s.points if v is not None and yr in index]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        for cx, cy in coords:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{s.color}"/>')
    for i, s in enumerate(series):
        lx = left + i * 150
        parts.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{lx + 14}" y="{height - 5}">{escape(s.label[:22])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ----------------------------------------------------------------------------------- request parsing


@dataclass
class Selection:
    """The validated choices of a statistics page; ``errors`` holds Swedish messages for bad input."""

    datasets: list[Dataset]
    dataset: Dataset | None = None
    level: str = "lan"
    errors: list[str] = field(default_factory=list)


def _select_dataset(settings: Settings, name: str, sel: Selection) -> None:
    sel.datasets = find_datasets(settings.analytics_dir)
    if not sel.datasets:
        return
    if name:
        chosen = [d for d in sel.datasets if d.name == name]
        if not chosen:
            sel.errors.append(f"Datamängden ”{name}” finns inte i analyslagret.")
        sel.dataset = chosen[0] if chosen else sel.datasets[0]
    else:
        sel.dataset = sel.datasets[0]


def _level(value: str, sel: Selection) -> None:
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

    def engine_args(self, dataset: Dataset, level: str, threshold: int) -> tuple[Any, ...]:
        return (
            str(dataset.path),
            dataset.stamp,
            self.year,
            self.codes,
            LEVELS[level][0],
            threshold,
            self.care_type,
            int(self.sex) if self.sex else None,
            self.age_group,
        )

    def query_string(self, dataset: Dataset, level: str) -> str:
        from urllib.parse import urlencode

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


def _region_query(request: Request, sel: Selection) -> RegionQuery | None:
    q = request.query_params
    _level(q.get("level", ""), sel)
    if sel.dataset is None:
        return None
    year = _year(q.get("year", ""), sel.dataset, sel)
    codes, code_errors = parse_codes(q.get("codes", ""))
    sel.errors += code_errors
    care = _choice(q.get("care_type", ""), tuple(CARE_TYPES), "vårdform", sel)
    sex = _choice(q.get("sex", ""), tuple(SEXES), "kön", sel)
    age = _choice(q.get("age_group", ""), AGE_GROUPS, "åldersgrupp", sel)
    return RegionQuery(year, codes, care, sex, age)


# ------------------------------------------------------------------------------------------- routes


def _no_data_context(sel: Selection) -> dict[str, Any]:
    return {"datasets": sel.datasets, "import_help": IMPORT_HELP}


@router.get("/statistik")
def statistics(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    sel = Selection(datasets=[])
    _select_dataset(settings, request.query_params.get("dataset", ""), sel)
    query = _region_query(request, sel)
    if sel.dataset is None or query is None:
        return render(request, "statistics_empty.html", _no_data_context(sel))
    context: dict[str, Any] = {
        "sel": sel,
        "query": query,
        "levels": LEVELS,
        "care_types": CARE_TYPES,
        "sexes": SEXES,
        "age_groups": AGE_GROUPS,
        "codes_text": ", ".join(query.codes),
        "threshold": settings.suppression_threshold,
        "imported_at": sv_date(sel.dataset.imported_at, long=True) if sel.dataset.imported_at else "",
    }
    if sel.errors:
        return render(request, "statistics.html", context, status_code=400)
    table = _region_table(*query.engine_args(sel.dataset, sel.level, settings.suppression_threshold))
    chart_code = request.query_params.get("chart", "")
    if chart_code not in query.codes:
        chart_code = query.codes[0]
    kva = rehab_codes()
    qs = query.query_string(sel.dataset, sel.level)
    warm_indicators(sel.dataset, settings.suppression_threshold)
    context.update(
        {
            "code_columns": [{"code": c, "text": kva.text(c)} for c in query.codes],
            "rows": _wide_rows(table, query.codes),
            "chart_code": chart_code,
            "chart_text": kva.text(chart_code),
            "chart_svg": _ranking_svg(table, chart_code, sel.level, query.year),
            "chart_links": [(c, f"/statistik?{qs}&chart={c}#diagram") for c in query.codes],
            "csv_url": f"/statistik/tabell.csv?{qs}",
            "unit_label": LEVELS[sel.level][2],
        }
    )
    return render(request, "statistics.html", context)


@router.get("/statistik/tabell.csv")
def statistics_csv(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    sel = Selection(datasets=[])
    _select_dataset(settings, request.query_params.get("dataset", ""), sel)
    query = _region_query(request, sel)
    if sel.dataset is None or query is None:
        return Response(
            "Ingen statistik har importerats ännu (canrehab import-par / canrehab synth-par).\n",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    if sel.errors:
        return Response("\n".join(sel.errors) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    table = _region_table(*query.engine_args(sel.dataset, sel.level, settings.suppression_threshold))
    name = f"kva_{'lan' if sel.level == 'lan' else 'rcc'}_{query.year}.csv"
    return Response(
        to_csv_text(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _wide_rows(table: pd.DataFrame, codes: Sequence[str]) -> list[dict[str, Any]]:
    """One row per unit (nation last) with the published cells of each code, formatted in Swedish."""
    rows: dict[str, dict[str, Any]] = {}
    for r in table.to_dict("records"):
        unit = rows.setdefault(
            str(r["region_code"]),
            {
                "code": str(r["region_code"]),
                "name": str(r["region_name"]),
                "total": count_sv(str(r["total_patients"])),
                "is_nation": r["region_code"] == NATION_CODE,
                "cells": {},
            },
        )
        patients, rate = str(r["patients"]), str(r["per_1000"])
        unit["cells"][str(r["code"])] = {
            "patients": count_sv(patients),
            "rate": rate_sv(rate),
            "suppressed": not patients.isdigit(),
        }
    ordered = sorted(rows.values(), key=lambda u: u["is_nation"])  # stable: engine order, nation last
    for unit in ordered:
        unit["cells"] = [unit["cells"][c] for c in codes]
    return ordered


def _ranking_svg(table: pd.DataFrame, code: str, level: str, year: int) -> str:
    sub = table[table["code"] == code]
    bars: list[tuple[str, float | None, str]] = []
    national: float | None = None
    for r in sub.to_dict("records"):
        rate = str(r["per_1000"])
        value = _rate_value(rate)
        if r["region_code"] == NATION_CODE:
            national = value
            continue
        note = str(r["patients"]) if not str(r["patients"]).isdigit() else rate
        bars.append((str(r["region_name"]), value, note))
    unit = "län" if level == "lan" else "RCC"
    title = f"{code} per 1 000 cancerpatienter {year}, {unit} rangordnade, rikets nivå markerad"
    return ranked_bar_chart(bars, national, title)


# ---------------------------------------------------------------------------------------- indicators


@router.get("/statistik/indikatorer")
def indicators(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    q = request.query_params
    sel = Selection(datasets=[])
    _select_dataset(settings, q.get("dataset", ""), sel)
    _level(q.get("level", ""), sel)
    if sel.dataset is None:
        return render(request, "statistics_empty.html", _no_data_context(sel))
    context: dict[str, Any] = {"sel": sel, "levels": LEVELS, "unit_label": LEVELS[sel.level][2]}
    if sel.errors:
        context.update(indicators=[], region="", region_options=[], years=sel.dataset.years)
        return render(request, "statistics_indicators.html", context, status_code=400)
    years = sel.dataset.years
    results = _indicator_results(
        str(sel.dataset.path), sel.dataset.stamp, years, settings.suppression_threshold
    )
    engine_level = LEVELS[sel.level][0]
    units = results[results["level"] == engine_level][["unit_code", "unit_name"]].drop_duplicates()
    region_options = [(str(c), str(n)) for c, n in units.itertuples(index=False)]
    region = q.get("region", "")
    if region and region not in {c for c, _ in region_options}:
        region = ""
    context.update(
        {
            "years": years,
            "region": region,
            "region_options": region_options,
            "indicators": [
                _indicator_view(d, results, years, engine_level, region, dict(region_options))
                for d in default_indicators().indicators
            ],
            "csv_url": f"/statistik/indikatorer.csv?dataset={sel.dataset.name}",
        }
    )
    return render(request, "statistics_indicators.html", context)


@router.get("/statistik/indikatorer.csv")
def indicators_csv(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    sel = Selection(datasets=[])
    _select_dataset(settings, request.query_params.get("dataset", ""), sel)
    if sel.dataset is None:
        return Response(
            "Ingen statistik har importerats ännu (canrehab import-par / canrehab synth-par).\n",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    if sel.errors:
        return Response("\n".join(sel.errors) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    results = _indicator_results(
        str(sel.dataset.path), sel.dataset.stamp, sel.dataset.years, settings.suppression_threshold
    )
    return Response(
        to_csv_text(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indikatorer.csv"'},
    )


def percent_sv(text: str) -> str:
    """A published percentage in Swedish ('4.6' -> '4,6 %'); ``X`` and blanks unchanged."""
    if _rate_value(text) is None:
        return text or "–"
    return f"{rate_sv(text)}\u00a0%"


def _cell(r: Mapping[Hashable, Any] | None) -> dict[str, Any]:
    if r is None:
        return {"percent": "–", "detail": "", "met": None, "suppressed": False}
    num, den = str(r["numerator_text"]), str(r["denominator_text"])
    met = r["goal_met"]
    return {
        "percent": percent_sv(str(r["percent_text"])),
        "detail": f"{count_sv(num)} av {count_sv(den)}",
        "met": None if met is None or (isinstance(met, float) and math.isnan(met)) else bool(met),
        "suppressed": bool(r["state"]) and isinstance(r["state"], str),
    }


def _indicator_view(
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
                _rate_value(str(by_key[(lvl, code, y)]["percent_text"]))
                if (lvl, code, y) in by_key
                else None,
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
        "codes": ", ".join(d.numerator.codes_any),
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
