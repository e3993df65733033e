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
    concept,
    expect_type,
    ext,
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


def staff_hsa_ids(data: Json) -> tuple[str, str | None]:
    """A PractitionerRole's (person, assignment) HSA-ids: the person's from ``practitioner.identifier``, the
    role's own identifier the assignment (medarbetaruppdrag). A role that names only one HSA-id, on itself
    (canrehab's earlier form), names the person."""
    practitioner = data.get("practitioner") or {}
    given = practitioner.get("identifier") if isinstance(practitioner, dict) else None
    person = hsa_id_of({"identifier": [given]}) if isinstance(given, dict) else None
    own = hsa_id_of(data)
    if person is None:
        if own is None:
            raise MappingError(
                "PractitionerRole.practitioner.identifier",
                f"no HSA-id of the person (system {systems.HSA_ID})",
            )
        return own, None
    if own == person:
        raise MappingError(
            "PractitionerRole.identifier",
            "the role's HSA-id is the assignment (medarbetaruppdrag), not the person's HSA-id",
        )
    return person, own


def _hsa_of(data: Json, path: str) -> str:
    found = hsa_id_of(data)
    if found is None:
        raise MappingError(f"{path}.identifier", f"no HSA-id (system {systems.HSA_ID})")
    return found


def _county_address(code: str | None, *, person: bool) -> list[Json] | None:
    """The county as HL7 Sweden's base profiles carry a place: ``address.state`` (the SCB län code), country
    SE; a person's is their folkbokföringsadress (SEBaseAddressPersonExtension, SNOMED CT 63381000052101)."""
    if not code:
        return None
    address: Json = {"state": code, "country": "SE"}
    if person:
        address = {"extension": [FOLKBOKFORING], **address}
    return [address]


FOLKBOKFORING: Json = ext(
    systems.EXT_SE_OFFICIAL_ADDRESS,
    valueCodeableConcept=concept(systems.SNOMED_CT, systems.SCT_FOLKBOKFORINGSADRESS, "folkbokföringsadress"),
)
ADDRESS_KEPT = frozenset({"state", "country", "extension", "use", "type"})


def _county_of(data: Json, path: str) -> str | None:
    """The county from ``address.state`` (one address, nothing but the county kept: any other part is
    refused, naming it). canrehab's earlier private county extension is no longer read (refused as not
    kept)."""
    addresses = data.get("address") or []
    if len(addresses) > 1:
        raise MappingError(f"{path}.address", "canrehab keeps one address: the county (address.state)")
    if addresses:
        address = addresses[0]
        unkept = sorted(k for k in address if k not in ADDRESS_KEPT)
        if unkept:
            where = ", ".join(f"{path}.address.{k}" for k in unkept)
            raise MappingError(f"{path}.address", f"{where}: not kept by canrehab (only state, the county)")
        if address.get("country") not in (None, "SE", "SWE", "Sverige"):
            raise MappingError(f"{path}.address.country", "canrehab keeps Swedish counties only (SE)")
        state = address.get("state")
        if state is not None:
            if not is_county_code(str(state)):
                raise MappingError(
                    f"{path}.address.state", f"expected an SCB county (län) code, got {state!r}"
                )
            return str(state)
    return None


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
        "identifier": [
            {"type": concept(systems.V2_0203, "NI"), "system": system, "value": patient.personnummer},
            *([{"system": systems.PSEUDONYM, "value": patient.pseudonym}] if patient.pseudonym else []),
        ],
        "name": [split_name(patient.name)] if patient.name else None,
        "gender": GENDER[patient.sex],
        "birthDate": iso(patient.birth_date),
        "deceasedDateTime": iso(patient.deceased_on),
        "address": _county_address(patient.county_code, person=True),
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
        "identifier": [_hsa_identifier(unit.hsa_id)],
        "active": True,
        "type": [concept(systems.CS_CARE_LEVEL, unit.level.value, unit.level.label_sv)],
        "name": unit.name,
        "address": _county_address(unit.county_code, person=False),
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
        raise MappingError("Organization.address.state", "the county (SCB län code) is required")
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
    """The staff member's role at the unit; ``id`` is the staff id (the Practitioner has the same id). As in
    SEBasePractitionerRole, the role's HSA-id is the assignment (medarbetaruppdrag), when canrehab knows it;
    the person's HSA-id is the Practitioner's, also given in ``practitioner.identifier``."""
    practitioner = {
        **ref("Practitioner", staff.id, staff.name or None),
        "identifier": _hsa_identifier(staff.hsa_id),
    }
    data = {
        "resourceType": "PractitionerRole",
        "id": staff.id,
        "identifier": [_hsa_identifier(staff.assignment_hsa_id)] if staff.assignment_hsa_id else None,
        "active": True,
        "practitioner": practitioner,
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
    person, assignment = staff_hsa_ids(data)
    return Staff(
        id=resource_id(data),
        hsa_id=person,
        assignment_hsa_id=assignment,
        name=str(practitioner.get("display", "")),
        profession=parse_profession(codes[0], "PractitionerRole.code[0]"),
        unit_hsa_id=ref_id(data.get("organization"), "Organization", "PractitionerRole.organization"),
    )
