"""Swedish answers to requests whose parameters do not validate (FastAPI's ``RequestValidationError``).

A page gets a Swedish error page listing what was wrong; a client that asks for JSON (or an ``/api/`` path)
gets the same in JSON. The FHIR API answers its own validation errors with an OperationOutcome (its route
class), so nothing here applies under ``/fhir``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request

FIELD_SV: dict[str, str] = {
    "sida": "Sidnummer",
    "version": "Versionsnumret",
    "level": "Behovsnivån",
    "reason": "Orsaken",
    "pathway_id": "Vårdförloppet",
    "patient": "Patient-id",
    "actor": "Användaren",
    "indicator": "Indikatorn",
    "unit": "Enheten",
    "process": "Diagnosprocessen",
    "start": "Startdatumet",
    "end": "Slutdatumet",
    "key_moment": "Nyckeltillfället",
    "username": "Användarnamnet",
    "password": "Lösenordet",
}
PLACE_SV = {"query": "i adressen", "path": "i adressen", "body": "i formuläret", "header": "i anropet"}

MESSAGE_SV: dict[str, str] = {
    "missing": "saknas",
    "int_parsing": "måste vara ett heltal",
    "int_type": "måste vara ett heltal",
    "int_from_float": "måste vara ett heltal",
    "float_parsing": "måste vara ett tal",
    "float_type": "måste vara ett tal",
    "bool_parsing": "måste vara ja eller nej",
    "date_parsing": "måste vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "måste vara ett datum (ÅÅÅÅ-MM-DD)",
    "datetime_parsing": "måste vara en tidpunkt",
    "string_too_long": "är för lång",
    "string_too_short": "är för kort",
    "greater_than": "är för litet",
    "greater_than_equal": "är för litet",
    "less_than": "är för stort",
    "less_than_equal": "är för stort",
    "enum": "har ett värde som inte finns i listan",
    "literal_error": "har ett värde som inte finns i listan",
}


def _field(loc: Sequence[Any]) -> tuple[str, str]:
    place = PLACE_SV.get(str(loc[0]), "") if loc else ""
    name = str(loc[-1]) if len(loc) > 1 else ""
    label = FIELD_SV.get(name, f"Fältet ”{name}”" if name else "Ett värde")
    return label, place


def problems_sv(errors: Sequence[Mapping[str, Any]]) -> list[str]:
    """One Swedish sentence per validation error, e.g. 'Sidnummer i adressen måste vara ett heltal.'."""
    out: list[str] = []
    for error in errors[:10]:
        label, place = _field(tuple(error.get("loc", ())))
        what = MESSAGE_SV.get(str(error.get("type", "")), "har ett ogiltigt värde")
        sentence = f"{label} {place} {what}." if place else f"{label} {what}."
        if sentence not in out:
            out.append(sentence)
    return out or ["Uppgifterna i anropet är ogiltiga."]


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept
