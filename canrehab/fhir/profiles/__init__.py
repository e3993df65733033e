"""canrehab's profile set: one StructureDefinition (JSON data file beside this module) per resource type it
serves, derived from HL7 Sweden's basic profiles (hl7.fhir.se.base: SEBasePatient, SEBaseOrganization,
SEBasePractitioner, SEBasePractitionerRole) where there is one, else from the R4 core resource. Every
canonical lives under ``systems.CANREHAB_BASE``. Served at ``/fhir/StructureDefinition`` and named as each
type's ``profile`` in the CapabilityStatement."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from canrehab.fhir import systems

HERE = Path(__file__).resolve().parent
SE_BASE = "http://hl7.se/fhir/ig/base/StructureDefinition"


@lru_cache(maxsize=1)
def structure_definitions() -> dict[str, dict[str, Any]]:
    """id -> StructureDefinition, checked to sit under canrehab's canonical base."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(HERE.glob("*.json")):
        sd = json.loads(path.read_text(encoding="utf-8"))
        expected = f"{systems.CANREHAB_BASE}/StructureDefinition/{sd['id']}"
        if sd.get("resourceType") != "StructureDefinition" or sd.get("url") != expected:
            raise ValueError(f"{path.name}: not a canrehab StructureDefinition at {expected}")
        out[str(sd["id"])] = sd
    return out


def profile_of(rtype: str) -> str | None:
    """The canonical of the profile for ``rtype`` (None: no profile)."""
    for sd in structure_definitions().values():
        if sd["type"] == rtype:
            return str(sd["url"])
    return None
