"""Care-process core: "what is due for unit U today" and "record an assessment + establish a plan".

Builds a synthetic region (default 200 000 patients) on SQLite and, when a PostgreSQL URL is given (or
CANREHAB_TEST_PG_URL is set), on PostgreSQL too, then times through the services layer (with access checks and
audit, as the app does):

- the due list of one unit (the worklist query), median and p95 over repeated runs;
- one write: start + submit + confirm an assessment and establish a rehab plan (four transactions), and the
  same four use cases as one operation (their units of work joined: one transaction, one worklist refresh);

each compared with a baseline measured in the same run on the same database: a primary-key read of one patient
(for the due list) and a one-row audit insert transaction (for the write). Figures are printed with the
machine; never part of the test pass/fail.

    .venv/bin/python benchmarks/core.py --patients 200000 \
        --pg-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import Goal, KeyMoment, NeedsLevel, PlanContent, Respondent
from canrehab.services import assessments, plans, worklist
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        mem = "?"
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem} RAM, "
        f"Python {platform.python_version()}"
    )


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):7.2f} ms  p95 {ms[int(0.95 * (len(ms) - 1))]:7.2f} ms"


def fresh_pg(url: str) -> str:
    name = f"canrehab_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_pg(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def bench(label: str, url: str, patients: int, runs: int, today: date) -> None:
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="canrehab-bench-")), database_url=url, secret_key="bench"
    )
    services = Services.open(settings, migrate=True)
    services.clock = lambda: today
    t0 = time.monotonic()
    generator = load_region(services, SynthConfig(patients=patients, seed=3, today=today))
    build = time.monotonic() - t0
    unit = max(
        generator.org.units,
        key=lambda u: u.hsa_id.endswith("-ONK"),
    )
    nurse = generator.org.nurses(unit.hsa_id)[0]
    actor = Actor(role="nurse", staff_id=nurse.id, unit_hsa_ids=frozenset({unit.hsa_id}), username="bench")
    with services.uow(SYSTEM, log_reads=False) as uow:
        open_pathways = [p for p in uow.pathways.for_unit(unit.hsa_id) if p.closed_on is None]
        # the write establishes a plan: time it only on pathways without an open plan, so that every timed
        # run does the whole operation
        pathways = [
            p
            for p in open_pathways
            if not any(
                pl.pathway_id == p.id and pl.status != "closed" for pl in uow.plans.for_patient(p.patient_id)
            )
        ][: 2 * runs + 5]
        unit_pathways = len(uow.pathways.for_unit(unit.hsa_id))
    first = worklist.unit_worklist(services, actor)

    def pk_read() -> None:
        with services.uow(actor) as uow:
            uow.patients.find(pathways[0].patient_id)

    due = timed(lambda: worklist.unit_worklist(services, actor), runs)
    base_read = timed(pk_read, runs)

    instrument = services.catalog.instruments[services.default_instrument]
    answers: dict[str, object] = {}
    for item in instrument.items:
        if item.kind == "boolean":
            answers[item.link_id] = False
        elif item.options and not item.repeats:
            answers[item.link_id] = item.options[-1].value
        elif item.kind == "integer":
            answers[item.link_id] = item.max_value or 0
    queue = iter(pathways)

    def write() -> None:
        pw = next(queue)
        a = assessments.start(
            services,
            actor,
            patient_id=pw.patient_id,
            pathway_id=pw.id,
            key_moment=KeyMoment.OTHER,
            respondent=Respondent.STAFF_ON_BEHALF,
        )
        a = assessments.save_answers(services, actor, a.id, answers, a.version, submit=True)
        assessments.confirm(
            services, actor, a.id, level=NeedsLevel.SPECIAL, reason="Benchmark.", version=a.version
        )
        plans.act(
            services,
            actor,
            patient_id=pw.patient_id,
            pathway_id=pw.id,
            op="establish",
            content=PlanContent(
                summary="B", goals=(Goal(text="Mål"),), follow_up_on=today + timedelta(days=30)
            ),
            version=0,
        )

    def joined_write() -> None:
        # the same four use cases in one unit of work, as a FHIR transaction Bundle runs them: the units of
        # work join, one commit, and the pathway's worklist row is refreshed once
        with services.uow(actor):
            write()

    def base_write() -> None:
        with services.uow(actor) as uow:
            uow.audit.record("read", "benchmark", "x", None, "")

    half = max(1, min(runs, (len(pathways) - 2) // 2))
    writes = timed(write, half)
    joined = timed(joined_write, half)
    base_w = timed(base_write, runs)

    # The daily refresh: rows whose date-driven flags changed are recomputed in batches. Mark a sample of
    # pathways stale and time the job; then mark the unit's rows stale and time the first worklist read of
    # the day when the job has not run (the read refreshes its unit's stale rows first).
    sample = min(5000, patients)
    stale = text(
        "UPDATE worklist_status SET refresh_on = '2000-01-01' WHERE pathway_id IN "
        "(SELECT pathway_id FROM worklist_status ORDER BY pathway_id LIMIT :n)"
    )
    with services.engine.begin() as conn:
        conn.execute(stale, {"n": sample})
    t0 = time.perf_counter()
    refreshed = worklist.refresh_stale(services, SYSTEM, today)
    refresh_s = time.perf_counter() - t0
    with services.engine.begin() as conn:
        conn.execute(
            text("UPDATE worklist_status SET refresh_on = '2000-01-01' WHERE unit_hsa_id = :u"),
            {"u": unit.hsa_id},
        )
    t0 = time.perf_counter()
    worklist.unit_worklist(services, actor)
    first_read = (time.perf_counter() - t0) * 1000
    print(
        f"\n[{label}] {patients} patients, built in {build:.1f} s; unit {unit.hsa_id} has {unit_pathways} "
        f"pathways, {first.total} with something to do"
    )
    print(f"  due list for unit today        {summary(due)}   (goal < 50 ms)")
    print(f"  baseline: patient by id        {summary(base_read)}")
    print(f"  ratio due list / baseline      {statistics.median(due) / statistics.median(base_read):7.1f}x")
    print(f"  assessment + plan (4 tx)       {summary(writes)}   (goal < 10 ms per write)")
    print(f"  per transaction                {statistics.median(writes) / 4:7.2f} ms")
    print(f"  the same as one operation      {summary(joined)}   (goal < 10 ms; one joined unit of work)")
    print(f"  baseline: one-row audit tx     {summary(base_w)}")
    print(f"  ratio write / baseline         {statistics.median(writes) / statistics.median(base_w):7.1f}x")
    print(f"  ratio one operation / baseline {statistics.median(joined) / statistics.median(base_w):7.1f}x")
    per_pathway = refresh_s * 1000 / max(1, refreshed)
    print(
        f"  daily refresh                  {refreshed} stale pathways in {refresh_s:.2f} s, "
        f"{per_pathway:.2f} ms each (whole region ~{per_pathway * patients / 1000:.0f} s)"
    )
    print(f"  ratio refresh per pathway / baseline read {per_pathway / statistics.median(base_read):7.1f}x")
    print(f"  first due list of the day, job not run ({unit_pathways} unit rows stale): {first_read:.0f} ms")
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
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.db", args.patients, args.runs, today)
    if args.pg_url and not args.sqlite_only:
        url = fresh_pg(args.pg_url)
        try:
            bench("PostgreSQL", url, args.patients, args.runs, today)
        finally:
            drop_pg(args.pg_url, url)


if __name__ == "__main__":
    main()
