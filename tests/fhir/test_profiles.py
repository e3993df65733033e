"""canrehab's profile set: served at /fhir/StructureDefinition, derived from HL7 Sweden's basic profiles,
named in the CapabilityStatement; what the API serves meets them (tests/fhir/r4schema.profile_errors)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from canrehab.fhir import systems
from canrehab.fhir.profiles import SE_BASE
from tests.fhir.harness import Fhir
from tests.fhir.r4schema import profile_errors
from tests.fhir.test_api import locations, outcome


def test_profiles_are_served_and_derived_from_the_swedish_base(client: TestClient) -> None:
    bundle = client.get("/fhir/StructureDefinition").json()
    by_type = {e["resource"]["type"]: e["resource"] for e in bundle["entry"]}
    assert by_type["Patient"]["baseDefinition"] == f"{SE_BASE}/SEBasePatient"
    assert by_type["Organization"]["baseDefinition"] == f"{SE_BASE}/SEBaseOrganization"
    assert by_type["PractitionerRole"]["baseDefinition"] == f"{SE_BASE}/SEBasePractitionerRole"
    assert by_type["Practitioner"]["baseDefinition"] == f"{SE_BASE}/SEBasePractitioner"
    assert by_type["Procedure"]["baseDefinition"] == "http://hl7.org/fhir/StructureDefinition/Procedure"
    for sd in by_type.values():
        assert sd["url"] == f"{systems.CANREHAB_BASE}/StructureDefinition/{sd['id']}"
        assert client.get(f"/fhir/StructureDefinition/{sd['id']}").json() == sd
    one = client.get("/fhir/StructureDefinition", params={"type": "Patient"}).json()
    assert [e["resource"]["type"] for e in one["entry"]] == ["Patient"]
    outcome(client.get("/fhir/StructureDefinition/nothing"), 404)
    outcome(client.get("/fhir/StructureDefinition", params={"kind": "resource"}), 400)


def test_capability_names_each_types_profile(client: TestClient) -> None:
    statement = client.get("/fhir/metadata").json()
    served = {e["resource"]["url"] for e in client.get("/fhir/StructureDefinition").json()["entry"]}
    for resource in statement["rest"][0]["resource"]:
        # Group: only its $export; the conformance resources have no profile of their own
        if resource["type"] not in ("StructureDefinition", "CodeSystem", "Group"):
            assert resource["profile"] in served, resource["type"]


def test_served_resources_meet_their_profiles(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    admin = Fhir(client, "admin")
    for rtype, rid in ids.items():
        resource = admin.get(f"{rtype}/{rid}").json()
        assert profile_errors(resource) == [], rtype
    assert profile_errors({"resourceType": "Procedure", "status": "completed"})  # no subject, no code
