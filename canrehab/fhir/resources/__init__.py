"""Read, search, create and update of each FHIR resource type, one module per resource family (as
``canrehab.fhir.mapping``): ``HANDLERS`` maps each type to its ``Handler``.

Reads and searches run on the interaction's unit of work. Every create and update maps the resource, refuses
what canrehab would not keep of it (422 naming the element: ``fhir.mapping.kept``), checks the version it is
based on (If-Match / meta.versionId, 412) and calls a use case in ``canrehab.services``, which checks access,
applies the domain rules, stores the result with its KVÅ records and refreshes the worklist. The use case
joins the interaction's unit of work, so a refusal after it (the rules produced something other than the
resource asked for) rolls it back, and a transaction Bundle is one transaction.

``create`` stores the resource under the ``id`` it carries: the API assigns a new server id to every POSTed
resource before calling it (client ids are never trusted); Organization ids are HSA-ids.

Every resource a handler answers carries ``meta.lastUpdated``: ``stamping`` wraps each handler so that
reads, writes and searches add the instant the store keeps for the record (``_lastUpdated`` is matched and
sorted on it; the AuditEvent search filters ``_lastUpdated`` in the database as its ``date``).
"""

from __future__ import annotations

from dataclasses import replace

from canrehab.fhir.context import Ctx
from canrehab.fhir.resources import (
    assessment,
    audit,
    organisation,
    pathway,
    patient,
    plan,
    procedure,
    team,
    workflow,
)
from canrehab.fhir.resources.common import Handler, Json, stamped, version_of
from canrehab.fhir.search import MAX_OFFSET, Page, Query, page_of
from canrehab.fhir.smart.enforce import guarded

__all__ = ["HANDLERS", "Handler", "version_of"]
LAST_UPDATED = "_lastUpdated"


def _uses_last_updated(query: Query) -> bool:
    return any(p.name == LAST_UPDATED for p, _ in query.filters) or any(
        p is not None and p.name == LAST_UPDATED for p, _ in query.sort
    )


def stamping(handler: Handler) -> Handler:
    """``handler`` with ``meta.lastUpdated`` on every resource it answers. A search that filters or sorts on
    ``_lastUpdated`` runs without those (and unpaged), then is matched, sorted and paged again on the
    stamped resources."""
    inner_read, inner_search = handler.read, handler.search
    inner_create, inner_update = handler.create, handler.update

    def read(ctx: Ctx, rid: str) -> Json:
        return stamped(ctx, inner_read(ctx, rid))

    def search(ctx: Ctx, query: Query) -> Page:
        if handler.type == "AuditEvent" or not _uses_last_updated(query):
            page = inner_search(ctx, query)
            return replace(page, resources=[stamped(ctx, r) for r in page.resources])
        loose = replace(
            query,
            filters=tuple((p, v) for p, v in query.filters if p.name != LAST_UPDATED),
            sort=(),
            offset=0,
            count=MAX_OFFSET,
        )
        found = [stamped(ctx, r) for r in inner_search(ctx, loose).resources]
        return page_of(found, query)

    def create(ctx: Ctx, data: Json) -> Json:
        assert inner_create is not None
        return stamped(ctx, inner_create(ctx, data))

    def update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
        assert inner_update is not None
        return stamped(ctx, inner_update(ctx, rid, data, expected))

    return replace(
        handler,
        read=read,
        search=search,
        create=create if inner_create is not None else None,
        update=update if inner_update is not None else None,
    )


_ALL = (
    patient.HANDLER,
    *organisation.HANDLERS,
    *pathway.HANDLERS,
    *assessment.HANDLERS,
    *plan.HANDLERS,
    *workflow.HANDLERS,
    procedure.HANDLER,
    team.HANDLER,
    audit.HANDLER,
)
# The order of the routes and of the CapabilityStatement: the care process, then the log and the forms.
ORDER = (
    "Patient",
    "Organization",
    "PractitionerRole",
    "Practitioner",
    "EpisodeOfCare",
    "Condition",
    "QuestionnaireResponse",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Task",
    "Procedure",
    "CareTeam",
    "AuditEvent",
    "Questionnaire",
)
# Each stamped (meta.lastUpdated) and guarded: a bearer token's scopes are checked before every interaction
# (canrehab.fhir.smart.enforce).
HANDLERS: dict[str, Handler] = {
    h.type: guarded(stamping(h)) for h in sorted(_ALL, key=lambda h: ORDER.index(h.type))
}
