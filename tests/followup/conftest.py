"""Fixtures of the follow-up tests: hand-written extracts, a small synthetic extract, one Spark session, and
the ``backend`` fixture that runs a test on every analytics engine.

``backend``
    ``"duckdb"`` or ``"pyspark"`` (the parametrisation, as ``db_backend`` is for SQLite and PostgreSQL). The
    pyspark param carries ``pytest.mark.spark`` and shares the one session-wide SparkSession (``spark``):
    Spark starts slowly, so give it the small inline extracts that each state one rule, not whole reports.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from canrehab.followup.schema import COLUMNS


def contact(lopnr: str, **kw: Any) -> dict[str, str]:
    """One PAR row with defaults: a 60-year-old man in Stockholm, outpatient cancer visit in 2022."""
    row = {
        "lopnr": lopnr,
        "kon": "1",
        "alder": "60",
        "lan": "01",
        "vardform": "oppen",
        "indatum": "2022-03-01",
        "utdatum": "",
        "hdia": "C509",
        "op": "",
    }
    row.update({k: str(v) for k, v in kw.items()})
    return row


def write_extract(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test's data directory (the analytics store, the extract cache of the report commands) is its
    own, never the user's."""
    from canrehab.config import get_settings

    monkeypatch.setenv("CANREHAB_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _every_built_suite_audits_clean(tmp_path: Path) -> Iterator[None]:
    """The registry of built suites: every report suite a follow-up test writes (its ``metadata.json``) must
    have audited to zero recoverable cells, unless it was built primary-only (``--no-complementary``)."""
    yield
    import json

    for meta_path in tmp_path.rglob("metadata.json"):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if "audit" not in meta or not meta.get("complementary", True) or meta["audit"] is None:
            continue
        assert meta["audit"]["recoverable"] == 0, f"{meta_path}: {meta['audit']['summary_sv']}"


@pytest.fixture
def extract(tmp_path: Path) -> Callable[[list[dict[str, str]]], Path]:
    counter = iter(range(1000))

    def make(rows: list[dict[str, str]]) -> Path:
        return write_extract(tmp_path / f"extract{next(counter)}.csv", rows)

    return make


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic two-year extract (2 500 persons a year), imported once per test session."""
    from canrehab.followup.importer import import_par
    from canrehab.followup.synth_par import write_extract as synth

    d = tmp_path_factory.mktemp("small")
    src = d / "small.parquet"
    synth(src, persons=2500, year=2022, years=2, seed=7)
    res = import_par(src, d / "dataset")
    assert res.ok and res.rejected == 0
    return d / "dataset"


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def backend(request: pytest.FixtureRequest) -> str:
    """The analytics engine of this run of the test (pass it as ``backend=`` to ``canrehab.followup.api``)."""
    if request.param == "pyspark":
        request.getfixturevalue("spark")
    return str(request.param)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The one local SparkSession of the test session (two cores, UI off)."""
    from canrehab.followup.backends import spark_session

    session = spark_session()
    yield session
    session.stop()
    spark_session.cache_clear()
