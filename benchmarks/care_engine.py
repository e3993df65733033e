"""The care indicators through the Ibis engine (``followup.care``) over the published care dataset, at the
size of the shared 200 000-patient template (issue 11 item 1, speed section).

On a copy of an existing database (``--db-url``, e.g. a copy of ``canrehab_tpl200k``; nothing is written to
the database but the audit log), with the analytics store in a throw-away directory, it times:

- ``publish_care``: the care dataset of every unit as pseudonymised Parquet, atomically (goal < 60 s);
- every care indicator for the largest unit from the published dataset on DuckDB, median and p95 over
  ``--runs`` (goal: the dashboard's p95 < 300 ms); same-run baseline: ``services.indicators.dashboard``
  (the per-pathway evaluation over the operational database) for that unit's manager;
- the regional indicator report: every care indicator for every unit, for each of five calendar years
  (goal < 10 s); same-run baseline: the per-pathway dashboard, region-wide, for the last year only.

    createdb -T canrehab_tpl200k canrehab_bench_ibis3   # via psql as postgres
    .venv/bin/python benchmarks/care_engine.py --db-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench_ibis3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine, summary, timed
from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.followup import backends, care
from canrehab.services import indicators, publish
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import load_process_indicators


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--secret-key", default="bench-secret")
    ap.add_argument("--today", default=date.today().isoformat())
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--baseline-runs", type=int, default=5)
    args = ap.parse_args()
    today = date.fromisoformat(args.today)
    print(f"machine: {machine()}")
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="canrehab-care-engine-")),
        database_url=args.db_url,
        secret_key=args.secret_key,
    )
    services = Services.open(settings, migrate=False)
    services.clock = lambda: today
    admin = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")

    t0 = time.perf_counter()
    published = publish.publish_care(services, admin, as_of=today)
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in published.dataset.iterdir()) / 1024 / 1024
    rows = ", ".join(f"{k} {v}" for k, v in published.rows.items())
    print(f"publish_care (as of {today}): {seconds:7.2f} s  ({rows}; {size:.1f} MiB Parquet)")

    with services.uow(SYSTEM, log_reads=False) as uow:
        units = [u.hsa_id for u in uow.units.list_all()]
    definitions = load_process_indicators()
    con = backends.connect("duckdb")
    t0 = time.perf_counter()
    tables = care.read_dataset(con, published.dataset)
    opened = (time.perf_counter() - t0) * 1000
    start, end = date(today.year - 1, today.month, today.day), today
    year = care.evaluate_units(tables, definitions, start, end, con=con)
    unit = max(units, key=lambda u: sum(year[d.id].get(u, (0, 0))[1] for d in definitions))
    manager = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({unit}), username="chef")

    def engine_unit() -> None:
        care.evaluate_units(tables, definitions, start, end, units=[unit], con=con)

    def dashboard_unit() -> None:
        indicators.dashboard(services, manager, unit=None, process=None, start=start, end=end)

    engine_unit()
    print(f"one unit ({unit}), {len(definitions)} care indicators, {start}..{end}:")
    print(f"  engine on the published dataset (DuckDB): {summary(timed(engine_unit, args.runs))}")
    print(f"    (opening the dataset once: {opened:.1f} ms)")
    print(f"  baseline, per-pathway dashboard (PG):     {summary(timed(dashboard_unit, args.baseline_runs))}")

    years = [(date(y, 1, 1), date(y, 12, 31)) for y in range(today.year - 4, today.year + 1)]

    def regional() -> None:
        for first, last in years:
            care.evaluate_units(tables, definitions, first, last, con=con)

    def dashboard_region() -> None:
        indicators.dashboard(services, admin, unit=None, process=None, start=years[-1][0], end=years[-1][1])

    print(
        f"regional report, {len(units)} units, {len(definitions)} indicators, "
        f"{years[0][0].year}-{today.year}:"
    )
    print(f"  engine, five years:                       {summary(timed(regional, 5))}")
    print(f"  baseline, per-pathway dashboard, one year: {summary(timed(dashboard_region, 1))}")
    services.engine.dispose()


if __name__ == "__main__":
    main()
