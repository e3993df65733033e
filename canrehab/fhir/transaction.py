"""Transaction Bundles: a whole pathway in one request, atomically (one unit of work).

Every entry is checked before anything is written: request method and URL, resource type, FHIR validity
(fhir.resources R4B) and the references between entries (``fullUrl`` ``urn:uuid:...`` or ``Type/id``) are
resolved to server ids. A Condition is stored with the EpisodeOfCare that references it, Goals with the
CarePlan that references them, a Practitioner's name with its PractitionerRole. Then the entries are stored in
dependency order inside one unit of work, which the use case of every entry joins (``services.uow``); the
first failure rolls everything back and is reported naming the entry (index and fullUrl) and the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from canrehab.domain.errors import DomainError
from canrehab.domain.model import new_id
from canrehab.fhir.context import AccessDenied, Ctx
from canrehab.fhir.mapping.common import MappingError, as_json, to_model
from canrehab.fhir.mapping.organisation import practitioner_to_fhir, staff_from_fhir, staff_hsa_ids
from canrehab.fhir.outcome import FhirError, etag, parse_etag
from canrehab.fhir.resources import HANDLERS, version_of
from canrehab.fhir.resources.common import refuse_unkept

Json = dict[str, Any]
ORDER = (
    "Organization",
    "PractitionerRole",
    "Patient",
    "EpisodeOfCare",
    "QuestionnaireResponse",
    "CarePlan",
    "ServiceRequest",
    "Task",
    "Procedure",
)
ABSORBED = ("Condition", "Goal", "Practitioner")  # stored as part of another entry


class EntryError(Exception):
    """A failure of one entry: the wrapped error plus where it happened."""

    def __init__(self, index: int, full_url: str | None, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.full_url = full_url
        self.error = error

    @property
    def where(self) -> str:
        return f"Bundle.entry[{self.index}]" + (f" ({self.full_url})" if self.full_url else "")


@dataclass
class Entry:
    index: int
    full_url: str | None
    method: str
    rtype: str
    rid: str
    resource: Json
    if_match: str | None = None
    if_none_exist: str | None = None
    location: str = ""
    version: int | None = None
    absorbed_by: Entry | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _fail(
    index: int, full_url: str | None, status: int, message: str, *, code: str = "invalid"
) -> EntryError:
    return EntryError(index, full_url, FhirError(status, message, code=code))


def _assign_id(rtype: str, resource: Json) -> str:
    if rtype == "Organization":
        for ident in resource.get("identifier", []) or []:
            if ident.get("value"):
                return str(ident["value"])
    return new_id()


def parse_entries(bundle: Any) -> list[Entry]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError(400, "Expected a Bundle resource.", expression=("Bundle",))
    if bundle.get("type") != "transaction":
        raise FhirError(
            400,
            f"Only transaction Bundles are processed here (got type {bundle.get('type')!r}).",
            code="not-supported",
            expression=("Bundle.type",),
        )
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list) or not raw_entries:
        raise FhirError(
            400, "The transaction Bundle has no entries.", code="required", expression=("Bundle.entry",)
        )
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_entries):
        full_url = raw.get("fullUrl") if isinstance(raw, dict) else None
        if not isinstance(raw, dict):
            raise _fail(i, None, 400, "entry must be an object")
        request = raw.get("request") or {}
        method = str(request.get("method", "")).upper()
        url = str(request.get("url", "")).strip("/")
        resource = raw.get("resource")
        if method not in ("POST", "PUT"):
            raise _fail(
                i,
                full_url,
                422,
                f"request.method {method or '(missing)'} is not supported in a "
                "transaction here (POST or PUT).",
                code="not-supported",
            )
        if not isinstance(resource, dict):
            raise _fail(i, full_url, 400, "entry.resource is required", code="required")
        rtype = str(resource.get("resourceType", ""))
        parts = url.split("/")
        if parts[0] != rtype:
            raise _fail(i, full_url, 400, f"request.url {url!r} does not match resourceType {rtype!r}")
        if rtype not in ORDER and rtype not in ABSORBED:
            raise _fail(i, full_url, 422, f"{rtype} cannot be imported", code="not-supported")
        if method == "PUT":
            if len(parts) != 2 or not parts[1]:
                raise _fail(i, full_url, 400, "PUT needs request.url Type/id")
            rid = parts[1]
        else:
            rid = _assign_id(rtype, resource)
        entries.append(
            Entry(i, full_url, method, rtype, rid, copy.deepcopy(resource), if_match=request.get("ifMatch"))
        )
        if method == "POST" and request.get("ifNoneExist"):
            entries[-1].if_none_exist = str(request["ifNoneExist"])
        if full_url and full_url in seen:
            raise _fail(
                i, full_url, 400, f"fullUrl {full_url} is also entry {seen[full_url]}: each must be unique"
            )
        if full_url:
            seen[full_url] = i
    return entries


def _rewrite(node: Any, targets: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "reference" and isinstance(v, str) and v in targets:
                out[k] = targets[v]
            else:
                out[k] = _rewrite(v, targets)
        return out
    if isinstance(node, list):
        return [_rewrite(v, targets) for v in node]
    return node


def resolve_references(entries: list[Entry]) -> None:
    targets: dict[str, str] = {}
    for e in entries:
        local = f"{e.rtype}/{e.rid}"
        if e.full_url:
            targets[e.full_url] = local
            tail = e.full_url.rstrip("/").split("/")
            if len(tail) >= 2 and tail[-2] == e.rtype and not e.full_url.startswith("urn:"):
                targets[f"{tail[-2]}/{tail[-1]}"] = local
        e.resource["id"] = e.rid
    for e in entries:
        e.resource = _rewrite(e.resource, targets)


def validate(entries: list[Entry]) -> None:
    for e in entries:
        try:
            to_model(e.resource)
        except MappingError as exc:
            raise EntryError(
                e.index,
                e.full_url,
                FhirError(
                    400,
                    f"invalid {e.rtype}: {exc.message}",
                    expression=(f"Bundle.entry[{e.index}].resource",),
                ),
            ) from exc


def _by_ref(entries: list[Entry], rtype: str) -> dict[str, Entry]:
    return {f"{e.rtype}/{e.rid}": e for e in entries if e.rtype == rtype}


def absorb(entries: list[Entry]) -> list[Entry]:
    """Moves Conditions into their EpisodeOfCare, Goals into their CarePlan, Practitioner names into roles."""
    conditions = _by_ref(entries, "Condition")
    goals = _by_ref(entries, "Goal")
    practitioners = _by_ref(entries, "Practitioner")
    for e in entries:
        if e.rtype == "EpisodeOfCare":
            for dx in e.resource.get("diagnosis", []) or []:
                ref = str((dx.get("condition") or {}).get("reference", ""))
                if ref in conditions:
                    cond = conditions[ref]
                    contained = {**cond.resource, "id": "dx"}
                    e.resource.setdefault("contained", []).append(contained)
                    dx["condition"] = {"reference": "#dx"}
                    cond.absorbed_by = e
        elif e.rtype == "CarePlan":
            for n, g in enumerate(e.resource.get("goal", []) or []):
                ref = str(g.get("reference", ""))
                if ref in goals:
                    goal = goals[ref]
                    gid = f"g{n + 1}"
                    e.resource.setdefault("contained", []).append({**goal.resource, "id": gid})
                    g["reference"] = f"#{gid}"
                    goal.absorbed_by = e
                    goal.extra["number"] = n + 1
        elif e.rtype == "PractitionerRole":
            ref = str((e.resource.get("practitioner") or {}).get("reference", ""))
            if ref in practitioners:
                prac = practitioners[ref]
                names = prac.resource.get("name") or []
                if names and not e.resource["practitioner"].get("display"):
                    first = names[0]
                    display = first.get("text") or " ".join(
                        [*first.get("given", []), first.get("family", "")]
                    )
                    e.resource["practitioner"]["display"] = display.strip()
                _refuse_unkept_practitioner(prac, e)
                prac.absorbed_by = e
    for e in entries:
        if e.rtype in ABSORBED and e.absorbed_by is None:
            owner = {
                "Condition": "an EpisodeOfCare.diagnosis",
                "Goal": "a CarePlan.goal",
                "Practitioner": "a PractitionerRole.practitioner",
            }[e.rtype]
            raise _fail(
                e.index,
                e.full_url,
                422,
                f"{e.rtype} must be referenced by {owner} in the same Bundle",
                code="processing",
            )
    return [e for e in entries if e.rtype not in ABSORBED]


def _refuse_unkept_practitioner(practitioner: Entry, role: Entry) -> None:
    """A Practitioner entry gives its role only the name: anything else must be what canrehab serves."""
    try:
        served = as_json(practitioner_to_fhir(staff_from_fhir(role.resource)))
    except MappingError:
        return  # the role itself is invalid, and is reported at its own entry
    try:
        refuse_unkept(practitioner.resource, served)
    except FhirError as exc:
        raise EntryError(practitioner.index, practitioner.full_url, exc) from exc


def _expected_version(e: Entry) -> int:
    if e.if_match:
        return parse_etag(e.if_match)
    version = version_of(e.resource)
    if version is None:
        raise FhirError(
            428,
            "An update needs the version it is based on: request.ifMatch or meta.versionId.",
            code="required",
        )
    return version


def execute(ctx: Ctx, entries: list[Entry]) -> None:
    work = sorted(entries, key=lambda e: ORDER.index(e.rtype))
    for e in work:
        handler = HANDLERS[e.rtype]
        found = e.extra.get("existing")
        if found is not None:  # conditional create that matched: nothing written
            e.version = version_of(found)
            e.location = f"{e.rtype}/{e.rid}" + (f"/_history/{e.version}" if e.version else "")
            continue
        try:
            if e.method == "POST":
                if handler.create is None:
                    raise FhirError(405, f"{e.rtype} cannot be created.", code="not-supported")
                stored = handler.create(ctx, e.resource)
            else:
                if handler.update is None:
                    raise FhirError(405, f"{e.rtype} cannot be updated.", code="not-supported")
                stored = handler.update(ctx, e.rid, e.resource, _expected_version(e))
        except (FhirError, MappingError, DomainError, AccessDenied) as exc:
            raise EntryError(e.index, e.full_url, exc) from exc
        e.rid = str(stored["id"])
        e.version = version_of(stored)
        e.location = f"{e.rtype}/{e.rid}" + (f"/_history/{e.version}" if e.version else "")


def response_bundle(all_entries: list[Entry]) -> Json:
    out = []
    for e in sorted(all_entries, key=lambda x: x.index):
        owner = e.absorbed_by
        if owner is not None:
            location = {
                "Condition": f"Condition/{owner.rid}-dx",
                "Goal": f"Goal/{owner.rid}-g{e.extra.get('number', 1)}",
                "Practitioner": f"Practitioner/{owner.rid}",
            }[e.rtype]
            version = None
        else:
            location, version = e.location, e.version
        created = e.method == "POST" and "existing" not in e.extra
        response: Json = {"status": "201 Created" if created else "200 OK", "location": location}
        if version:
            response["etag"] = etag(version)
        out.append({"fullUrl": e.full_url, "response": response} if e.full_url else {"response": response})
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": out}


def process(ctx_factory: Callable[[], Any], bundle: Any) -> Json:
    """Checks the Bundle, then runs it in one unit of work opened by ``ctx_factory`` (a context manager
    yielding a ``Ctx``). Raises ``EntryError`` / ``FhirError``; nothing is stored unless every entry
    succeeded."""
    entries = parse_entries(bundle)
    with ctx_factory() as ctx:
        _known_staff(ctx, entries)
        _conditional(ctx, entries)
        resolve_references(entries)
        validate(entries)
        work = absorb(entries)
        execute(ctx, work)
    return response_bundle(entries)


def _known_staff(ctx: Any, entries: list[Entry]) -> None:
    """A PractitionerRole POSTed with an HSA-id the system knows is that staff member: the Bundle's
    references to it resolve to the stored id (create then checks that the data agree)."""
    for e in entries:
        if e.rtype != "PractitionerRole" or e.method != "POST":
            continue
        try:
            hsa: str | None = staff_hsa_ids(e.resource)[0]
        except MappingError:
            hsa = None  # reported at the entry itself
        existing = ctx.uow.staff.get_by_hsa_id(hsa) if hsa else None
        if existing is not None:
            e.rid = existing.id


def _conditional(ctx: Any, entries: list[Entry]) -> None:
    """Each ``ifNoneExist`` entry that matches one stored resource is that resource (its references in the
    Bundle resolve to it; nothing is written for it); several matches refuse the Bundle (412)."""
    from canrehab.fhir.conditional import existing

    for e in entries:
        if e.if_none_exist is None:
            continue
        try:
            found = existing(ctx, e.rtype, e.if_none_exist)
        except FhirError as exc:
            raise EntryError(e.index, e.full_url, exc) from exc
        if found is not None:
            e.rid = str(found["id"])
            e.extra["existing"] = found
