"""The population rule and its traps, on hand-written extracts, on every engine (``backend``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from canrehab.followup import api
from tests.followup.conftest import contact

CODES = ["AW020", "AW024", "XV019", "XV020"]
Extract = Callable[[list[dict[str, str]]], Path]


def table(
    path: Path, level: str = "county", year: int = 2022, backend: str = "duckdb", **kw: Any
) -> pd.DataFrame:
    # threshold 1: no suppression, exact counts
    return api.region_table(
        path,
        year,
        CODES,
        level=level,
        threshold=1,
        complementary=False,
        backend=backend,
        **kw,
    )


def cell(df: pd.DataFrame, region: str, code: str, column: str = "patients") -> str:
    row = df[(df.region_code == region) & (df.code == code)]
    assert len(row) == 1, (region, code)
    return str(row[column].iloc[0])


def test_repeated_codes_on_one_person_count_once(extract: Extract, backend: str) -> None:
    path = extract(
        [
            contact("1", op="AW020", indatum="2022-01-10"),
            contact("1", op="AW020 XV019", indatum="2022-02-10"),
            contact("1", op="AW020  AW020", indatum="2022-03-10"),
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "01", "AW020") == "1"
    assert cell(df, "00", "AW020") == "1"
    assert cell(df, "00", "XV019") == "1"
    assert cell(df, "00", "AW020", "total_patients") == "1"


def test_code_on_non_cancer_contact_counts_for_a_population_person(extract: Extract, backend: str) -> None:
    path = extract(
        [
            contact("1", hdia="C619"),
            contact("1", hdia="I109", op="AW020", indatum="2022-06-01"),
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "00", "AW020") == "1"


def test_person_without_cancer_main_diagnosis_is_outside_the_population(
    extract: Extract, backend: str
) -> None:
    path = extract(
        [
            contact("1", hdia="I109", op="AW020"),  # no cancer contact at all
            contact("2", hdia="D059", op="AW020"),  # carcinoma in situ: not C00-C97
            contact("3", hdia="C97", op="XV019"),  # boundary: C97 is in
            contact("4", hdia="C980", op="AW024"),  # not a malignant main diagnosis range C00-C97
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "00", "AW020") == "0"
    assert cell(df, "00", "AW024") == "0"
    assert cell(df, "00", "XV019") == "1"
    assert cell(df, "00", "XV019", "total_patients") == "1"


def test_contacts_outside_the_year_do_not_count(extract: Extract, backend: str) -> None:
    path = extract(
        [
            contact("1", indatum="2021-11-01", op="AW020"),  # 2021 only
            contact("2", indatum="2022-05-01"),  # in 2022, but the code was registered in 2021
            contact("2", indatum="2021-05-01", op="XV019"),
            contact("3", indatum="2023-01-02", op="AW024"),  # 2023
            # inpatient stay admitted in 2021, discharged in 2022: a 2022 contact (discharge year)
            contact("4", vardform="sluten", indatum="2021-12-28", utdatum="2022-01-03", op="XV020"),
            # inpatient stay admitted in 2022, discharged in 2023: a 2023 contact
            contact("5", vardform="sluten", indatum="2022-12-28", utdatum="2023-01-03", op="AW020"),
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "00", "AW020", "total_patients") == "2"  # persons 2 and 4
    assert cell(df, "00", "AW020") == "0"
    assert cell(df, "00", "XV019") == "0"
    assert cell(df, "00", "AW024") == "0"
    assert cell(df, "00", "XV020") == "1"
    df21 = table(path, year=2021, backend=backend)
    assert cell(df21, "00", "AW020") == "1"
    assert cell(df21, "00", "XV019") == "1"


def test_multi_county_person_counts_once_in_the_county_of_the_latest_contact(
    extract: Extract, backend: str
) -> None:
    path = extract(
        [
            contact("1", lan="03", indatum="2022-02-01", op="AW020"),
            contact(
                "1", lan="01", indatum="2022-11-01", hdia="I109"
            ),  # latest contact decides (any diagnosis)
            contact(
                "1", lan="", indatum="2022-12-01"
            ),  # no county on the very last contact: ignored for county
            # same day, two counties: the highest county code wins (deterministic)
            contact("2", lan="05", indatum="2022-04-04", op="XV019"),
            contact("2", lan="12", indatum="2022-04-04"),
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "01", "AW020") == "1"
    assert cell(df, "03", "AW020") == "0"
    assert cell(df, "03", "AW020", "total_patients") == "0"
    assert cell(df, "12", "XV019") == "1"
    assert cell(df, "05", "XV019") == "0"
    assert cell(df, "00", "AW020", "total_patients") == "2"
    rcc = table(path, level="rcc", backend=backend)
    assert cell(rcc, "STHLM_GOTLAND", "AW020") == "1"
    assert cell(rcc, "MELLAN", "AW020") == "0"
    assert cell(rcc, "SYD", "XV019") == "1"


def test_unknown_county_counts_only_nationally(extract: Extract, backend: str) -> None:
    path = extract(
        [
            contact("1", lan="", op="AW020"),
            contact("1", lan="", indatum="2022-05-05"),
            contact("2", lan="25", op="AW020"),
        ]
    )
    df = table(path, backend=backend)
    assert cell(df, "00", "AW020") == "2"
    assert cell(df, "00", "AW020", "total_patients") == "2"
    assert cell(df, "25", "AW020") == "1"
    county_rows = df[(df.region_code != "00") & (df.code == "AW020")]
    assert county_rows["patients"].astype(int).sum() == 1
    assert county_rows["total_patients"].astype(int).sum() == 1
    assert len(county_rows) == 21  # every county is listed, zeros included


def test_care_type_tables_count_codes_registered_in_that_care_type(extract: Extract, backend: str) -> None:
    path = extract(
        [
            # inpatient cancer stay; AW020 registered at an outpatient non-cancer visit
            contact("1", vardform="sluten", indatum="2022-02-01", utdatum="2022-02-05"),
            contact("1", vardform="oppen", hdia="I109", indatum="2022-03-01", op="AW020"),
            # both care types; XV019 registered during the stay
            contact("2", vardform="sluten", indatum="2022-02-01", utdatum="2022-02-05", op="XV019"),
            contact("2", vardform="oppen", indatum="2022-04-01"),
        ]
    )
    sluten = table(path, care_type="sluten", backend=backend)
    oppen = table(path, care_type="oppen", backend=backend)
    everyone = table(path, backend=backend)
    assert cell(everyone, "00", "AW020") == "1"
    assert cell(sluten, "00", "AW020") == "0"  # not registered in inpatient care
    assert cell(oppen, "00", "AW020") == "0"  # person 1 is not in the outpatient population
    assert cell(sluten, "00", "XV019") == "1"
    assert cell(oppen, "00", "XV019") == "0"
    assert cell(sluten, "00", "XV019", "total_patients") == "2"
    assert cell(oppen, "00", "XV019", "total_patients") == "1"


def test_age_group_and_sex_use_the_latest_contact(extract: Extract, backend: str) -> None:
    path = extract(
        [
            contact("1", alder="17", indatum="2022-01-05", op="AW020"),
            contact("1", alder="18", indatum="2022-09-05"),
            contact("2", alder="12", kon="2", op="AW020"),
        ]
    )
    adults = table(path, age_group="18+", backend=backend)
    children = table(path, age_group="0-17", backend=backend)
    women = table(path, kon=2, backend=backend)
    assert cell(adults, "00", "AW020") == "1"
    assert cell(children, "00", "AW020") == "1"
    assert cell(children, "00", "AW020", "total_patients") == "1"
    assert cell(women, "00", "AW020") == "1"


def test_per_1000_is_rounded_half_up_to_two_decimals(extract: Extract, backend: str) -> None:
    rows = [contact(str(i)) for i in range(1, 801)]
    rows[0]["op"] = "AW020"  # 1 / 800 * 1000 = 1.25
    rows[1]["op"] = "XV019"
    rows[2]["op"] = "XV019"
    rows[3]["op"] = "XV019"  # 3 / 800 * 1000 = 3.75
    df = table(extract(rows), backend=backend)
    assert cell(df, "00", "AW020", "per_1000") == "1.25"
    assert cell(df, "00", "XV019", "per_1000") == "3.75"
    assert cell(df, "01", "AW024", "per_1000") == "0.00"


def test_an_ibis_table_with_the_stored_columns_is_a_source() -> None:
    import datetime as dt

    import ibis

    d = dt.date(2022, 3, 1)
    t = ibis.memtable(
        pd.DataFrame(
            {
                "lopnr": ["1", "2", "3"],
                "kon": pd.array([1, 2, 1], dtype="int8"),
                "alder": pd.array([50, 60, 70], dtype="int16"),
                "lan": ["01", None, "12"],
                "vardform": ["oppen", "oppen", "sluten"],
                "indatum": [d, d, d],
                "utdatum": [None, None, dt.date(2022, 3, 5)],
                "hdia": ["C509", "C619", "I109"],
                "op": ["AW020", "AW020 XV019", "AW020"],
            }
        ),
        schema={
            "lopnr": "string",
            "kon": "int8",
            "alder": "int16",
            "lan": "string",
            "vardform": "string",
            "indatum": "date",
            "utdatum": "date",
            "hdia": "string",
            "op": "string",
        },
    )
    df = api.region_table(t, 2022, CODES, threshold=1, complementary=False)
    assert cell(df, "00", "AW020") == "2"  # person 3 has no cancer contact
    assert cell(df, "00", "AW020", "total_patients") == "2"
    assert cell(df, "01", "AW020") == "1"


def test_age_bands_are_configurable_and_checked(extract: Extract) -> None:
    import pytest

    from canrehab.followup.population import parse_bands

    assert parse_bands("0-17,18-64,65+") == ((0, 17), (18, 64), (65, None))
    for bad in ("1-17,18+", "0-17,19+", "0-17,18-64", "0-17,18+,70+", ""):
        with pytest.raises(ValueError):
            parse_bands(bad)
    path = extract([contact("1", alder="70", op="AW020"), contact("2", alder="40", op="AW020")])
    bands = parse_bands("0-17,18-64,65+")
    old = table(path, age_group="65+", bands=bands)
    assert cell(old, "00", "AW020") == "1" and cell(old, "00", "AW020", "total_patients") == "1"
