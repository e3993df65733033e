"""Care indicators of the one model are evaluated as of the period's end: a later event does not count."""

from __future__ import annotations

from datetime import date

import pytest

from canrehab.domain.model import Diagnosis, MinVardplan, MinVardplanStatus, NeedsLevel, Pathway
from canrehab.followup.goals import default_indicators
from canrehab.services.process_indicators import (
    PathwayFacts,
    condition_met,
    evaluable,
    in_population,
    load_process_indicators,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)


def facts(**update: object) -> PathwayFacts:
    pw = Pathway(
        patient_id="p",
        unit_hsa_id="u",
        diagnosis=Diagnosis(icd10="C509", diagnosed_on=date(2025, 3, 1), process="breast"),
    )
    return PathwayFacts(pw.model_copy(update=update), (), ())


def test_care_indicators_are_the_one_models_and_only_evaluable_ones_reach_the_dashboard() -> None:
    care = default_indicators().of_source("care")
    shown = load_process_indicators()
    assert set(shown) <= set(care) and shown
    # SVF and MDK have no data yet: never shown as 0 %
    assert {d.id for d in care if not evaluable(d)} == {"svf_inklusion"}  # no data here
    assert all(evaluable(d) for d in shown)


@pytest.mark.parametrize(
    ("mvp", "condition", "expected"),
    [
        (
            MinVardplan(status=MinVardplanStatus.ESTABLISHED, established_on=date(2026, 1, 5)),
            "has_min_vardplan",
            False,
        ),
        (
            MinVardplan(status=MinVardplanStatus.ESTABLISHED, established_on=date(2025, 6, 5)),
            "has_min_vardplan",
            True,
        ),
        (
            MinVardplan(status=MinVardplanStatus.OFFERED, offered_on=date(2026, 2, 1)),
            "offered_min_vardplan",
            False,
        ),
        (
            MinVardplan(status=MinVardplanStatus.DECLINED, declined_on=date(2025, 5, 1)),
            "offered_min_vardplan",
            True,
        ),
        (
            MinVardplan(status=MinVardplanStatus.OFFERED, offered_on=date(2025, 5, 1)),
            "offered_min_vardplan_digital",
            False,
        ),
        (
            MinVardplan(status=MinVardplanStatus.OFFERED, offered_on=date(2025, 5, 1), digital_1177=True),
            "offered_min_vardplan_digital",
            True,
        ),
    ],
)
def test_min_vardplan_counts_as_of_the_period_end(mvp: MinVardplan, condition: str, expected: bool) -> None:
    assert condition_met(condition, facts(min_vardplan=mvp), END) is expected  # type: ignore[arg-type]


def test_needs_level_confirmed_after_the_period_is_not_in_the_population() -> None:
    late = facts(confirmed_level=NeedsLevel.SPECIAL, confirmed_level_on=date(2026, 1, 10))
    early = facts(confirmed_level=NeedsLevel.SPECIAL, confirmed_level_on=date(2025, 4, 10))
    assert not in_population("needs_special_or_more", late, START, END)
    assert in_population("needs_special_or_more", early, START, END)
