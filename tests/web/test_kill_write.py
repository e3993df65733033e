"""A web write killed mid-way (issue 14 item 7): the server (``canrehab serve``: its supervisor and every
worker, the whole process group) is killed with SIGKILL while clients send handovers (each a handover row, its
audit row and the worklist row in one unit of work); afterwards every handover in the database has its audit
row, and a restarted server takes the next write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from benchmarks.load import CSRF_RE, KEY_RE, build, free_port, login
from canrehab.store.db import make_engine
from canrehab.store.orm import TABLES


def _start(data_dir: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CANREHAB_DATA_DIR": str(data_dir), "CANREHAB_DATABASE_URL": url}
    env["CANREHAB_SECRET_KEY"] = "load-secret"
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
        stderr=(data_dir / f"server-{port}.log").open("wb"),
        start_new_session=True,  # its own process group: the supervisor and its workers are killed together
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a loaded machine starts slowly
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/logga-in", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    _kill(server)
    raise AssertionError(f"the server did not start: {(data_dir / f'server-{port}.log').read_text()[-2000:]}")


def _kill(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the server's process group: the machine losing power, for every worker at once."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)


def _send(client: httpx.Client, patient_id: str, pathway_id: str, to_unit: str) -> httpx.Response:
    page = client.get(f"/patient/{patient_id}/overlamning", params={"pathway_id": pathway_id}).text
    data = {
        "csrf_token": CSRF_RE.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": KEY_RE.search(page).group(1),  # type: ignore[union-attr]
        "pathway_id": pathway_id,
        "to_unit": to_unit,
        "needs": "Avbrottstest",
    }
    return client.post(f"/patient/{patient_id}/overlamning", data=data)


def _handovers_and_audits(url: str) -> tuple[set[str], set[str]]:
    handover, audit = TABLES["handover"], TABLES["audit_log"]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ids = {r[0] for r in conn.execute(select(handover.c.id))}
            audited = {
                r[0]
                for r in conn.execute(
                    select(audit.c.entity_id).where(
                        audit.c.entity_type == "handover", audit.c.action == "create"
                    )
                )
            }
    finally:
        engine.dispose()
    return ids, audited


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_server_killed_during_writes_leaves_whole_writes_and_restarts(
    db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    name = None
    if db == "postgres":
        pg = request.getfixturevalue("pg_server")
        name = f"kill_{uuid.uuid4().hex[:12]}"
        url = pg.create(name)
    else:
        url = f"sqlite:///{tmp_path / 'kill.db'}"
    try:
        region = build(tmp_path, url, 60)
        before, _ = _handovers_and_audits(url)
        server, base = _start(tmp_path, url)
        stop = threading.Event()

        def client() -> None:
            c = login(base)
            while not stop.is_set():
                patient_id, pathway_id = region.pathways[0]
                try:
                    _send(c, patient_id, pathway_id, region.to_unit)
                except (httpx.TransportError, AttributeError):
                    return  # the server is gone (or answered half a page)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 180
        while len(_handovers_and_audits(url)[0] - before) < 3:  # the marker: writes are landing
            assert time.monotonic() < deadline and server.poll() is None, "no handover was written"
            time.sleep(0.05)
        _kill(server)
        stop.set()
        for t in threads:
            t.join(60)
        ids, audited = _handovers_and_audits(url)
        assert ids - before and ids - before <= audited  # every handover written came with its audit row
        server, base = _start(tmp_path, url)
        try:
            patient_id, pathway_id = region.pathways[0]
            r = _send(login(base), patient_id, pathway_id, region.to_unit)
            assert r.status_code == 303, r.text[:500]
            assert r.headers["location"].rsplit("/", 1)[1] in _handovers_and_audits(url)[0]
        finally:
            _kill(server)
    finally:
        if name is not None:
            request.getfixturevalue("pg_server").drop(name)
