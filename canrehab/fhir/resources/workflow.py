"""ServiceRequest (referrals) and Task (active handovers): read and search; recorded and moved on through
``services.handovers`` (the referral and handover rules)."""

from __future__ import annotations

from canrehab.domain.model import Handover, HandoverStatus, Referral
from canrehab.fhir import mapping as m
from canrehab.fhir.context import Ctx, find
from canrehab.fhir.mapping.common import as_json
from canrehab.fhir.outcome import FhirError
from canrehab.fhir.resources.common import (
    Handler,
    Json,
    check_version,
    fields_except,
    kept_in,
    patient_record,
    refuse_unkept,
)
from canrehab.services import handovers

HANDOVER_STEP_FIELDS = frozenset(
    {
        "status",
        "received_on",
        "patient_contacted_on",
        "completed_on",
        "rejected_on",
        "reject_reason",
        "to_staff_id",
        "version",
    }
)
REFERRAL_STEP_FIELDS = frozenset({"status", "answered_on", "completed_on", "reject_reason", "version"})


def service_request_json(r: Referral) -> Json:
    return as_json(m.service_request_to_fhir(r))


service_request_read, service_request_search = patient_record(
    "ServiceRequest", "referrals", "referral", service_request_json
)


def service_request_create(ctx: Ctx, data: Json) -> Json:
    referral = m.referral_from_fhir(data)
    refuse_unkept(data, service_request_json(referral))
    return service_request_json(handovers.record_referral(ctx.services, ctx.actor, referral))


def service_request_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """accept / reject / complete / cancel through the referral rules; nothing else can change."""
    current: Referral = find(ctx.uow.referrals, rid, "ServiceRequest")
    ctx.check_write(current.patient_id, "referral", rid)
    check_version(current.version, expected, f"ServiceRequest/{rid}")
    wanted = m.referral_from_fhir({**data, "id": rid})
    refuse_unkept(data, service_request_json(wanted))
    saved = handovers.answer_referral(
        ctx.services,
        ctx.actor,
        rid,
        wanted.status,
        on=wanted.completed_on or wanted.answered_on,
        reason=wanted.reject_reason,
        version=expected,
    )
    if fields_except(saved, REFERRAL_STEP_FIELDS) != fields_except(wanted, REFERRAL_STEP_FIELDS):
        raise FhirError(
            422,
            "ServiceRequest update: only the referral status (accept, reject with reason, "
            "complete, cancel) can change.",
            code="business-rule",
        )
    return service_request_json(saved)


def task_json(h: Handover) -> Json:
    return as_json(m.task_to_fhir(h))


task_read, task_search = patient_record("Task", "handovers", "handover", task_json)


def task_create(ctx: Ctx, data: Json) -> Json:
    handover = m.handover_from_fhir(data)
    refuse_unkept(data, task_json(handover))
    return task_json(handovers.record_handover(ctx.services, ctx.actor, handover))


def task_update(ctx: Ctx, rid: str, data: Json, expected: int) -> Json:
    """The receiver's steps (handover rules): received -> patient contacted -> completed, or rejected;
    nothing else of the handover can change."""
    current: Handover = find(ctx.uow.handovers, rid, "Task")
    ctx.check_write(current.patient_id, "handover", rid)
    check_version(current.version, expected, f"Task/{rid}")
    wanted = m.handover_from_fhir({**data, "id": rid})
    refuse_unkept(data, task_json(wanted))
    saved = handovers.advance_handover(
        ctx.services,
        ctx.actor,
        rid,
        wanted.status,
        dates={
            HandoverStatus.RECEIVED: wanted.received_on,
            HandoverStatus.PATIENT_CONTACTED: wanted.patient_contacted_on,
            HandoverStatus.COMPLETED: wanted.completed_on,
            HandoverStatus.REJECTED: wanted.rejected_on,
        },
        reason=wanted.reject_reason,
        version=expected,
    )
    if fields_except(saved, HANDOVER_STEP_FIELDS) != fields_except(wanted, HANDOVER_STEP_FIELDS):
        raise FhirError(
            422,
            "Task update: only the handover's businessStatus (with Task.status) can change, plus "
            "statusReason when rejecting; the resulting handover differs from the requested one (dates and "
            "receiving staff are set by the rules).",
            code="business-rule",
        )
    return task_json(saved)


HANDLERS = (
    Handler(
        "ServiceRequest",
        service_request_read,
        service_request_search,
        service_request_create,
        service_request_update,
        kept_in("referrals", service_request_json),
    ),
    Handler("Task", task_read, task_search, task_create, task_update, kept_in("handovers", task_json)),
)
