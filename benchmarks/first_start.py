"""First start: ``./scripts/demo`` on a fresh clone, timed from the command to ``/halsa`` answering.

Clones the repository (a branch of it) into a new directory, runs ``./scripts/demo --port PORT`` there with
an empty pip cache (``PIP_NO_CACHE_DIR=1``), an empty uv cache (``UV_CACHE_DIR``) and a fresh ``.venv``,
stamps every line the script prints with the seconds since the start, polls the printed URL's ``/halsa``
until it answers 200, prints the figures and the machine, and stops the server (its process group). Run it
serialised with the other heavy benchmarks:

    flock /work/bench.lock python3 benchmarks/first_start.py --repo /work/main --branch main

Only the standard library is used: the point is a machine with nothing installed yet.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STEP = re.compile(r"^\[(\d+) s\] (.*)$")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default="/work/main")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--dir", default=None, help="clone here (default: a new temporary directory)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--no-uv", action="store_true", help="scripts/demo's pip fallback (CANREHAB_NO_UV=1)")
    args = parser.parse_args()

    if _answers(f"http://127.0.0.1:{args.port}/halsa"):  # another server there would answer for ours
        print(f"port {args.port} is taken by a running server: choose another --port", file=sys.stderr)
        return 2
    target = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="canrehab-first-start-"))
    if target.exists():
        shutil.rmtree(target)
    load_before = os.getloadavg()
    started = time.monotonic()
    subprocess.run(["git", "clone", "-q", "--branch", args.branch, args.repo, str(target)], check=True)
    commit = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CANREHAB_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"))
    }
    env["PIP_NO_CACHE_DIR"] = "1"  # and no PYTHONDONTWRITEBYTECODE: a user's machine keeps its .pyc files
    uv_cache = Path(tempfile.mkdtemp(prefix="canrehab-first-start-uv-"))
    env["UV_CACHE_DIR"] = str(uv_cache)  # uv (scripts/demo's installer) starts with an empty cache too
    if args.no_uv:
        env["CANREHAB_NO_UV"] = "1"
    process = subprocess.Popen(
        ["./scripts/demo", "--port", str(args.port)],
        cwd=target,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    marks: list[tuple[float, str]] = []
    url_at: float | None = None
    answered_at: float | None = None
    try:
        for line in process.stdout:
            now = time.monotonic() - started
            line = line.rstrip("\n")
            print(f"{now:7.1f} | {line}", flush=True)
            if STEP.match(line) or line.startswith(("Bygger", "Demodatabas")):
                marks.append((now, line))
            if line.startswith("Öppna http"):
                url_at = now
                url = line.split()[1].rstrip("/") + "/halsa"
                while time.monotonic() - started < args.timeout:
                    if _answers(url):
                        answered_at = time.monotonic() - started
                        break
                    if process.poll() is not None:
                        break
                    time.sleep(0.2)
                break
            if now > args.timeout:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    load_after = os.getloadavg()
    shutil.rmtree(uv_cache, ignore_errors=True)
    print()
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; commit {commit}; load average before "
        f"{load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)"
    )
    for at, line in marks:
        print(f"  {at:6.1f} s  {line}")
    if url_at is None or answered_at is None:
        print("the app did not answer /halsa", file=sys.stderr)
        return 1
    print(f"URL printed at {url_at:.1f} s; /halsa answered 200 at {answered_at:.1f} s")
    if not args.dir:
        shutil.rmtree(target, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
