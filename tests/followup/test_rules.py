"""One rule per test, on every engine: a few contacts written inline, one assertion on the rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from canrehab.followup import api
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]


def numerator(path: Path, indicator: str, backend: str, unit: str = "00") -> int:
    """The indicator's numerator in 2022 for ``unit`` (nation ``00`` or a county), without suppression."""
    results = api.indicator_results(path, [2022], [indicator], backend=backend, threshold=1)
    row = results[(results["unit_code"] == unit) & results["level"].isin(["nation", "county"])]
    return int(row["numerator"].iloc[0])


def test_a_structured_assessment_is_au010_or_aw019(extract: Extract, backend: str) -> None:
    path = extract([contact("1", op="AU010"), contact("2", op="AW019"), contact("3", op="AW020")])
    assert numerator(path, "strukturerad_behovsbedomning", backend) == 2


def test_the_inpatient_plan_indicator_counts_only_plans_registered_in_inpatient_care(
    extract: Extract, backend: str
) -> None:
    stay = {"vardform": "sluten", "indatum": "2022-02-01", "utdatum": "2022-02-05"}
    path = extract(
        [
            contact("1", op="AW020", **stay),
            contact("2", **stay),
            contact("2", op="AW020", indatum="2022-03-01"),  # the plan was made at an outpatient visit
        ]
    )
    assert numerator(path, "rehabplan_slutenvard", backend) == 1


def test_an_indicator_counts_the_person_in_the_county_of_residence(extract: Extract, backend: str) -> None:
    path = extract([contact("1", lan="05", op="AU010"), contact("2", lan="01")])
    assert numerator(path, "strukturerad_behovsbedomning", backend, unit="05") == 1


def test_two_persons_are_published_as_lt4_with_the_rate_hidden(extract: Extract, backend: str) -> None:
    rows = [contact(str(i), op="AW020" if i < 3 else "") for i in range(1, 41)]
    table = api.region_table(extract(rows), 2022, ["AW020"], backend=backend)
    nation = table[table["region_code"] == "00"].iloc[0]
    assert (nation["patients"], nation["per_1000"]) == ("<4", "X")
