"""The unit manager's dashboard (``services.indicators.dashboard``: every care indicator, one year, the
largest unit, with its disclosure control and audit) at the size of the shared 200 000-patient template
(issue 11, speed: p95 < 300 ms). Prints p50/p95 over ``--runs`` calls, the figures' checksum (to show two
trees give the same dashboard) and the load average. Run it once per tree back to back, serialised::

    URL=postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench_dash5
    for tree in /work/main /work/wt-dash5; do
        CANREHAB_BENCH_TREE=$tree flock /work/bench.lock .venv/bin/python benchmarks/dashboard.py \\
            --db-url $URL --today 2026-12-03
    done

``CANREHAB_BENCH_TREE`` names the tree whose ``canrehab`` is timed (default: this one); the helpers come from
this script's own tree.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("CANREHAB_BENCH_TREE", str(HERE.parent)))

from canrehab.domain.access import Actor  # noqa: E402
from canrehab.services import indicators  # noqa: E402


def _helper(name: str) -> ModuleType:
    """A helper module of this script's tree (the timed tree may not have it)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup, core = _helper("care_setup"), _helper("core")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db-url", required=True)
    ap.add_argument("--secret-key", default="bench-secret")
    ap.add_argument("--today", default=date.today().isoformat())
    ap.add_argument("--runs", type=int, default=60)
    args = ap.parse_args()
    today = date.fromisoformat(args.today)
    services = setup.open_services(args.db_url, args.secret_key, today, "canrehab-dashboard-bench-")
    unit, pathways = setup.largest_unit(services)
    manager = Actor(role="unit_manager", staff_id=None, unit_hsa_ids=frozenset({unit}), username="chef")
    start = date(today.year - 1, today.month, today.day)

    def board() -> indicators.Dashboard:
        return indicators.dashboard(services, manager, unit=None, process=None, start=start, end=today)

    shown = board()  # warm-up: imports, compiled SQL, connections
    figures = [
        (r.definition.id, row.numerator_text, row.denominator_text)
        for r in shown.indicators
        for row in r.rows
    ]
    ms: list[float] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        board()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    print(f"machine: {core.machine()}")
    print(f"tree: {indicators.__file__}")
    print(
        f"dashboard, {unit} ({pathways} pathways), {len(shown.indicators)} indicators, {start}..{today}: "
        f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms over {args.runs}; "
        f"figures {hashlib.sha256(repr(figures).encode()).hexdigest()[:12]}; {setup.load()}",
        flush=True,
    )
    services.engine.dispose()


if __name__ == "__main__":
    main()
