"""``canrehab publish`` also publishes the care dataset (``followup.care``) to the analytics store: it holds
no identifier (no personnummer, no name, no operational id) and the care indicators evaluated over what was
published are the dashboard's figures, unit by unit."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pyarrow.parquet as pq
import sqlalchemy as sa

from canrehab.domain.access import Actor
from canrehab.followup import backends, care
from canrehab.services import indicators, readmodel
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import load_process_indicators, per_pathway_counts
from canrehab.services.publish import CARE_MANIFEST, EARLIEST, care_dataset, publish_care
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig

TODAY = date(2026, 6, 1)
PERIODS = [(date(2025, 1, 1), date(2025, 12, 31)), (TODAY - timedelta(days=90), TODAY)]
ADMIN = Actor(role="admin", staff_id=None, unit_hsa_ids=frozenset(), patient_id=None, username="admin")
PERSONNUMMER = re.compile(r"\d{6,8}[-+]?\d{4}")


def unit_ids_of(services: Services) -> list[str]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return [u.hsa_id for u in uow.units.list_all()]


def _identifiers(services: Services) -> set[str]:
    queries = [
        "SELECT id, personnummer, name, pseudonym FROM patient",
        "SELECT id, patient_id FROM pathway",
        "SELECT id FROM assessment",
        "SELECT id FROM rehab_plan",
        "SELECT id FROM handover",
    ]
    found: set[str] = set()
    with services.engine.connect() as conn:
        for sql in queries:
            found |= {str(v) for row in conn.execute(sa.text(sql)) for v in row if v is not None}
    return found


def test_the_published_care_dataset_has_no_identifiers_and_gives_the_dashboards_figures(
    services: Services,
) -> None:
    services.clock = lambda: TODAY
    load_region(services, SynthConfig(patients=300, seed=5, today=TODAY))
    published = publish_care(services, SYSTEM)
    target = care_dataset(services)
    assert published.dataset == target and published.rows["pathways"] > 0
    manifest = json.loads((target / CARE_MANIFEST).read_text())
    assert manifest["as_of"] == TODAY.isoformat() and manifest["rows"] == published.rows
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # the work dir is gone

    identifiers = _identifiers(services)
    assert len(identifiers) > 1000
    for name in care.TABLES:
        table = pq.read_table(target / f"{name}.parquet")
        assert table.num_rows == published.rows[name]
        assert not {"personnummer", "name", "patient_id"} & set(table.column_names)
        values = {str(v) for column in table.column_names for v in table.column(column).to_pylist()}
        assert not values & identifiers, name
        assert not [v for v in values if PERSONNUMMER.fullmatch(v)], name

    definitions = load_process_indicators()
    tables = care.read_dataset(backends.connect("duckdb"), target)
    with services.uow(SYSTEM, log_reads=False) as uow:
        all_facts, all_handovers = readmodel.indicator_facts(
            uow, unit_ids_of(services), None, EARLIEST, TODAY
        )
    compared = 0
    for start, end in PERIODS:
        board = indicators.dashboard(services, ADMIN, unit=None, process=None, start=start, end=end)
        unit_ids = [u.hsa_id for u in board.units]
        engine = care.evaluate_units(tables, definitions, start, end, units=unit_ids)
        for result in board.indicators:
            shown = {r.unit_hsa_id: (r.numerator, r.denominator) for r in result.rows if r.unit_hsa_id}
            if result.definition.care is not None and result.definition.care.population == "assessed_twice":
                # The dashboard loads the pathways diagnosed in the period only, but the definition ("at
                # least two assessments, the latest in the period") has no diagnosis date: the published
                # dataset follows the definition, checked per pathway over every pathway.
                expected = per_pathway_counts(result.definition, all_facts, all_handovers, start, end)
                assert engine[result.definition.id] == expected, (result.definition.id, start, end)
                assert all(engine[result.definition.id][u][1] >= den for u, (_, den) in shown.items())
                continue
            assert engine[result.definition.id] == shown, (result.definition.id, start, end)
            compared += sum(n for n, _ in shown.values())
    assert compared > 0

    again = publish_care(services, SYSTEM)  # a second publication replaces the first atomically
    assert again.rows == published.rows
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [CARE_MANIFEST, *(f"{n}.parquet" for n in care.TABLES)]
    )
