"""Conditional create: ``If-None-Exist`` on a create and ``request.ifNoneExist`` in a transaction entry.

The criteria are a search query string of the resource type, run as the actor (so only what the actor may
see can match). 0 matches: create; 1 match: answer the existing resource, write nothing; more: 412.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from canrehab.fhir.context import Ctx
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources import HANDLERS
from canrehab.fhir.search import parse_query
from canrehab.fhir.search_params import params_of
from canrehab.fhir.search_results import search_page

Json = dict[str, Any]


def existing(ctx: Ctx, rtype: str, criteria: str) -> Json | None:
    """The one resource of ``rtype`` matching ``criteria``, or None; 412 when several match."""
    text = criteria.strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    items = parse_qsl(text, keep_blank_values=True)
    if not items:
        raise FhirError(400, f"If-None-Exist {criteria!r} has no search parameters.", code="invalid")
    handler = HANDLERS[rtype]
    query = parse_query(items, handler.params, strict=True, rtype=rtype, params_of=params_of)
    page = search_page(ctx, rtype, handler, query)
    if page.total > 1:
        raise FhirError(
            412,
            f"If-None-Exist {criteria!r} matches {page.total} {rtype} resources; it must match at most one.",
            code="duplicate",
        )
    return page.resources[0] if page.total == 1 and page.resources else None
