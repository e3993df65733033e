"""A bounded mixed load against a real uvicorn server, on SQLite and on PostgreSQL (issue 14 item 8).

Builds a small demo region in a fresh database, starts ``canrehab serve`` in a subprocess on a free loopback
port and runs N clients (threads, one httpx client and one login each) for a fixed time. Each client picks,
at random: the worklist, a patient page, a FHIR read, a FHIR search, "send handover" (form page for its CSRF
token and one-time key, then the POST; a third of them submitted twice with the same key, as a double
click does) or a FHIR Procedure create. Afterwards it checks the database:

* 5xx answers and transport errors (connection reset/refused, timeouts) are counted;
* lost writes: every acknowledged write (a 303 to the new handover, a 201 with a Location) is there;
* doubled writes: a double submit answered with another handover than the first submit, or more new rows
  than acknowledged writes (plus writes whose answer was lost to a transport error).

Prints requests per second, latency percentiles per kind and the machine. The short default (15 s) is the
smoke run; the figures in benchmarks/README.md are from ``--duration 120``:

    .venv/bin/python benchmarks/load.py --db sqlite --duration 120
    .venv/bin/python benchmarks/load.py --db postgres --duration 120 --pg-url "$CANREHAB_TEST_PG_URL"
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')
PASSWORD = "cancerrehab-demo"
# kind -> weight: mostly reads, about a fifth writes
MIX = {
    "worklist": 25,
    "patient_page": 25,
    "fhir_read": 5,
    "fhir_search": 5,
    "send_handover": 14,
    "fhir_create": 4,
}


@dataclass
class Region:
    """What the clients work on: the nurse's open pathways, FHIR ids and a Procedure to copy."""

    pathways: list[tuple[str, str]]  # (patient id, pathway id)
    patient_ids: list[str]
    to_unit: str
    procedure: dict[str, Any]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    server_errors: list[str] = field(default_factory=list)
    client_errors: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    unknown_writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    handovers: set[str] = field(default_factory=set)  # acknowledged (ids)
    handover_keys: int = 0  # distinct keys acknowledged
    doubled_answers: int = 0  # a double submit answered with another handover
    procedures: set[str] = field(default_factory=set)

    def note(self, kind: str, seconds: float, response: httpx.Response) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.status[f"{response.status_code // 100}xx"] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{kind} {response.status_code} {response.text[:200]!r}")
            elif response.status_code >= 400:
                self.client_errors.append(f"{kind} {response.status_code} {response.text[:300]!r}")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(data_dir: Path, url: str, patients: int) -> Region:
    from canrehab.config import Settings
    from canrehab.services.context import SYSTEM, Services
    from canrehab.synth.demo import build_demo

    settings = Settings(data_dir=data_dir, secret_key="load-secret", database_url=url)
    build_demo(settings, patients=patients, seed=11, analytics_persons=200)
    services = Services.open(settings)
    try:
        with services.uow(SYSTEM, log_reads=False) as uow:
            nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
            physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
            pathways = [
                (p.patient_id, p.id) for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None
            ]
        patient_ids = sorted({pid for pid, _ in pathways})
    finally:
        services.engine.dispose()
    return Region(pathways, patient_ids, physio.unit_hsa_id, {})


def fhir_auth() -> dict[str, str]:
    token = base64.b64encode(f"ssk:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/fhir+json"}


def find_procedure(base: str, region: Region) -> None:
    with httpx.Client(base_url=base, headers=fhir_auth(), timeout=30) as client:
        for patient_id in region.patient_ids:
            found = client.get("/fhir/Procedure", params={"patient": patient_id}).json()
            if found.get("entry"):
                procedure = dict(found["entry"][0]["resource"])
                procedure.pop("id", None)
                procedure.pop("meta", None)
                region.procedure = procedure
                return
    raise RuntimeError("no Procedure in the demo region for the nurse's patients")


def login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = CSRF_RE.search(client.get("/logga-in").text)
    assert token, "no CSRF token on the login page"
    r = client.post("/logga-in", data={"username": "ssk", "password": PASSWORD, "csrf_token": token.group(1)})
    assert r.status_code == 303, f"login failed: {r.status_code}"
    return client


def one(client: httpx.Client, kind: str, region: Region, tally: Tally, rnd: random.Random) -> None:
    patient_id, pathway_id = rnd.choice(region.pathways)
    started = time.perf_counter()
    if kind == "worklist":
        r = client.get("/arbetslista")
        tally.note(kind, time.perf_counter() - started, r)
    elif kind == "patient_page":
        r = client.get(f"/patient/{patient_id}")
        tally.note(kind, time.perf_counter() - started, r)
    elif kind == "fhir_read":
        r = client.get(f"/fhir/Patient/{rnd.choice(region.patient_ids)}", headers=fhir_auth())
        tally.note(kind, time.perf_counter() - started, r)
    elif kind == "fhir_search":
        r = client.get(
            "/fhir/Procedure", params={"patient": rnd.choice(region.patient_ids)}, headers=fhir_auth()
        )
        tally.note(kind, time.perf_counter() - started, r)
    elif kind == "send_handover":
        send_handover(client, region, tally, rnd, patient_id, pathway_id)
    elif kind == "fhir_create":
        body = dict(region.procedure)
        headers = {**fhir_auth(), "Content-Type": "application/fhir+json"}
        try:
            r = client.post("/fhir/Procedure", json=body, headers=headers)
        except httpx.TransportError:
            with tally.lock:
                tally.unknown_writes["procedure"] += 1
            raise
        tally.note(kind, time.perf_counter() - started, r)
        if r.status_code == 201:
            with tally.lock:
                tally.procedures.add(r.headers["location"].split("/Procedure/")[1].split("/")[0])


def send_handover(
    client: httpx.Client, region: Region, tally: Tally, rnd: random.Random, patient_id: str, pathway_id: str
) -> None:
    started = time.perf_counter()
    page = client.get(f"/patient/{patient_id}/overlamning", params={"pathway_id": pathway_id})
    tally.note("handover_form", time.perf_counter() - started, page)
    csrf, key = CSRF_RE.search(page.text), KEY_RE.search(page.text)
    if page.status_code != 200 or csrf is None or key is None:
        return
    data = {
        "csrf_token": csrf.group(1),
        "idempotency_key": key.group(1),
        "pathway_id": pathway_id,
        "to_unit": region.to_unit,
        "needs": "Lasttest",
        "patient_informed": "1",
    }
    first: str | None = None
    for attempt in range(2 if rnd.random() < 1 / 3 else 1):
        started = time.perf_counter()
        try:
            r = client.post(f"/patient/{patient_id}/overlamning", data=data)
        except httpx.TransportError:
            with tally.lock:
                tally.unknown_writes["handover"] += 1
            raise
        tally.note(
            "send_handover" if attempt == 0 else "send_handover_again", time.perf_counter() - started, r
        )
        if r.status_code != 303:
            return
        location = r.headers["location"]
        with tally.lock:
            if first is None:
                first = location
                tally.handover_keys += 1
                tally.handovers.add(location.rsplit("/", 1)[1])
            elif location != first:
                tally.doubled_answers += 1


def client_loop(
    client: httpx.Client, region: Region, tally: Tally, start: threading.Barrier, duration: float, seed: int
) -> None:
    rnd = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    start.wait()
    stop = time.monotonic() + duration
    while time.monotonic() < stop:
        kind = rnd.choices(kinds, weights)[0]
        try:
            one(client, kind, region, tally, rnd)
        except httpx.TransportError as failed:
            with tally.lock:
                tally.transport_errors.append(f"{kind}: {type(failed).__name__}: {failed}")


def clients_for(base: str, clients: int, sessions: int) -> list[httpx.Client]:
    """``clients`` HTTP clients over ``sessions`` logins (a login costs a password hash: the clients share
    them round-robin, as a nurse's tabs do), logged in before the clock starts."""
    logins: list[httpx.Client] = []
    lock = threading.Lock()

    def one_login() -> None:
        client = login(base)
        with lock:
            logins.append(client)

    threads = [threading.Thread(target=one_login) for _ in range(min(sessions, clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert logins, "no client could log in"
    made = []
    for n in range(clients):
        c = httpx.Client(base_url=base, timeout=60, cookies=logins[n % len(logins)].cookies)
        made.append(c)
    for c in logins:
        c.close()
    return made


def count_rows(url: str) -> tuple[set[str], set[str]]:
    from sqlalchemy import select

    from canrehab.store.db import make_engine
    from canrehab.store.orm import TABLES

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            handovers = {r[0] for r in conn.execute(select(TABLES["handover"].c.id))}
            procedures = {r[0] for r in conn.execute(select(TABLES["kva_record"].c.id))}
    finally:
        engine.dispose()
    return handovers, procedures


@dataclass
class Result:
    db: str
    requests: int
    seconds: float
    tally: Tally
    lost: int
    doubled: int

    @property
    def ok(self) -> bool:
        t = self.tally
        return not t.server_errors and not t.transport_errors and self.lost == 0 and self.doubled == 0


def run(
    db: str, url: str, *, clients: int, duration: float, patients: int, data_dir: Path, sessions: int = 10
) -> Result:
    region = build(data_dir, url, patients)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CANREHAB_DATA_DIR": str(data_dir),
        "CANREHAB_DATABASE_URL": url,
        "CANREHAB_SECRET_KEY": "load-secret",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("canrehab")),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/logga-in", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {server.stderr.read() if server.stderr else ''}"
                )
            time.sleep(0.2)
        find_procedure(base, region)
        handovers_before, procedures_before = count_rows(url)
        tally = Tally()
        http = clients_for(base, clients, sessions)
        start = threading.Barrier(clients + 1)
        threads = [
            threading.Thread(target=client_loop, args=(c, region, tally, start, duration, n))
            for n, c in enumerate(http)
        ]
        for t in threads:
            t.start()
        start.wait()
        started = time.monotonic()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
        for c in http:
            c.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    handovers_after, procedures_after = count_rows(url)
    new_handovers = handovers_after - handovers_before
    new_procedures = procedures_after - procedures_before
    lost = len(tally.handovers - handovers_after) + len(tally.procedures - procedures_after)
    doubled = (
        tally.doubled_answers
        + max(0, len(new_handovers) - tally.handover_keys - tally.unknown_writes["handover"])
        + max(0, len(new_procedures) - len(tally.procedures) - tally.unknown_writes["procedure"])
    )
    requests = sum(len(v) for v in tally.latencies.values())
    return Result(db, requests, seconds, tally, lost, doubled)


def report(result: Result) -> str:
    t = result.tally
    lines = [
        f"== {result.db}: {result.requests} requests in {result.seconds:.1f} s = "
        f"{result.requests / result.seconds:.1f} req/s",
        f"   status: {dict(sorted(t.status.items()))}; 5xx: {len(t.server_errors)}; "
        f"transport errors (reset/refused/timeout): {len(t.transport_errors)}",
        f"   writes acknowledged: {len(t.handovers)} handovers ({t.handover_keys} keys), "
        f"{len(t.procedures)} FHIR Procedures; lost: {result.lost}; doubled: {result.doubled}",
        f"   {'kind':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for kind, values in sorted(t.latencies.items()):
        ms = sorted(v * 1000 for v in values)
        q = [ms[min(len(ms) - 1, max(0, round(p / 100 * len(ms)) - 1))] for p in (50, 95, 99)]  # nearest rank
        lines.append(f"   {kind:<20} {len(ms):>6} {q[0]:>8.0f} {q[1]:>8.0f} {q[2]:>8.0f} {ms[-1]:>8.0f}")
    for label, errors in (
        ("5xx", t.server_errors),
        ("transport", t.transport_errors),
        ("4xx", t.client_errors),
    ):
        for e in errors[:5]:
            lines.append(f"   {label}: {e}")
    return "\n".join(lines)


def pg_database(admin_url: str) -> tuple[str, Any]:
    """A fresh database on the PostgreSQL server of ``admin_url``; returns its URL and a drop function."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    base = make_url(admin_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"load_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("CANREHAB_TEST_PG_URL", ""))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds (120 for the recorded run)")
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--sessions", type=int, default=10, help="logins shared by the clients")
    args = parser.parse_args()
    print(f"machine: {machine()}; {args.clients} clients, {args.duration:.0f} s, {args.patients} patients")
    ok = True
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        with tempfile.TemporaryDirectory(prefix=f"canrehab-load-{db}-") as tmp:
            data_dir = Path(tmp)
            drop = None
            if db == "postgres":
                if not args.pg_url:
                    parser.error("--pg-url (or CANREHAB_TEST_PG_URL) is needed for PostgreSQL")
                url, drop = pg_database(args.pg_url)
            else:
                url = f"sqlite:///{data_dir / 'load.db'}"
            try:
                result = run(
                    db,
                    url,
                    clients=args.clients,
                    duration=args.duration,
                    patients=args.patients,
                    data_dir=data_dir,
                )
            finally:
                if drop is not None:
                    drop()
            print(report(result), flush=True)
            ok = ok and result.ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
