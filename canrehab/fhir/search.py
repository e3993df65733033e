"""Search: the parameters a resource type supports, parsing a query against them, matching and paging.

Different parameters (and a parameter repeated) are ANDed; comma-separated values within one parameter are
ORed. Parameters the type does not support are ignored and left out of the Bundle's ``self`` link, unless the
request says ``Prefer: handling=strict`` (then 400). Modifiers (``code:text``) are not supported: 400, since
ignoring one would change the meaning of the search. Empty values are ignored. A malformed value is a 400.
Paging: ``_count`` (default 50, at most 200; 0 gives only the total) and ``_offset``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from canrehab.fhir.outcome import FhirError
from canrehab.fhir.search_values import (
    Range,
    StringValue,
    parse_date_value,
    parse_reference,
    parse_token,
    split_values,
)

Json = dict[str, Any]
ParamType = Literal["token", "date", "reference", "string"]
DEFAULT_COUNT = 50
MAX_COUNT = 200
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Param:
    """One search parameter. ``values`` gives the resource's values for it: (system, code) pairs for a
    token, ranges for a date, ``Type/id`` references, strings. ``None``: applied while loading only (the
    resource itself does not carry the value)."""

    name: str
    type: ParamType
    values: Callable[[Json], Iterable[Any]] | None
    documentation: str = ""
    targets: tuple[str, ...] = ()

    def parse(self, raw: str) -> Any:
        if self.type == "date":
            return parse_date_value(self.name, raw)
        if self.type == "token":
            return parse_token(self.name, raw)
        if self.type == "reference":
            return parse_reference(self.name, raw, self.targets)
        return StringValue(raw)

    def matches(self, resource: Json, value: Any) -> bool:
        if self.values is None:
            return True
        found = list(self.values(resource))
        if self.type == "date":
            return any(value.matches(r) for r in found)
        return bool(value.matches(found))


@dataclass(frozen=True)
class Query:
    """A parsed search: ``filters`` (param, alternatives) ANDed, the page, and what was applied."""

    filters: tuple[tuple[Param, tuple[Any, ...]], ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0
    applied: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = field(default=())

    def groups(self, name: str) -> list[tuple[Any, ...]]:
        return [values for param, values in self.filters if param.name == name]

    def has(self, name: str) -> bool:
        return bool(self.groups(name))

    def candidates(self, name: str, key: Callable[[Any], str]) -> set[str] | None:
        """The keys every group of ``name`` allows (AND of ORs); None when the parameter is absent."""
        result: set[str] | None = None
        for values in self.groups(name):
            keys = {key(v) for v in values}
            result = keys if result is None else result & keys
        return result


def _int(name: str, raw: str, high: int) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) > high:
        raise FhirError(
            400,
            f"{name} must be a whole number from 0 to {high}, got {raw!r}",
            code="value",
            expression=(name,),
        )
    return int(text)


def strict_handling(prefer: str | None) -> bool:
    """``Prefer: handling=strict`` (among other preferences, separated by commas or semicolons)."""
    if not prefer:
        return False
    tokens = [t.strip().replace(" ", "").lower() for part in prefer.split(",") for t in part.split(";")]
    return "handling=strict" in tokens


def parse_query(
    items: Sequence[tuple[str, str]], params: Mapping[str, Param], *, strict: bool = False
) -> Query:
    filters: list[tuple[Param, tuple[Any, ...]]] = []
    applied: list[tuple[str, str]] = []
    unknown: list[str] = []
    count, offset = DEFAULT_COUNT, 0
    for key, raw in items:
        if key == "_count":
            count = min(_int(key, raw, 10**9), MAX_COUNT)
            continue
        if key == "_offset":
            offset = _int(key, raw, MAX_OFFSET)
            continue
        name, colon, modifier = key.partition(":")
        if name in params and colon:
            raise FhirError(
                400,
                f"{key}: the modifier ':{modifier}' is not supported.",
                code="not-supported",
                expression=(key,),
            )
        param = params.get(key)
        if param is None:
            unknown.append(key)
            continue
        alternatives = [v for v in split_values(raw) if v.strip()]
        if not alternatives:
            continue  # an empty value is ignored
        filters.append((param, tuple(param.parse(v) for v in alternatives)))
        applied.append((key, raw))
    if unknown and strict:
        supported = ", ".join(sorted(params)) or "none"
        raise FhirError(
            400,
            f"Unknown or unsupported search parameter(s): {', '.join(sorted(set(unknown)))} "
            f"(supported: {supported}; paging: _count, _offset).",
            code="not-supported",
            expression=tuple(sorted(set(unknown))),
        )
    return Query(tuple(filters), count, offset, tuple(applied), tuple(unknown))


def matches(resource: Json, query: Query) -> bool:
    return all(any(p.matches(resource, v) for v in values) for p, values in query.filters)


# ---------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Page:
    total: int
    resources: list[Json]


def page_of(resources: Iterable[Json], query: Query) -> Page:
    """The matching resources, one page of them."""
    found = [r for r in resources if matches(r, query)]
    return Page(len(found), found[query.offset : query.offset + query.count])


def _url(base: str, rtype: str, query: Query, offset: int) -> str:
    pairs = [*query.applied, ("_count", str(query.count)), ("_offset", str(offset))]
    return f"{base}/{rtype}?{urlencode(pairs)}"


def searchset(base: str, rtype: str, page: Page, query: Query) -> Json:
    """A searchset Bundle with ``self`` (the parameters applied), ``first``, ``previous`` and ``next``."""
    links = [{"relation": "self", "url": _url(base, rtype, query, query.offset)}]
    if query.count > 0:
        links.append({"relation": "first", "url": _url(base, rtype, query, 0)})
        if query.offset > 0:
            previous = max(0, query.offset - query.count)
            links.append({"relation": "previous", "url": _url(base, rtype, query, previous)})
        if query.offset + query.count < page.total:
            links.append({"relation": "next", "url": _url(base, rtype, query, query.offset + query.count)})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links,
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in page.resources
        ],
    }


def dates_of(*ranges: Range | None) -> list[Range]:
    return [r for r in ranges if r is not None]
