"""Search: the parameters a resource type supports, parsing a query against them, matching and paging.

Different parameters (and a parameter repeated) are ANDed; comma-separated values within one parameter are
ORed. A parameter the type does not support is refused (400 OperationOutcome naming it) unless the request
says ``Prefer: handling=lenient``: then it is ignored and left out of the Bundle's ``self`` link. Nothing is
dropped silently. Modifiers (``code:text``) are not supported: 400, since ignoring one would change the
meaning of the search. Empty values are ignored. A malformed value is a 400.
Paging: ``_count`` (default 50, at most 200; 0 gives only the total) and ``_offset``.

Result parameters: ``_sort`` (a date parameter of the type or ``_id``, ``-`` for descending; comma-separated
keys), ``_summary`` (``true``: the elements R4 marks as summary; ``text``, ``data``, ``count``, ``false``),
``_elements`` (top-level elements; ``id``, ``meta`` and the mandatory elements always kept; the resource
tagged SUBSETTED), ``_include=Type:param[:Target]`` and ``_revinclude=Type:param[:Target]`` over reference
parameters (entries with ``search.mode`` ``include``), and the chain ``patient.identifier`` on the types
with a ``patient`` parameter. ``_lastUpdated`` is a date parameter of every type (``meta.lastUpdated``,
the instant the store keeps for the record), also a ``_sort`` key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
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
class Include:
    """``_include``/``_revinclude=Type:param[:Target]``: ``source`` is the type holding the reference."""

    source: str
    param: Param
    target: str | None


@dataclass(frozen=True)
class Query:
    """A parsed search: ``filters`` (param, alternatives) ANDed, the page, and what was applied; the
    result parameters (``sort`` keys with descending flags, ``summary``, ``elements``, includes) and the
    chains (``patient.identifier``: the reference parameter and the identifier tokens) still to resolve."""

    filters: tuple[tuple[Param, tuple[Any, ...]], ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0
    applied: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = field(default=())
    sort: tuple[tuple[Param | None, bool], ...] = ()  # None: _id
    summary: str | None = None
    elements: tuple[str, ...] = ()
    include: tuple[Include, ...] = ()
    revinclude: tuple[Include, ...] = ()
    chains: tuple[tuple[Param, tuple[Any, ...]], ...] = ()

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
    """Strict unless ``Prefer: handling=lenient`` (among other preferences, separated by commas or
    semicolons): an unsupported parameter is refused, never silently dropped."""
    if not prefer:
        return True
    tokens = [t.strip().replace(" ", "").lower() for part in prefer.split(",") for t in part.split(";")]
    return "handling=lenient" not in tokens


SUMMARY_VALUES = ("true", "false", "text", "data", "count")
RESULT_PARAMS = (
    "_count",
    "_offset",
    "_sort",
    "_summary",
    "_elements",
    "_include",
    "_revinclude",
    "_total",
    "_format",
)


def _bad(key: str, message: str, code: str = "value") -> FhirError:
    return FhirError(400, f"{key}: {message}", code=code, expression=(key,))


def _sort_keys(raw: str, params: Mapping[str, Param]) -> list[tuple[Param | None, bool]]:
    keys = []
    sortable = sorted(n for n, p in params.items() if p.type == "date" and p.values is not None)
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-")
        param = params.get(name)
        if name != "_id" and (param is None or param.type != "date" or param.values is None):
            raise _bad(
                "_sort",
                f"cannot sort by {name!r} (sortable: {', '.join(['_id', *sortable])}).",
                "not-supported",
            )
        keys.append((None if name == "_id" else params[name], descending))
    return keys


def _include(
    key: str,
    raw: str,
    rtype: str,
    params: Mapping[str, Param],
    params_of: Callable[[str], Mapping[str, Param]],
) -> Include:
    parts = raw.split(":")
    if raw.strip() == "*" or len(parts) not in (2, 3):
        raise _bad(key, f"give Type:parameter[:Target], got {raw!r} (no wildcard).", "not-supported")
    source, name = parts[0], parts[1]
    target = parts[2] if len(parts) == 3 else None
    if key == "_include" and source != rtype:
        raise _bad(key, f"{raw!r}: an _include names the searched type ({rtype}).")
    source_params = params if key == "_include" else params_of(source)
    param = source_params.get(name)
    if param is None or param.type != "reference" or not param.targets or param.values is None:
        usable = sorted(
            n for n, p in source_params.items() if p.type == "reference" and p.targets and p.values
        )
        raise _bad(
            key,
            f"{raw!r}: {source} has no reference parameter {name!r} to follow "
            f"(usable: {', '.join(usable) or 'none'}).",
            "not-supported",
        )
    if target is not None and target not in param.targets:
        raise _bad(key, f"{raw!r}: {source}.{name} refers to {', '.join(param.targets)}, not {target}.")
    if key == "_revinclude" and (target or param.targets[0]) != rtype and rtype not in param.targets:
        raise _bad(key, f"{raw!r}: {source}.{name} does not refer to {rtype}.")
    return Include(source, param, target)


def parse_query(
    items: Sequence[tuple[str, str]],
    params: Mapping[str, Param],
    *,
    strict: bool = True,
    rtype: str = "",
    params_of: Callable[[str], Mapping[str, Param]] = lambda _: {},
) -> Query:
    """The query against ``params``; ``params_of`` gives another type's parameters (for ``_revinclude``)."""
    filters: list[tuple[Param, tuple[Any, ...]]] = []
    applied: list[tuple[str, str]] = []
    unknown: list[str] = []
    count, offset = DEFAULT_COUNT, 0
    sort: list[tuple[Param | None, bool]] = []
    summary: str | None = None
    elements: list[str] = []
    include: list[Include] = []
    revinclude: list[Include] = []
    chains: list[tuple[Param, tuple[Any, ...]]] = []
    for key, raw in items:
        if key == "_count":
            count = min(_int(key, raw, 10**9), MAX_COUNT)
            continue
        if key == "_offset":
            offset = _int(key, raw, MAX_OFFSET)
            continue
        if key == "_format":
            continue  # checked before the search (406 unless JSON)
        if key == "_total":
            if raw not in ("none", "estimate", "accurate"):
                raise _bad(key, f"must be none, estimate or accurate, got {raw!r}.")
            continue  # the total is always accurate
        if key == "_sort":
            sort += _sort_keys(raw, params)
            applied.append((key, raw))
            continue
        if key == "_summary":
            if raw not in SUMMARY_VALUES:
                raise _bad(key, f"must be one of {', '.join(SUMMARY_VALUES)}, got {raw!r}.")
            summary = raw
            applied.append((key, raw))
            continue
        if key == "_elements":
            elements += [e.strip() for e in raw.split(",") if e.strip()]
            if any(not e.isidentifier() for e in elements):
                raise _bad(key, f"give top-level element names separated by commas, got {raw!r}.")
            applied.append((key, raw))
            continue
        if key in ("_include", "_revinclude"):
            (include if key == "_include" else revinclude).append(
                _include(key, raw, rtype, params, params_of)
            )
            applied.append((key, raw))
            continue
        head, dot, tail = key.partition(".")
        if dot:
            chained = params.get(head)
            if chained is None or chained.type != "reference" or chained.targets != ("Patient",):
                raise _bad(key, "chained search is supported only as patient.identifier.", "not-supported")
            if tail != "identifier":
                raise _bad(
                    key, f"cannot chain on Patient.{tail} (supported: patient.identifier).", "not-supported"
                )
            alternatives = [v for v in split_values(raw) if v.strip()]
            if alternatives:
                chains.append((chained, tuple(parse_token(key, v) for v in alternatives)))
                applied.append((key, raw))
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
            f"(supported: {supported}; also {', '.join(RESULT_PARAMS)}; "
            "Prefer: handling=lenient ignores unknown parameters).",
            code="not-supported",
            expression=tuple(sorted(set(unknown))),
        )
    if summary == "count":
        count = 0
    return Query(
        tuple(filters),
        count,
        offset,
        tuple(applied),
        tuple(unknown),
        tuple(sort),
        summary,
        tuple(elements),
        tuple(include),
        tuple(revinclude),
        tuple(chains),
    )


def matches(resource: Json, query: Query) -> bool:
    return all(any(p.matches(resource, v) for v in values) for p, values in query.filters)


# ---------------------------------------------------------------------------------------------- results

SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
ALWAYS = frozenset({"resourceType", "id", "meta"})


@lru_cache(maxsize=64)
def summary_elements(rtype: str, kind: str) -> frozenset[str]:
    """The elements R4 marks as summary (``true``) or mandatory (``text``), from the model classes of
    ``fhir.resources`` (R4B: the same summary flags as R4 for the types canrehab serves)."""
    from fhir.resources.R4B import get_fhir_model_class

    flag = "summary_element_property" if kind == "true" else "element_required"
    names = set(ALWAYS)
    for name, info in get_fhir_model_class(rtype).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get(flag) or (kind == "text" and info.is_required()):
            names.add(info.alias or name)
    if kind == "text":
        names.add("text")
    return frozenset(names)


def _subsetted(resource: Json, keep: frozenset[str]) -> Json:
    out = {k: v for k, v in resource.items() if k in keep or (k.startswith("_") and k[1:] in keep)}
    meta = dict(out.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    out["meta"] = meta
    return out


def shaped(resource: Json, query: Query) -> Json:
    """One entry's resource as ``_summary`` and ``_elements`` ask (tagged SUBSETTED when cut)."""
    if query.summary in ("true", "text"):
        return _subsetted(resource, summary_elements(str(resource["resourceType"]), query.summary))
    if query.summary == "data":
        return _subsetted(resource, frozenset(resource) - {"text"}) if "text" in resource else resource
    if query.elements:  # the mandatory elements too, as R4 asks (the result must stay valid)
        mandatory = summary_elements(str(resource["resourceType"]), "text") - {"text"}
        return _subsetted(resource, mandatory | frozenset(query.elements))
    return resource


@dataclass(frozen=True)
class Page:
    total: int
    resources: list[Json]
    included: list[Json] = field(default_factory=list)


def _sorted(found: list[Json], query: Query) -> list[Json]:
    """Sorted by the ``_sort`` keys (stable: the last key first); a resource without a value last."""
    for param, descending in reversed(query.sort):
        if param is None:
            found.sort(key=lambda r: str(r.get("id", "")), reverse=descending)
            continue
        values = param.values
        assert values is not None

        def first(r: Json, values: Callable[[Json], Iterable[Any]] = values) -> datetime | None:
            starts = [lo or hi for lo, hi in values(r) if lo or hi]
            return min(starts) if starts else None

        present = [r for r in found if first(r) is not None]
        missing = [r for r in found if first(r) is None]
        present.sort(key=lambda r: first(r) or datetime.min.replace(tzinfo=UTC), reverse=descending)
        found = present + missing
    return found


def page_of(resources: Iterable[Json], query: Query) -> Page:
    """The matching resources, sorted by ``_sort``, one page of them."""
    found = [r for r in resources if matches(r, query)]
    if query.sort:
        found = _sorted(found, query)
    return Page(len(found), found[query.offset : query.offset + query.count])


def _url(base: str, rtype: str, query: Query, offset: int) -> str:
    pairs = [*query.applied, ("_count", str(query.count)), ("_offset", str(offset))]
    return f"{base}/{rtype}?{urlencode(pairs)}"


def searchset(base: str, rtype: str, page: Page, query: Query) -> Json:
    """A searchset Bundle with ``self`` (the parameters applied), ``first``, ``previous`` and ``next``; the
    matches shaped by ``_summary``/``_elements``, then the included resources (``search.mode`` include)."""

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
            *(
                {
                    "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                    "resource": shaped(r, query),
                    "search": {"mode": "match"},
                }
                for r in page.resources
            ),
            *(
                {
                    "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "include"},
                }
                for r in page.included
            ),
        ],
    }


def dates_of(*ranges: Range | None) -> list[Range]:
    return [r for r in ranges if r is not None]
