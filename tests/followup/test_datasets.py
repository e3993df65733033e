"""Dataset discovery in the analytics store and the engine-result cache keyed by the dataset's version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from canrehab.followup import cache
from canrehab.followup.datasets import find_datasets
from canrehab.followup.importer import dataset_root, import_par
from tests.followup.conftest import contact

Extract = Callable[[list[dict[str, str]]], Path]


def test_only_datasets_with_a_year_are_found_and_work_in_progress_is_skipped(
    tmp_path: Path, extract: Extract
) -> None:
    root = dataset_root(tmp_path)
    import_par(extract([contact("1", op="AW020")]), root / "egen-verksamhet")
    import_par(extract([contact("2")]), root / ".publicering-abc" / "egen-verksamhet")
    (root / "tom").mkdir()
    assert [(d.name, d.years) for d in find_datasets(tmp_path)] == [("egen-verksamhet", (2022,))]


def test_a_replaced_dataset_is_computed_afresh(tmp_path: Path, extract: Extract) -> None:
    target = dataset_root(tmp_path) / "egen-verksamhet"
    import_par(extract([contact("1", op="AW020")]), target)
    (before,) = find_datasets(tmp_path)
    first = cache.region_table(before, 2022, ["AW020"], level="county", threshold=1)
    assert cache.region_table(before, 2022, ["AW020"], level="county", threshold=1) is first
    import_par(extract([contact("1", op="AW020"), contact("2", op="AW020")]), target, replace=True)
    (after,) = find_datasets(tmp_path)
    again = cache.region_table(after, 2022, ["AW020"], level="county", threshold=1)
    assert again.set_index("region_code").loc["00", "patients"] == "2"
