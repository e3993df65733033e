"""ICD-10 diagnosis codes: shape, malignancy (C00–C97) and the diagnosis process a code belongs to."""

from __future__ import annotations

import re
from collections.abc import Sequence

from canrehab.domain.definitions import ProcessDef
from canrehab.domain.errors import DomainError

OTHER_PROCESS = "other"
# Letter, two digits, optional dot, then up to two more characters (ICD-10-SE: a final letter is allowed).
_ICD10 = re.compile(r"^([A-Z])([0-9]{2})(?:\.?([0-9][0-9A-Z]?))?$", re.ASCII)


def normalise_icd10(code: str) -> str:
    """``"C50.9"``, ``"c509"``, ``" C50 "`` -> ``"C509"`` / ``"C50"``; else DomainError ``icd10.invalid``."""
    text = (code or "").strip().upper()
    match = _ICD10.match(text)
    if match is None:
        raise DomainError(
            "icd10.invalid",
            f"Diagnoskoden {code.strip()!r} har inte formen för ICD-10 (en bokstav och två siffror, "
            "eventuellt följt av punkt och en eller två tecken, t.ex. C50.9).",
            f"{code!r} is not an ICD-10 code (letter, two digits, optional subdivision)",
        )
    letter, digits, sub = match.groups()
    return f"{letter}{digits}{sub or ''}"


def is_malignant(code: str) -> bool:
    """Malignant tumour: ICD-10 C00–C97."""
    normal = normalise_icd10(code)
    return normal[0] == "C" and 0 <= int(normal[1:3]) <= 97


def process_for(icd10: str, processes: Sequence[ProcessDef]) -> str:
    """The id of the first diagnosis process whose ICD-10 ranges include the code, else ``"other"``."""
    normal = normalise_icd10(icd10)
    for process in processes:
        if process.matches(normal):
            return process.id
    return OTHER_PROCESS
