"""Patient, CareUnit -> Organization, Staff -> PractitionerRole (+ Practitioner)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from canrehab.codes.geography import is_county_code
from canrehab.domain.errors import DomainError
from canrehab.domain.identity import PersonId, parse_personnummer
from canrehab.domain.model import CareLevel, CareUnit, Patient, Sex, Staff
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
    meta_version,
    opt_date,
    parse_date,
    parse_enum,
    ref,
    ref_id,
    require,
    resource_id,
    to_model,
    version_of,
)
from canrehab.fhir.mapping.vocab import parse_profession, profession_concept

GENDER = {Sex.MALE: "male", Sex.FEMALE: "female"}


def _hsa_identifier(hsa_id: str) -> Json:
    return {"type": concept(systems.V2_0203, "PRN"), "system": systems.HSA_ID, "value": hsa_id}


def hsa_id_of(data: Json) -> str | None:
    """The HSA-id among a resource's identifiers, or None."""
    for ident in data.get("identifier", []) or []:
        if isinstance(ident, dict) and ident.get("system") in systems.HSA_ID_SYSTEMS and ident.get("value"):
            return str(ident["value"])
    return None


def _hsa_of(data: Json, path: str) -> str:
    found = hsa_id_of(data)
    if found is None:
        raise MappingError(f"{path}.identifier", f"no HSA-id (system {systems.HSA_ID})")
    return found


def _county_ext(code: str | None) -> Json | None:
    return ext(systems.EXT_COUNTY, valueCoding=coding(systems.CS_COUNTY, code)) if code else None


def _county_of(data: Json, path: str) -> str | None:
    value = ext_value(data, systems.EXT_COUNTY, "valueCoding", path)
    if value is None:
        return None
    if value.get("system") != systems.CS_COUNTY or not value.get("code"):
        raise MappingError(f"{path}.extension('county')", f"expected a code of {systems.CS_COUNTY}")
    if not is_county_code(str(value["code"])):
        raise MappingError(f"{path}.extension('county')", f"unknown county (SCB län) code {value['code']!r}")
    return str(value["code"])


# ---------------------------------------------------------------------------------------------- Patient


def split_name(name: str) -> Json:
    parts = name.split()
    out: Json = {"use": "official", "text": name}
    if parts:
        out["family"] = parts[-1]
        if len(parts) > 1:
            out["given"] = parts[:-1]
    return out


def patient_json(patient: Patient, *, pseudonymised: bool = False) -> Json:
    """The patient (``patient_to_fhir`` validates it). ``pseudonymised``: the only identifier is the
    analytical pseudonym, no name, birth year only, no county of residence (for analytics export to callers
    who may not see identities)."""
    if pseudonymised:
        data: Json = {
            "resourceType": "Patient",
            "id": patient.pseudonym,
            "identifier": [{"system": systems.PSEUDONYM, "value": patient.pseudonym}],
            "gender": GENDER[patient.sex],
            "birthDate": str(patient.birth_date.year),
            "deceasedBoolean": patient.deceased_on is not None or None,
        }
        return clean(data)
    system = systems.SAMORDNINGSNUMMER if patient.is_coordination_number else systems.PERSONNUMMER
    data = {
        "resourceType": "Patient",
        "id": patient.id,
        "meta": meta_version(patient.version),
        "extension": [e for e in [_county_ext(patient.county_code)] if e],
        "identifier": [
            {"type": concept(systems.V2_0203, "NI"), "system": system, "value": patient.personnummer},
            *([{"system": systems.PSEUDONYM, "value": patient.pseudonym}] if patient.pseudonym else []),
        ],
        "name": [split_name(patient.name)] if patient.name else None,
        "gender": GENDER[patient.sex],
        "birthDate": iso(patient.birth_date),
        "deceasedDateTime": iso(patient.deceased_on),
    }
    return clean(data)


def patient_to_fhir(patient: Patient, *, pseudonymised: bool = False) -> FhirPatient:
    """The patient, validated. ``pseudonymised``: see ``patient_json``."""
    model: FhirPatient = to_model(patient_json(patient, pseudonymised=pseudonymised))  # type: ignore[assignment]
    return model


def _name_of(data: Json) -> str:
    names = data.get("name") or []
    if not names:
        return ""
    first = names[0]
    if first.get("text"):
        return str(first["text"])
    return " ".join([*first.get("given", []), *([first["family"]] if first.get("family") else [])])


def patient_from_fhir(resource: Any) -> Patient:
    data = as_json(resource)
    expect_type(data, "Patient")
    pnr: str | None = None
    person: PersonId | None = None
    coordination = False
    pseudonym: str | None = None
    for i, ident in enumerate(data.get("identifier", []) or []):
        system, value = ident.get("system"), ident.get("value")
        if system in systems.PERSONNUMMER_SYSTEMS | systems.SAMORDNINGSNUMMER_SYSTEMS:
            if pnr is not None:
                raise MappingError(f"Patient.identifier[{i}]", "more than one personnummer/samordningsnummer")
            if not isinstance(value, str) or not (len(value) == 12 and value.isdigit()):
                raise MappingError(f"Patient.identifier[{i}].value", "expected 12 digits without separator")
            coordination = system in systems.SAMORDNINGSNUMMER_SYSTEMS
            try:
                parsed = parse_personnummer(value)
            except DomainError as exc:
                raise MappingError(f"Patient.identifier[{i}].value", exc.message_en) from exc
            if parsed.is_coordination_number != coordination:
                raise MappingError(
                    f"Patient.identifier[{i}].system",
                    "samordningsnummer (day + 60) and identifier system do not agree",
                )
            pnr = parsed.personnummer
            person = parsed
        elif system == systems.PSEUDONYM and value:
            pseudonym = str(value)
    if pnr is None or person is None:
        raise MappingError("Patient.identifier", "a personnummer or samordningsnummer is required")
    gender = require(data, "gender", "Patient")
    sex = parse_enum(Sex, gender, "Patient.gender")
    birth_date = parse_date(require(data, "birthDate", "Patient"), "Patient.birthDate")
    # The number carries the birth date and the legal sex: a resource that disagrees with it is a mix-up.
    if birth_date != person.birth_date:
        raise MappingError("Patient.birthDate", "does not agree with the personnummer/samordningsnummer")
    if sex != person.sex:
        raise MappingError("Patient.gender", "does not agree with the personnummer/samordningsnummer")
    return Patient(
        id=resource_id(data),
        personnummer=pnr,
        pseudonym=pseudonym or "",
        is_coordination_number=coordination,
        name=_name_of(data),
        sex=sex,
        birth_date=birth_date,
        county_code=_county_of(data, "Patient"),
        deceased_on=opt_date(data.get("deceasedDateTime"), "Patient.deceasedDateTime"),
        version=version_of(data),
    )


# ---------------------------------------------------------------------------------------------- Organization


def organization_json(unit: CareUnit) -> Json:
    data = {
        "resourceType": "Organization",
        "id": unit.hsa_id,
        "extension": [e for e in [_county_ext(unit.county_code)] if e],
        "identifier": [_hsa_identifier(unit.hsa_id)],
        "active": True,
        "type": [concept(systems.CS_CARE_LEVEL, unit.level.value, unit.level.label_sv)],
        "name": unit.name,
    }
    return clean(data)


def organization_to_fhir(unit: CareUnit) -> Organization:
    model: Organization = to_model(organization_json(unit))  # type: ignore[assignment]
    return model


def organization_from_fhir(resource: Any) -> CareUnit:
    data = as_json(resource)
    expect_type(data, "Organization")
    hsa = _hsa_of(data, "Organization")
    level_code = None
    for t in data.get("type", []) or []:
        level_code = level_code or code_in(t, systems.CS_CARE_LEVEL, "Organization.type", required=False)
    county = _county_of(data, "Organization")
    if county is None:
        raise MappingError("Organization.extension('county')", "the county (SCB län code) is required")
    return CareUnit(
        hsa_id=hsa,
        name=str(require(data, "name", "Organization")),
        county_code=county,
        level=parse_enum(CareLevel, level_code, "Organization.type") if level_code else CareLevel.SPECIALISED,
    )


# ---------------------------------------------------------------------------------------------- staff


def practitioner_json(staff: Staff) -> Json:
    data = {
        "resourceType": "Practitioner",
        "id": staff.id,
        "identifier": [_hsa_identifier(staff.hsa_id)],
        "name": [split_name(staff.name)] if staff.name else None,
    }
    return clean(data)


def practitioner_to_fhir(staff: Staff) -> Practitioner:
    model: Practitioner = to_model(practitioner_json(staff))  # type: ignore[assignment]
    return model


def practitioner_role_json(staff: Staff) -> Json:
    """The staff member's role at the unit; ``id`` is the staff id (the Practitioner has the same id)."""
    data = {
        "resourceType": "PractitionerRole",
        "id": staff.id,
        "identifier": [_hsa_identifier(staff.hsa_id)],
        "active": True,
        "practitioner": ref("Practitioner", staff.id, staff.name or None),
        "organization": ref("Organization", staff.unit_hsa_id),
        "code": [profession_concept(staff.profession)],
    }
    return clean(data)


def practitioner_role_to_fhir(staff: Staff) -> PractitionerRole:
    model: PractitionerRole = to_model(practitioner_role_json(staff))  # type: ignore[assignment]
    return model


def staff_from_fhir(resource: Any) -> Staff:
    data = as_json(resource)
    expect_type(data, "PractitionerRole")
    codes = data.get("code") or []
    if not codes:
        raise MappingError("PractitionerRole.code", "the profession is required")
    practitioner = data.get("practitioner") or {}
    return Staff(
        id=resource_id(data),
        hsa_id=_hsa_of(data, "PractitionerRole"),
        name=str(practitioner.get("display", "")),
        profession=parse_profession(codes[0], "PractitionerRole.code[0]"),
        unit_hsa_id=ref_id(data.get("organization"), "Organization", "PractitionerRole.organization"),
    )
