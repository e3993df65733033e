"""Server-process CPU per request, the worklist and a patient page against ``/halsa``.

Starts ``canrehab serve`` (``--workers 1`` where the tree has the option) from TREE on an existing demo
database, logs in the demo nurse and sends N sequential requests per page from this process, twice, in the
order ``/halsa``, ``/arbetslista``, a listed patient's page. The CPU is the utime+stime of the serving
process tree read from ``/proc`` before and after each batch, so it counts the server only (not this client,
not PostgreSQL). Under load the page/baseline latency ratio of ``benchmarks/web.py`` tends to this CPU ratio,
since the server's CPU is what concurrent requests queue for. Linux only. Never part of the tests.

    python benchmarks/server_cpu.py TREE DATABASE_URL [--requests N]
    # TREE: /work/main, or a `git archive` of another commit, to compare two trees on the same machine
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found += _children(int(entry.name))
    return found


def _cpu_seconds(root: int) -> float:
    total = 0
    for pid in set(_children(root)):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree", type=Path, help="the checkout whose canrehab is served")
    ap.add_argument("database_url")
    ap.add_argument("--requests", type=int, default=300, help="requests per page and round")
    ap.add_argument("--secret-key", default="bench-secret")
    args = ap.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(tree))
    from canrehab.synth.demo import demo_logins

    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "CANREHAB_DATABASE_URL": args.database_url,
        "CANREHAB_SECRET_KEY": args.secret_key,
        "CANREHAB_DATA_DIR": tempfile.mkdtemp(prefix="canrehab-cpu-"),
    }
    cmd = [sys.executable, "-m", "canrehab.cli", "serve", "--port", str(port)]
    # cwd=tree: ``python -m`` puts the working directory first on sys.path, ahead of PYTHONPATH (run from
    # another checkout, the server would be that checkout's code)
    usage = subprocess.run([*cmd[:4], "--help"], cwd=tree, env=env, capture_output=True, text=True).stdout
    if "--workers" in usage:
        cmd += ["--workers", "1"]
    server = subprocess.Popen(
        cmd,
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/halsa").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        password = {u: p for _role, u, p in demo_logins()}["ssk"]
        figures: dict[str, list[tuple[float, float]]] = {}
        with httpx.Client(base_url=base) as client:
            login = client.get("/logga-in").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', login)
            assert token, "no CSRF token on the login page"
            form = {"username": "ssk", "password": password, "csrf_token": token.group(1), "next": "/"}
            client.post("/logga-in", data=form)
            listed = re.search(r'href="/patient/([0-9a-f]+)"', client.get("/arbetslista").text)
            assert listed, "the nurse's worklist lists no patient"
            patient = f"/patient/{listed.group(1)}"
            pages = {"halsa": "/halsa", "arbetslista": "/arbetslista", "patient": patient}
            for _round in range(2):
                for name, path in pages.items():
                    for _ in range(30):  # warm-up
                        client.get(path)
                    cpu0, wall0 = _cpu_seconds(server.pid), time.perf_counter()
                    for _ in range(args.requests):
                        assert client.get(path).status_code == 200, path
                    cpu = (_cpu_seconds(server.pid) - cpu0) / args.requests * 1000
                    wall = (time.perf_counter() - wall0) / args.requests * 1000
                    figures.setdefault(name, []).append((cpu, wall))
    finally:
        os.killpg(server.pid, 15)
        server.wait()
    print(
        f"machine: {platform.machine()} cpus={os.cpu_count()} python={platform.python_version()} "
        f"tree={tree} load={os.getloadavg()[0]:.1f} requests={args.requests} per page and round"
    )
    for name, rounds in figures.items():
        cpu = " ".join(f"{c:.2f}" for c, _ in rounds)
        wall = " ".join(f"{w:.2f}" for _, w in rounds)
        print(f"{name:12s} server CPU ms/request: {cpu}   wall ms/request: {wall}")
    least = {name: min(c for c, _ in rounds) for name, rounds in figures.items()}
    print(
        f"CPU ratio (least of the rounds): worklist/halsa {least['arbetslista'] / least['halsa']:.1f}x, "
        f"patient/halsa {least['patient'] / least['halsa']:.1f}x"
    )


if __name__ == "__main__":
    main()
