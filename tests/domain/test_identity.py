from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canrehab.domain.errors import DomainError
from canrehab.domain.identity import (
    format_personnummer,
    generate_personnummer,
    luhn_digit,
    parse_personnummer,
    pseudonymise,
)
from canrehab.domain.model import Sex

TODAY = date(2026, 11, 22)


def test_luhn_known_number() -> None:
    # Skatteverket's example number 811218-9876
    assert luhn_digit("811218987") == 6
    person = parse_personnummer("811218-9876", today=TODAY)
    assert person.personnummer == "198112189876"
    assert person.birth_date == date(1981, 12, 18)
    assert person.sex is Sex.MALE  # 7 is odd
    assert not person.is_coordination_number


@pytest.mark.parametrize(
    "text", ["811218-9876", "8112189876", "19811218-9876", "198112189876", " 811218-9876 "]
)
def test_forms_agree(text: str) -> None:
    assert parse_personnummer(text, today=TODAY).personnummer == "198112189876"


def test_plus_means_hundred_or_older() -> None:
    nine = "201010123"  # born 1920-10-10 or 2020-10-10
    ten = nine + str(luhn_digit(nine))
    assert parse_personnummer(f"{ten[:6]}-{ten[6:]}", today=TODAY).birth_date == date(2020, 10, 10)
    assert parse_personnummer(f"{ten[:6]}+{ten[6:]}", today=TODAY).birth_date == date(1920, 10, 10)


def test_century_inference_dash_is_within_99_years() -> None:
    nine = "270101123"  # 2027 would be in the future at TODAY: the dash form means 1927
    ten = nine + str(luhn_digit(nine))
    assert parse_personnummer(ten, today=TODAY).birth_date == date(1927, 1, 1)


def test_coordination_number() -> None:
    nine = "900375234"  # day 75 -> 15
    ten = nine + str(luhn_digit(nine))
    person = parse_personnummer(ten, today=TODAY)
    assert person.is_coordination_number
    assert person.birth_date == date(1990, 3, 15)
    assert person.personnummer == "19" + ten
    assert person.sex is Sex.FEMALE  # 4 is even


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "saknas"),
        ("81121-9876", "9 siffror"),
        ("811218x9876", "otillåtna tecken"),
        ("81121-89876", "Skiljetecknet"),
        ("811218-9877", "Kontrollsiffran"),
        ("811318-9876", "månad (13)"),
        ("810230-1234", "ingen dag 30"),
        ("19811218+9876", "Plustecken"),
        ("20991218-9876", "framtiden"),
        ("810200-1234", "ogiltig dag"),
    ],
)
def test_invalid_numbers_give_precise_message_without_echo(text: str, fragment: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_personnummer(text, today=TODAY)
    assert err.value.code == "personnummer.invalid"
    assert fragment in err.value.message_sv
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 6:
        assert digits not in err.value.message_sv
        assert digits[:6] not in err.value.message_sv
        assert digits not in err.value.message_en


def test_leap_day_depends_on_century() -> None:
    nine = "000229123"
    ten = nine + str(luhn_digit(nine))
    assert parse_personnummer(ten, today=TODAY).birth_date == date(2000, 2, 29)
    with pytest.raises(DomainError, match="does not exist"):
        parse_personnummer(f"{ten[:6]}+{ten[6:]}", today=TODAY)  # 1900 was not a leap year


def test_format_and_pseudonym() -> None:
    assert format_personnummer("198112189876") == "19811218-9876"
    key = b"secret"
    p1 = pseudonymise("198112189876", key)
    assert p1 == pseudonymise("198112189876", key)
    assert len(p1) == 20 and all(c in "0123456789abcdef" for c in p1)
    assert p1 != pseudonymise("198112189876", b"other")
    assert p1 != pseudonymise("198112189868", key)
    assert "198112189876" not in p1
    with pytest.raises(DomainError):
        pseudonymise("811218-9876", key)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sexes = st.sampled_from(list(Sex))


@given(birth=birth_dates, sex=sexes, coordination=st.booleans(), seed=st.integers(0, 2**32))
def test_generated_numbers_parse_back(birth: date, sex: Sex, coordination: bool, seed: int) -> None:
    pnr = generate_personnummer(random.Random(seed), birth, sex, coordination)
    assert len(pnr) == 12 and pnr.isdigit()
    person = parse_personnummer(pnr, today=TODAY)
    assert (person.birth_date, person.sex, person.is_coordination_number) == (birth, sex, coordination)
    assert person.personnummer == pnr
    # 10- and 12-digit forms, with and without separator, agree.
    age_this_year = TODAY.year - birth.year
    sep = "+" if age_this_year >= 100 else "-"
    ten = pnr[2:]
    assert parse_personnummer(f"{ten[:6]}{sep}{ten[6:]}", today=TODAY) == person
    assert parse_personnummer(f"{pnr[:8]}-{pnr[8:]}", today=TODAY) == person
    if sep == "-":
        assert parse_personnummer(ten, today=TODAY) == person


@given(
    birth=birth_dates,
    sex=sexes,
    seed=st.integers(0, 2**32),
    position=st.integers(0, 9),
    delta=st.integers(1, 9),
)
def test_any_single_digit_change_is_rejected(
    birth: date, sex: Sex, seed: int, position: int, delta: int
) -> None:
    pnr = generate_personnummer(random.Random(seed), birth, sex)
    ten = list(pnr[2:])
    ten[position] = str((int(ten[position]) + delta) % 10)
    changed = "".join(ten)
    with pytest.raises(DomainError) as err:
        parse_personnummer(pnr[:2] + changed, today=TODAY)
    assert err.value.code == "personnummer.invalid"


@given(st.text(max_size=16))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        person = parse_personnummer(text, today=TODAY)
    except DomainError as err:
        assert err.code == "personnummer.invalid"
    else:
        assert len(person.personnummer) == 12
        assert person.birth_date <= TODAY
        assert person.birth_date >= TODAY.replace(year=TODAY.year - 199, month=1, day=1) - timedelta(days=1)
