"""HSA-ids (the national catalogue's identifiers for care units, people and their assignments): the form
``SE`` + the organisation number (10 digits) + ``-`` + the organisation's own suffix (letters and digits,
in parts joined by ``-`` as canrehab's synthetic regions write them), 31 characters at most (Inera,
HSA-id specification)."""

from __future__ import annotations

import re

from canrehab.domain.errors import DomainError

HSA_ID = re.compile(r"SE[0-9]{10}-[A-Z0-9]+(?:-[A-Z0-9]+)*")
MAX_LENGTH = 31


def parse_hsa_id(raw: str, what: str = "HSA-id") -> str:
    """``raw`` trimmed and upper-cased if it is an HSA-id; otherwise a ``DomainError`` naming ``what``."""
    value = raw.strip().upper()
    if len(value) > MAX_LENGTH or not HSA_ID.fullmatch(value):
        raise DomainError(
            "hsa.invalid",
            f"{what} ska ha formen SE + tio siffror + bindestreck + bokstäver eller siffror, "
            f"högst {MAX_LENGTH} tecken, till exempel SE2321000016-ABC1 (angivet: ”{raw.strip()}”).",
            f"not an HSA-id: {what}",
        )
    return value
