"""Password hashing (argon2) and the password rule for the local accounts: one home for the web login, the
FHIR API's Basic authentication and account creation.

The rule (ASVS 2.1.1 and 2.1.7): at least :data:`MIN_LENGTH` characters, not the user name, and not a
common or breached password: not in the shipped list (``canrehab/codes/common_passwords/``, its source and
licence in ``SOURCE.md``), and not a Swedish base word with a year or digits added (``sommar2024``).
"""

from __future__ import annotations

import gzip
import re
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from canrehab.domain.errors import DomainError

LISTS = Path(__file__).resolve().parent.parent / "codes" / "common_passwords"
MIN_LENGTH = 10
_DECORATION = re.compile(r"[\d\W_]+$")  # a year, "123", "!" after the word

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash matches nothing. The cost is read
    from the hash, so hashes made with other parameters (the tests' cheap ones) verify too."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A valid hash to verify against when the username does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def burn_verification(password: str) -> None:
    """The work of one verification, for an unknown or locked account (the answer must take as long)."""
    verify_password(_DUMMY_HASH, password)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords, lower-cased."""
    with gzip.open(LISTS / "common-passwords.txt.gz", "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


@cache
def swedish_words() -> frozenset[str]:
    """The Swedish base words of common passwords (``swedish.txt``)."""
    lines = (LISTS / "swedish.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#"))


def common_password(password: str) -> bool:
    """Whether ``password`` is a common one: in the list, or a Swedish base word once the trailing digits
    and punctuation are removed (``Sommar2024!`` is ``sommar``)."""
    lowered = password.strip().lower()
    base = _DECORATION.sub("", lowered)
    return lowered in common_passwords() or lowered in swedish_words() or base in swedish_words()


def check_password(password: str, username: str = "") -> None:
    """Refuses (``DomainError``, a Swedish message) a password that breaks the rule."""
    if len(password) < MIN_LENGTH:
        raise DomainError(
            "account.password", f"Lösenordet måste ha minst {MIN_LENGTH} tecken.", "password too short"
        )
    if username and username.strip().lower() in password.lower():
        raise DomainError(
            "account.password", "Lösenordet får inte innehålla användarnamnet.", "password holds username"
        )
    if common_password(password) or len(set(password)) < 3:
        raise DomainError(
            "account.password",
            "Lösenordet är för vanligt: det finns bland kända och läckta lösenord eller är ett vanligt ord "
            "med siffror efter. Välj ett längre, gärna flera ord i en mening.",
            "common or breached password",
        )
