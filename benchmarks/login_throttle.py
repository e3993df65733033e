"""The login throttle's cost per attempt: a wrong password settled in one locked transaction
(``LoginThrottle.settle(ok=False)``: lock, read, count) against the check-then-count it replaced
(``retry_after`` then ``fail``), on SQLite and, when a PostgreSQL URL is given (or CANREHAB_TEST_PG_URL is
set), on PostgreSQL; both in the same run on the same database, so the ratio is what to read. Also a right
password (``settle(ok=True)``: read, clear, against ``retry_after`` then ``reset``). The password check
itself (argon2, ~50 ms at the app's cost) is not included: it dwarfs either.

    .venv/bin/python benchmarks/login_throttle.py --rounds 400 \
        --pg-url postgresql+psycopg://canrehab:canrehab@127.0.0.1:54329/canrehab
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine
from canrehab.domain.login_backoff import Backoff
from canrehab.services.login_throttle import LoginThrottle
from canrehab.store.db import make_engine, migrate

# free attempts far above the rounds: every attempt is let through and does the full work
POLICIES = {kind: Backoff(free=10**9, base=1.0, cap=1.0) for kind in ("pair", "user", "ip")}


def timed(rounds: int, step: Callable[[int], None]) -> float:
    """The median milliseconds of ``step`` over ``rounds`` calls (after 20 warm-up calls)."""
    for n in range(20):
        step(-n - 1)
    times = []
    for n in range(rounds):
        start = time.perf_counter()
        step(n)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(label: str, url: str, rounds: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    throttle = LoginThrottle(engine, POLICIES)

    def keys(n: int, run: str) -> tuple[str, str, str]:
        return throttle.login_keys(f"{run}{n % 50}", f"10.{n % 7}.0.1")

    def old_wrong(n: int) -> None:
        k = keys(n, "a")
        throttle.retry_after(*k)
        throttle.fail(*k)

    def new_wrong(n: int) -> None:
        throttle.settle(*keys(n, "b"), ok=False)

    def old_right(n: int) -> None:
        k = keys(n, "c")
        throttle.retry_after(*k)
        throttle.reset(k[0], k[1])

    def new_right(n: int) -> None:
        k = keys(n, "d")
        throttle.settle(*k, ok=True, clear=(k[0], k[1]))

    figures = {
        name: timed(rounds, step)
        for name, step in [
            ("wrong, check then count", old_wrong),
            ("wrong, settled (locked)", new_wrong),
            ("right, check then reset", old_right),
            ("right, settled", new_right),
        ]
    }
    print(f"\n{label}: median ms per attempt over {rounds} attempts")
    for name, ms in figures.items():
        print(f"  {name:36} {ms:7.3f}")
    print(
        f"  ratio wrong: {figures['wrong, settled (locked)'] / figures['wrong, check then count']:.2f}x"
        f"   right: {figures['right, settled'] / figures['right, check then reset']:.2f}x"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--pg-url", default=os.environ.get("CANREHAB_TEST_PG_URL"))
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/throttle.db", args.rounds)
    if args.pg_url:
        run("PostgreSQL", args.pg_url, args.rounds)


if __name__ == "__main__":
    main()
