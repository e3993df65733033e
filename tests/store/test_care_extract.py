"""The set-based extract of the care dataset (``store.care_extract.care_tables``) equals the dataset that
``followup.care.care_frames`` builds from the read model's domain objects, table by table, on SQLite and
PostgreSQL: for every unit and for a subset of units, as of today and as of an earlier day. The region has
every path the tables read: handovers, established, closed and draft plans, needs assessments with and
without decision support, unfinished ones, PREM answers (fully involved, not, without the item) and SVF
records (within and beyond the maximum, not started, discussed at MDK with and without a date, not)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from canrehab.config import Settings
from canrehab.domain.model import Assessment, AssessmentStatus, Handover, KeyMoment, Respondent
from canrehab.domain.svf import FirstTreatment, SvfRecord
from canrehab.followup import care
from canrehab.services import readmodel
from canrehab.services.context import SYSTEM, Services
from canrehab.services.process_indicators import _prem_instruments, is_prem, svf_definitions
from canrehab.store.care_extract import arrow_schema, care_tables
from canrehab.store.mapping import to_row
from canrehab.store.orm import TABLES
from canrehab.store.repositories.svf import row_values
from canrehab.synth.load import load_region
from canrehab.synth.region import SynthConfig

TODAY = date(2026, 6, 1)
EARLIER = TODAY - timedelta(days=75)
PREM = "prem-exempel"
MDK = [(True, 9), (True, None), (False, None), (None, None)]  # (discussed, MDK days after the suspicion)


VULVA_KINDS = [
    FirstTreatment.KIRURGI,
    FirstTreatment.STRALBEHANDLING,
    FirstTreatment.LAKEMEDELSBEHANDLING,
    FirstTreatment.ICKE_TUMORSPECIFIK,
    None,  # recorded before the kind was (or imported without it): judged against the shortest maximum
    FirstTreatment.EXSPEKTANS,  # a kind vulvacancer gives no maximum for: not within
]


def _svf_records(services: Services, pathways: list[Any]) -> None:
    """SVF records for 40 pathways: the lead time 10..88 days (within and beyond the maxima), or not
    started, or starting after ``EARLIER``; every MDK variant; every third one an SVF with a maximum per
    kind of first treatment (vulvacancer), every kind, none and one it has no maximum for."""
    sv = next(iter(svf_definitions().pathways)).id
    rows = []
    for n, (pathway_id, patient_id, diagnosed_on) in enumerate(pathways[:40]):
        suspicion = diagnosed_on - timedelta(days=5)
        discussed, mdk_days = MDK[n % len(MDK)]
        start = None if n % 7 == 3 else suspicion + timedelta(days=10 + 2 * n)
        by_kind = n % 3 == 0
        record = SvfRecord(
            "vulvacancer" if by_kind else sv,
            suspicion,
            discussed,
            None if mdk_days is None else suspicion + timedelta(days=mdk_days),
            start if start is None or start <= TODAY else TODAY,
            VULVA_KINDS[(n // 3) % len(VULVA_KINDS)] if by_kind and start is not None else None,
        )
        rows.append(
            {
                "pathway_id": pathway_id,
                "patient_id": patient_id,
                "version": 1,
                "recorded_by": "test",
                "recorded_at": datetime.now(UTC),
                **row_values(record),
            }
        )
    with services.engine.begin() as conn:
        conn.execute(TABLES["svf_record"].insert(), rows)


def _prems(services: Services, pathways: list[Any]) -> None:
    """PREM answers (no suggestion: JSON null) for 30 pathways: fully involved, not, without the item, two
    on one day, one unfinished."""
    answers = [{"delaktighet": "ja-helt"}, {"delaktighet": "nej"}, {"information": "ja-helt"}]
    rows = []
    for n, (pathway_id, patient_id, diagnosed_on) in enumerate(pathways[40:70]):
        for k in range(1 + n % 2):
            on = min(diagnosed_on + timedelta(days=30 + 40 * k), TODAY)
            rows.append(
                Assessment(
                    patient_id=patient_id,
                    pathway_id=pathway_id,
                    unit_hsa_id="unit",
                    instrument_id=PREM,
                    instrument_version="1",
                    key_moment=KeyMoment.OTHER,
                    respondent=Respondent.PATIENT,
                    started_on=on,
                    submitted_on=None if n % 10 == 9 else on,
                    answers=answers[(n + k) % len(answers)],
                    status=AssessmentStatus.IN_PROGRESS if n % 10 == 9 else AssessmentStatus.SUBMITTED,
                )
            )
    with services.engine.begin() as conn:
        conn.execute(TABLES["assessment"].insert(), [to_row(a) for a in rows])


def _digital_offers(services: Services, pathways: list[Any]) -> None:
    """Min vårdplan offered digitally via 1177 on 20 pathways (the synthetic region offers on paper)."""
    pw = TABLES["pathway"]
    with services.engine.begin() as conn:
        for pathway_id, _patient_id, diagnosed_on in pathways[70:90]:
            mvp = conn.execute(select(pw.c.min_vardplan).where(pw.c.id == pathway_id)).scalar_one()
            mvp = {**mvp, "digital_1177": True}
            mvp["offered_on"] = mvp.get("offered_on") or (diagnosed_on + timedelta(days=3)).isoformat()
            conn.execute(pw.update().where(pw.c.id == pathway_id).values(min_vardplan=mvp))


def _external_handover(services: Services, pathways: list[Any]) -> None:
    """A handover whose sending unit is not one of the region's (the column has no foreign key): neither
    dataset has it."""
    pathway_id, patient_id, diagnosed_on = pathways[95]
    handover = Handover(
        patient_id=patient_id,
        pathway_id=pathway_id,
        from_unit_hsa_id="SE0000000000-EXTERN",
        to_unit_hsa_id="SE0000000000-EXTERN",
        from_staff_id="extern",
        sent_on=diagnosed_on,
    )
    with services.engine.begin() as conn:
        conn.execute(TABLES["handover"].insert(), [to_row(handover)])


@pytest.fixture
def region(engine: Engine, tmp_path: Path) -> Iterator[Services]:
    services = Services(
        settings=Settings(data_dir=tmp_path, secret_key="test"), engine=engine, clock=lambda: TODAY
    )
    load_region(services, SynthConfig(patients=300, seed=5, today=TODAY))
    pw = TABLES["pathway"].c
    recorded = select(TABLES["svf_record"].c.pathway_id)  # the region's own SVF pathways (synth.svf_paths)
    with engine.connect() as conn:
        pathways = list(
            conn.execute(
                select(pw.id, pw.patient_id, pw.diagnosed_on)
                .where(pw.diagnosed_on.is_not(None), pw.id.not_in(recorded))
                .order_by(pw.id)
            )
        )
    _svf_records(services, pathways)
    _prems(services, pathways)
    _digital_offers(services, pathways)
    _external_handover(services, pathways)
    yield services


def _unit_ids(services: Services) -> list[str]:
    with services.uow(SYSTEM, log_reads=False) as uow:
        return sorted(u.hsa_id for u in uow.units.list_all())


def _reference(services: Services, unit_ids: list[str], as_of: date) -> dict[str, pa.Table]:
    """``care_frames`` over ``indicator_facts`` (the read model's domain objects) as Arrow tables."""
    with services.uow(SYSTEM, log_reads=False) as uow:
        facts, handovers = readmodel.indicator_facts(uow, unit_ids, None, date(1900, 1, 1), as_of)
    frames = care.care_frames(facts, handovers, svf_definitions(), is_prem)
    return {
        name: pa.Table.from_pandas(frames[name], schema=arrow_schema(name), preserve_index=False)
        for name in care.TABLES
    }


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    rows = [tuple(r.values()) for r in table.to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def _extract(services: Services, as_of: date, unit_ids: list[str] | None) -> dict[str, pa.Table]:
    return care_tables(
        services.engine,
        as_of=as_of,
        svf_definitions=svf_definitions(),
        prem_instruments=_prem_instruments(),
        unit_ids=unit_ids,
    )


def test_the_extract_has_the_care_datasets_schema() -> None:
    for name in care.TABLES:
        kinds = {c: "timestamp" if k == "date" else k for c, k in care.SCHEMAS[name].items()}
        assert arrow_schema(name) == ibis.schema(kinds).to_pyarrow(), name


@pytest.mark.parametrize("as_of", [TODAY, EARLIER])
def test_the_extract_equals_the_care_frames_for_every_unit(region: Services, as_of: date) -> None:
    units = _unit_ids(region)
    expected = _reference(region, units, as_of)
    extracted = _extract(region, as_of, None)
    for name in care.TABLES:
        assert extracted[name].schema == arrow_schema(name), name
        assert _rows(extracted[name]) == _rows(expected[name]), name
    if as_of == TODAY:  # the region exercises every path the tables read
        pathways = extracted["pathways"].to_pylist()
        assert {(p["svf"], p["svf_within_max"]) for p in pathways} == {
            (False, False),
            (True, True),
            (True, False),
        }
        assert {p["mdk_on"] is None for p in pathways if p["svf"]} == {True, False}
        assert any(p["contact_nurse_offered_on"] != p["contact_nurse_from"] for p in pathways)
        assert {p["mvp_digital"] for p in pathways} == {True, False}
        assessments = extracted["assessments"].to_pylist()
        assert {(a["prem"], a["prem_fully_involved"], a["decision_support"]) for a in assessments} >= {
            (True, True, False),
            (True, False, False),
            (False, False, True),
        }
        assert any(a["troublesome"] > 0 for a in assessments)
        assert {p["closed"] for p in extracted["plans"].to_pylist()} == {True, False}
        assert extracted["handovers"].num_rows > 0
        assert "SE0000000000-EXTERN" not in extracted["handovers"].column("unit").to_pylist()


VULVA_MAX = {"kirurgi": 30, "stralbehandling": 34, "lakemedelsbehandling": 27, "icke_tumorspecifik": 20}


def test_the_extract_judges_each_lead_time_against_the_maximum_of_its_first_treatments_kind(
    region: Services,
) -> None:
    """The vulvacancer records (RCC: kirurgi 30, strålbehandling 34, läkemedel 27, icke tumörspecifik 20
    days): within the kind's maximum; without a kind within the shortest (20); exspektans has none."""
    svf = TABLES["svf_record"].c
    with region.engine.connect() as conn:
        records = list(
            conn.execute(
                select(svf.pathway_id, svf.suspicion_on, svf.treatment_start_on, svf.first_treatment).where(
                    svf.svf_pathway == "vulvacancer", svf.treatment_start_on.is_not(None)
                )
            )
        )
    within = {
        p["pathway_id"]: p["svf_within_max"] for p in _extract(region, TODAY, None)["pathways"].to_pylist()
    }
    seen = set()
    for pathway_id, suspicion_on, started_on, kind in records:
        days = (started_on - suspicion_on).days
        maximum = VULVA_MAX.get(kind) if kind is not None else min(VULVA_MAX.values())
        expected = maximum is not None and days <= maximum
        assert within[pathway_id] is expected, (kind, days)
        seen.add((kind, expected))
    # every kind, both verdicts where the lead times reach them, and the kind without a maximum
    assert {k for k, _ in seen} == {*VULVA_MAX, None, "exspektans"}
    assert {v for _, v in seen} == {True, False}


def test_the_extract_of_some_units_equals_their_care_frames(region: Services) -> None:
    units = _unit_ids(region)[::3]
    expected = _reference(region, units, TODAY)
    extracted = _extract(region, TODAY, units)
    assert 0 < extracted["pathways"].num_rows < _extract(region, TODAY, None)["pathways"].num_rows
    for name in care.TABLES:
        assert _rows(extracted[name]) == _rows(expected[name]), name
    assert set(extracted["pathways"].column("unit").to_pylist()) <= set(units)
