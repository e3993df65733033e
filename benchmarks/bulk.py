"""FHIR Bulk Data export of a whole region: time and peak memory of the export job, against a raw dump.

Builds a synthetic region (``canrehab synth``'s generator and loader, default 200 000 patients) on a
throw-away PostgreSQL database (or SQLite with ``--sqlite``), then, in a fresh process (so that its peak RSS
is the export's, not the build's), runs one system-level ``$export`` job exactly as the app's background
thread does (``canrehab.fhir.export.run_job``: the snapshot read in batches, the mappers, the NDJSON files,
the per-patient read audit) and compares it with a same-run baseline: ``SELECT count(*)`` of every exported
table and a raw dump of the same rows (``COPY … TO STDOUT`` on PostgreSQL, a plain ``SELECT *`` fetched in
batches on SQLite). Prints the figures and the machine; never part of the test pass/fail.

    .venv/bin/python benchmarks/bulk.py --patients 200000 \
        --pg-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import drop_pg, fresh_pg, machine

TABLES = ("patient", "pathway", "assessment", "rehab_plan", "handover", "referral", "kva_record")
TODAY = date(2026, 11, 1)


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the export's worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build(url: str, data_dir: Path, patients: int) -> float:
    from canrehab.config import Settings
    from canrehab.services.context import Services
    from canrehab.synth.load import load_region
    from canrehab.synth.region import SynthConfig

    settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench", pseudonym_key="bench")
    services = Services.open(settings, migrate=True)
    t0 = time.monotonic()
    load_region(services, SynthConfig(patients=patients, seed=3, today=TODAY))
    return time.monotonic() - t0


def baseline(url: str) -> dict[str, float]:
    from canrehab.store.db import make_engine

    engine = make_engine(url)
    out: dict[str, float] = {}
    t0 = time.monotonic()
    with engine.connect() as conn:
        for t in TABLES:
            out[f"rows_{t}"] = float(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0)
    out["count"] = time.monotonic() - t0
    t0 = time.monotonic()
    size = 0
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()  # type: ignore[attr-defined]
            for t in TABLES:
                with cur.copy(f"COPY {t} TO STDOUT") as copy:
                    for block in copy:
                        size += len(block)
        finally:
            raw.close()
    else:
        with engine.connect() as conn:
            for t in TABLES:
                result = conn.exec_driver_sql(f"SELECT * FROM {t}")
                while rows := result.fetchmany(5000):
                    size += sum(len(repr(r)) for r in rows)
    out["dump"] = time.monotonic() - t0
    out["dump_mib"] = size / 1024 / 1024
    engine.dispose()
    return out


class BackendCpu:
    """The CPU time of the PostgreSQL backends serving the database during the export (the server's share of
    the work, on the same cores when it runs on this machine): their pids are sampled every 0.2 s and each
    one's utime + stime read from /proc (0 when the server is elsewhere)."""

    def __init__(self, url: str) -> None:
        from canrehab.store.db import make_engine

        self.engine = make_engine(url)
        self.seen: dict[int, int] = {}
        self.before: dict[int, int] = {}  # the backends open at the start: what they had used already
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    QUERY = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"

    def _sample(self, conn: Any, into: dict[int, int]) -> None:
        for (pid,) in conn.exec_driver_sql(self.QUERY).all():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            into[pid] = int(fields[11]) + int(fields[12])
        conn.rollback()

    def _run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.wait(0.2):
                self._sample(conn, self.seen)

    def __enter__(self) -> BackendCpu:
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                self._sample(conn, self.before)
            self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
        self.engine.dispose()

    def seconds(self) -> float:
        """Up to 0.2 s of each backend's last moments are missed (it may exit between two samples)."""
        used = sum(ticks - self.before.get(pid, 0) for pid, ticks in self.seen.items())
        return used / os.sysconf("SC_CLK_TCK")


def export(url: str, data_dir: Path, role: str, parallel_min: int, types: str = "") -> dict[str, object]:
    """One system-level export job in this process, with its RSS sampled every 0.1 s."""
    from canrehab.config import Settings
    from canrehab.domain.access import Actor
    from canrehab.fhir import export as bulk
    from canrehab.fhir.context import Ctx
    from canrehab.services.context import Services

    settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench", pseudonym_key="bench")
    services = Services.open(settings, migrate=False)
    figures: dict[str, object] = {"baseline": baseline(url)}
    bulk.PARALLEL_MIN_PATIENTS = parallel_min
    actor = Actor(role=role, staff_id=None, unit_hsa_ids=frozenset(), username="bench")
    request = bulk.parse_kickoff([("_type", types)] if types else [], "respond-async", "system")
    with services.uow(actor) as uow:
        job_id = bulk.start(Ctx(services, uow, actor), request, "http://bench/fhir/$export")
    peak = [rss_mib()]
    figures["rss_before_mib"] = peak[0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load0 = os.getloadavg()[0]
    with BackendCpu(url) as server:
        t0, cpu0 = time.monotonic(), cpu_seconds()
        bulk.run_job(services, job_id)
        figures["export"] = time.monotonic() - t0
        figures["cpu"] = cpu_seconds() - cpu0
    figures["server_cpu"] = server.seconds()
    figures["load"] = [load0, os.getloadavg()[0]]
    stop.set()
    sampler.join()
    with services.uow(actor, log_reads=False) as uow:
        job = uow.bulk_jobs.get(job_id)
    figures["status"] = job["status"]
    output: dict[str, int] = {}
    for o in job["output"]:  # one file per type and worker
        output[o["type"]] = output.get(o["type"], 0) + o["count"]
    figures["output"] = output
    figures["files"] = len(job["output"])
    figures["errors"] = sum(o["count"] for o in job["error"])
    directory = bulk.export_dir(services, job_id)
    figures["files_mib"] = sum(p.stat().st_size for p in directory.iterdir()) / 1024 / 1024
    figures["peak_rss_mib"] = max(peak[0], rss_mib("VmHWM"))
    figures["worker_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return figures


def num(value: object) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def report(label: str, patients: int, built: float, f: dict[str, object]) -> None:
    base = f["baseline"]
    assert isinstance(base, dict)
    seconds = num(f["export"])
    output = f["output"]
    assert isinstance(output, dict)
    resources = sum(output.values())
    print(f"\n{label}, {patients} patients (build: generate + load {built:.0f} s)")
    print(
        f"  export job           {seconds:8.1f} s   status {f['status']}, {resources} resources, "
        f"{num(f['files_mib']):.0f} MiB NDJSON, {f['errors']} error lines"
    )
    print(
        f"  per patient          {1000 * seconds / max(patients, 1):8.2f} ms;  "
        f"{resources / seconds:,.0f} resources/s".replace(",", " ")
    )
    print(
        f"  peak RSS             {num(f['peak_rss_mib']):8.0f} MiB (before the job "
        f"{num(f['rss_before_mib']):.0f} MiB); largest worker process "
        f"{num(f['worker_peak_rss_mib']):.0f} MiB"
    )
    cpu = num(f["cpu"])
    print(
        f"  CPU time             {cpu:8.1f} s   ({1000 * cpu / max(patients, 1):.2f} ms per patient; "
        f"the machine is shared: CPU time is the figure to extrapolate)"
    )
    server = num(f.get("server_cpu", 0.0))
    cores = os.cpu_count() or 1
    print(f"  PostgreSQL CPU       {server:8.1f} s   (the backends serving this database)")
    print(
        f"  per core             {(cpu + server) / cores:8.1f} s   ((client + server CPU) / {cores} cores: "
        "the quiet-machine estimate of the wall time)"
    )
    load = f.get("load") or [0.0, 0.0]
    assert isinstance(load, list)
    print(f"  load average (1 min) {load[0]:8.1f} at the start, {load[1]:.1f} at the end")
    print(f"  baseline count(*)    {base['count']:8.2f} s")
    print(f"  baseline raw dump    {base['dump']:8.1f} s   ({base['dump_mib']:.0f} MiB)")
    print(f"  ratio export / dump  {seconds / max(base['dump'], 1e-9):8.1f}x")
    rows = {t: int(base[f"rows_{t}"]) for t in ("patient", "kva_record")}
    print(
        f"  rows in the database: {rows['patient']} patients, {rows['kva_record']} KVÅ records (every one "
        "is exported: Patient and Procedure counts must be equal to them)"
    )
    print("  per type: " + ", ".join(f"{t} {n}" for t, n in output.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=200_000)
    ap.add_argument("--pg-url", default=os.environ.get("CANREHAB_TEST_PG_URL", ""))
    ap.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    ap.add_argument("--role", default="regional_analyst", help="the caller (regional_analyst: pseudonymised)")
    ap.add_argument("--parallel-min", type=int, default=20_000, help="patients from which workers run")
    ap.add_argument(
        "--database-url",
        help="export an existing database (e.g. a copy of canrehab_tpl200k) instead of building one",
    )
    ap.add_argument("--type", default="", help="the export's _type (default: every type)")
    ap.add_argument("--export-only", help=argparse.SUPPRESS)  # internal: URL of a built database
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.export_only:
        figures = export(args.export_only, Path(args.data_dir), args.role, args.parallel_min, args.type)
        print(json.dumps(figures))
        return
    print(f"machine: {machine()}")
    if args.database_url:  # a database built beforehand: the export alone, in a fresh process
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, __file__, "--export-only", args.database_url, "--data-dir", tmp]
            cmd += ["--role", args.role, "--parallel-min", str(args.parallel_min), "--type", args.type]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            rows = int(figures["baseline"]["rows_patient"])  # type: ignore[index]
            report("PostgreSQL (existing database)", rows, 0.0, figures)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.sqlite:
            url, admin = f"sqlite:///{tmp}/bench.db", None
        else:
            if not args.pg_url:
                sys.exit("give --pg-url (or CANREHAB_TEST_PG_URL), or --sqlite")
            url, admin = fresh_pg(args.pg_url), args.pg_url
        try:
            built = build(url, Path(tmp), args.patients)
            cmd = [sys.executable, __file__, "--export-only", url, "--data-dir", tmp, "--role", args.role]
            cmd += ["--parallel-min", str(args.parallel_min)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            report("SQLite" if args.sqlite else "PostgreSQL", args.patients, built, figures)
        finally:
            if admin:
                drop_pg(admin, url)


if __name__ == "__main__":
    main()
