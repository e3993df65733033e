"""Reading a FHIR request body strictly: once, with a size limit, UTF-8 only and a nesting limit.

Every refusal is a :class:`FhirError` (an OperationOutcome): 413 for a body over the limit (the rest is not
read), 415 for a body or ``charset`` that is not UTF-8 (UTF-16/UTF-32 included, which ``json.loads`` on bytes
would otherwise accept), 400 for JSON nested deeper than the limit (not a ``RecursionError``) or not JSON
(``NaN``/``Infinity``, a number out of range and a key twice in one object included).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request

from canrehab.fhir.outcome import FhirError

MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest request body accepted (4 MiB: a whole pathway Bundle is a few kB)."""
MAX_DEPTH = 64
"""The deepest nesting of JSON objects and arrays accepted (FHIR resources need well under 20)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")


def limit_of(request: Request) -> int:
    """The body limit: ``app.state.fhir_max_body_bytes`` when set, else :data:`MAX_BODY_BYTES`."""
    value = getattr(request.app.state, "fhir_max_body_bytes", None)
    return int(value) if value else MAX_BODY_BYTES


def _too_large(limit: int) -> FhirError:
    return FhirError(413, f"The body is larger than {limit} bytes.", code="too-costly")


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, read once; refused (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def check_charset(content_type: str) -> None:
    """Refuses (415) a ``charset`` parameter other than UTF-8."""
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower().replace("_", "-")
            if charset not in ("utf-8", "utf8"):
                raise FhirError(415, f"Send the body in UTF-8 (got charset {charset}).", code="not-supported")


def decode(raw: bytes) -> str:
    """The body as text: UTF-8 only (a leading BOM is ignored); UTF-16/32 and NUL bytes refused (415)."""
    if raw.startswith(_OTHER_BOMS) or b"\x00" in raw:
        raise FhirError(415, "Send the body in UTF-8 (it looks like UTF-16 or UTF-32).", code="not-supported")
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FhirError(
            415, f"The body is not valid UTF-8 (byte {exc.start}).", code="not-supported"
        ) from exc


def check_depth(raw: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuses (400) JSON whose objects and arrays nest deeper than ``limit`` (strings are skipped)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise FhirError(400, f"The body nests deeper than {limit} levels.", code="structure")
        else:
            depth -= 1


def _not_json(name: str) -> Any:
    """``NaN``/``Infinity``, which Python's parser accepts and JSON (RFC 8259) does not."""
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity: no FHIR decimal, and not storable as JSON
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique (FHIR JSON: a property appears once; the parser would keep the
    last silently, so ``{"resourceType": "Patient", "resourceType": "Observation"}`` could mean either)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key[:40]!r} appears twice in one object")
        found[key] = value
    return found


async def read_json(request: Request) -> Any:
    """The parsed JSON body of ``request`` under all the limits above."""
    check_charset(request.headers.get("content-type", ""))
    raw = await read_limited(request, limit_of(request))
    text = decode(raw)
    check_depth(raw)
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise FhirError(400, f"The body is not valid JSON: {exc}", code="structure") from exc
