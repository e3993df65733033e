"""SVF: the dates of an SVF pathway checked, the lead time against the SVF's maximum as data (with its
source), 003's lead-time and inclusion shares, and the analytics columns."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.codes.catalog import DefinitionError
from canrehab.domain.errors import DomainError
from canrehab.domain.svf import (
    SVF_COLUMNS,
    SvfRecord,
    check_record,
    inclusion_percent,
    lead_time_days,
    lead_time_share,
    svf_columns,
    within_max,
)
from canrehab.services.svf import load_definitions

DEFS = load_definitions()
TODAY = date(2026, 3, 2)
SUSPECTED = date(2026, 1, 10)


def test_the_shipped_file_names_a_source_for_every_maximum_and_goal() -> None:
    assert DEFS.pathway("brostcancer").max_days == 35
    assert all("http" in p.source for p in DEFS.pathways)
    goals = {name: goal.level for name, goal in DEFS.goals.items()}
    assert goals == {
        "inclusion_percent_of_expected": 70,
        "lead_time_national_percent": 80,
        "lead_time_regional_interim_percent": 60,
        "mdk_discussed_percent": 100,
    }
    assert all(goal.source.startswith("003") for goal in DEFS.goals.values())


def test_a_file_without_a_source_is_refused_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "svf.yaml"
    bad.write_text("pathways:\n  - {id: x, name_sv: X, max_days: 10}\ngoals: {}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="source"):
        load_definitions(bad)


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (SvfRecord("brostcancer", SUSPECTED, treatment_start_on=date(2026, 1, 9)), "svf.before_suspicion"),
        (SvfRecord("brostcancer", SUSPECTED, True, mdk_on=date(2026, 1, 1)), "svf.before_suspicion"),
        (SvfRecord("brostcancer", SUSPECTED, False, mdk_on=date(2026, 1, 20)), "svf.mdk_date_without_mdk"),
        (SvfRecord("brostcancer", date(2026, 4, 1)), "svf.future_date"),
        (SvfRecord("no_such_svf", SUSPECTED), "svf.unknown_pathway"),
    ],
)
def test_wrong_dates_are_refused_with_a_swedish_message(record: SvfRecord, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        check_record(record, DEFS, today=TODAY)
    assert raised.value.code == code and raised.value.message_sv


def test_a_pathway_can_start_at_suspicion_without_mdk_or_treatment() -> None:
    record = check_record(SvfRecord("brostcancer", SUSPECTED), DEFS, today=TODAY)
    assert lead_time_days(record) is None and within_max(record, DEFS) is None


@pytest.mark.parametrize(("days", "within"), [(0, True), (35, True), (36, False)])
def test_the_lead_time_is_measured_against_the_svfs_maximum(days: int, within: bool) -> None:
    record = SvfRecord("brostcancer", SUSPECTED, treatment_start_on=SUSPECTED + timedelta(days=days))
    assert lead_time_days(record) == days and within_max(record, DEFS) is within


@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=120)), max_size=30))
def test_the_lead_time_share_counts_only_started_pathways(days: list[int | None]) -> None:
    records = [
        SvfRecord(
            "brostcancer", SUSPECTED, treatment_start_on=None if d is None else SUSPECTED + timedelta(d)
        )
        for d in days
    ]
    within, started = lead_time_share(records, DEFS)
    assert started == sum(d is not None for d in days)
    assert within == sum(d is not None and d <= 35 for d in days)


def test_inclusion_is_a_share_of_the_expected_number() -> None:
    assert inclusion_percent(71, 100) == pytest.approx(71.0)
    assert inclusion_percent(3, 0) is None
    with pytest.raises(DomainError):
        inclusion_percent(-1, 10)


def test_the_analytics_columns_of_an_svf_and_a_non_svf_pathway() -> None:
    record = SvfRecord("brostcancer", SUSPECTED, True, date(2026, 1, 20), date(2026, 2, 20))
    columns = svf_columns(record, DEFS)
    assert tuple(columns) == SVF_COLUMNS
    assert columns["svf_lead_time_days"] == 41 and columns["svf_within_max"] is False
    assert svf_columns(None, DEFS) == {"svf": False, **{c: None for c in SVF_COLUMNS[1:]}}
