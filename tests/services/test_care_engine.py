"""Every care indicator computed on a synthetic region both ways, per pathway in Python
(``services.process_indicators``) and with the Ibis expressions of ``followup.care``, gives the same
numerator and denominator per unit; and a care indicator gives identical results on DuckDB and PySpark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from canrehab.domain.access import Actor
from canrehab.followup import backends, care
from canrehab.services import indicators, readmodel
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import (
    PathwayFacts,
    condition_met,
    handover_counts,
    in_population,
    is_prem,
    load_process_indicators,
    per_pathway_counts,
    svf_definitions,
)
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig

TODAY = date(2026, 6, 1)
PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),
    (TODAY - timedelta(days=90), TODAY),
    (date(2024, 7, 1), date(2025, 6, 30)),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = backends.spark_session()
    yield session
    session.stop()
    backends.spark_session.cache_clear()


@pytest.fixture
def region(services: Services) -> tuple[list[PathwayFacts], list[Any]]:
    services.clock = lambda: TODAY
    generator = load_region(services, SynthConfig(patients=400, seed=5, today=TODAY))
    units = [u.hsa_id for u in generator.org.units]
    with services.uow(SYSTEM, log_reads=False) as uow:
        return readmodel.indicator_facts(uow, units, None, date(2000, 1, 1), TODAY)


def test_every_care_indicator_is_the_same_with_the_engine_as_per_pathway(
    region: tuple[list[PathwayFacts], list[Any]], tmp_path: Path
) -> None:
    facts, handovers = region
    directory = care.write_dataset(
        care.care_frames(facts, handovers, svf_definitions(), is_prem), tmp_path / "care"
    )
    tables = care.read_dataset(backends.connect("duckdb"), directory)
    definitions = load_process_indicators()
    nonzero = 0
    for start, end in PERIODS:
        engine = care.evaluate_units(tables, definitions, start, end)
        for d in definitions:
            expected = per_pathway_counts(d, facts, handovers, start, end)
            assert engine[d.id] == expected, (d.id, start, end)
            nonzero += any(n for n, _ in expected.values())
    assert nonzero >= len(definitions)  # the region exercises the numerators, not only empty populations


def test_the_dashboard_counts_each_indicators_whole_population_as_per_pathway(
    services: Services, region: tuple[list[PathwayFacts], list[Any]]
) -> None:
    """The dashboard (through the engine) equals the per-pathway reference over every pathway, also for the
    populations with no diagnosis date: "at least two assessments, the latest in the period" counts a
    pathway diagnosed before the period (the loader used to leave it out)."""
    facts, handovers = region
    admin = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")
    earlier = 0
    for start, end in PERIODS:
        board = indicators.dashboard(services, admin, unit=None, process=None, start=start, end=end)
        for result in board.indicators:
            shown = {r.unit_hsa_id: (r.numerator, r.denominator) for r in result.rows if r.unit_hsa_id}
            assert shown == per_pathway_counts(result.definition, facts, handovers, start, end), (
                result.definition.id,
                start,
                end,
            )
        besvar = next(d for d in load_process_indicators() if d.id == "besvar_minskade")
        earlier += sum(
            1
            for f in facts
            if f.pathway.diagnosis.diagnosed_on < start and in_population("assessed_twice", f, start, end)
        )
        assert besvar.care is not None and besvar.care.population == "assessed_twice"
    assert earlier > 0  # the region has such pathways, so the comparison above covers them


def test_the_drilldown_lists_the_patients_not_meeting_each_indicator_as_per_pathway(
    services: Services, region: tuple[list[PathwayFacts], list[Any]]
) -> None:
    facts, handovers = region
    admin = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), username="processledare")
    unit = max(
        {f.pathway.unit_hsa_id for f in facts}, key=lambda u: sum(f.pathway.unit_hsa_id == u for f in facts)
    )
    start, end = PERIODS[0]
    listed = 0
    for d in load_process_indicators():
        spec = d.care
        assert spec is not None
        if spec.population == "handovers_sent":
            expected = [
                h.patient_id
                for h in handovers
                if h.from_unit_hsa_id == unit
                and start <= h.sent_on <= end
                and not handover_counts(spec.condition, h, end)
            ]
        else:
            expected = [
                f.pathway.patient_id
                for f in facts
                if f.pathway.unit_hsa_id == unit
                and in_population(spec.population, f, start, end)
                and not condition_met(spec.condition, f, end)
            ]
        _, rows = indicators.drilldown(
            services, admin, indicator_id=d.id, unit=unit, process=None, start=start, end=end
        )
        assert sorted(r["patient_id"] for r in rows) == sorted(expected), d.id
        listed += len(rows)
    assert listed > 0


@pytest.mark.spark
def test_a_care_indicator_is_identical_on_duckdb_and_pyspark(
    region: tuple[list[PathwayFacts], list[Any]], spark: Any, tmp_path: Path
) -> None:
    facts, handovers = region
    directory = care.write_dataset(
        care.care_frames(facts, handovers, svf_definitions(), is_prem), tmp_path / "care"
    )
    wanted = {"besvar_minskade", "plan_when_needed", "handover_confirmed"}
    definitions = [d for d in load_process_indicators() if d.id in wanted]
    start, end = PERIODS[0]
    results = [
        care.evaluate_units(care.read_dataset(backends.connect(name), directory), definitions, start, end)
        for name in ("duckdb", "pyspark")
    ]
    assert results[0] == results[1]
    assert all(results[0][d.id] for d in definitions)
