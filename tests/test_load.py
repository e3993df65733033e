"""The load of ``benchmarks/load.py``, short (issue 14 item 8): 50 clients for about 10 s against a real
uvicorn server with mixed reads and writes (worklist, patient pages, FHIR reads and searches, "send handover"
with double submits, FHIR creates), on SQLite and on PostgreSQL: no 5xx, no connection reset, no acknowledged
write lost and none doubled. Figures belong to the benchmark (benchmarks/README.md), not here."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from benchmarks.load import report, run


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_fifty_clients_mixed_load_has_no_5xx_and_no_lost_or_doubled_write(
    db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    name = None
    if db == "postgres":
        server = request.getfixturevalue("pg_server")
        name = f"load_{uuid.uuid4().hex[:12]}"
        url = server.create(name)
    else:
        url = f"sqlite:///{tmp_path / 'load.db'}"
    try:
        result = run(db, url, clients=50, duration=10, patients=120, data_dir=tmp_path, sessions=5)
    finally:
        if name is not None:
            server.drop(name)
    summary = report(result)
    t = result.tally
    assert t.server_errors == [], summary
    assert t.transport_errors == [], summary
    assert result.lost == 0 and result.doubled == 0, summary
    assert t.handovers and t.handover_keys == len(t.handovers), summary  # writes were acknowledged
    assert sum(t.status.values()) == result.requests > 50, summary
