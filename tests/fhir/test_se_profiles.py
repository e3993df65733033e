"""HL7 Sweden's basic profiles as canrehab carries them (issue 15 item 6): the county as ``address.state``
(SEBasePatient, SEBaseOrganization), the person's and the assignment's HSA-ids apart (SEBasePractitioner,
SEBasePractitionerRole: medarbetaruppdrag), one canonical base -- in the mapping and against the app."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from canrehab.domain.model import Profession, Staff
from canrehab.fhir import mapping as m
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import MappingError, as_json
from tests.fhir.harness import ONK, Fhir
from tests.fhir.test_api import locations, outcome

PERSON, ASSIGNMENT = "SE2321000016-P7001", "SE2321000016-U7001"


def _hsa(value: str) -> dict[str, Any]:
    return {"system": systems.HSA_ID, "value": value}


def test_the_role_carries_the_assignment_and_the_practitioner_the_person() -> None:
    staff = Staff(
        id="s1",
        hsa_id=PERSON,
        assignment_hsa_id=ASSIGNMENT,
        name="Anna Berg",
        profession=Profession.CONTACT_NURSE,
        unit_hsa_id=ONK,
    )
    role = as_json(m.practitioner_role_to_fhir(staff))
    assert [i["value"] for i in role["identifier"]] == [ASSIGNMENT]
    assert role["practitioner"]["identifier"]["value"] == PERSON
    assert [i["value"] for i in as_json(m.practitioner_to_fhir(staff))["identifier"]] == [PERSON]
    assert m.staff_from_fhir(role) == staff
    unknown = staff.model_copy(update={"assignment_hsa_id": None})
    role = as_json(m.practitioner_role_to_fhir(unknown))
    assert "identifier" not in role and m.staff_from_fhir(role) == unknown
    # canrehab's earlier form: one HSA-id, on the role, is the person's
    old = {**role, "identifier": [_hsa(PERSON)], "practitioner": {"reference": "Practitioner/s1"}}
    assert m.staff_from_fhir(old).hsa_id == PERSON and m.staff_from_fhir(old).assignment_hsa_id is None
    same = {**role, "identifier": [_hsa(PERSON)], "practitioner": {"identifier": _hsa(PERSON)}}
    with pytest.raises(MappingError, match="assignment"):
        m.staff_from_fhir(same)


def test_the_county_is_address_state() -> None:
    unit = m.organization_from_fhir(
        {
            "resourceType": "Organization",
            "identifier": [_hsa("SE2321000016-X1")],
            "name": "Enheten",
            "address": [{"state": "12", "country": "SE"}],
        }
    )
    assert unit.county_code == "12"
    served = as_json(m.organization_to_fhir(unit))
    assert served["address"] == [{"state": "12", "country": "SE"}] and "extension" not in served
    for bad, where in (
        ([{"state": "99"}], "address.state"),
        ([{"state": "12", "city": "Malmö"}], "address.city"),
        ([{"state": "12"}, {"state": "01"}], "one address"),
    ):
        data = {"resourceType": "Organization", "identifier": [_hsa("X")], "name": "E", "address": bad}
        with pytest.raises(MappingError, match=where.replace(".", r"\.")):
            m.organization_from_fhir(data)


def test_the_app_serves_the_profiles_way_and_reads_it_back(
    client: TestClient, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    patient = admin.get(f"Patient/{ids['Patient']}").json()
    (address,) = patient["address"]
    assert address["state"] == "01" and address["country"] == "SE"
    (official,) = address["extension"]
    assert official["url"] == "http://hl7.se/fhir/ig/base/StructureDefinition/SEBaseAddressPersonExtension"
    assert official["valueCodeableConcept"]["coding"][0]["code"] == "63381000052101"
    assert "extension" not in patient  # no private county extension
    # the private county extension is refused, not silently read or dropped
    legacy = {
        **{k: v for k, v in patient.items() if k != "address"},
        "extension": [{"url": f"{systems.CANREHAB_BASE}/StructureDefinition/county", "valueCode": "01"}],
    }
    outcome(admin.put(f"Patient/{ids['Patient']}", legacy), 422)
    # the example's contact nurse: person and assignment apart, both read back after the import
    role = admin.get(f"PractitionerRole/{ids['PractitionerRole']}").json()
    practitioner = admin.get(f"Practitioner/{ids['PractitionerRole']}").json()
    assert [i["value"] for i in role["identifier"]] == ["SE2321000016-U0001"]
    assert role["practitioner"]["identifier"]["value"] == practitioner["identifier"][0]["value"]
    assert practitioner["identifier"][0]["value"] == "SE2321000016-P0001"
    # a new staff member with both ids, created through the API
    new = {
        "resourceType": "PractitionerRole",
        "identifier": [{**_hsa(ASSIGNMENT), "type": role["identifier"][0]["type"]}],
        "practitioner": {"identifier": _hsa(PERSON), "display": "Anna Berg"},
        "organization": {"reference": f"Organization/{ONK}"},
        "code": role["code"],
    }
    created = admin.post("PractitionerRole", new)
    assert created.status_code == 201, created.text
    back = admin.get(f"PractitionerRole/{created.json()['id']}").json()
    assert back["identifier"][0]["value"] == ASSIGNMENT
    assert back["practitioner"]["identifier"]["value"] == PERSON


def test_one_canonical_base(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    answer = admin.get(f"QuestionnaireResponse/{ids['QuestionnaireResponse']}").json()
    url, _, version = answer["questionnaire"].partition("|")
    questionnaire = admin.get(f"Questionnaire/{url.rsplit('/', 1)[-1]}").json()
    assert questionnaire["url"] == url and questionnaire["version"] == version
    assert url.startswith(f"{systems.CANREHAB_BASE}/Questionnaire/")
    text = client.get("/fhir/StructureDefinition").text + str(questionnaire) + str(answer)
    assert "canrehab.se/" not in text
