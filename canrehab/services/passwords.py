"""Password hashing (argon2) for the local accounts: one home for the web login, the FHIR API's Basic
authentication and account creation."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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
