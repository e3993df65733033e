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
"""

from __future__ import annotations

from canrehab.fhir.resources import (
    assessment,
    audit,
    organisation,
    pathway,
    patient,
    plan,
    procedure,
    workflow,
)
from canrehab.fhir.resources.common import Handler, version_of
from canrehab.fhir.smart.enforce import guarded

__all__ = ["HANDLERS", "Handler", "version_of"]

_ALL = (
    patient.HANDLER,
    *organisation.HANDLERS,
    *pathway.HANDLERS,
    *assessment.HANDLERS,
    *plan.HANDLERS,
    *workflow.HANDLERS,
    procedure.HANDLER,
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
    "AuditEvent",
    "Questionnaire",
)
# Each guarded: a bearer token's scopes are checked before every interaction (canrehab.fhir.smart.enforce).
HANDLERS: dict[str, Handler] = {
    h.type: guarded(h) for h in sorted(_ALL, key=lambda h: ORDER.index(h.type))
}
