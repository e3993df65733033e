"""Procedure (KVÅ records): read and search; a procedure is recorded through ``services.procedures``."""

from __future__ import annotations

from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.resources.common import Handler, Json, children, refuse_unkept
from canrehab.fhir.search import Page, Query, page_of
from canrehab.services import procedures


def procedure_read(ctx: Ctx, rid: str) -> Json:
    record = find(ctx.uow.kva, rid, "Procedure")
    ctx.check_read(record.patient_id, "kva", record.id)
    return as_json(m.procedure_to_fhir(record))


def procedure_search(ctx: Ctx, query: Query) -> Page:
    found = children(ctx, query, "Procedure", ctx.uow.kva)
    return page_of((as_json(m.procedure_to_fhir(r)) for r in found), query)


def procedure_create(ctx: Ctx, data: Json) -> Json:
    record = m.kva_record_from_fhir(data)
    refuse_unkept(data, as_json(m.procedure_to_fhir(record)))
    return as_json(m.procedure_to_fhir(procedures.record(ctx.services, ctx.actor, record)))


HANDLER = Handler("Procedure", procedure_read, procedure_search, procedure_create)
