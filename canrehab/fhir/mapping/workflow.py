"""Referral -> ServiceRequest; Handover -> Task (status + businessStatus follow the handover states)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from canrehab.domain.model import (
    Handover,
    HandoverContent,
    HandoverStatus,
    Profession,
    Referral,
    ReferralStatus,
)
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    code_in,
    coding,
    complex_ext,
    concept,
    expect_type,
    ext,
    ext_one,
    ext_value,
    iso,
    meta_version,
    opt_date,
    parse_date,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    sub,
    to_model,
    version_of,
)
from canrehab.fhir.mapping.pathway import _one, _sub_values
from canrehab.fhir.mapping.vocab import parse_profession, profession_concept, profession_label

# ---------------------------------------------------------------------------------------------- referral

REFERRAL_STATUS = {
    ReferralStatus.SENT: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.REJECTED: "revoked",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.CANCELLED: "revoked",
}
MDK_REHAB = concept(
    systems.CS_REFERRAL_CATEGORY, "mdk-rehab", "MDK-rehab (multiprofessionell rehabkonferens)"
)


def _unit_ext(url: str, hsa: str | None) -> Json | None:
    return ext(url, valueReference=ref("Organization", hsa)) if hsa else None


def _unit_of(data: Json, url: str, name: str, path: str, *, required: bool = True) -> str | None:
    value = ext_value(data, url, "valueReference", path)
    if value is None:
        if required:
            raise MappingError(f"{path}.extension('{name}')", "required")
        return None
    return ref_id(value, "Organization", f"{path}.extension('{name}')")


def service_request_json(referral: Referral) -> Json:
    r = referral
    extensions = [
        ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", r.pathway_id)),
        _unit_ext(systems.EXT_FROM_UNIT, r.from_unit_hsa_id),
        ext(
            systems.EXT_REFERRAL_STATUS,
            valueCoding=coding(systems.CS_REFERRAL_STATUS, r.status.value, r.status.label_sv),
        ),
        ext(systems.EXT_ANSWERED, valueDate=iso(r.answered_on)) if r.answered_on else None,
        ext(systems.EXT_COMPLETED, valueDate=iso(r.completed_on)) if r.completed_on else None,
        ext(systems.EXT_REJECT_REASON, valueString=r.reject_reason) if r.reject_reason else None,
    ]
    data = {
        "resourceType": "ServiceRequest",
        "id": r.id,
        "meta": meta_version(r.version),
        "extension": [e for e in extensions if e],
        "status": REFERRAL_STATUS[r.status],
        "intent": "order",
        "category": [MDK_REHAB] if r.is_mdk_rehab else None,
        "code": {"text": "Remiss för cancerrehabilitering"},
        "subject": ref("Patient", r.patient_id),
        "authoredOn": iso(r.sent_on),
        "requester": ref("PractitionerRole", r.from_staff_id),
        "performerType": profession_concept(r.to_profession),
        "performer": [ref("Organization", r.to_unit_hsa_id)] if r.to_unit_hsa_id else None,
        "reasonCode": [{"text": r.reason}] if r.reason else None,
    }
    return clean(data)


def service_request_to_fhir(referral: Referral) -> ServiceRequest:
    model: ServiceRequest = to_model(service_request_json(referral))  # type: ignore[assignment]
    return model


def referral_from_fhir(resource: Any) -> Referral:
    data = as_json(resource)
    expect_type(data, "ServiceRequest")
    path = "ServiceRequest"
    status_coding = ext_value(data, systems.EXT_REFERRAL_STATUS, "valueCoding", path)
    if status_coding is not None:
        status = parse_enum(ReferralStatus, status_coding.get("code"), f"{path}.extension('referral-status')")
    else:
        status = {
            "active": ReferralStatus.SENT,
            "completed": ReferralStatus.COMPLETED,
            "revoked": ReferralStatus.CANCELLED,
        }.get(str(data.get("status")), ReferralStatus.SENT)
        if data.get("status") not in ("active", "completed", "revoked"):
            raise MappingError(f"{path}.status", "a referral is active, completed or revoked")
    if REFERRAL_STATUS[status] != data.get("status"):
        raise MappingError(
            f"{path}.status", f"{data.get('status')!r} does not agree with referral status {status}"
        )
    performers = data.get("performer") or []
    if len(performers) > 1:
        raise MappingError(f"{path}.performer", "at most one receiving unit")
    mdk = any(
        "mdk-rehab" in (c2.get("code") for c2 in c.get("coding", [])) for c in data.get("category", []) or []
    )
    reasons = data.get("reasonCode") or []
    pathway = ext_value(data, systems.EXT_PATHWAY, "valueReference", path)
    if pathway is None:
        raise MappingError(f"{path}.extension('pathway')", "the pathway (EpisodeOfCare) is required")
    return Referral(
        id=resource_id(data),
        patient_id=ref_id(data.get("subject"), "Patient", f"{path}.subject"),
        pathway_id=ref_id(pathway, "EpisodeOfCare", f"{path}.extension('pathway')"),
        from_unit_hsa_id=str(_unit_of(data, systems.EXT_FROM_UNIT, "from-unit", path)),
        from_staff_id=ref_id(data.get("requester"), "PractitionerRole", f"{path}.requester"),
        to_profession=parse_profession(require(data, "performerType", path), f"{path}.performerType"),
        to_unit_hsa_id=ref_id(performers[0], "Organization", f"{path}.performer[0]") if performers else None,
        is_mdk_rehab=mdk,
        reason=str(reasons[0].get("text", "")) if reasons else "",
        status=status,
        sent_on=parse_date(require(data, "authoredOn", path), f"{path}.authoredOn"),
        answered_on=opt_date(ext_value(data, systems.EXT_ANSWERED, "valueDate", path), path),
        completed_on=opt_date(ext_value(data, systems.EXT_COMPLETED, "valueDate", path), path),
        reject_reason=str(ext_value(data, systems.EXT_REJECT_REASON, "valueString", path) or ""),
        version=version_of(data),
    )


# ---------------------------------------------------------------------------------------------- handover

TASK_STATUS = {
    HandoverStatus.SENT: "requested",
    HandoverStatus.RECEIVED: "accepted",
    HandoverStatus.PATIENT_CONTACTED: "in-progress",
    HandoverStatus.COMPLETED: "completed",
    HandoverStatus.REJECTED: "rejected",
}
CONTENT_FIELDS = {
    "needs": "Behov",
    "wishes": "Patientens önskemål",
    "plan_summary": "Sammanfattning av planen",
    "ongoing_actions": "Pågående insatser",
    "disease": "Sjukdom",  # issue 12 item 9: the handover carries the disease and the treatment
    "treatment": "Behandling",
}


def business_status(status: HandoverStatus) -> Json:
    return concept(systems.CS_HANDOVER_STATUS, status.value, status.label_sv)


def handover_status_of(data: Json, path: str = "Task") -> HandoverStatus:
    code = code_in(data.get("businessStatus"), systems.CS_HANDOVER_STATUS, f"{path}.businessStatus")
    status = parse_enum(HandoverStatus, code, f"{path}.businessStatus")
    if TASK_STATUS[status] != data.get("status"):
        raise MappingError(
            f"{path}.status",
            f"{data.get('status')!r} does not agree with businessStatus {status.value} "
            f"(expected {TASK_STATUS[status]})",
        )
    return status


def task_json(handover: Handover) -> Json:
    h = handover
    dates = complex_ext(
        systems.EXT_HANDOVER_DATES,
        sub("received", valueDate=iso(h.received_on)),
        sub("patientContacted", valueDate=iso(h.patient_contacted_on)),
        sub("completed", valueDate=iso(h.completed_on)),
        sub("rejected", valueDate=iso(h.rejected_on)),
    )
    informed = complex_ext(
        systems.EXT_PATIENT_INFORMED,
        sub("informed", valueBoolean=h.patient_informed),
        sub("on", valueDate=iso(h.patient_informed_on)),
    )
    extensions = [
        _unit_ext(systems.EXT_FROM_UNIT, h.from_unit_hsa_id),
        _unit_ext(systems.EXT_TO_UNIT, h.to_unit_hsa_id),
        ext(
            systems.EXT_FROM_PROFESSION,
            valueCoding=coding(
                systems.CS_PROFESSION, h.from_profession.value, profession_label(h.from_profession)
            ),
        )
        if h.from_profession
        else None,
        dates if dates["extension"] else None,
        informed,
    ]
    inputs = [
        {"type": concept(systems.CS_HANDOVER_INPUT, key, label), "valueString": getattr(h.content, key)}
        for key, label in CONTENT_FIELDS.items()
        if getattr(h.content, key)
    ]
    end = h.completed_on or h.rejected_on
    data = {
        "resourceType": "Task",
        "id": h.id,
        "meta": meta_version(h.version),
        "extension": [e for e in extensions if e],
        "status": TASK_STATUS[h.status],
        "statusReason": {"text": h.reject_reason} if h.reject_reason else None,
        "businessStatus": business_status(h.status),
        "intent": "order",
        "code": {"text": "Aktiv överlämning"},
        "description": "Aktiv överlämning av cancerrehabilitering",
        "focus": ref("EpisodeOfCare", h.pathway_id),
        "for": ref("Patient", h.patient_id),
        "authoredOn": iso(h.sent_on),
        "executionPeriod": clean({"start": iso(h.sent_on), "end": iso(end)}),
        "requester": ref("PractitionerRole", h.from_staff_id),
        "performerType": [profession_concept(h.to_profession)] if h.to_profession else None,
        "owner": ref("PractitionerRole", h.to_staff_id)
        if h.to_staff_id
        else ref("Organization", h.to_unit_hsa_id),
        "input": inputs,
    }
    return clean(data)


def task_to_fhir(handover: Handover) -> Task:
    model: Task = to_model(task_json(handover))  # type: ignore[assignment]
    return model


def handover_from_fhir(resource: Any) -> Handover:
    data = as_json(resource)
    expect_type(data, "Task")
    path = "Task"
    status = handover_status_of(data, path)
    content: dict[str, str] = {}
    for i, item in enumerate(data.get("input", []) or []):
        key = code_in(item.get("type"), systems.CS_HANDOVER_INPUT, f"{path}.input[{i}].type")
        if key not in CONTENT_FIELDS:
            raise MappingError(f"{path}.input[{i}].type", f"unknown handover content {key!r}")
        if "valueString" not in item:
            raise MappingError(f"{path}.input[{i}]", "expected valueString")
        content[str(key)] = str(item["valueString"])
    dates: dict[str, list[Any]] = {}
    found = ext_one(data, systems.EXT_HANDOVER_DATES, path)
    if found is not None:
        dates = _sub_values(found)
    dp = f"{path}.extension('handover-dates')"
    informed_parts: dict[str, list[Any]] = {}
    informed = ext_one(data, systems.EXT_PATIENT_INFORMED, path)
    if informed is not None:
        informed_parts = _sub_values(informed)
    ip = f"{path}.extension('patient-informed')"
    from_prof = ext_value(data, systems.EXT_FROM_PROFESSION, "valueCoding", path)
    owner = data.get("owner")
    to_staff = None
    to_unit = _unit_of(data, systems.EXT_TO_UNIT, "to-unit", path, required=False)
    if owner is not None:
        owner_type = str(owner.get("reference", "")).split("/")[0]
        if owner_type == "PractitionerRole":
            to_staff = ref_id(owner, "PractitionerRole", f"{path}.owner")
        else:
            owner_unit = ref_id(owner, "Organization", f"{path}.owner")
            if to_unit is not None and owner_unit != to_unit:
                raise MappingError(f"{path}.owner", "owner and extension('to-unit') name different units")
            to_unit = owner_unit
    if to_unit is None:
        raise MappingError(f"{path}.extension('to-unit')", "the receiving unit is required")
    performer_types = data.get("performerType") or []
    return Handover(
        id=resource_id(data),
        patient_id=ref_id(data.get("for"), "Patient", f"{path}.for"),
        pathway_id=ref_id(data.get("focus"), "EpisodeOfCare", f"{path}.focus"),
        from_unit_hsa_id=str(_unit_of(data, systems.EXT_FROM_UNIT, "from-unit", path)),
        to_unit_hsa_id=to_unit,
        from_staff_id=ref_id(data.get("requester"), "PractitionerRole", f"{path}.requester"),
        from_profession=parse_enum(Profession, from_prof.get("code"), f"{path}.extension('from-profession')")
        if from_prof
        else None,
        to_profession=parse_profession(performer_types[0], f"{path}.performerType[0]")
        if performer_types
        else None,
        to_staff_id=to_staff,
        content=HandoverContent(**content),
        status=status,
        sent_on=parse_date(require(data, "authoredOn", path), f"{path}.authoredOn"),
        received_on=opt_date(_one(dates, "received", dp), dp),
        patient_contacted_on=opt_date(_one(dates, "patientContacted", dp), dp),
        completed_on=opt_date(_one(dates, "completed", dp), dp),
        rejected_on=opt_date(_one(dates, "rejected", dp), dp),
        reject_reason=str((data.get("statusReason") or {}).get("text", "")),
        patient_informed=bool(_one(informed_parts, "informed", ip)),
        patient_informed_on=opt_date(_one(informed_parts, "on", ip), ip),
        version=version_of(data),
    )
