"""Where a worklist request's time goes, piece by piece, in one process (no HTTP, no load).

Times the per-request pieces the worklist page calls (the account re-read, the server-side session look-up,
the stale-row check, the whole ``unit_worklist`` service call with its read audit rows) against an existing
demo database, then whole requests through the app in this process (``/halsa``, ``/arbetslista`` and a
listed patient's page: wall and process CPU time per request, SQL statements per request), then prints a
cProfile of the service call sorted by own time. Never part of the tests.

    python benchmarks/web_profile.py postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab_bench \
        [--secret-key bench-secret] [--requests 200] [--requests-only]
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import accounts as account_service
from canrehab.services import organisation, readmodel
from canrehab.services import patients as patient_service
from canrehab.services import worklist as worklist_service
from canrehab.services.care_panels import patient_care_panels
from canrehab.services.context import SYSTEM, Services
from canrehab.services.worklist import unit_worklist


def timed(name: str, call: Callable[[], object], n: int = 100) -> None:
    for _ in range(5):
        call()
    t0 = time.perf_counter()
    for _ in range(n):
        call()
    print(f"{name}: {(time.perf_counter() - t0) / n * 1000:.2f} ms")


def requests_in_process(settings: Settings, patient_id: str, n: int) -> None:
    """Whole requests through the app (middleware, login session, service, template) without a network:
    median and p95 wall time, process CPU time and SQL statements per request, nurse ``ssk``."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from canrehab.synth.demo import demo_logins
    from canrehab.web.app import create_app

    app = create_app(settings)
    password = {u: pw for _role, u, pw in demo_logins()}["ssk"]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login = client.get("/logga-in")
        match = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert match, "no CSRF token on the login page"
        form = {"username": "ssk", "password": password, "csrf_token": match.group(1), "next": "/arbetslista"}
        assert client.post("/logga-in", data=form, follow_redirects=False).status_code == 303
        engine = app.state.services.engine
        sent: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        for path in ("/halsa", "/arbetslista", f"/patient/{patient_id}"):
            for _ in range(10):
                assert client.get(path).status_code == 200, path
            sent.clear()
            times: list[float] = []
            cpu0 = time.process_time()
            for _ in range(n):
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            cpu = (time.process_time() - cpu0) / n * 1000
            times.sort()
            name = "/patient/<listed>" if path.startswith("/patient/") else path
            p95 = times[int(0.95 * (n - 1))]
            print(
                f"request {name}: median {statistics.median(times):.1f} ms p95 {p95:.1f} ms"
                f" cpu {cpu:.1f} ms statements {len(sent) / n:.1f} bytes {len(response.content)} (n={n})"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("database_url")
    ap.add_argument("--secret-key", default="bench")
    ap.add_argument("--requests", type=int, default=200, help="whole requests per page (0: none)")
    ap.add_argument("--requests-only", action="store_true", help="only the whole requests")
    args = ap.parse_args()
    url = args.database_url
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), database_url=url, secret_key=args.secret_key)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get("ssk")
    assert account is not None, "the demo nurse ssk is missing"
    actor = Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        username="ssk",
    )
    print(f"machine: {platform.machine()} python={platform.python_version()} database: {url.split('@')[-1]}")
    if args.requests_only:
        requests_in_process(
            settings, unit_worklist(services, actor, limit=1).rows[0].patient_id, args.requests
        )
        services.engine.dispose()
        return
    timed("login_account (account re-read)", lambda: account_service.login_account(services, "ssk"))
    timed("session look-up (miss)", lambda: services.web_sessions.get("x"))
    token = services.web_sessions.create("ssk", "bench", timedelta(minutes=10))
    timed("session + account, one query (hit)", lambda: account_service.session_account(services, token))
    services.web_sessions.end(token)

    def stale() -> None:
        with services.uow(actor, log_reads=False) as uow:
            uow.worklist.stale_pathways(services.today(), sorted(actor.unit_hsa_ids))

    timed("stale-row check", stale)
    timed("unit_worklist (50 rows, 50 audit rows)", lambda: unit_worklist(services, actor, limit=50))
    patient_id = unit_worklist(services, actor, limit=1).rows[0].patient_id

    def patient_separately() -> None:  # the patient page's reads as separate use cases (before web3)
        record = patient_service.patient_record(services, actor, patient_id)
        for p in record.pathways:
            if p.closed_on is None:
                patient_service.contact_nurse_candidates(services, actor, p.id)
        worklist_service.pathway_rows(services, actor, [p.id for p in record.pathways])
        patient_care_panels(services, actor, patient_id)
        organisation.care_units(services)

    timed("patient page reads, separate units of work", patient_separately, 50)
    timed(
        "patient page reads, one unit of work (readmodel.patient_page)",
        lambda: readmodel.patient_page(services, actor, patient_id, can_act=True, unit_work=True),
        50,
    )
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(50):
        unit_worklist(services, actor, limit=50)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    if args.requests:
        requests_in_process(settings, patient_id, args.requests)
    services.engine.dispose()


if __name__ == "__main__":
    main()
