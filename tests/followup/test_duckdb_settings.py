"""One home for DuckDB's session settings: the Ibis backend and the fast CSV import both honour the operator's
CANREHAB_DUCKDB_MEMORY_LIMIT (the fast import used to hard-code 2 GB)."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from canrehab.followup import backends, duckdb_settings


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("select current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


def test_the_fast_import_and_the_ibis_backend_take_the_same_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(duckdb_settings.MEMORY_LIMIT_ENV, "300MB")
    raw = duckdb.connect()
    duckdb_settings.configure(raw.execute)  # what fast_import does with its own connection
    ibis_con = backends.connect("duckdb")
    via_ibis = ibis_con.raw_sql("select current_setting('memory_limit')").fetchone()
    assert via_ibis is not None
    assert _limit(raw) == str(via_ibis[0])
    assert _limit(raw) == "286.1 MiB"  # DuckDB shows 300 MB in MiB
    monkeypatch.delenv(duckdb_settings.MEMORY_LIMIT_ENV)
    default = duckdb.connect()
    duckdb_settings.configure(default.execute)
    assert _limit(default) != _limit(raw)


def test_the_fast_import_does_not_load_ibis() -> None:
    code = "import sys, canrehab.followup.fast_import; print('ibis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
