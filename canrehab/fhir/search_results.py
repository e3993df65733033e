"""The result parameters of a search that need the interaction's unit of work or the R4 definitions:
the ``patient.identifier`` chain, ``_include``/``_revinclude``, and the shape of each entry (``_summary``,
``_elements``: ``canrehab.fhir.search.shaped``)."""

from __future__ import annotations

from dataclasses import replace

from canrehab.fhir.context import Ctx
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources import HANDLERS, Handler
from canrehab.fhir.search import MAX_COUNT, Include, Json, Page, Query
from canrehab.fhir.search_values import ReferenceValue

MAX_INCLUDED = 1000


def _chained(ctx: Ctx, query: Query) -> Query | None:
    """``patient.identifier`` replaced by the patients it names; None when it names none."""
    if not query.chains:
        return query
    patients = HANDLERS["Patient"]
    identifier = patients.params["identifier"]
    filters = list(query.filters)
    for param, tokens in query.chains:
        found = patients.search(ctx, Query(filters=((identifier, tokens),), count=MAX_COUNT))
        if not found.resources:
            return None
        filters.append((param, tuple(ReferenceValue("Patient", str(r["id"])) for r in found.resources)))
    return replace(query, filters=tuple(filters), chains=())


def _targets(include: Include, resource: Json) -> list[tuple[str, str]]:
    assert include.param.values is not None
    out = []
    for reference in include.param.values(resource):
        parts = str(reference).rstrip("/").split("/")
        if len(parts) < 2:
            continue
        rtype, rid = parts[-2], parts[-1]
        if rtype in include.param.targets and include.target in (None, rtype) and rtype in HANDLERS:
            out.append((rtype, rid))
    return out


def _included(ctx: Ctx, rtype: str, query: Query, matches: list[Json]) -> list[Json]:
    seen = {(str(r["resourceType"]), str(r["id"])) for r in matches}
    out: list[Json] = []

    def add(resource: Json) -> None:
        key = (str(resource["resourceType"]), str(resource["id"]))
        if key not in seen:
            seen.add(key)
            out.append(resource)

    for include in query.include:
        for resource in matches:
            for target_type, rid in _targets(include, resource):
                if (target_type, rid) in seen:
                    continue
                try:
                    add(HANDLERS[target_type].read(ctx, rid))
                except FhirError as exc:
                    if exc.status != 404:
                        raise  # a dangling reference is left out; anything else is an error
    for include in query.revinclude:
        source = HANDLERS[include.source]
        for resource in matches:
            pointing = Query(
                filters=((include.param, (ReferenceValue(rtype, str(resource["id"])),)),), count=MAX_COUNT
            )
            for found in source.search(ctx, pointing).resources:
                add(found)
    if len(out) > MAX_INCLUDED:
        raise FhirError(
            400,
            f"The search would include {len(out)} resources (at most {MAX_INCLUDED}): "
            "ask for a smaller page.",
            code="too-costly",
        )
    return out


def search_page(ctx: Ctx, rtype: str, handler: Handler, query: Query) -> Page:
    """The page of matches (after the chains) and the resources its includes name."""
    if query.sort and rtype == "AuditEvent":
        raise FhirError(
            400,
            "_sort: AuditEvent is listed newest first; it cannot be sorted otherwise.",
            code="not-supported",
            expression=("_sort",),
        )
    resolved = _chained(ctx, query)
    if resolved is None:
        return Page(0, [])
    page = handler.search(ctx, resolved)
    if not (query.include or query.revinclude) or not page.resources:
        return page
    return Page(page.total, page.resources, _included(ctx, rtype, query, page.resources))
