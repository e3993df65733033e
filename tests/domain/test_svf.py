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
    FirstTreatment,
    SvfRecord,
    check_record,
    inclusion_percent,
    lead_time_days,
    lead_time_share,
    parse_first_treatment,
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


# --- the lead time per kind of first treatment (max_days_by_treatment) -------------------------------------

VULVA = {"kirurgi": 30, "stralbehandling": 34, "lakemedelsbehandling": 27, "icke_tumorspecifik": 20}
PROSTATE = {
    "kirurgi": 61,
    "stralbehandling": 68,
    "lakemedelsbehandling": 50,
    "kombinerad_lakemedel_stralbehandling": 50,
    "aktiv_monitorering": 47,
    "exspektans": 47,
}


def _started(svf: str, days: int, kind: FirstTreatment | None) -> SvfRecord:
    return SvfRecord(
        svf, SUSPECTED, treatment_start_on=SUSPECTED + timedelta(days=days), first_treatment=kind
    )


def test_the_shipped_vulva_and_prostate_maxima_per_first_treatment_with_their_rcc_source() -> None:
    vulva, prostate = DEFS.pathway("vulvacancer"), DEFS.pathway("prostatacancer")
    assert {k.value: d for k, d in (vulva.max_days_by_treatment or {}).items()} == VULVA
    assert {k.value: d for k, d in (prostate.max_days_by_treatment or {}).items()} == PROSTATE
    assert vulva.max_days is None and prostate.max_days is None
    assert (
        "2017-10-31" in vulva.source
        and "cancercentrum.se/norr/cancerdiagnoser/gynekologi/vulva" in vulva.source
    )
    assert (
        "2016-12-14" in prostate.source
        and "cancercentrum.se/samverkan/cancerdiagnoser/prostata" in prostate.source
    )
    assert (
        prostate.processes == ("prostate",) and vulva.processes == ()
    )  # C51 is one of the gyn process's SVF


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("max_days: 10, max_days_by_treatment: {kirurgi: 5}", "exactly one"),
        ("name_sv: X", "exactly one"),
        ("max_days_by_treatment: {kirurgi: 5, robotkirurgi: 3}", "max_days_by_treatment"),
        ("max_days_by_treatment: {kirurgi: 0}", "max_days_by_treatment"),
        ("max_days_by_treatment: {}", "at least one"),
    ],
)
def test_a_pathway_needs_one_kind_of_maximum_from_the_vocabulary(
    tmp_path: Path, body: str, field: str
) -> None:
    bad = tmp_path / "svf.yaml"
    bad.write_text(
        f"pathways:\n  - {{id: x, name_sv: X, source: 'RCC, https://example.se/x', {body}}}\ngoals: {{}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError, match=field):
        load_definitions(bad)


@pytest.mark.parametrize(
    ("svf", "days", "kind", "within"),
    [
        ("vulvacancer", 30, FirstTreatment.KIRURGI, True),
        ("vulvacancer", 31, FirstTreatment.KIRURGI, False),
        ("vulvacancer", 34, FirstTreatment.STRALBEHANDLING, True),
        ("vulvacancer", 28, FirstTreatment.LAKEMEDELSBEHANDLING, False),
        ("vulvacancer", 21, FirstTreatment.ICKE_TUMORSPECIFIK, False),
        ("prostatacancer", 68, FirstTreatment.STRALBEHANDLING, True),
        ("prostatacancer", 48, FirstTreatment.AKTIV_MONITORERING, False),
        ("prostatacancer", 47, FirstTreatment.EXSPEKTANS, True),
        ("brostcancer", 35, FirstTreatment.KIRURGI, True),  # one maximum: the kind is recorded, not used
    ],
)
def test_the_lead_time_is_judged_against_the_maximum_of_the_first_treatments_kind(
    svf: str, days: int, kind: FirstTreatment, within: bool
) -> None:
    record = check_record(_started(svf, days, kind), DEFS, today=SUSPECTED + timedelta(days=120))
    assert within_max(record, DEFS) is within


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (_started("vulvacancer", 10, None), "svf.first_treatment_required"),
        (_started("vulvacancer", 10, FirstTreatment.EXSPEKTANS), "svf.first_treatment_not_in_pathway"),
        (
            SvfRecord("vulvacancer", SUSPECTED, first_treatment=FirstTreatment.KIRURGI),
            "svf.first_treatment_without_start",
        ),
        (SvfRecord("brostcancer", SUSPECTED, first_treatment="kirurgi"), "svf.unknown_first_treatment"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_or_missing_kind_of_first_treatment_is_refused_in_swedish(
    record: SvfRecord, code: str
) -> None:
    with pytest.raises(DomainError) as raised:
        check_record(record, DEFS, today=TODAY)
    assert raised.value.code == code and "behandling" in raised.value.message_sv


def test_a_vulva_pathway_without_treatment_needs_no_kind() -> None:
    record = check_record(SvfRecord("vulvacancer", SUSPECTED, True, SUSPECTED), DEFS, today=TODAY)
    assert within_max(record, DEFS) is None


def test_an_unknown_code_of_first_treatment_is_refused_naming_it() -> None:
    assert parse_first_treatment("kirurgi") is FirstTreatment.KIRURGI
    assert parse_first_treatment("") is None and parse_first_treatment(None) is None
    with pytest.raises(DomainError) as raised:
        parse_first_treatment("robotkirurgi")
    assert raised.value.code == "svf.unknown_first_treatment" and "robotkirurgi" in raised.value.message_en


@given(
    st.sampled_from(["vulvacancer", "prostatacancer"]),
    st.integers(min_value=0, max_value=120),
    st.one_of(st.none(), st.sampled_from(list(FirstTreatment))),
)
def test_a_record_without_a_kind_is_within_only_when_within_every_kinds_maximum(
    svf: str, days: int, kind: FirstTreatment | None
) -> None:
    """Old or imported data without the kind: counted as started, within only when no kind's maximum is
    passed; with a kind, within exactly when within that kind's maximum (no maximum for the kind: not)."""
    maxima = dict(DEFS.pathway(svf).max_days_by_treatment or {})
    verdict = within_max(_started(svf, days, kind), DEFS)
    if kind is None:
        assert verdict is all(days <= d for d in maxima.values())
    else:
        assert verdict is (kind in maxima and days <= maxima[kind])
    assert lead_time_share([_started(svf, days, kind)], DEFS) == (int(bool(verdict)), 1)


def test_the_analytics_columns_carry_the_kind_and_the_maximum_it_was_judged_against() -> None:
    columns = svf_columns(_started("vulvacancer", 32, FirstTreatment.STRALBEHANDLING), DEFS)
    assert columns["svf_first_treatment"] == "stralbehandling" and columns["svf_max_days"] == 34
    assert columns["svf_within_max"] is True
    old = svf_columns(_started("vulvacancer", 25, None), DEFS)
    assert old["svf_first_treatment"] is None and old["svf_max_days"] == 20 and old["svf_within_max"] is False
