"""FHIR responses: ``application/fhir+json``, ETags, and every error as an ``OperationOutcome``."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

FHIR_JSON = "application/fhir+json"

# HTTP status -> OperationOutcome.issue.code
ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    415: "not-supported",
    422: "processing",
    428: "required",
    500: "exception",
}


class FhirError(Exception):
    """An error answered with an OperationOutcome. ``expression``: FHIRPath-like locations of the problem."""

    def __init__(
        self,
        status: int,
        diagnostics: str,
        *,
        code: str | None = None,
        expression: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code or ISSUE_CODE.get(status, "processing")
        self.expression = expression
        self.headers = headers or {}


def operation_outcome(
    diagnostics: str, *, code: str = "processing", severity: str = "error", expression: tuple[str, ...] = ()
) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = list(expression)
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def fhir_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=FHIR_JSON,
        headers=headers,
    )


def error_response(err: FhirError) -> Response:
    body = operation_outcome(err.diagnostics, code=err.code, expression=err.expression)
    return fhir_response(body, err.status, err.headers)


def etag(version: int) -> str:
    return f'W/"{version}"'


def parse_etag(value: str) -> int:
    """``W/"3"`` (or ``"3"`` or ``3``) -> 3; FhirError 400 otherwise."""
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit():
        raise FhirError(400, f'If-Match must be a version ETag like W/"3", got {value!r}', code="value")
    return int(text)
