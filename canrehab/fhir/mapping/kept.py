"""Which elements of an incoming resource canrehab keeps: one table, one check for every resource type.

An element is kept when the mapping reads it (``READ``). Any other element is accepted only when it is
what canrehab itself serves for the record (derived or fixed elements, such as ``Task.description``, that a
client sends back as it read them); otherwise the write is refused naming the element, never answered 2xx
and dropped. Extensions are checked by URL in the same way. ``meta`` (the version is the ETag; profiles and
timestamps are the server's) and ``text`` (the narrative is generated) are never data.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

NEVER_DATA = frozenset({"resourceType", "id", "meta", "text"})
READ: dict[str, frozenset[str]] = {
    "Patient": frozenset({"identifier", "name", "gender", "birthDate", "deceasedDateTime", "extension"}),
    "Organization": frozenset({"identifier", "name", "type", "extension"}),
    "PractitionerRole": frozenset({"identifier", "code", "practitioner", "organization", "extension"}),
    "EpisodeOfCare": frozenset(
        {
            "status",
            "patient",
            "managingOrganization",
            "period",
            "careManager",
            "diagnosis",
            "contained",
            "extension",
        }
    ),
    "QuestionnaireResponse": frozenset(
        {"questionnaire", "status", "subject", "authored", "item", "source", "extension"}
    ),
    "CarePlan": frozenset(
        {"status", "subject", "author", "period", "contained", "replaces", "category", "goal", "extension"}
    ),
    "ServiceRequest": frozenset(
        {
            "status",
            "performer",
            "category",
            "reasonCode",
            "subject",
            "requester",
            "performerType",
            "authoredOn",
            "extension",
        }
    ),
    "Task": frozenset(
        {
            "status",
            "businessStatus",
            "statusReason",
            "input",
            "owner",
            "performerType",
            "for",
            "focus",
            "requester",
            "authoredOn",
            "extension",
        }
    ),
    "Procedure": frozenset({"status", "code", "subject", "performer", "performedDateTime", "extension"}),
    # Stored as part of another resource: the EpisodeOfCare's diagnosis, the CarePlan's goals, the
    # PractitionerRole's name (contained, or separate entries of a transaction Bundle).
    "Condition": frozenset({"code", "subject", "recordedDate", "onsetDateTime", "extension"}),
    "Goal": frozenset({"description", "target", "extension"}),
    "Practitioner": frozenset({"name"}),
}
# Served from another record's state, so any value is restated rather than kept: a goal's lifecycle is its
# plan's status (a draft's goals are proposed, an established plan's active).
FOLLOWS: dict[str, frozenset[str]] = {"Goal": frozenset({"lifecycleStatus"})}


def _extension_urls(resource: Json) -> set[str]:
    return {str(e.get("url")) for e in resource.get("extension", []) or [] if isinstance(e, dict)}


def unkept_elements(data: Json, stored_form: Json) -> list[str]:
    """The elements of ``data`` (FHIRPath-like, e.g. ``Procedure.note``) that canrehab would not keep:
    neither read by the mapping nor equal to ``stored_form``, the resource canrehab serves for what it
    keeps of ``data``."""
    rtype = str(data.get("resourceType", ""))
    read = READ.get(rtype, frozenset()) | FOLLOWS.get(rtype, frozenset())
    unkept = [
        f"{rtype}.{name}"
        for name, value in data.items()
        if name not in NEVER_DATA and name not in read and value != stored_form.get(name)
    ]
    if "extension" in read:
        served = _extension_urls(stored_form)
        unkept += [f"{rtype}.extension('{url}')" for url in sorted(_extension_urls(data) - served)]
    return unkept
