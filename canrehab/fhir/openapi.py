"""The OpenAPI description of the FHIR routes: search parameters per type, the If-Match and Prefer headers,
request bodies with an example per type (from ``examples/pathway-bundle.json`` when present), and the
responses (resources and OperationOutcomes as ``application/fhir+json``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from canrehab.fhir.search import DEFAULT_COUNT, MAX_COUNT, MAX_OFFSET, Param

JSON_TYPES = ("application/fhir+json", "application/json")
FHIR_JSON = "application/fhir+json"
EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "examples" / "pathway-bundle.json"
DATE_PATTERN = r"^(eq|ne|gt|lt|ge|le|sa|eb)?[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
Json = dict[str, Any]


def resource_schema(*types: str) -> Json:
    return {
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": list(types)}},
        "additionalProperties": True,
    }


OUTCOME_SCHEMA: Json = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "minItems": 1, "items": {"type": "object"}},
    },
}
OUTCOME: Json = {"description": "OperationOutcome", "content": {FHIR_JSON: {"schema": OUTCOME_SCHEMA}}}
ERRORS: dict[int | str, Json] = {
    code: OUTCOME for code in (400, 401, 403, 404, 405, 409, 412, 415, 422, 428, 429)
}


def ok(description: str, *types: str, status: int = 200) -> dict[int | str, Json]:
    return {status: {"description": description, "content": {FHIR_JSON: {"schema": resource_schema(*types)}}}}


@cache
def examples() -> dict[str, Json]:
    """One example resource per type from the example pathway Bundle (its ids and references are the
    Bundle's own: some will not resolve on their own, which is part of what they exercise)."""
    try:
        bundle = json.loads(EXAMPLE_BUNDLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, Json] = {}
    for entry in bundle.get("entry", []):
        resource = entry.get("resource") or {}
        out.setdefault(str(resource.get("resourceType")), resource)
    return out


def request_body(rtype: str) -> Json:
    media: Json = {"schema": resource_schema(rtype)}
    example = examples().get(rtype)
    if example is not None:
        media["example"] = example
    return {"requestBody": {"required": True, "content": dict.fromkeys(JSON_TYPES, media)}}


def _param_schema(p: Param) -> Json:
    if p.type == "date":
        return {"type": "string", "pattern": DATE_PATTERN, "example": "ge2026-01"}
    if p.type == "reference":
        return {"type": "string", "minLength": 1, "example": f"{p.targets[0]}/1" if p.targets else "1"}
    if p.type == "token":
        return {"type": "string", "minLength": 1, "example": "system|code"}
    return {"type": "string", "minLength": 1}


PAGING: list[Json] = [
    {
        "name": "_count",
        "in": "query",
        "required": False,
        "description": f"page size (default {DEFAULT_COUNT}, at most {MAX_COUNT}; 0: only the total)",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
    },
    {
        "name": "_offset",
        "in": "query",
        "required": False,
        "description": "how many matches to skip (the next link gives it)",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
    },
    {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": "handling=lenient: unknown parameters are ignored, not refused (400, the default); "
        "also return=minimal|representation|OperationOutcome on create and update",
        "schema": {"type": "string", "enum": ["handling=strict", "handling=lenient"]},
    },
]


def search_parameters(params: dict[str, Param] | Any) -> Json:
    described = [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": f"{p.type}: {p.documentation}".strip(),
            "schema": _param_schema(p),
        }
        for p in params.values()
    ]
    return {"parameters": described + PAGING}


IF_MATCH: Json = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": 'the version the update is based on, W/"<version>" (or meta.versionId in the '
            "body); 412 when it is no longer current, 428 when neither is given",
            "schema": {"type": "string", "pattern": '^W/"[0-9]{1,6}"$', "example": 'W/"1"'},
        }
    ]
}


def merged(*parts: Json) -> Json:
    out: Json = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                out[key] = [*out.get(key, []), *value]
            else:
                out[key] = value
    return out
