"""What the resource families share: the ``Handler`` of one resource type, versions, and the search
helpers that list a patient's records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.kept import unkept_elements
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.search import Page, Param, Query
from canrehab.fhir.search_params import params_of

Json = dict[str, Any]


@dataclass
class Handler:
    """The FHIR interactions of one resource type. ``history``: the versions kept (newest first);
    ``vread``: one of them by version id (otherwise only the current version is served)."""

    type: str
    read: Callable[[Ctx, str], Json]
    search: Callable[[Ctx, Query], Page]
    create: Callable[[Ctx, Json], Json] | None = None
    update: Callable[[Ctx, str, Json, int], Json] | None = None
    history: Callable[[Ctx, str], list[Json]] | None = None
    vread: Callable[[Ctx, str, str], Json] | None = None

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
