"""The care conditions and populations the care engine evaluates (``followup.care``, shared by the
per-pathway reference ``services.process_indicators``) are words of the definition files' vocabulary
(``followup.goals``): a condition spelt differently in the engine would never be evaluated."""

from __future__ import annotations

from typing import get_args

from canrehab.followup import care
from canrehab.followup.goals import CareCondition, CarePopulation


def test_the_care_engines_conditions_and_populations_are_in_the_definitions_vocabulary() -> None:
    assert set(care.CONDITIONS) <= set(get_args(CareCondition))
    assert set(care.POPULATIONS) <= set(get_args(CarePopulation))
