"""The search parameters of each resource type (standard FHIR R4 names), with the values a resource has for
each. The CapabilityStatement advertises exactly these; the API's OpenAPI schema describes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from canrehab.fhir import systems
from canrehab.fhir.search import Json, Param
from canrehab.fhir.search_values import Coding, Range, date_range, period_range

STATUS_SYSTEMS = {
    "EpisodeOfCare": "http://hl7.org/fhir/episode-of-care-status",
    "QuestionnaireResponse": "http://hl7.org/fhir/questionnaire-answers-status",
    "CarePlan": "http://hl7.org/fhir/request-status",
    "ServiceRequest": "http://hl7.org/fhir/request-status",
    "Task": "http://hl7.org/fhir/task-status",
    "Procedure": "http://hl7.org/fhir/event-status",
    "Goal": "http://hl7.org/fhir/goal-status",
    "CareTeam": "http://hl7.org/fhir/care-team-status",
}
ALIASES = {
    systems.PERSONNUMMER: systems.PERSONNUMMER_SYSTEMS,
    systems.PERSONNUMMER_OID: systems.PERSONNUMMER_SYSTEMS,
    systems.SAMORDNINGSNUMMER: systems.SAMORDNINGSNUMMER_SYSTEMS,
    systems.SAMORDNINGSNUMMER_OID: systems.SAMORDNINGSNUMMER_SYSTEMS,
    systems.HSA_ID: systems.HSA_ID_SYSTEMS,
    systems.HSA_ID_INERA: systems.HSA_ID_SYSTEMS,
}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def codings(*concepts: Any) -> Iterator[Coding]:
    """(system, code) of CodeableConcepts or Codings; an ICD-10 code also without its dot (C50.9 / C509)."""
    for item in concepts:
        for concept in _list(item):
            for c in concept.get("coding", [concept]) if isinstance(concept, dict) else []:
                code = c.get("code")
                if not code:
                    continue
                yield c.get("system"), str(code)
                if c.get("system") == systems.ICD10_SE and "." in str(code):
                    yield c.get("system"), str(code).replace(".", "")


def identifiers(resource: Json) -> Iterator[Coding]:
    for ident in resource.get("identifier", []) or []:
        value, system = ident.get("value"), ident.get("system")
        if value:
            for s in ALIASES.get(system, {system}):
                yield s, str(value)


def refs(*references: Any) -> list[str]:
    return [str(r["reference"]) for item in references for r in _list(item) if r.get("reference")]


def _status(rtype: str, element: str = "status") -> Param:
    system = STATUS_SYSTEMS[rtype]
    return Param(
        "status" if element == "status" else "lifecycle-status",
        "token",
        lambda r: [(system, str(r[element]))] if r.get(element) else [],
        f"{rtype}.{element}",
    )


def _code(element: str, system: str, doc: str) -> Param:
    return Param(element, "token", lambda r: [(system, str(r[element]))] if r.get(element) else [], doc)


def _date(name: str, path: str, value: Any) -> Param:
    return Param(name, "date", value, path)


def at(text: Any) -> list[Range]:
    found = date_range(str(text)) if text else None
    return [found] if found else []


def period(p: Any) -> list[Range]:
    p = p or {}
    found = period_range(p.get("start"), p.get("end"))
    return [found] if found else []


ID = Param("_id", "token", lambda r: [(None, str(r.get("id", "")))], "the logical id")


def patient(element: str) -> Param:
    return Param(
        "patient", "reference", lambda r: refs(r.get(element)), f"the patient ({element})", ("Patient",)
    )


def reference(name: str, element: str, *targets: str, doc: str = "") -> Param:
    return Param(name, "reference", lambda r: refs(r.get(element)), doc or element, targets)


def _extension_ref(url: str) -> Any:
    def values(r: Json) -> Iterable[str]:
        return refs(*(e.get("valueReference") for e in r.get("extension", []) or [] if e.get("url") == url))

    return values


def _care_manager_role(r: Json) -> list[Coding]:
    """The named-nurse role (``nurse-role``: contact_nurse, consulting_nurse) of the EpisodeOfCare's
    careManager, from the contact-nurse extension naming the same PractitionerRole."""
    manager = refs(r.get("careManager"))
    out: list[Coding] = []
    for e in r.get("extension", []) or []:
        if e.get("url") != systems.EXT_CONTACT_NURSE:
            continue
        parts = {p.get("url"): p for p in e.get("extension", []) or []}
        staff = refs((parts.get("staff") or {}).get("valueReference"))
        role = (parts.get("role") or {}).get("valueCoding")
        if staff and staff == manager and role:
            out += codings(role)
    return out


def _participants(r: Json) -> list[str]:
    return refs(*(p.get("member") for p in r.get("participant", []) or []))


def _participant_roles(r: Json) -> list[Coding]:
    return list(codings(*(p.get("role") for p in r.get("participant", []) or [])))


def _performers(r: Json) -> list[str]:
    out = []
    for p in r.get("performer", []) or []:
        out += refs(p.get("actor"), p.get("onBehalfOf"))
    return out


def _questionnaire_refs(r: Json) -> list[str]:
    """The canonical with and without its ``|version``, and ``Questionnaire/<id>`` likewise: a search by
    ``<url>|<version>`` finds the answers to that version, one by ``<url>`` or id those to any."""
    canonical, bar, version = str(r.get("questionnaire", "")).partition("|")
    if not canonical:
        return []
    short = f"Questionnaire/{canonical.rstrip('/').rsplit('/', 1)[-1]}"
    found = [canonical, short]
    if bar and version:
        found += [f"{canonical}|{version}", f"{short}|{version}"]
    return found


LAST_UPDATED = Param(
    "_lastUpdated",
    "date",
    lambda r: at((r.get("meta") or {}).get("lastUpdated")),
    "meta.lastUpdated: when the record was last written",
)


def _by_name(*params: Param) -> dict[str, Param]:
    """A type's parameters: ``_id`` first, then ``_lastUpdated`` (every type), then its own."""
    return {p.name: p for p in (params[0], LAST_UPDATED, *params[1:])}


PARAMS: Mapping[str, Mapping[str, Param]] = {
    "Patient": _by_name(ID, Param("identifier", "token", identifiers, "personnummer, samordningsnummer")),
    "Organization": _by_name(
        ID,
        Param("identifier", "token", identifiers, "HSA-id"),
        Param("name", "string", lambda r: _list(r.get("name")), "the unit's name (starts with)"),
    ),
    "PractitionerRole": _by_name(
        ID,
        reference("organization", "organization", "Organization", doc="the care unit"),
        Param(
            "role",
            "token",
            lambda r: codings(r.get("code")),
            "the profession (canrehab profession code, e.g. consulting_nurse, or the KVÅ add-on code XS9xx)",
        ),
    ),
    "Practitioner": _by_name(
        ID,
        Param(
            "organization",
            "reference",
            None,
            "canrehab: practitioners with a role at the care unit",
            ("Organization",),
        ),
    ),
    "EpisodeOfCare": _by_name(
        ID,
        patient("patient"),
        _status("EpisodeOfCare"),
        _date("date", "EpisodeOfCare.period", lambda r: period(r.get("period"))),
        reference("organization", "managingOrganization", "Organization"),
        reference("care-manager", "careManager", "PractitionerRole", doc="the contact nurse"),
        Param(
            "care-manager-role",
            "token",
            _care_manager_role,
            "canrehab: the careManager's named-nurse role (nurse-role: contact_nurse, consulting_nurse)",
        ),
    ),
    "Condition": _by_name(
        ID,
        patient("subject"),
        Param("code", "token", lambda r: codings(r.get("code")), "ICD-10-SE (C50.9 or C509)"),
        Param("clinical-status", "token", lambda r: codings(r.get("clinicalStatus")), "clinicalStatus"),
        _date("recorded-date", "Condition.recordedDate", lambda r: at(r.get("recordedDate"))),
    ),
    "QuestionnaireResponse": _by_name(
        ID,
        patient("subject"),
        _status("QuestionnaireResponse"),
        _date("authored", "QuestionnaireResponse.authored", lambda r: at(r.get("authored"))),
        Param(
            "questionnaire",
            "reference",
            _questionnaire_refs,
            "the instrument (id, Questionnaire/id or canonical URL)",
            ("Questionnaire",),
        ),
    ),
    "CarePlan": _by_name(
        ID,
        patient("subject"),
        _status("CarePlan"),
        _date("date", "CarePlan.period", lambda r: period(r.get("period"))),
        Param("category", "token", lambda r: codings(r.get("category")), "rehabiliteringsplan, min-vardplan"),
    ),
    "Goal": _by_name(
        ID,
        patient("subject"),
        _status("Goal", "lifecycleStatus"),
        _date(
            "target-date",
            "Goal.target.dueDate",
            lambda r: [x for t in _list(r.get("target")) for x in at(t.get("dueDate"))],
        ),
    ),
    "ServiceRequest": _by_name(
        ID,
        patient("subject"),
        _status("ServiceRequest"),
        _date("authored", "ServiceRequest.authoredOn", lambda r: at(r.get("authoredOn"))),
        Param("category", "token", lambda r: codings(r.get("category")), "mdk-rehab"),
        Param("performer-type", "token", lambda r: codings(r.get("performerType")), "the profession asked"),
        reference("requester", "requester", "PractitionerRole"),
        reference("performer", "performer", "Organization", doc="the receiving care unit"),
    ),
    "Task": _by_name(
        ID,
        patient("for"),
        _status("Task"),
        Param("business-status", "token", lambda r: codings(r.get("businessStatus")), "the handover step"),
        _date("authored-on", "Task.authoredOn", lambda r: at(r.get("authoredOn"))),
        reference("owner", "owner", "PractitionerRole", "Organization", doc="the receiver"),
        reference("requester", "requester", "PractitionerRole", doc="the sender"),
    ),
    "Procedure": _by_name(
        ID,
        patient("subject"),
        _status("Procedure"),
        _date("date", "Procedure.performedDateTime", lambda r: at(r.get("performedDateTime"))),
        Param("code", "token", lambda r: codings(r.get("code")), "KVÅ code"),
        Param(
            "performer",
            "reference",
            _performers,
            "staff member or care unit",
            ("PractitionerRole", "Organization"),
        ),
    ),
    "CareTeam": _by_name(
        ID,
        patient("subject"),
        _status("CareTeam"),
        _date("date", "CareTeam.period", lambda r: period(r.get("period"))),
        Param(
            "participant",
            "reference",
            _participants,
            "a member (the named nurse or a rehab professional)",
            ("PractitionerRole",),
        ),
        Param(
            "role",
            "token",
            _participant_roles,
            "canrehab: a participant's role (nurse-role, or the profession)",
        ),
    ),
    "AuditEvent": _by_name(
        ID,
        Param(
            "patient",
            "reference",
            lambda r: refs(*(e.get("what") for e in r.get("entity", []) or [])),
            "the patient whose record was accessed",
            ("Patient",),
        ),
        _date("date", "AuditEvent.recorded", lambda r: at(r.get("recorded"))),
        Param("subtype", "token", lambda r: codings(r.get("subtype")), "canrehab action or REST interaction"),
        _code("action", "http://hl7.org/fhir/audit-event-action", "C, R, U, D or E"),
        _code("outcome", "http://hl7.org/fhir/audit-event-outcome", "0 (success) or 4 (refused)"),
    ),
    "Questionnaire": _by_name(ID),
}


def params_of(rtype: str) -> Mapping[str, Param]:
    return PARAMS.get(rtype, {})


R4_SEARCH_PARAMETER = "http://hl7.org/fhir/SearchParameter"
# the R4 SearchParameters shared by several types (the others are <Type>-<name>)
SHARED_DEFINITIONS = {
    "clinical-patient": (
        "EpisodeOfCare",
        "Condition",
        "CarePlan",
        "Goal",
        "ServiceRequest",
        "Procedure",
        "CareTeam",
    ),
    "clinical-date": ("EpisodeOfCare", "CarePlan", "Procedure", "CareTeam"),
    "clinical-code": ("Condition", "Procedure"),
}
# canrehab's own parameters (no R4 SearchParameter has their meaning)
OWN_DEFINITIONS = {
    ("Practitioner", "organization"),
    ("EpisodeOfCare", "care-manager-role"),
    ("CareTeam", "role"),
}


def definition_of(rtype: str, name: str) -> str:
    """The canonical of the SearchParameter that defines ``rtype``'s parameter ``name``."""
    if name == "_id":
        return f"{R4_SEARCH_PARAMETER}/Resource-id"
    if name == "_lastUpdated":
        return f"{R4_SEARCH_PARAMETER}/Resource-lastUpdated"
    if name == "url" and rtype in ("StructureDefinition", "CodeSystem", "Questionnaire", "SearchParameter"):
        return f"{R4_SEARCH_PARAMETER}/conformance-url"
    if (rtype, name) in OWN_DEFINITIONS:
        return f"{systems.CANREHAB_BASE}/SearchParameter/{rtype}-{name}"
    shared = f"clinical-{name}"
    if rtype in SHARED_DEFINITIONS.get(shared, ()):
        return f"{R4_SEARCH_PARAMETER}/{shared}"
    return f"{R4_SEARCH_PARAMETER}/{rtype}-{name}"


def includes_of(rtype: str) -> list[str]:
    """``_include`` values the type supports: its reference parameters with a resolvable target."""
    return [
        f"{rtype}:{p.name}"
        for p in params_of(rtype).values()
        if p.type == "reference" and p.targets and p.values
    ]


def revincludes_of(rtype: str) -> list[str]:
    """``_revinclude`` values for ``rtype``: the reference parameters of every type that can point at it."""
    return [
        f"{source}:{p.name}"
        for source, params in PARAMS.items()
        for p in params.values()
        if p.type == "reference" and p.values is not None and rtype in p.targets
    ]
