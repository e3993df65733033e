"""Procedure (KVÅ records): read and search; a procedure is recorded through ``services.procedures``."""

from __future__ import annotations

from canrehab.domain.model import KvaRecord
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.resources.common import Handler, Json, patient_record, refuse_unkept
from canrehab.services import procedures


def procedure_json(record: KvaRecord) -> Json:
    return as_json(m.procedure_to_fhir(record))


procedure_read, procedure_search = patient_record("Procedure", "kva", "kva", procedure_json)


def procedure_create(ctx: Ctx, data: Json) -> Json:
    record = m.kva_record_from_fhir(data)
    refuse_unkept(data, procedure_json(record))
    return procedure_json(procedures.record(ctx.services, ctx.actor, record))


HANDLER = Handler("Procedure", procedure_read, procedure_search, procedure_create)
