"""Small helpers shared by the mappers: extensions, references, codings, dates, and the mapping error.

Mappers build plain JSON dicts and validate them with the ``fhir.resources.R4B`` model of the resource type
(``to_model``); parsers take a model or a dict, work on the JSON dict and raise ``MappingError`` with a
FHIRPath-like location for anything that does not fit the domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

Json = dict[str, Any]
E = TypeVar("E", bound=Enum)


class MappingError(ValueError):
    """A FHIR resource cannot be turned into a domain entity. ``path`` locates the element (FHIRPath-like)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# ---------------------------------------------------------------------------------------------- models


def to_model(data: Json) -> Resource:
    """Validates a resource dict with its fhir.resources R4B model (raises ``MappingError`` when invalid)."""
    rtype = data.get("resourceType")
    if not isinstance(rtype, str):
        raise MappingError("resourceType", "saknas (missing)")
    try:
        cls = get_fhir_model_class(rtype)
    except (KeyError, ValueError) as exc:
        raise MappingError("resourceType", f"unknown resource type {rtype!r}") from exc
    try:
        model: Resource = cls.model_validate(data)  # type: ignore[assignment]
    except ValidationError as exc:
        raise MappingError(rtype, validation_summary(exc)) from exc
    return model


def validation_summary(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        parts.append(f"{loc or '(resource)'}: {err.get('msg', 'invalid')}")
    more = len(exc.errors()) - limit
    return "; ".join(parts) + (f"; (+{more} more)" if more > 0 else "")


def as_json(resource: Resource | Mapping[str, Any]) -> Json:
    if isinstance(resource, Resource):
        data: Json = resource.model_dump(mode="json", exclude_none=True)
        return data
    return dict(resource)


def expect_type(data: Json, rtype: str) -> None:
    if data.get("resourceType") != rtype:
        raise MappingError("resourceType", f"expected {rtype}, got {data.get('resourceType')!r}")


def require(data: Mapping[str, Any], key: str, path: str) -> Any:
    value = data.get(key)
    if value is None or value == "" or value == []:
        raise MappingError(f"{path}.{key}", "required element is missing")
    return value


def resource_id(data: Json) -> str:
    value = data.get("id")
    if not isinstance(value, str) or not value:
        raise MappingError(f"{data.get('resourceType', 'Resource')}.id", "required element is missing")
    return value


def meta_version(version: int) -> Json:
    return {"versionId": str(version)}


def version_of(data: Json, default: int = 1) -> int:
    raw = (data.get("meta") or {}).get("versionId")
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise MappingError(f"{data.get('resourceType')}.meta.versionId", f"not an integer: {raw!r}") from exc
    if value < 1:
        raise MappingError(f"{data.get('resourceType')}.meta.versionId", "must be >= 1")
    return value


# ---------------------------------------------------------------------------------------------- dates


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def parse_date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise MappingError(path, f"expected a full date (YYYY-MM-DD), got {value!r}")


def opt_date(value: Any, path: str) -> date | None:
    return None if value is None else parse_date(value, path)


def parse_datetime(value: Any, path: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise MappingError(path, f"expected a dateTime with time zone, got {value!r}")


# ---------------------------------------------------------------------------------------------- codings


def coding(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> Json:
    out: Json = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def codes_in(cc: Mapping[str, Any] | None, system: str) -> list[str]:
    if not cc:
        return []
    return [c["code"] for c in cc.get("coding", []) if c.get("system") == system and c.get("code")]


def code_in(cc: Mapping[str, Any] | None, system: str, path: str, *, required: bool = True) -> str | None:
    found = codes_in(cc, system)
    if not found:
        if required:
            raise MappingError(path, f"no coding with system {system}")
        return None
    return found[0]


def parse_enum(cls: type[E], value: Any, path: str) -> E:
    try:
        return cls(value)
    except ValueError as exc:
        allowed = ", ".join(str(m.value) for m in cls)
        raise MappingError(path, f"{value!r} is not one of: {allowed}") from exc


# ---------------------------------------------------------------------------------------------- references


def ref(rtype: str, rid: str, display: str | None = None) -> Json:
    out: Json = {"reference": f"{rtype}/{rid}"}
    if display:
        out["display"] = display
    return out


def split_ref(reference: Mapping[str, Any] | None, path: str) -> tuple[str, str]:
    if not reference or not isinstance(reference.get("reference"), str):
        raise MappingError(path, "expected a literal reference (Type/id)")
    parts = reference["reference"].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-1] or not parts[-2]:
        raise MappingError(path, f"cannot resolve reference {reference['reference']!r}")
    if parts[-2] == "_history" and len(parts) >= 4:
        return parts[-4], parts[-3]
    return parts[-2], parts[-1]


def ref_id(reference: Mapping[str, Any] | None, expected: str | Iterable[str], path: str) -> str:
    rtype, rid = split_ref(reference, path)
    allowed = (expected,) if isinstance(expected, str) else tuple(expected)
    if rtype not in allowed:
        raise MappingError(path, f"expected a reference to {' or '.join(allowed)}, got {rtype}")
    return rid


def opt_ref_id(reference: Mapping[str, Any] | None, expected: str | Iterable[str], path: str) -> str | None:
    return None if not reference else ref_id(reference, expected, path)


# ---------------------------------------------------------------------------------------------- extensions


def ext(url: str, **value: Any) -> Json:
    """``ext(URL, valueDate="2024-01-01")`` or ``ext(URL, extension=[...])``."""
    return {"url": url, **{k: v for k, v in value.items() if v is not None}}


def exts(data: Mapping[str, Any], url: str) -> list[Json]:
    return [e for e in data.get("extension", []) or [] if e.get("url") == url]


def ext_one(data: Mapping[str, Any], url: str, path: str) -> Json | None:
    found = exts(data, url)
    if len(found) > 1:
        raise MappingError(f"{path}.extension('{url}')", "repeated, expected at most one")
    return found[0] if found else None


def ext_value(data: Mapping[str, Any], url: str, key: str, path: str) -> Any:
    found = ext_one(data, url, path)
    if found is None:
        return None
    if key not in found:
        raise MappingError(f"{path}.extension('{url}')", f"expected {key}")
    return found[key]


def sub(url: str, **value: Any) -> Json | None:
    """A sub-extension of a complex extension, or None when its value is None."""
    values = {k: v for k, v in value.items() if v is not None}
    return {"url": url, **values} if values else None


def complex_ext(url: str, *parts: Json | None) -> Json:
    return {"url": url, "extension": [p for p in parts if p is not None]}


def clean(data: Json) -> Json:
    """Drops None values and empty lists at the top level."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}
