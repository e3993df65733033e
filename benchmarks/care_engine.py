"""The care indicators through the Ibis engine (``followup.care``) at the size of the shared 200 000-patient
template (issue 11, speed section): the unit dashboard and the five-year regional report.

On a copy of an existing database (``--db-url``, e.g. a copy of ``canrehab_tpl200k``; nothing is written to
the database but the audit log), it times, each with a baseline measured in the same run:

- ``publish_care`` (the care dataset of every unit as pseudonymised Parquet), unless ``--dataset`` names one
  already published (the figures below are then read from it);
- every care indicator for the largest unit, one year, from the published dataset on DuckDB: the cached
  query (median and p95 over ``--runs``), the same with the SQL cache cleared before each run (Ibis build
  and compile each time), and, with ``--before``, an earlier ``followup/care.py`` (e.g. main's) loaded from a
  file;
- the unit manager's dashboard (``services.indicators.dashboard``: the read model's loader, the care tables,
  the engine), split into its parts, against the per-pathway Python loop over the same loaded facts (what the
  dashboard did before the engine);
- the regional indicator report: every care indicator for every unit, for each of five calendar years
  (goal < 10 s), cached query, and with ``--before`` the earlier engine.

Every figure is printed with the load average (``os.getloadavg``), as the machine is shared.

    createdb -T canrehab_tpl200k canrehab_bench_ibis4   # via psql as postgres
    git show main:canrehab/followup/care.py > /tmp/care_before.py
    .venv/bin/python benchmarks/care_engine.py --today 2026-12-03 --before /tmp/care_before.py \\
        --db-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench_ibis4
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.care_setup import load, open_services
from benchmarks.core import machine, summary, timed
from canrehab.domain.access import Actor
from canrehab.followup import backends, care
from canrehab.services import indicators, publish
from canrehab.services.context import SYSTEM
from canrehab.services.process_indicators import (
    is_prem,
    load_process_indicators,
    per_pathway_counts,
    prem_instrument_ids,
    svf_definitions,
)
from canrehab.store.care_extract import care_tables


def line(label: str, ms: list[float]) -> None:
    print(f"  {label:<36}{summary(ms)}  [{load()}]", flush=True)


def before_module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("care_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def per_pathway(definitions: Any, facts: list[Any], handovers: list[Any], start: date, end: date) -> None:
    """The dashboard's evaluation before the engine: every indicator, pathway by pathway, in Python."""
    for definition in definitions:
        per_pathway_counts(definition, facts, handovers, start, end)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--secret-key", default="bench-secret")
    ap.add_argument("--today", default=date.today().isoformat())
    ap.add_argument("--dataset", help="an already published care dataset directory (skips publish_care)")
    ap.add_argument("--before", help="an earlier followup/care.py to time as the engine's baseline")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--baseline-runs", type=int, default=5)
    args = ap.parse_args()
    today = date.fromisoformat(args.today)
    print(f"machine: {machine()}")
    services = open_services(args.db_url, args.secret_key, today, "canrehab-care-engine-")
    admin = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")

    if args.dataset:
        dataset = Path(args.dataset)
    else:
        t0 = time.perf_counter()
        published = publish.publish_care(services, admin, as_of=today)
        seconds = time.perf_counter() - t0
        dataset = published.dataset
        rows = ", ".join(f"{k} {v}" for k, v in published.rows.items())
        print(f"publish_care (as of {today}): {seconds:7.2f} s  ({rows}) -> {dataset}  [{load()}]")

    with services.uow(SYSTEM, log_reads=False) as uow:
        units = [u.hsa_id for u in uow.units.list_all()]
    definitions = load_process_indicators()
    con = backends.connect("duckdb")
    tables = care.read_dataset(con, dataset)
    start, end = date(today.year - 1, today.month, today.day), today
    year = care.evaluate(con, definitions, start, end)
    unit = max(units, key=lambda u: sum(year[d.id].get(u, (0, 0))[1] for d in definitions))
    manager = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({unit}), username="chef")
    old = before_module(args.before) if args.before else None
    old_con = backends.connect("duckdb")
    old_tables = old.read_dataset(old_con, dataset) if old is not None else None
    if old is not None:
        assert old_tables is not None
        old_year = old.evaluate_units(old_tables, definitions, start, end, con=old_con)
        assert old_year == year, "the earlier engine gives other figures"
    del tables

    def engine_unit() -> None:
        care.evaluate(con, definitions, start, end, units=[unit])

    def engine_unit_cold() -> None:
        care.compiled_sql.cache_clear()
        engine_unit()

    def before_unit() -> None:
        assert old is not None
        old.evaluate_units(old_tables, definitions, start, end, units=[unit], con=old_con)

    engine_unit()
    print(
        f"one unit ({unit}), {len(definitions)} care indicators, {start}..{end}, published dataset (DuckDB):"
    )
    line("engine, cached query:", timed(engine_unit, args.runs))
    line("engine, compiled every time:", timed(engine_unit_cold, args.baseline_runs))
    if old is not None:
        line("baseline, the earlier engine:", timed(before_unit, args.baseline_runs))

    def dashboard_unit() -> None:
        indicators.dashboard(services, manager, unit=None, process=None, start=start, end=end)

    facts, handovers = indicators._facts(services, manager, [unit], None, start, end)
    frames = care.care_frames(facts, handovers, svf_definitions(), is_prem)
    dashboard_unit()
    print(f"the unit manager's dashboard ({len(facts)} pathways, {len(handovers)} handovers), PostgreSQL:")
    line("dashboard, through the engine:", timed(dashboard_unit, args.baseline_runs))

    def facts_path() -> None:  # the dashboard's data path before the set-based extract
        f, h = indicators._facts(services, manager, [unit], None, start, end)
        care.evaluate_frames(care.care_frames(f, h, svf_definitions(), is_prem), definitions, start, end)

    line("baseline, the facts path (loader + care_frames + engine):", timed(facts_path, args.baseline_runs))

    def extract() -> None:
        with services.engine.connect() as conn:
            care_tables(
                conn,
                as_of=end,
                svf_definitions=svf_definitions(),
                prem_instruments=prem_instrument_ids(),
                unit_ids=[unit],
            )

    line("of which the set-based care tables (store.care_extract):", timed(extract, args.baseline_runs))

    def loader() -> None:
        indicators._facts(services, manager, [unit], None, start, end)

    line("of which the loader (facts):", timed(loader, args.baseline_runs))
    frames_ms = timed(lambda: care.care_frames(facts, handovers, svf_definitions(), is_prem), args.runs)
    line("of which the care tables:", frames_ms)
    engine_ms = timed(lambda: care.evaluate_frames(frames, definitions, start, end), args.runs)
    line("of which the engine:", engine_ms)
    loop_ms = timed(lambda: per_pathway(definitions, facts, handovers, start, end), args.runs)
    line("baseline, per-pathway loop over the same facts:", loop_ms)

    years = [(date(y, 1, 1), date(y, 12, 31)) for y in range(today.year - 4, today.year + 1)]

    def regional() -> None:
        for first, last in years:
            care.evaluate(con, definitions, first, last)

    def before_regional() -> None:
        assert old is not None
        for first, last in years:
            old.evaluate_units(old_tables, definitions, first, last, con=old_con)

    first_year = years[0][0].year
    print(f"regional report, {len(units)} units, {len(definitions)} indicators, {first_year}-{today.year}:")
    line("engine, cached query:", timed(regional, args.baseline_runs))
    if old is not None:
        line("baseline, the earlier engine:", timed(before_regional, 2))
    services.engine.dispose()


if __name__ == "__main__":
    main()
