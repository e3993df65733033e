"""The cost of authenticating one FHIR request: a SMART bearer token against HTTP Basic (the baseline,
argon2 at the production cost of ``canrehab.services.passwords``), and the token endpoint's crypto.

Times, in-process and single-threaded, the credential check each request pays (no HTTP, no database):
- **Basic**: ``verify_password`` of an argon2 hash made with the production parameters;
- **bearer**: ``verify_access_token`` of a server token (ES384) and the registry lookup (``token_actor``);
- **token endpoint**: ``verify_client_assertion`` (RS384 and ES384 client keys) plus ``issue_access_token``;
- **scope check**: ``permits`` for one interaction (what every guarded handler call adds).

    .venv/bin/python benchmarks/smart.py --runs 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core import machine
from canrehab.fhir.smart.clients import load_registry
from canrehab.fhir.smart.keys import server_key
from canrehab.fhir.smart.scopes import parse_scopes, permits
from canrehab.fhir.smart.tokens import (
    issue_access_token,
    token_actor,
    verify_access_token,
    verify_client_assertion,
)
from canrehab.services.passwords import hash_password, verify_password
from tests.fhir.smart_kit import assertion, standard_clients, write_registry

BASE = "https://fhir.region.example/fhir"


def per_call(runs: int, work: Callable[[int], object]) -> float:
    """Mean seconds per call over ``runs`` calls (after one warm-up call)."""
    work(-1)
    start = time.perf_counter()
    for i in range(runs):
        work(i)
    return (time.perf_counter() - start) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    tmp = Path(tempfile.mkdtemp())
    clients = standard_clients()
    registry = load_registry(write_registry(tmp / "clients.yaml", list(clients.values())))
    key = server_key(None, tmp)
    scopes = parse_scopes("system/*.cruds")
    now = int(time.time())
    token = issue_access_token(key, BASE, "journal-es384", scopes, now, 300).access_token
    hashed = hash_password("rätt-lösenord-123")

    def endpoint(client_id: str) -> Callable[[int], object]:
        client = clients[client_id]
        signed = [
            assertion(client.key, client.alg, client_id, f"{BASE}/auth/token", jti=f"j{i}")
            for i in range(-1, runs)
        ]

        def work(i: int) -> object:
            found, _ = verify_client_assertion(signed[i + 1], registry, f"{BASE}/auth/token", now, 300)
            return issue_access_token(key, BASE, found.client_id, scopes, now, 300)

        return work

    figures = {
        "Basic (argon2, production cost)": per_call(
            max(5, runs // 20), lambda _: verify_password(hashed, "rätt-lösenord-123")
        ),
        "bearer: verify server token + registry": per_call(
            runs, lambda _: token_actor(verify_access_token(token, key, BASE, now), registry)
        ),
        "token endpoint, RS384 client": per_call(runs, endpoint("journal-rs384")),
        "token endpoint, ES384 client": per_call(runs, endpoint("journal-es384")),
        "scope check (permits)": per_call(runs * 100, lambda _: permits(scopes, "Procedure", "search")),
    }
    baseline = figures["Basic (argon2, production cost)"]
    print(f"machine: {machine()}")
    print(f"runs: {runs}")
    for name, seconds in figures.items():
        print(f"{name:42s} {seconds * 1000:9.3f} ms/call   {seconds / baseline:8.4f} x Basic")


if __name__ == "__main__":
    main()
