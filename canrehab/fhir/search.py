"""Search parameters common to the resource types: patient, status, date (with eq/ge/le/gt/lt), code."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from canrehab.fhir.outcome import FhirError

Json = dict[str, Any]
PREFIXES = ("eq", "ge", "le", "gt", "lt")


@dataclass(frozen=True)
class DateFilter:
    prefix: str
    value: date

    def matches(self, other: date) -> bool:
        return {
            "eq": other == self.value,
            "ge": other >= self.value,
            "le": other <= self.value,
            "gt": other > self.value,
            "lt": other < self.value,
        }[self.prefix]


@dataclass(frozen=True)
class SearchParams:
    patient: str | None = None
    status: frozenset[str] = frozenset()
    dates: tuple[DateFilter, ...] = ()
    codes: frozenset[str] = frozenset()
    identifier: str | None = None
    ids: frozenset[str] = frozenset()
    extra: Mapping[str, str] = field(default_factory=dict)


def parse_date_filter(raw: str) -> DateFilter:
    prefix = raw[:2] if raw[:2] in PREFIXES else "eq"
    text = raw[2:] if raw[:2] in PREFIXES else raw
    try:
        value = date.fromisoformat(text[:10])
    except ValueError as exc:
        raise FhirError(
            400, f"date must be [eq|ge|le|gt|lt]YYYY-MM-DD, got {raw!r}", code="value", expression=("date",)
        ) from exc
    return DateFilter(prefix, value)


def _patient_id(raw: str) -> str:
    value = raw.strip()
    if value.startswith("Patient/"):
        value = value[len("Patient/") :]
    if not value or "/" in value:
        raise FhirError(
            400, f"patient must be an id or Patient/<id>, got {raw!r}", code="value", expression=("patient",)
        )
    return value


def parse_params(query: Sequence[tuple[str, str]]) -> SearchParams:
    patient: str | None = None
    status: set[str] = set()
    dates: list[DateFilter] = []
    codes: set[str] = set()
    ids: set[str] = set()
    identifier: str | None = None
    extra: dict[str, str] = {}
    for key, value in query:
        if key in ("patient", "subject", "for"):
            patient = _patient_id(value)
        elif key == "status":
            status.update(v for v in value.split(",") if v)
        elif key in ("date", "authored", "authored-on", "recorded"):
            dates.append(parse_date_filter(value))
        elif key in ("code", "category", "business-status", "questionnaire", "performer-type"):
            codes.update(v.rsplit("|", 1)[-1] for v in value.split(",") if v)
        elif key == "_id":
            ids.update(v for v in value.split(",") if v)
        elif key == "identifier":
            identifier = value
        else:
            extra[key] = value
    return SearchParams(
        patient, frozenset(status), tuple(dates), frozenset(codes), identifier, frozenset(ids), extra
    )


def matches(
    resource: Json,
    params: SearchParams,
    *,
    status_of: Callable[[Json], str | None],
    date_of: Callable[[Json], date | None],
    codes_of: Callable[[Json], set[str]],
) -> bool:
    if params.ids and resource.get("id") not in params.ids:
        return False
    if params.status and status_of(resource) not in params.status:
        return False
    if params.dates:
        when = date_of(resource)
        if when is None or not all(f.matches(when) for f in params.dates):
            return False
    return not (params.codes and not (codes_of(resource) & params.codes))


def searchset(base: str, resources: list[Json]) -> Json:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }
