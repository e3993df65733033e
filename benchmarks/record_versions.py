"""The cost of keeping every version (``record_version``, migration 0013) on a write.

Times N optimistic-lock updates of one rehab plan, each its own unit of work (as a FHIR PUT is), twice in
the same run on the same migrated SQLite database: with the version row written (as the store does) and with
it switched off on the repository (the baseline, as before 0013). Prints the machine, both medians and the
ratio; never part of the test pass/fail.

    .venv/bin/python benchmarks/record_versions.py --updates 300
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import sessionmaker

from canrehab.domain.model import PlanContent
from canrehab.store.audit import AuditActor
from canrehab.store.db import make_engine, migrate
from canrehab.store.uow import UnitOfWork
from tests.store import samples

SYSTEM = AuditActor("system", "system", ())


def _updates(sessions: sessionmaker, n: int, keep: bool) -> list[float]:  # type: ignore[type-arg]
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with UnitOfWork(sessions, SYSTEM) as u:
            u.plans.keeps_versions = keep
            plan = u.plans.get("plan-1")
            changed = plan.model_copy(update={"content": PlanContent(summary=f"v{plan.version + 1}")})
            u.plans.update(changed, expected_version=plan.version)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        sessions = sessionmaker(engine)
        with UnitOfWork(sessions, SYSTEM) as u:
            u.units.add(samples.unit("SE2321000016-ONK"))
            u.patients.add(samples.patient())
            u.pathways.add(samples.pathway())
            u.plans.add(samples.plan())
        _updates(sessions, 20, True)  # warm up
        rounds = {"without version row": [], "with version row": []}  # type: dict[str, list[float]]
        for _ in range(3):  # interleaved, so load on the machine hits both alike
            rounds["without version row"] += _updates(sessions, args.updates // 3, False)
            rounds["with version row"] += _updates(sessions, args.updates // 3, True)
        engine.dispose()
    machine = f"{platform.machine()} {platform.processor() or ''}".strip()
    print(f"machine: {machine}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    medians = {k: statistics.median(v) * 1000 for k, v in rounds.items()}
    for name, ms in medians.items():
        print(f"{name:>20}: median {ms:.2f} ms per update (n={len(rounds[name])})")
    print(f"ratio with/without: {medians['with version row'] / medians['without version row']:.2f}")


if __name__ == "__main__":
    main()
