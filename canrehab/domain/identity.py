"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Accepted input: 10 or 12 digits, with or without a separator before the last four digits. In the 10-digit form
``-`` (or no separator) means the person turns at most 99 this year and ``+`` that they turn 100 or more this
year (Skatteverket changes the separator in the year the person turns 100). The check digit is the Luhn digit
over the 10-digit form. In a samordningsnummer the day of birth is increased by 60.

Error messages say what is wrong without repeating the number (it is a patient identifier).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from dataclasses import dataclass
from datetime import date

from canrehab.domain.errors import DomainError
from canrehab.domain.model import Sex

COORDINATION_OFFSET = 60
_SHAPE = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$", re.ASCII)


@dataclass(frozen=True)
class PersonId:
    personnummer: str  # 12 digits, no separator
    birth_date: date
    sex: Sex
    is_coordination_number: bool


def _invalid(sv: str, en: str) -> DomainError:
    return DomainError("personnummer.invalid", sv, en)


def luhn_digit(nine_digits: str) -> int:
    """The Luhn check digit of the first nine digits of the 10-digit form (weights 2, 1, 2, 1, ...)."""
    if len(nine_digits) != 9 or not nine_digits.isdigit():
        raise ValueError("luhn_digit needs exactly nine digits")
    total = 0
    for i, ch in enumerate(nine_digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _birth_date(year: int, month: int, day: int) -> tuple[date, bool]:
    coordination = day > COORDINATION_OFFSET
    real_day = day - COORDINATION_OFFSET if coordination else day
    if not 1 <= month <= 12:
        raise _invalid(
            f"Datumdelen har en ogiltig månad ({month:02d}); månaden ska vara 01–12.",
            f"month {month:02d} is not 01-12",
        )
    if real_day < 1:
        raise _invalid(
            "Datumdelen har en ogiltig dag (00 eller 60); dagen ska vara 01–31, i samordningsnummer 61–91.",
            "day is 00 or 60",
        )
    try:
        born = date(year, month, real_day)
    except ValueError:
        kind = "samordningsnumret (dag minus 60)" if coordination else "datumdelen"
        raise _invalid(
            f"Datumet i {kind} finns inte: månad {month:02d} har ingen dag {real_day:02d} år {year}.",
            f"day {real_day:02d} does not exist in month {month:02d} of {year}",
        ) from None
    return born, coordination


def parse_personnummer(text: str, *, today: date | None = None) -> PersonId:
    """Validate and normalise a personnummer or samordningsnummer; raise ``DomainError`` when invalid."""
    today = today or date.today()
    raw = (text or "").strip()
    if not raw:
        raise _invalid("Personnummer saknas.", "empty personnummer")
    match = _SHAPE.match(raw)
    if match is None:
        digits = sum(ch in "0123456789" for ch in raw)
        others = sorted({ch for ch in raw if ch not in "0123456789-+"})
        if others:
            raise _invalid(
                "Personnumret innehåller otillåtna tecken; bara siffror och - eller + före de fyra sista "
                "siffrorna är tillåtna.",
                "personnummer contains characters other than digits and one separator",
            )
        if digits not in (10, 12):
            raise _invalid(
                f"Personnumret har {digits} siffror; det ska ha 10 (ÅÅMMDD-NNNN) eller 12 (ÅÅÅÅMMDD-NNNN).",
                f"personnummer has {digits} digits, expected 10 or 12",
            )
        raise _invalid(
            "Skiljetecknet (- eller +) får bara stå en gång, före de fyra sista siffrorna.",
            "separator misplaced",
        )
    date_part, separator, tail = match.groups()
    if len(date_part) == 8:
        if separator == "+":
            raise _invalid(
                "Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN) för personer som fyllt "
                "100 år.",
                "'+' separator with a 12-digit number",
            )
        year = int(date_part[:4])
        ten = date_part[2:] + tail
    else:
        ten = date_part + tail
        yy = int(date_part[:2])
        # '-' or none: turns 0..99 this year; '+': turns 100..199 this year.
        oldest = today.year - (199 if separator == "+" else 99)
        year = oldest + (yy - oldest) % 100
    month, day = int(ten[2:4]), int(ten[4:6])
    born, coordination = _birth_date(year, month, day)
    if born > today:
        raise _invalid(
            "Födelsedatumet i personnumret ligger i framtiden.",
            "birth date is in the future",
        )
    if luhn_digit(ten[:9]) != int(ten[9]):
        raise _invalid(
            "Kontrollsiffran (den sista siffran) stämmer inte; kontrollera att numret är rätt inskrivet.",
            "check digit does not match",
        )
    sex = Sex.MALE if int(ten[8]) % 2 == 1 else Sex.FEMALE
    return PersonId(
        personnummer=f"{year:04d}{ten[2:]}",
        birth_date=born,
        sex=sex,
        is_coordination_number=coordination,
    )


def format_personnummer(pnr12: str) -> str:
    """``YYYYMMDDNNNN`` -> ``YYYYMMDD-NNNN``."""
    if len(pnr12) != 12 or not pnr12.isdigit():
        raise _invalid("Personnumret ska vara normaliserat till 12 siffror.", "expected 12 digits")
    return f"{pnr12[:8]}-{pnr12[8:]}"


def pseudonymise(personnummer: str, key: bytes) -> str:
    """Stable, non-reversible pseudonym: HMAC-SHA256 of the normalised 12-digit number, 20 hex characters."""
    if len(personnummer) != 12 or not personnummer.isdigit():
        raise _invalid(
            "Personnumret ska vara normaliserat till 12 siffror innan det pseudonymiseras.",
            "pseudonymise expects the normalised 12-digit number",
        )
    if not key:
        raise ValueError("pseudonymisation key must not be empty")
    return hmac.new(key, personnummer.encode("ascii"), hashlib.sha256).hexdigest()[:20]


def generate_personnummer(rng: random.Random, birth_date: date, sex: Sex, coordination: bool = False) -> str:
    """A valid 12-digit personnummer (or samordningsnummer) for synthetic data."""
    day = birth_date.day + (COORDINATION_OFFSET if coordination else 0)
    serial = rng.randint(0, 99)
    sex_digit = rng.choice((1, 3, 5, 7, 9) if sex is Sex.MALE else (0, 2, 4, 6, 8))
    nine = f"{birth_date.year % 100:02d}{birth_date.month:02d}{day:02d}{serial:02d}{sex_digit}"
    return f"{birth_date.year:04d}{nine[2:]}{luhn_digit(nine)}"
