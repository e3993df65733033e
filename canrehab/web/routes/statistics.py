"""Regional and national statistics from the follow-up engine (the datasets of the analytics store): KVÅ
codes per county or RCC as Socialstyrelsen computes them, and the indicators against their goal levels over
the available years.

Routes only: the datasets and the engine's cached results come from ``canrehab.followup.datasets`` and
``canrehab.followup.cache``, the parsing and the Swedish view models from ``canrehab.web.statistics_view``,
the charts from ``canrehab.web.charts``. Only aggregated, suppressed figures are shown; aggregates are not
patient data, so these pages are not written to the audit log; access is limited to the follow-up action of
the permission table (``FollowupUser``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.codes.kva import rehab_codes
from canrehab.config import Settings
from canrehab.followup import cache
from canrehab.followup.goals import default_indicators
from canrehab.followup.render.csvout import to_csv_text
from canrehab.followup.render.xlsx import Sheet, write_workbook
from canrehab.followup.suite import IND_HEADERS, IND_NUMERIC, REGION_HEADERS, REGION_NUMERIC, level_sv
from canrehab.web import statistics_view as view
from canrehab.web.deps import FollowupUser
from canrehab.web.format import sv_date
from canrehab.web.pages import render

if TYPE_CHECKING:
    import pandas as pd

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING_IMPORTED = "Ingen statistik har importerats ännu (canrehab import-par / canrehab synth-par).\n"


def _text(body: str, status_code: int) -> Response:
    return Response(body, status_code=status_code, media_type="text/plain; charset=utf-8")


@router.get("/statistik")
def statistics(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    q = request.query_params
    sel = view.select_dataset(settings.analytics_dir, q.get("dataset", ""))
    query = view.region_query(q, sel)
    if sel.dataset is None or query is None:
        return render(request, "statistics_empty.html", view.no_data_context(sel))
    threshold = settings.suppression_threshold
    context: dict[str, Any] = {
        "sel": sel,
        "query": query,
        "levels": view.LEVELS,
        "care_types": view.CARE_TYPES,
        "sexes": view.SEXES,
        "age_groups": view.AGE_GROUPS,
        "codes_text": ", ".join(query.codes),
        "threshold": threshold,
        "imported_at": sv_date(sel.dataset.imported_at, long=True) if sel.dataset.imported_at else "",
    }
    if sel.errors:
        return render(request, "statistics.html", context, status_code=400)
    table = query.table(sel.dataset, sel.level, threshold)
    chart_code = q.get("chart", "")
    if chart_code not in query.codes:
        chart_code = query.codes[0]
    kva = rehab_codes()
    qs = query.query_string(sel.dataset, sel.level)
    cache.warm_indicators(sel.dataset, threshold)
    context.update(
        {
            "code_columns": [{"code": c, "text": kva.text(c)} for c in query.codes],
            "rows": view.wide_rows(table, query.codes),
            "chart_code": chart_code,
            "chart_text": kva.text(chart_code),
            "chart_svg": view.ranking_svg(table, chart_code, sel.level, query.year),
            "chart_links": [(c, f"/statistik?{qs}&chart={c}#diagram") for c in query.codes],
            "csv_url": f"/statistik/tabell.csv?{qs}",
            "xlsx_url": f"/statistik/tabell.xlsx?{qs}",
            "unit_label": view.LEVELS[sel.level][2],
        }
    )
    return render(request, "statistics.html", context)


def _region_table(request: Request) -> tuple[view.Selection, view.RegionQuery, pd.DataFrame] | Response:
    """The selection, query and (suppressed) county or RCC table the page shows, for its downloads; or the
    answer when there is nothing to show (no dataset: 404, an invalid choice: 400 with the reasons)."""
    settings: Settings = request.app.state.settings
    sel = view.select_dataset(settings.analytics_dir, request.query_params.get("dataset", ""))
    query = view.region_query(request.query_params, sel)
    if sel.dataset is None or query is None:
        return _text(NOTHING_IMPORTED, 404)
    if sel.errors:
        return _text("\n".join(sel.errors) + "\n", 400)
    return sel, query, query.table(sel.dataset, sel.level, settings.suppression_threshold)


@router.get("/statistik/tabell.csv")
def statistics_csv(request: Request, user: FollowupUser) -> Response:
    found = _region_table(request)
    if isinstance(found, Response):
        return found
    sel, query, table = found
    name = f"kva_{'lan' if sel.level == 'lan' else 'rcc'}_{query.year}.csv"
    return Response(
        to_csv_text(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/statistik/indikatorer")
def indicators(request: Request, user: FollowupUser) -> Response:
    settings: Settings = request.app.state.settings
    q = request.query_params
    sel = view.select_dataset(settings.analytics_dir, q.get("dataset", ""))
    view.parse_level(q.get("level", ""), sel)
    if sel.dataset is None:
        return render(request, "statistics_empty.html", view.no_data_context(sel))
    context: dict[str, Any] = {"sel": sel, "levels": view.LEVELS, "unit_label": view.LEVELS[sel.level][2]}
    if sel.errors:
        context.update(indicators=[], region="", region_options=[], years=sel.dataset.years)
        return render(request, "statistics_indicators.html", context, status_code=400)
    years = sel.dataset.years
    results = cache.indicator_results(sel.dataset, settings.suppression_threshold)
    engine_level = view.LEVELS[sel.level][0]
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
                view.indicator_view(d, results, years, engine_level, region, dict(region_options))
                for d in default_indicators().of_source("register")
            ],
            "csv_url": f"/statistik/indikatorer.csv?dataset={sel.dataset.name}",
            "xlsx_url": f"/statistik/indikatorer.xlsx?dataset={sel.dataset.name}",
        }
    )
    return render(request, "statistics_indicators.html", context)


def _indicator_results(request: Request) -> pd.DataFrame | Response:
    """The chosen dataset's register indicators (suppressed), for the page's downloads; or the answer when
    there is nothing to show (no dataset: 404, an invalid choice: 400 with the reasons)."""
    settings: Settings = request.app.state.settings
    sel = view.select_dataset(settings.analytics_dir, request.query_params.get("dataset", ""))
    if sel.dataset is None:
        return _text(NOTHING_IMPORTED, 404)
    if sel.errors:
        return _text("\n".join(sel.errors) + "\n", 400)
    return cache.indicator_results(sel.dataset, settings.suppression_threshold)


@router.get("/statistik/indikatorer.csv")
def indicators_csv(request: Request, user: FollowupUser) -> Response:
    results = _indicator_results(request)
    if isinstance(results, Response):
        return results
    return Response(
        to_csv_text(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indikatorer.csv"'},
    )


def _workbook(sheet: Sheet, filename: str) -> Response:
    """One sheet as an Excel workbook: Swedish headers, numbers as numbers with a space between thousands
    for every reader, years as numbers, suppressed cells as ``<4``/``X`` (``followup.render.xlsx``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        write_workbook([sheet], path)
        content = path.read_bytes()
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/statistik/tabell.xlsx")
def statistics_xlsx(request: Request, user: FollowupUser) -> Response:
    """The table on the page for Excel (the CSV stays for further processing: comma, point, column ids)."""
    settings: Settings = request.app.state.settings
    found = _region_table(request)
    if isinstance(found, Response):
        return found
    sel, query, table = found
    unit = "län" if sel.level == "lan" else "RCC"
    name = "RCC" if sel.level != "lan" else "Län"
    title = f"KVÅ-åtgärder per {unit} {query.year} (röjandekontroll: <{settings.suppression_threshold}, X)"
    filename = f"kva_{'lan' if sel.level == 'lan' else 'rcc'}_{query.year}.xlsx"
    return _workbook(Sheet(f"{name} {query.year}", title, table, REGION_HEADERS, REGION_NUMERIC), filename)


@router.get("/statistik/indikatorer.xlsx")
def indicators_xlsx(request: Request, user: FollowupUser) -> Response:
    results = _indicator_results(request)
    if isinstance(results, Response):
        return results
    if len(results):
        results = results.assign(level=results["level"].map(lambda v: level_sv(str(v))))
    years = sorted({int(y) for y in results["year"]}) if len(results) else []
    span = f" {years[0]}–{years[-1]}" if len(years) > 1 else (f" {years[0]}" if years else "")
    sheet = Sheet("Indikatorer", f"Indikatorer mot målnivåer{span}", results, IND_HEADERS, IND_NUMERIC)
    return _workbook(sheet, "indikatorer.xlsx")
