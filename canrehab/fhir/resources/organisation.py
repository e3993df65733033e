"""Organization (care units, by HSA-id), PractitionerRole and Practitioner (staff): read and search; units
and staff are registered through ``services.registry``."""

from __future__ import annotations

from typing import Any

from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import Handler, Json, refuse_unkept
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import registry


def organization_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.organization_to_fhir(find(ctx.uow.units, rid, "Organization")))


def organization_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.organization_to_fhir(u)) for u in ctx.uow.units.list_all()), query)


def organization_create(ctx: Ctx, data: Json) -> Json:
    unit = m.organization_from_fhir(data)
    refuse_unkept(data, as_json(m.organization_to_fhir(unit)))
    return as_json(m.organization_to_fhir(registry.record_unit(ctx.services, ctx.actor, unit)))


def staff_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.practitioner_role_to_fhir(find(ctx.uow.staff, rid, "PractitionerRole")))


def practitioner_read(ctx: Ctx, rid: str) -> Json:
    return as_json(m.practitioner_to_fhir(find(ctx.uow.staff, rid, "Practitioner")))


def _staff_list(ctx: Ctx, query: Query) -> list[Any]:
    units = query.candidates("organization", lambda v: str(v.id))
    if units is not None:
        return [s for unit in sorted(units) for s in ctx.uow.staff.for_unit(unit)]
    ids = query.candidates("_id", lambda v: str(v.code) if v.system is None else "")
    if ids is not None:
        return [s for s in (ctx.uow.staff.find(rid) for rid in sorted(ids - {""})) if s is not None]
    if query.has("role"):  # PractitionerRole only (Practitioner has no role parameter)
        return ctx.uow.staff.list_all()  # staff by role (e.g. the konsultsjuksköterskor), matched on the page
    raise FhirError(
        400,
        "Searching PractitionerRole requires organization, role or _id (Practitioner: organization or _id).",
        code="required",
        expression=("organization",),
    )


def staff_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.practitioner_role_to_fhir(s)) for s in _staff_list(ctx, query)), query)


def practitioner_search(ctx: Ctx, query: Query) -> Page:
    return page_of((as_json(m.practitioner_to_fhir(s)) for s in _staff_list(ctx, query)), query)


def staff_create(ctx: Ctx, data: Json) -> Json:
    staff = m.staff_from_fhir(data)
    refuse_unkept(data, as_json(m.practitioner_role_to_fhir(staff)))
    return as_json(m.practitioner_role_to_fhir(registry.record_staff(ctx.services, ctx.actor, staff)))


HANDLERS = (
    Handler("Organization", organization_read, organization_search, organization_create),
    Handler("PractitionerRole", staff_read, staff_search, staff_create),
    Handler("Practitioner", practitioner_read, practitioner_search),
)
