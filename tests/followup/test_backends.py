"""The same Ibis expressions on DuckDB and on a local Spark give identical reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from canrehab.followup import api
from canrehab.followup.render.csvout import to_csv_text

CODES = ["AW020", "AW024", "XV019", "XV020", "DV131"]


@pytest.mark.spark
def test_region_report_is_identical_on_duckdb_and_spark(small_dataset: Path, spark: Any) -> None:
    for level in ("county", "rcc"):
        duck = to_csv_text(api.region_table(small_dataset, 2022, CODES, level=level, backend="duckdb"))
        sparked = to_csv_text(api.region_table(small_dataset, 2022, CODES, level=level, backend="pyspark"))
        assert duck == sparked
        assert duck.count("\n") == (21 + 1 if level == "county" else 6 + 1) * len(CODES) + 1


@pytest.mark.spark
def test_indicators_are_identical_on_duckdb_and_spark(small_dataset: Path, spark: Any) -> None:
    ids = ["min_vardplan", "rehabplan_slutenvard"]
    duck = api.indicator_results(small_dataset, [2021, 2022], ids, backend="duckdb")
    sparked = api.indicator_results(small_dataset, [2021, 2022], ids, backend="pyspark")
    assert to_csv_text(duck) == to_csv_text(sparked)
    assert set(duck["level"]) == {"nation", "county", "rcc", "sex", "age_group", "care_type"}


@pytest.mark.spark
def test_spark_session_is_local_with_ui_off(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.master").startswith("local")
    assert conf.get("spark.ui.enabled") == "false"
