"""``canrehab publish``: the system's own KVÅ records reach the analytics store as a pseudonymised dataset
that the follow-up engine reads; no patient identifier is published."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from canrehab.cli import app
from canrehab.config import get_settings
from canrehab.followup import api
from canrehab.followup.importer import MANIFEST
from canrehab.followup.schema import COLUMNS
from canrehab.store.db import make_engine


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CANREHAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CANREHAB_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(f"sqlite:///{data_dir / 'canrehab.db'}")
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql)).all()]
    finally:
        engine.dispose()


def _identifiers(data_dir: Path) -> set[str]:
    return {str(v) for row in _query(data_dir, "SELECT id, personnummer, name FROM patient") for v in row}


def test_publish_writes_the_own_records_pseudonymised_as_a_dataset_the_engine_reads(data_dir: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["synth", "--patients", "60", "--seed", "3", "--today", "2026-03-02"])
    assert made.exit_code == 0, made.output
    done = runner.invoke(app, ["publish", "--from", "2025-01-01", "--to", "2026-03-02"])
    assert done.exit_code == 0, done.output
    assert "kontakter för" in done.output and "publicerade" in done.output
    dataset = get_settings().analytics_dir / "par" / "egen-verksamhet"
    table = pq.read_table(sorted(dataset.rglob("*.parquet"))[0])
    assert set(table.column_names) <= {*COLUMNS, "year"}
    published = {str(v) for column in table.column_names for v in table.column(column).to_pylist()}
    assert not published & _identifiers(data_dir)
    county = api.region_table(dataset, 2025, ["AU010", "AW019"])
    assert int(county.loc[county["region_code"] == "00", "total_patients"].iloc[0]) > 0
    audited = _query(
        data_dir, "SELECT entity_id, detail FROM audit_log WHERE entity_type = 'analytics_dataset'"
    )
    assert [entity for entity, _ in audited] == ["egen-verksamhet", "care"]
    assert "2025-01-01..2026-03-02" in str(audited[0][1])
    assert (
        "vårdens uppgifter per 2026-03-02" in str(audited[1][1]) and "vårdförlopp publicerade" in done.output
    )
    care_dir = get_settings().analytics_dir / "care"
    assert sorted(p.name for p in care_dir.glob("*.parquet")) == [
        "assessments.parquet",
        "handovers.parquet",
        "pathways.parquet",
        "plans.parquet",
    ]


def test_the_demo_builder_publishes_the_own_data_through_the_same_path(tmp_path: Path) -> None:
    from canrehab.config import Settings
    from canrehab.synth.demo import build_demo

    settings = Settings(data_dir=tmp_path, secret_key="demo-publish")
    build_demo(settings, patients=30, seed=2, analytics_persons=200)
    manifest = json.loads((settings.analytics_dir / "par" / "egen-verksamhet" / MANIFEST).read_text())
    assert manifest["source"] == "egen-verksamhet.csv" and manifest["mode"] == "strict"
    assert manifest["accepted"] > 0


def test_publish_refuses_an_end_before_the_start(data_dir: Path) -> None:
    r = CliRunner().invoke(app, ["publish", "--from", "2026-03-02", "--to", "2026-01-01"])
    assert r.exit_code != 0 and "slutdatum före startdatum" in r.output
