"""Follow-up against goals: the unit dashboard with every care indicator (plus the group-level distribution)
and publishing the care data to the analytics store, through the services layer with access checks and audit,
as the app runs them.

Builds a synthetic region (default 200 000 patients) on PostgreSQL (``--pg-url`` or CANREHAB_TEST_PG_URL;
a throw-away database) or, with ``--sqlite-only``, on SQLite, then times for the largest oncology unit's
manager:

- the dashboard (every evaluable care indicator, one year) — median and p95 over ``--runs`` (goal: p95 <
  300 ms at 200 000 on PostgreSQL);
- the group-level distribution of the same unit and year;
- ``publish`` of the care data (one year of KVÅ records, pseudonymised) into the analytics store (goal
  < 60 s).

    .venv/bin/python benchmarks/goals.py --patients 200000 --pg-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import drop_pg, fresh_pg, machine, summary, timed
from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import indicators, publish
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import load_process_indicators
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig


def bench(label: str, url: str, patients: int, runs: int, today: date) -> None:
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="canrehab-goals-")), database_url=url, secret_key="bench"
    )
    services = Services.open(settings, migrate=True)
    services.clock = lambda: today
    t0 = time.monotonic()
    generator = load_region(services, SynthConfig(patients=patients, seed=3, today=today))
    build = time.monotonic() - t0
    unit = max(generator.org.units, key=lambda u: u.hsa_id.endswith("-ONK"))
    manager = Actor(
        role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({unit.hsa_id}), username="chef"
    )
    start, end = today - timedelta(days=365), today
    with services.uow(SYSTEM, log_reads=False) as uow:
        unit_pathways = len(uow.pathways.for_unit(unit.hsa_id))

    def dashboard() -> None:
        indicators.dashboard(services, manager, unit=None, process=None, start=start, end=end)

    def distribution() -> None:
        indicators.distribution(services, manager, unit=None, process=None, start=start, end=end)

    dashboard()  # warm
    print(
        f"{label}: {patients} patients built in {build:.0f} s; "
        f"unit {unit.hsa_id} has {unit_pathways} pathways"
    )
    print(f"  dashboard ({len(load_process_indicators())} indicators): {summary(timed(dashboard, runs))}")
    print(f"  distribution:                 {summary(timed(distribution, max(runs // 5, 3)))}")
    admin = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")
    t0 = time.monotonic()
    publish.publish(services, admin, start=start, end=end)
    print(f"  publish one year:             {time.monotonic() - t0:7.2f} s")
    services.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--pg-url", default=os.environ.get("CANREHAB_TEST_PG_URL", ""))
    ap.add_argument("--sqlite-only", action="store_true")
    args = ap.parse_args()
    today = date(2026, 11, 1)
    print(f"machine: {machine()}")
    if args.sqlite_only or not args.pg_url:
        with tempfile.TemporaryDirectory() as tmp:
            bench("SQLite", f"sqlite:///{tmp}/bench.db", args.patients, args.runs, today)
        return
    url = fresh_pg(args.pg_url)
    try:
        bench("PostgreSQL", url, args.patients, args.runs, today)
    finally:
        drop_pg(args.pg_url, url)


if __name__ == "__main__":
    main()
