"""The synthetic extract: deterministic, valid, and of the report's shape."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from canrehab.followup import api
from canrehab.followup.importer import import_par
from canrehab.followup.synth_par import generate, load_reference


def test_same_seed_same_extract_other_seed_other_extract() -> None:
    a = next(generate(persons=1500, seed=5))
    b = next(generate(persons=1500, seed=5))
    c = next(generate(persons=1500, seed=6))
    assert a.equals(b)
    assert not a.equals(c)


def test_generated_extract_is_valid_and_has_the_planted_traps(tmp_path: Path) -> None:
    from canrehab.followup.synth_par import write_extract

    src = tmp_path / "s.parquet"
    rows = write_extract(src, persons=4000, year=2022, seed=2)
    res = import_par(src, tmp_path / "ds")
    assert res.ok and res.accepted == rows and res.rejected == 0
    t = pq.read_table(src).to_pandas()
    assert 10 <= rows / 4000 <= 18  # about 14 contacts per person
    assert t["lan"].isna().any()  # unknown county
    assert (t["indatum"].astype(str) < "2022-01-01").any()  # stays admitted the year before
    non_cancer = ~t["hdia"].str.startswith("C")
    assert (
        non_cancer & (t["op"].str.contains("AW020|XV019|DV131"))
    ).any()  # rehab codes on non-cancer contacts
    df = api.region_table(tmp_path / "ds", 2022, ["AW020"], threshold=1, complementary=False)
    assert int(df[df.region_code == "00"]["total_patients"].iloc[0]) == 4000


def test_county_shares_follow_the_reference() -> None:
    ref = load_reference()
    t = next(generate(persons=20000, seed=1, chunk_persons=30000)).to_pandas()
    first = t.drop_duplicates("lopnr")
    share_sthlm = (first["lan"] == "01").mean()
    assert abs(share_sthlm - ref.counties["01"]["total"] / ref.population) < 0.02


def test_rehab_plan_codes_appear_only_from_their_introduction_year() -> None:
    def has(table_year: int, code: str) -> bool:
        t = next(generate(persons=3000, year=table_year, seed=1))
        return any(code in op.split(" ") for op in t.column("op").to_pylist())

    assert not has(2021, "AW020") and has(2022, "AW020")
    assert not has(2022, "AW027") and has(2023, "AW027")
