"""Worklist page latency under concurrent clients (httpx + asyncio on loopback).

Builds (or reuses) a synthetic region in the database given by ``--database-url`` (PostgreSQL for the
figure in benchmarks/README.md), starts the web app (uvicorn in a background thread, or ``canrehab serve
--workers N`` with ``--workers N``), logs in N clients as nurses and has each fetch ``/arbetslista`` (or a
patient page) repeatedly, bounded in request count and time.
Prints median and p95 latency, throughput and the machine. Never part of the test pass/fail.

    python benchmarks/web.py --patients 20000 --clients 50 --requests 2000 \
        --database-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from canrehab.config import Settings
from canrehab.store.db import migrate
from canrehab.synth.demo import build_demo, demo_logins
from canrehab.web.app import create_app
from tests.web.live_server import free_port, serve

# issue 13, "Speed": the worklist against the same run's /halsa, the patient page absolute
GOALS = {"worklist": "median within 3x the /halsa median", "patient": "p95 < 100 ms"}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def login(client: httpx.AsyncClient, username: str, password: str) -> None:
    page = await client.get("/logga-in")
    match = CSRF_RE.search(page.text)
    assert match, "no CSRF token on the login page"
    r = await client.post(
        "/logga-in",
        data={
            "username": username,
            "password": password,
            "csrf_token": match.group(1),
            "next": "/arbetslista",
        },
    )
    assert r.status_code == 303, f"login failed for {username}: {r.status_code}"


async def run(
    base: str,
    accounts: list[tuple[str, str]],
    clients: int,
    requests: int,
    seconds: float,
    path: str = "/arbetslista",
    think: tuple[float, float] = (0.0, 0.0),
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients)

    async def worker(i: int) -> None:
        nonlocal remaining, errors
        rng = random.Random(i)
        username, password = accounts[i % len(accounts)]
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            await login(client, username, password)
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                t0 = time.perf_counter()
                r = await client.get(path)
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1
                if think[1] > 0:
                    # A user reads the page before the next click (locust's ``between(min, max)``).
                    await asyncio.sleep(rng.uniform(*think))

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    return latencies, errors, time.monotonic() - started


@contextmanager
def server(settings: Settings, workers: int) -> Iterator[str]:
    """The app in a thread of this process, or (``workers`` > 0) ``canrehab serve --workers N`` as in
    production: the same command, factory (``canrehab.web.cli:worker_app``) and log configuration. Its log
    (one access line per request, with the worker's pid) goes to ``<data_dir>/serve.log``."""
    if workers <= 0:
        with serve(create_app(settings)) as base:
            yield base
        return
    port = free_port()
    tree = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),  # the server runs this benchmark's tree, not the venv's editable install
        "CANREHAB_DATA_DIR": str(settings.data_dir),
        "CANREHAB_DATABASE_URL": settings.database_url,
        "CANREHAB_SECRET_KEY": settings.secret_key,
    }
    cmd = [sys.executable, "-m", "canrehab.cli", "serve", "--port", str(port), "--workers", str(workers)]
    log = settings.data_dir / "serve.log"
    proc = subprocess.Popen(  # cwd: ``python -m`` puts it first on sys.path
        cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        # every worker up (not only the first one that answers), so that the timed runs see all of them
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"canrehab serve did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()  # SIGTERM: the supervisor stops its workers
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def _a_listed_patient(settings: Settings) -> str:
    """A patient on the demo nurse's worklist (the patient page the nurse opens from it)."""
    from canrehab.domain.access import Actor
    from canrehab.services.context import SYSTEM, Services
    from canrehab.services.worklist import unit_worklist

    services = Services.open(settings)
    try:
        with services.uow(SYSTEM, log_reads=False) as uow:
            account = uow.accounts.get("ssk")
        actor = Actor(
            role=account.role,
            staff_id=account.staff_id,
            unit_hsa_ids=frozenset(account.unit_hsa_ids),
            username="ssk",
        )
        return str(unit_worklist(services, actor, limit=1).rows[0].patient_id)
    finally:
        services.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default="")
    ap.add_argument(
        "--patients", type=int, default=20000, help="Patients to build (ignored with --reuse: counted)."
    )
    ap.add_argument(
        "--secret-key",
        default="bench",
        help="The installation secret (canrehab_tpl200k, the 200 000-patient template: bench-secret).",
    )
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--reuse", action="store_true", help="Do not rebuild the synthetic data.")
    ap.add_argument(
        "--page",
        choices=("worklist", "patient"),
        default="worklist",
        help="The page timed: the worklist, or a patient on the nurse's list (goal p95 100 ms).",
    )
    ap.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[0],
        help=(
            "Serve with canrehab serve --workers N (0: one in-process server thread); several counts "
            "(--workers 1 2) are measured one after the other, with their ratios to the first."
        ),
    )
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.0, 0.0),
        metavar=("MIN", "MAX"),
        help="Seconds each client waits between requests, uniformly drawn (0 0: closed loop, saturation).",
    )
    args = ap.parse_args()
    think = (args.think[0], args.think[1])

    data_dir = Path(tempfile.mkdtemp(prefix="canrehab-bench-"))
    settings = Settings(data_dir=data_dir, database_url=args.database_url, secret_key=args.secret_key)
    t0 = time.monotonic()
    if args.reuse:
        migrate(settings.resolved_database_url)
        logins = demo_logins()
        # rows a migration or the passing of days made stale are recomputed before timing (the app's daily
        # job would do it in the background, competing with the timed requests)
        from canrehab.services.context import SYSTEM, Services
        from canrehab.services.worklist import refresh_stale

        services = Services.open(settings)
        print(f"refreshed {refresh_stale(services, SYSTEM)} stale worklist pathways")
        with services.engine.connect() as conn:  # what is in the database, not the unused --patients
            patients = int(conn.execute(text("SELECT count(*) FROM patient")).scalar_one())
        services.engine.dispose()
    else:
        logins = build_demo(settings, patients=args.patients, seed=7)
        patients = args.patients
    build_s = time.monotonic() - t0
    staff = [(u, p) for _role, u, p in logins if u in ("ssk", "lakare")]
    path = "/arbetslista" if args.page == "worklist" else f"/patient/{_a_listed_patient(settings)}"
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()} "
        f"python={platform.python_version()} load={os.getloadavg()[0]:.1f}"
    )
    print(
        f"database: {settings.resolved_database_url.split('@')[-1]} patients={patients} "
        f"({'reused, refresh' if args.reuse else 'build'} {build_s:.1f} s)"
    )
    figures: dict[int, tuple[float, float]] = {}
    for workers in args.workers:  # one server after the other on the same database, same clients
        figures[workers] = _measure(settings, workers, staff, path, args, think)
    if len(figures) > 1:
        first, (first_median, first_p95) = next(iter(figures.items()))
        for workers, (median, p95) in list(figures.items())[1:]:
            print(
                f"ratio workers={workers}/workers={first or 'in-process'}: "
                f"median {median / first_median:.2f}x p95 {p95 / first_p95:.2f}x"
            )


def _measure(
    settings: Settings,
    workers: int,
    staff: list[tuple[str, str]],
    path: str,
    args: argparse.Namespace,
    think: tuple[float, float],
) -> tuple[float, float]:
    """One server's figures, printed; returns (median, p95) of the page."""
    with server(settings, workers) as base:
        # Baseline in the same run: the health endpoint (same server, auth and middleware; no database).
        baseline, _, _ = asyncio.run(
            run(base, staff, args.clients, args.requests, args.seconds, "/halsa", think)
        )
        latencies, errors, wall = asyncio.run(
            run(base, staff, args.clients, args.requests, args.seconds, path, think)
        )
    latencies.sort()
    baseline.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    base_p95 = baseline[int(0.95 * (len(baseline) - 1))]
    print(
        f"server workers={workers or 'in-process'} clients={args.clients} "
        f"think={think[0]:g}-{think[1]:g} s "
        f"requests={len(latencies)} errors={errors} wall={wall:.1f} s "
        f"throughput={len(latencies) / wall:.0f} req/s load={os.getloadavg()[0]:.1f}"
    )
    print(
        f"{args.page} latency ms: median={statistics.median(latencies):.1f} p95={p95:.1f} "
        f"max={latencies[-1]:.1f}  (goal: {GOALS[args.page]})"
    )
    ratio = statistics.median(latencies) / statistics.median(baseline)
    print(
        f"baseline /halsa ms: median={statistics.median(baseline):.1f} p95={base_p95:.1f}; "
        f"ratio {args.page}/baseline: median {ratio:.1f}x "
        f"p95 {p95 / base_p95:.1f}x"
    )
    return statistics.median(latencies), p95


if __name__ == "__main__":
    main()
