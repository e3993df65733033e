"""The SVF lead-time indicator (``svf_ledtid``) judges each treatment start against the maximum of its SVF
for the kind of its first treatment, on a small inline care dataset, the same on every backend the
follow-up runs (DuckDB; PySpark) as per pathway in Python; a start recorded without the kind on an SVF
whose maximum depends on it is counted, within only inside the shortest maximum (as the indicator's
description says)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from canrehab.domain.model import Diagnosis, Pathway
from canrehab.domain.svf import FirstTreatment, SvfRecord
from canrehab.followup import backends, care
from canrehab.followup.goals import default_indicators
from canrehab.services.process_indicators import (
    PathwayFacts,
    is_prem,
    load_process_indicators,
    per_pathway_counts,
    svf_definitions,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)
SUSPECTED = date(2025, 3, 1)
K = FirstTreatment
# (SVF, days from the suspicion to the first treatment, its kind, within by the published maxima)
CASES = [
    ("vulvacancer", 30, K.KIRURGI, True),  # kirurgi 30
    ("vulvacancer", 31, K.KIRURGI, False),
    ("vulvacancer", 34, K.STRALBEHANDLING, True),  # strålbehandling 34: within, though over kirurgi's 30
    ("vulvacancer", 28, K.LAKEMEDELSBEHANDLING, False),  # läkemedelsbehandling 27
    ("vulvacancer", 20, K.ICKE_TUMORSPECIFIK, True),  # icke tumörspecifik 20
    ("vulvacancer", 20, None, True),  # no kind recorded: within the shortest maximum (20)
    ("vulvacancer", 25, None, False),  # no kind: over the shortest, counted as not within
    ("prostatacancer", 65, K.STRALBEHANDLING, True),  # strålbehandling 68
    ("prostatacancer", 65, K.KIRURGI, False),  # kirurgi 61
    ("prostatacancer", 47, K.AKTIV_MONITORERING, True),  # aktiv monitorering 47
    ("brostcancer", 35, None, True),  # one maximum, 35
]
UNIT = "SE2321000016-ONK"


def _facts() -> list[PathwayFacts]:
    out = []
    for n, (svf, days, kind, _) in enumerate(CASES):
        process = {"vulvacancer": "gynaecological", "prostatacancer": "prostate"}.get(svf, "breast")
        pathway = Pathway(
            id=f"pw-{n}",
            patient_id=f"p-{n}",
            unit_hsa_id=UNIT,
            diagnosis=Diagnosis(icd10="C509", diagnosed_on=SUSPECTED + timedelta(days=5), process=process),
        )
        record = SvfRecord(svf, SUSPECTED, True, SUSPECTED, SUSPECTED + timedelta(days=days), kind)
        out.append(PathwayFacts(pathway, (), (), record))
    return out


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = backends.spark_session()
    yield session
    session.stop()
    backends.spark_session.cache_clear()


def _ledtid_on(name: str, tmp_path: Path) -> tuple[int, int]:
    facts = _facts()
    directory = care.write_dataset(care.care_frames(facts, [], svf_definitions(), is_prem), tmp_path / "care")
    [definition] = [d for d in load_process_indicators() if d.id == "svf_ledtid"]
    counts = care.evaluate_units(
        care.read_dataset(backends.connect(name), directory), [definition], START, END
    )
    assert counts[definition.id] == per_pathway_counts(definition, facts, [], START, END)
    return counts[definition.id][UNIT]


def test_the_lead_time_indicator_uses_the_maximum_of_the_first_treatments_kind_on_duckdb(
    tmp_path: Path,
) -> None:
    assert _ledtid_on("duckdb", tmp_path) == (sum(within for *_, within in CASES), len(CASES))


@pytest.mark.spark
def test_the_lead_time_indicator_is_the_same_on_pyspark(spark: Any, tmp_path: Path) -> None:
    assert _ledtid_on("pyspark", tmp_path) == (sum(within for *_, within in CASES), len(CASES))


def test_the_indicator_says_how_it_counts_a_start_without_the_kind() -> None:
    [ledtid] = [d for d in default_indicators().of_source("care") if d.id == "svf_ledtid"]
    assert "typen av första behandling" in ledtid.description_sv
    assert "utan registrerad typ" in ledtid.description_sv and "kortaste ledtid" in ledtid.description_sv
