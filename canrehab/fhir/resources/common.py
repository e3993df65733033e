"""What the resource families share: the ``Handler`` of one resource type, versions, and the search
helpers that list a patient's records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.kept import unkept_elements
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.search import Page, Param, Query, page_of
from canrehab.fhir.search_params import params_of

Json = dict[str, Any]


@dataclass(frozen=True)
class Kept:
    """Where the versions of a type's records are kept: ``source`` gives, for a resource id, the repository
    (an attribute of the unit of work, whose ``versions(key)`` lists them) and the record's key; ``render``
    serves one version of the record as the resource ``rid``."""

    render: Callable[[Ctx, Any, str], Json]
    source: Callable[[str], tuple[str, str]]


def kept_in(repo: str, render: Callable[[Any], Json]) -> Kept:
    """Versions kept by ``repo`` under the resource id, served by ``render(entity)``."""
    return Kept(lambda _ctx, entity, _rid: render(entity), lambda rid: (repo, rid))


@dataclass
class Handler:
    """The FHIR interactions of one resource type. ``kept``: the type's earlier versions are kept
    (``history``: all of them, newest first; ``vread``: one by version id); ``extra_versions`` lists
    further versions a vread may name (a CarePlan's content versions ``v<n>``)."""

    type: str
    read: Callable[[Ctx, str], Json]
    search: Callable[[Ctx, Query], Page]
    create: Callable[[Ctx, Json], Json] | None = None
    update: Callable[[Ctx, str, Json, int], Json] | None = None
    kept: Kept | None = None
    extra_versions: Callable[[Ctx, str], list[Json]] | None = None
    # Checked before history and vread (the interaction and the id): a bearer token's scopes (smart.enforce).
    check: Callable[[Ctx, str, str], None] | None = None

    @property
    def history(self) -> Callable[[Ctx, str], list[Json]] | None:
        if self.kept is None:
            return None

        def history(ctx: Ctx, rid: str) -> list[Json]:
            if self.check is not None:
                self.check(ctx, "history-instance", rid)
            return kept_history(ctx, self, rid)

        return history

    @property
    def vread(self) -> Callable[[Ctx, str, str], Json] | None:
        if self.kept is None:
            return None

        def vread(ctx: Ctx, rid: str, vid: str) -> Json:
            if self.check is not None:
                self.check(ctx, "vread", rid)
            return kept_version(ctx, self, rid, vid)

        return vread

    @property
    def params(self) -> Mapping[str, Param]:
        return params_of(self.type)


def version_of(resource: Json) -> int | None:
    raw = (resource.get("meta") or {}).get("versionId")
    return int(raw) if raw is not None and str(raw).isdigit() else None


def check_version(current: int, expected: int, what: str) -> None:
    """The If-Match / meta.versionId check: 412 when the stored record has moved on."""
    if current != expected:
        raise FhirError(
            412,
            f"{what} has version {current}, the update was based on version {expected}: read it again.",
            code="conflict",
        )


def refuse_unkept(data: Json, stored_form: Json) -> None:
    """Refuses (422, naming each element) what canrehab would not keep of ``data``: elements the mapping
    does not read that differ from ``stored_form``, the resource as canrehab would serve what it keeps."""
    unkept = unkept_elements(data, stored_form)
    if unkept:
        rtype = data.get("resourceType", "")
        raise FhirError(
            422,
            f"{', '.join(unkept)}: not kept by canrehab for a {rtype}; leave it out (or send it as "
            "canrehab serves it).",
            code="not-supported",
            expression=tuple(unkept),
        )


def need_patients(query: Query, rtype: str) -> list[str]:
    """The patients a search is about (every ``patient`` parameter must allow them); 400 without one."""
    wanted = query.candidates("patient", lambda v: str(v.id))
    if wanted is None:
        raise FhirError(
            400,
            f"Searching {rtype} requires the patient parameter.",
            code="required",
            expression=("patient",),
        )
    return sorted(wanted)


def patient_checked(ctx: Ctx, patient_id: str) -> None:
    find(ctx.uow.patients, patient_id, "Patient")
    ctx.check_read(patient_id, "patient", patient_id)


def children(ctx: Ctx, query: Query, rtype: str, repo: Any) -> list[Any]:
    """The patients' records in ``repo`` (access checked per patient)."""
    out = []
    for patient_id in need_patients(query, rtype):
        patient_checked(ctx, patient_id)
        out += repo.for_patient(patient_id)
    return out


def patient_record(
    rtype: str, repo: str, entity_type: str, to_json: Callable[[Any], Json]
) -> tuple[Callable[[Ctx, str], Json], Callable[[Ctx, Query], Page]]:
    """Read and search of a type whose records belong to a patient (``repo``: the unit of work's
    repository; ``entity_type``: the audit name): read by id with the patient's read access checked, search
    by the required ``patient`` parameter (``children``), each record served by ``to_json``."""

    def read(ctx: Ctx, rid: str) -> Json:
        record = find(getattr(ctx.uow, repo), rid, rtype)
        ctx.check_read(record.patient_id, entity_type, record.id)
        return to_json(record)

    def search(ctx: Ctx, query: Query) -> Page:
        found = children(ctx, query, rtype, getattr(ctx.uow, repo))
        return page_of((to_json(r) for r in found), query)

    return read, search


def fields_except(entity: Any, step_fields: frozenset[str]) -> dict[str, Any]:
    """The fields a state change must leave as they are (the rules set ``step_fields``)."""
    return {k: v for k, v in entity.model_dump().items() if k not in step_fields}


def fields_of(entity: Any, fields: frozenset[str]) -> dict[str, Any]:
    """The fields of a requested record that must equal what the rules produced."""
    return {k: v for k, v in entity.model_dump().items() if k in fields}


def questionnaire(instrument_id: str) -> Json | None:
    """The instrument's FHIR Questionnaire (for mapping answers), or None when unknown."""
    from canrehab.instruments import questionnaire_json

    try:
        return questionnaire_json(instrument_id)
    except (KeyError, ValueError, LookupError):
        return None


# ---------------------------------------------------------------------------------------------- lastUpdated

# Where each type's last-updated instant is kept: the repository (attribute of the unit of work) and the
# record's key for a resource id. Derived views carry the instant of the record they are views of.
STAMP_SOURCE: dict[str, tuple[str, Callable[[str], str]]] = {
    "Patient": ("patients", str),
    "Organization": ("units", str),
    "PractitionerRole": ("staff", str),
    "Practitioner": ("staff", str),
    "EpisodeOfCare": ("pathways", str),
    "Condition": ("pathways", lambda rid: rid.removesuffix("-dx")),
    "QuestionnaireResponse": ("assessments", str),
    "Goal": ("plans", lambda rid: rid.rpartition("-g")[0]),
    "ServiceRequest": ("referrals", str),
    "Task": ("handovers", str),
    "Procedure": ("kva", str),
    "CareTeam": ("pathways", lambda rid: rid.removesuffix("-team")),  # the pathway's (its named nurses)
}


def instant(at: datetime) -> str:
    """A FHIR instant to the millisecond, in UTC."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _source(resource: Json) -> tuple[str, str] | None:
    rtype, rid = str(resource.get("resourceType")), str(resource.get("id"))
    if rtype == "CarePlan":
        return ("pathways", rid.removesuffix("-mvp")) if rid.endswith("-mvp") else ("plans", rid)
    found = STAMP_SOURCE.get(rtype)
    return (found[0], found[1](rid)) if found else None


def last_updated_of(ctx: Ctx, resource: Json) -> datetime | None:
    """When the record behind ``resource`` was last written (None when the store does not know)."""
    source = _source(resource)
    if source is None:
        return None
    repo = getattr(ctx.uow, source[0])
    stamp: datetime | None = repo.last_updated(source[1])
    return stamp


def stamped(ctx: Ctx, resource: Json, at: datetime | None = None) -> Json:
    """``resource`` with ``meta.lastUpdated`` (``at``, or the store's instant for its record); one already
    set (a kept version, an AuditEvent's recorded time) is left as it is."""
    meta = resource.get("meta") or {}
    if meta.get("lastUpdated"):
        return resource
    when = at or last_updated_of(ctx, resource)
    if when is None:
        return resource
    return {**resource, "meta": {**meta, "lastUpdated": instant(when)}}


def with_instant(resource: Json, at: str | None) -> Json:
    if not at:
        return resource
    return {**resource, "meta": {**(resource.get("meta") or {}), "lastUpdated": at}}


# ---------------------------------------------------------------------------------------------- versions


def kept_history(ctx: Ctx, handler: Handler, rid: str) -> list[Json]:
    """Every kept version of ``rid``, newest first, each with its own ``meta.lastUpdated`` (access and 404
    as for a read)."""
    kept = handler.kept
    assert kept is not None
    handler.read(ctx, rid)
    repo, key = kept.source(rid)
    versions = getattr(ctx.uow, repo).versions(key)
    return [stamped(ctx, kept.render(ctx, entity, rid), at) for entity, at in versions]


def kept_version(ctx: Ctx, handler: Handler, rid: str, vid: str) -> Json:
    """Version ``vid`` of ``rid`` (404 naming the versions that are kept when it is not one of them)."""
    versions = kept_history(ctx, handler, rid)
    if handler.extra_versions is not None:
        versions += handler.extra_versions(ctx, rid)
    for resource in versions:
        if str((resource.get("meta") or {}).get("versionId")) == vid:
            return resource
    ids = ", ".join(str((r.get("meta") or {}).get("versionId")) for r in versions)
    raise FhirError(
        404,
        f"{handler.type}/{rid} has no version {vid!r} (kept: {ids}; see {handler.type}/{rid}/_history).",
        code="not-found",
    )
