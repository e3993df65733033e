"""KvaRecord -> Procedure: KVÅ code, performer (PractitionerRole, function = KVÅ profession add-on code, on
behalf of the unit), performedDateTime; care type, source and recording time as canrehab extensions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fhir.resources.R4B.procedure import Procedure

from canrehab.domain.model import CareType, KvaRecord
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import (
    Json,
    MappingError,
    as_json,
    clean,
    code_in,
    coding,
    concept,
    expect_type,
    ext,
    ext_value,
    iso,
    iso_datetime,
    parse_date,
    parse_datetime,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    to_model,
)
from canrehab.fhir.mapping.workflow import _unit_of


@lru_cache(maxsize=1024)
def kva_text(code: str) -> str | None:
    """The code's Swedish text (the catalog is static data: cached)."""
    from canrehab.codes.catalog import load_kva

    found = load_kva().get(code)
    return found.text_sv if found else None


def procedure_json(record: KvaRecord) -> Json:
    r = record
    performer = {
        "function": concept(systems.KVA, r.profession_code, kva_text(r.profession_code))
        if r.profession_code
        else None,
        "actor": ref("PractitionerRole", r.performer_id)
        if r.performer_id
        else ref("Organization", r.unit_hsa_id),
        "onBehalfOf": ref("Organization", r.unit_hsa_id) if r.performer_id else None,
    }
    extensions = [
        ext(systems.EXT_PATHWAY, valueReference=ref("EpisodeOfCare", r.pathway_id)),
        ext(systems.EXT_CARE_UNIT, valueReference=ref("Organization", r.unit_hsa_id)),
        ext(
            systems.EXT_CARE_TYPE,
            valueCoding=coding(systems.CS_CARE_TYPE, r.care_type.value, r.care_type.label_sv),
        ),
        ext(systems.EXT_SOURCE, valueString=r.source) if r.source else None,
        ext(systems.EXT_RECORDED_AT, valueDateTime=iso_datetime(r.recorded_at)) if r.recorded_at else None,
    ]
    data = {
        "resourceType": "Procedure",
        "id": r.id,
        "extension": [e for e in extensions if e],
        "status": "completed",
        "code": concept(systems.KVA, r.code, kva_text(r.code)),
        "subject": ref("Patient", r.patient_id),
        "performedDateTime": iso(r.performed_on),
        "performer": [clean(performer)],
    }
    return clean(data)


def procedure_to_fhir(record: KvaRecord) -> Procedure:
    model: Procedure = to_model(procedure_json(record))  # type: ignore[assignment]
    return model


def kva_record_from_fhir(resource: Any) -> KvaRecord:
    data = as_json(resource)
    expect_type(data, "Procedure")
    path = "Procedure"
    code = code_in(data.get("code"), systems.KVA, f"{path}.code")
    performers = data.get("performer") or []
    if len(performers) > 1:
        raise MappingError(f"{path}.performer", "at most one performer")
    performer_id = None
    profession_code = None
    unit = _unit_of(data, systems.EXT_CARE_UNIT, "care-unit", path, required=False)
    if performers:
        perf = performers[0]
        actor_type = str((perf.get("actor") or {}).get("reference", "")).split("/")[0]
        if actor_type == "PractitionerRole":
            performer_id = ref_id(perf["actor"], "PractitionerRole", f"{path}.performer[0].actor")
            if perf.get("onBehalfOf"):
                unit = unit or ref_id(perf["onBehalfOf"], "Organization", f"{path}.performer[0].onBehalfOf")
        else:
            unit = unit or ref_id(perf.get("actor"), "Organization", f"{path}.performer[0].actor")
        profession_code = code_in(
            perf.get("function"), systems.KVA, f"{path}.performer[0].function", required=False
        )
    if unit is None:
        raise MappingError(f"{path}.extension('care-unit')", "the care unit is required")
    care_type = ext_value(data, systems.EXT_CARE_TYPE, "valueCoding", path)
    recorded = ext_value(data, systems.EXT_RECORDED_AT, "valueDateTime", path)
    pathway = ext_value(data, systems.EXT_PATHWAY, "valueReference", path)
    if pathway is None:
        raise MappingError(f"{path}.extension('pathway')", "the pathway (EpisodeOfCare) is required")
    if data.get("status") != "completed":
        raise MappingError(f"{path}.status", "a KVÅ record is a completed procedure")
    return KvaRecord(
        id=resource_id(data),
        patient_id=ref_id(data.get("subject"), "Patient", f"{path}.subject"),
        pathway_id=ref_id(pathway, "EpisodeOfCare", f"{path}.extension('pathway')"),
        code=str(code),
        performed_on=parse_date(require(data, "performedDateTime", path), f"{path}.performedDateTime"),
        unit_hsa_id=unit,
        performer_id=performer_id,
        profession_code=profession_code,
        care_type=parse_enum(CareType, care_type.get("code"), f"{path}.extension('care-type')")
        if care_type
        else CareType.OUTPATIENT,
        source=str(ext_value(data, systems.EXT_SOURCE, "valueString", path) or ""),
        recorded_at=parse_datetime(recorded, f"{path}.extension('recorded-at')") if recorded else None,
    )
