"""The goal trend page's use case (``services.goal_trends.indicator_trend``) on a copy of the 200 000-patient
template database: one care indicator over 8 quarters (8 dashboard evaluations) for the region (process
leader) and for the largest oncology unit (its manager), against the same-run baseline of one dashboard
evaluation (every care indicator, one year) for the same reader.

    createdb -T canrehab_tpl200k canrehab_bench_goals2   # as the postgres user
    .venv/bin/python benchmarks/goal_trend.py --pg-url postgresql+psycopg://canrehab@/canrehab_bench_goals2?host=/tmp/canrehab-pg&port=54329
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine, summary, timed
from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import indicators
from canrehab.services.context import SYSTEM, Services
from canrehab.services.goal_trends import indicator_trend


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg-url", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--indicator", default="erbjuden_kontaktsjukskoterska")
    ap.add_argument("--unit-only", action="store_true", help="only the unit manager (the region is slow)")
    args = ap.parse_args()
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="canrehab-trend-")),
        database_url=args.pg_url,
        secret_key="bench-secret",
    )
    services = Services.open(settings)
    end = services.today()
    with services.uow(SYSTEM, log_reads=False) as uow:
        units = list(uow.units.list_all())
        sizes = {u.hsa_id: len(uow.pathways.for_unit(u.hsa_id)) for u in units if u.hsa_id.endswith("-ONK")}
    unit = max(sizes, key=lambda k: sizes[k])
    readers = {
        "region (process leader)": Actor(role="admin", staff_id=None, username="processledare"),
        f"unit {unit} ({sizes[unit]} pathways, manager)": Actor(
            role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({unit}), username="chef"
        ),
    }
    if args.unit_only:
        readers = {k: v for k, v in readers.items() if k.startswith("unit")}
    print(machine(), flush=True)
    for label, actor in readers.items():

        def board(actor: Actor = actor) -> None:
            indicators.dashboard(
                services, actor, unit=None, process=None, start=end - timedelta(days=365), end=end
            )

        def trend(actor: Actor = actor) -> None:
            indicator_trend(
                services, actor, indicator_id=args.indicator, granularity="quarter", end=end, count=8
            )

        board()
        base, quarters = timed(board, args.runs), timed(trend, args.runs)
        ratio = sorted(quarters)[len(quarters) // 2] / sorted(base)[len(base) // 2]
        print(
            f"{label}:\n  dashboard one year (baseline): {summary(base)}\n  trend 8 quarters:              "
            f"{summary(quarters)}  (median {ratio:.1f}x the baseline)"
        )
    services.engine.dispose()


if __name__ == "__main__":
    main()
