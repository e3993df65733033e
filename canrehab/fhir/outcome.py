"""FHIR responses: ``application/fhir+json``, ETags, and every error as an ``OperationOutcome``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
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


# ---------------------------------------------------------------------------------------------- negotiation

SERVED_MEDIA = frozenset(
    {"*/*", "application/*", FHIR_JSON, "application/json", "application/fhir+ndjson", "application/ndjson"}
)
JSON_FORMATS = frozenset({"json", FHIR_JSON, "application/json"})


def _media_ranges(accept: str) -> list[str]:
    """The media ranges of an Accept header that are not refused with ``q=0``."""
    out = []
    for part in accept.split(","):
        media, *options = (p.strip() for p in part.split(";"))
        refused = any(o.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000") for o in options)
        if media and not refused:
            out.append(media.lower())
    return out


def unserved_format(accept: str | None, format_param: str | None) -> str | None:
    """What the client asks for that canrehab does not serve (406), or None: JSON only (no XML, no Turtle).
    ``_format`` wins over Accept, as R4 says."""
    if format_param is not None:
        wanted = format_param.split(";")[0].strip().lower()
        return None if wanted in JSON_FORMATS else format_param
    if not accept or not accept.strip():
        return None
    ranges = _media_ranges(accept)
    return None if any(r in SERVED_MEDIA for r in ranges) else accept


def last_modified(resource: dict[str, Any]) -> str | None:
    """The ``Last-Modified`` header (an HTTP date, to the second) of a resource's ``meta.lastUpdated``."""
    at = _last_updated(resource)
    return format_datetime(at, usegmt=True) if at is not None else None


def _last_updated(resource: dict[str, Any]) -> datetime | None:
    raw = (resource.get("meta") or {}).get("lastUpdated")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def not_modified_since(header: str | None, resource: dict[str, Any]) -> bool:
    """``If-Modified-Since`` (an HTTP date) is at or after the resource's last change (to the second, as
    ``Last-Modified`` says it). An unreadable date is ignored, as RFC 9110 asks."""
    at = _last_updated(resource)
    if not header or at is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return at.replace(microsecond=0) <= since


def etag_matches(header: str | None, version: int | None) -> bool:
    """``If-None-Match`` (``*`` or a list of ETags, weak comparison) names the current version."""
    if not header or version is None:
        return False
    for tag in header.split(","):
        text = tag.strip()
        if text == "*":
            return True
        if text.startswith("W/"):
            text = text[2:]
        if text.strip('"') == str(version):
            return True
    return False


def preferred_return(prefer: str | None) -> str:
    """``Prefer: return=minimal|representation|OperationOutcome`` (default representation)."""
    for part in (prefer or "").replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "return":
            wanted = value.strip().strip('"')
            if wanted.lower() == "minimal":
                return "minimal"
            if wanted.lower() == "operationoutcome":
                return "OperationOutcome"
            return "representation"
    return "representation"
