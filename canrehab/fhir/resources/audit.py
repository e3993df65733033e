"""AuditEvent read and search over the audit log, filtered and paged in the database (the log grows without
bound). Reading the audit log is itself logged: one row for the read or search, and one naming each patient
whose entries were shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from canrehab.domain.permissions import Action
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import Handler, with_instant
from canrehab.fhir.search import Json, Page, Query
from canrehab.fhir.search_params import params_of
from canrehab.services.audit import ACTIONS, AuditEntry, AuditFilter, log_reader

MAX_ID = 2**63 - 1
ACTION_PARAMS = ("subtype", "action", "outcome")


def _event(entry: Any) -> Json:
    """The entry as an AuditEvent; its ``meta.lastUpdated`` is when it was recorded (entries never change)."""
    event = as_json(m.audit_event_to_fhir(m.AuditRecord.model_validate(entry, from_attributes=True)))
    return with_instant(event, event.get("recorded"))


@cache
def _sample(action: str) -> Json:
    """The AuditEvent an entry with ``action`` becomes (its subtype, action and outcome codes)."""
    record = m.AuditRecord(
        id="1",
        at=datetime(2026, 1, 1, tzinfo=UTC),
        actor_username="x",
        actor_role="x",
        action=action,
        entity_type="x",
        entity_id="x",
    )
    return _event(record)


def _actions(query: Query) -> frozenset[str] | None:
    """The stored actions the subtype/action/outcome parameters allow: each action is checked through the
    AuditEvent it becomes, so the database filter and the mapping cannot disagree."""
    params = params_of("AuditEvent")
    allowed: set[str] | None = None
    for name in ACTION_PARAMS:
        for values in query.groups(name):
            ok = {a for a in ACTIONS if any(params[name].matches(_sample(a), v) for v in values)}
            allowed = ok if allowed is None else allowed & ok
    return None if allowed is None else frozenset(allowed)


def _ids(query: Query) -> frozenset[int] | None:
    wanted = query.candidates("_id", lambda v: str(v.code) if v.system is None else "")
    if wanted is None:
        return None
    return frozenset(int(i) for i in wanted if i.isdigit() and int(i) <= MAX_ID)


def audit_filter(query: Query) -> AuditFilter:
    patients = query.candidates("patient", lambda v: str(v.id))
    return AuditFilter(
        ids=_ids(query),
        patient_ids=None if patients is None else frozenset(patients),
        actions=_actions(query),
        at=tuple(
            tuple(i for v in values for i in v.instant_intervals())
            for values in [*query.groups("date"), *query.groups("_lastUpdated")]  # the same instant
        ),
    )


def _scoped(ctx: Ctx, f: AuditFilter) -> AuditFilter:
    """A unit manager reads the entries that concern their units, as in the web app's audit view; the
    administrator (and system) the whole region's."""
    if ctx.actor.role == "unit_manager":
        return replace(f, units=frozenset(ctx.actor.unit_hsa_ids))
    return f


def _reader(ctx: Ctx) -> Any:
    ctx.require_action(Action.AUDIT_LOG, "read the audit log")
    return log_reader(ctx.uow)


def _log(ctx: Ctx, what: str, entries: list[AuditEntry]) -> None:
    ctx.uow.audit.record("read", "audit_log", what, None, f"{len(entries)} loggposter (FHIR)")
    for patient_id in sorted({e.patient_id for e in entries if e.patient_id}):
        ctx.uow.audit.record_read("audit_log", what, patient_id, "loggposter om patienten (FHIR)")


def audit_search(ctx: Ctx, query: Query) -> Page:
    reader = _reader(ctx)
    f = _scoped(ctx, audit_filter(query))
    total = reader.count(f)
    entries = reader.page(f, offset=query.offset, limit=query.count) if query.count else []
    _log(ctx, "*", entries)
    return Page(total, [_event(e) for e in entries])


def audit_read(ctx: Ctx, rid: str) -> Json:
    reader = _reader(ctx)
    units = _scoped(ctx, AuditFilter()).units
    entry = reader.get(int(rid), units) if rid.isdigit() and int(rid) <= MAX_ID else None
    if entry is None:
        raise FhirError(404, f"AuditEvent/{rid} not found.", code="not-found")
    _log(ctx, rid, [entry])
    return _event(entry)


HANDLER = Handler("AuditEvent", audit_read, audit_search)
