"""The first requests of a fresh worker: `canrehab serve --workers 1` started from each TREE on an existing
demo data directory, the demo nurse logged in, then the worklist, a listed patient's page and the handover
inbox, each twice (the first request of a page in a new process against the second). The trees alternate,
``--rounds`` times, so both see the same machine. Never part of the tests.

    python benchmarks/cold_worker.py DATA_DIR TREE [TREE ...] [--rounds 3]
    # DATA_DIR: one built by build_demo (e.g. `canrehab demo` or tests' demo); TREE: /work/main, or a
    # `git archive` of another commit
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine
from canrehab.synth.demo import DEMO_PASSWORD
from tests.web.live_server import free_port
from tests.web.login import CSRF_RE

PAGES = ("/arbetslista", "patient", "/overlamningar")


def one_start(tree: str, data_dir: str) -> tuple[float, list[float], list[float]]:
    """Seconds to a ready server, then ms of each page's first and second request."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": tree,
        "CANREHAB_DATA_DIR": data_dir,
        "CANREHAB_SECRET_KEY": "cold-worker-bench",
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "canrehab.cli", "serve", "--port", str(port), "--workers", "1"]
    # cwd: ``python -m`` puts the working directory first on sys.path, before PYTHONPATH
    server = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    try:
        while True:
            try:
                if httpx.get(f"{base}/halsa").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        ready = time.perf_counter() - start
        client = httpx.Client(base_url=base)
        token = CSRF_RE.search(client.get("/logga-in").text)
        assert token, "no CSRF token on the login page"
        client.post("/logga-in", data={"username": "ssk", "password": DEMO_PASSWORD, "csrf_token": token[1]})
        times: dict[str, list[float]] = {p: [] for p in PAGES}
        patient = ""
        for _ in range(2):
            for page in PAGES:
                path = patient if page == "patient" else page
                began = time.perf_counter()
                r = client.get(path)
                times[page].append((time.perf_counter() - began) * 1000)
                assert r.status_code == 200, (path, r.status_code)
                if page == "/arbetslista" and not patient:
                    found = re.search(r'href="(/patient/[0-9a-f]+)"', r.text)
                    assert found, "no patient on the worklist"
                    patient = found[1]
        return ready, [times[p][0] for p in PAGES], [times[p][1] for p in PAGES]
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir")
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print("tree: ready s | first request ms (worklist, patient page, inbox) | second request ms")
    for _ in range(args.rounds):
        for tree in args.trees:
            ready, first, second = one_start(tree, args.data_dir)
            print(
                f"{tree}: {ready:.2f} | {' '.join(f'{t:.0f}' for t in first)} | "
                f"{' '.join(f'{t:.0f}' for t in second)}"
            )


if __name__ == "__main__":
    main()
