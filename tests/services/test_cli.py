"""The operators' commands end to end on a fresh SQLite file: ``synth`` refuses a database that already has
patients (nothing written), ``export-par`` writes the extract, ``refresh-worklist`` recomputes stale rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from canrehab.cli import app
from canrehab.config import get_settings
from canrehab.store.db import make_engine


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CANREHAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CANREHAB_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _patients(data_dir: Path) -> int:
    engine = make_engine(f"sqlite:///{data_dir / 'canrehab.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM patient")).scalar_one())
    finally:
        engine.dispose()


def test_synth_twice_refuses_the_second_time_and_writes_nothing(data_dir: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["synth", "--patients", "40", "--seed", "3", "--today", "2026-03-02"])
    assert first.exit_code == 0, first.output
    assert _patients(data_dir) == 40
    second = runner.invoke(app, ["synth", "--patients", "40", "--seed", "4", "--today", "2026-03-02"])
    assert second.exit_code == 1
    assert "innehåller redan 40 patienter" in second.output and "Traceback" not in second.output
    assert _patients(data_dir) == 40

    out = data_dir / "par.csv"
    exported = runner.invoke(
        app, ["export-par", "-o", str(out), "--from", "2024-01-01", "--to", "2026-03-02"]
    )
    assert exported.exit_code == 0, exported.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and f"{len(rows)} kontakter skrivna" in exported.output
    assert {"lopnr", "kon", "alder", "lan", "op"} <= set(rows[0])

    refreshed = runner.invoke(app, ["refresh-worklist", "--alla"])
    assert refreshed.exit_code == 0 and "40 vårdförlopp uppdaterade" in refreshed.output
