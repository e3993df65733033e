"""One table says which elements of each resource type canrehab keeps; everything else is refused unless it is
what canrehab itself serves for the record."""

from __future__ import annotations

from typing import Any

import pytest

from canrehab.fhir.mapping.kept import unkept_elements

SERVED_TASK = {"resourceType": "Task", "description": "Aktiv överlämning", "intent": "order"}
UNIT = "https://canrehab.example/fhir/StructureDefinition/care-unit"


@pytest.mark.parametrize(
    ("sent", "unkept"),
    [
        ({"resourceType": "Task", "status": "accepted"}, []),  # read by the mapping: whatever the value
        ({"resourceType": "Task", "description": "Aktiv överlämning"}, []),  # derived, sent back as served
        ({"resourceType": "Task", "description": "Ring först"}, ["Task.description"]),
        ({"resourceType": "Task", "note": [{"text": "x"}]}, ["Task.note"]),
        ({"resourceType": "Task", "meta": {"versionId": "3"}, "text": {"div": "<div/>"}}, []),  # never data
        ({"resourceType": "Procedure", "bodySite": [{"text": "x"}]}, ["Procedure.bodySite"]),
        (
            {"resourceType": "Procedure", "note": [{"text": "x"}], "outcome": {"text": "y"}},
            ["Procedure.note", "Procedure.outcome"],
        ),
        ({"resourceType": "Procedure", "extension": [{"url": UNIT}]}, []),
        (
            {"resourceType": "Procedure", "extension": [{"url": "urn:x:local"}]},
            ["Procedure.extension('urn:x:local')"],
        ),
    ],
)
def test_an_element_is_kept_when_the_mapping_reads_it_or_it_is_as_served(
    sent: dict[str, Any], unkept: list[str]
) -> None:
    served = SERVED_TASK if sent["resourceType"] == "Task" else {"extension": [{"url": UNIT}]}
    assert unkept_elements(sent, served) == unkept


@pytest.mark.parametrize(
    ("sent", "unkept"),
    [
        # inside an element the mapping reads, a part canrehab does not serve is not kept
        (
            {"resourceType": "Procedure", "code": {"coding": [{"code": "AW020"}], "text": "x"}},
            ["Procedure.code.text"],
        ),
        ({"resourceType": "Procedure", "code": {"coding": [{"code": "AW020", "display": "Upprättad"}]}}, []),
        (
            {
                "resourceType": "Procedure",
                "code": {"coding": [{"code": "AW020"}, {"system": "s", "code": "1"}]},
            },
            ["Procedure.code.coding[1]"],  # canrehab serves one coding: a second one would be dropped
        ),
        (
            {
                "resourceType": "Procedure",
                "subject": {"reference": "Patient/p", "identifier": {"value": "1"}},
            },
            ["Procedure.subject.identifier"],
        ),
        (
            {
                "resourceType": "Procedure",
                "extension": [{"url": UNIT, "valueReference": {"reference": "x"}, "id": "a"}],
            },
            ["Procedure.extension[0].id"],
        ),
    ],
)
def test_a_part_of_a_read_element_that_is_not_served_is_not_kept(
    sent: dict[str, Any], unkept: list[str]
) -> None:
    served = {
        "code": {
            "coding": [{"system": "urn:oid:1.2.752.116.1.3.2.1.4", "code": "AW020", "display": "Upprättad"}]
        },
        "subject": {"reference": "Patient/p"},
        "extension": [{"url": UNIT, "valueReference": {"reference": "Organization/x"}}],
    }
    assert unkept_elements(sent, served) == unkept


# ---------------------------------------------------------------------------------------------- the API

UNKEPT: dict[str, tuple[str, Any]] = {
    "Patient": ("telecom", [{"system": "phone", "value": "070-1234567"}]),
    "Organization": ("telecom", [{"system": "phone", "value": "010-1234567"}]),
    "PractitionerRole": ("telecom", [{"system": "email", "value": "karin@example.org"}]),
    "EpisodeOfCare": ("type", [{"text": "cancerrehabilitering"}]),
    "QuestionnaireResponse": ("partOf", [{"reference": "Procedure/x"}]),
    "CarePlan": ("note", [{"text": "ring först"}]),
    "ServiceRequest": ("note", [{"text": "ring först"}]),
    "Task": ("note", [{"text": "ring först"}]),
    "Procedure": ("note", [{"text": "patienten trött"}]),
    "Condition": ("note", [{"text": "ärftlighet"}]),  # update only: confirms or dismisses a suspicion
}


def _stored(client: Any, admin: Any, rtype: str, rid: str) -> dict[str, Any]:
    resource: dict[str, Any] = admin.get(f"{rtype}/{rid}").json()
    return resource


def test_every_writable_type_refuses_an_element_it_does_not_keep(
    client: Any, imported: dict[str, Any]
) -> None:
    from tests.fhir.harness import Fhir
    from tests.fhir.test_api import locations, outcome

    ids = locations(imported)
    admin = Fhir(client, "admin")
    statement = client.get("/fhir/metadata").json()
    writable = {
        r["type"]
        for r in statement["rest"][0]["resource"]
        if {"create", "update"} & {i["code"] for i in r.get("interaction", [])}
    }
    assert writable == set(UNKEPT)
    ids["Condition"] = ids["EpisodeOfCare"] + "-dx"
    for rtype, (element, value) in UNKEPT.items():
        if rtype == "Condition":  # a view of the pathway: updated, never created; nothing written
            stored = _stored(client, admin, rtype, ids[rtype])
            episode_before = admin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}").json()["meta"]
            body = outcome(admin.put(f"Condition/{ids[rtype]}", {**stored, element: value}), 422)
            assert body["issue"][0]["expression"] == [f"Condition.{element}"]
            episode_after = admin.get(f"EpisodeOfCare/{ids['EpisodeOfCare']}").json()["meta"]
            assert episode_after["versionId"] == episode_before["versionId"]
            continue
        stored = _stored(client, admin, rtype, ids[rtype])
        versioned = rtype in (
            "Patient",
            "EpisodeOfCare",
            "QuestionnaireResponse",
            "CarePlan",
            "ServiceRequest",
            "Task",
        )
        before = admin.get(f"{rtype}/{ids[rtype]}/_history").json()["total"] if versioned else 0
        new = {k: v for k, v in stored.items() if k not in ("id", "meta")}
        if rtype == "EpisodeOfCare":  # a new episode carries its diagnosis as a contained Condition
            condition = admin.get(f"Condition/{ids[rtype]}-dx").json()
            condition = {k: v for k, v in condition.items() if k not in ("id", "meta")}
            new["contained"] = [{**condition, "id": "dx"}]
            new["diagnosis"] = [{**new["diagnosis"][0], "condition": {"reference": "#dx"}}]
        body = outcome(admin.post(rtype, {**new, element: value}), 422)
        assert f"{rtype}.{element}" in body["issue"][0]["diagnostics"], (rtype, body)
        assert body["issue"][0]["expression"] == [f"{rtype}.{element}"]
        if versioned:
            outcome(admin.put(f"{rtype}/{ids[rtype]}", {**stored, element: value}), 422)
            after = admin.get(f"{rtype}/{ids[rtype]}/_history").json()["total"]
            assert after == before, rtype  # nothing written
    # nothing of the refused creates was stored
    assert admin.get("Procedure", patient=ids["Patient"]).json()["total"] == 3


def test_a_nested_element_the_mapping_skips_is_refused(client: Any, imported: dict[str, Any]) -> None:
    from tests.fhir.harness import Fhir
    from tests.fhir.test_api import locations, outcome

    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = karin.get(f"Procedure/{ids['Procedure']}").json()
    new = {k: v for k, v in procedure.items() if k not in ("id", "meta")}
    body = outcome(
        karin.post("Procedure", {**new, "code": {**new["code"], "text": "Rehabplan upprättad"}}), 422
    )
    assert body["issue"][0]["expression"] == ["Procedure.code.text"]
    second = {
        **new["code"],
        "coding": [*new["code"]["coding"], {"system": "http://snomed.info/sct", "code": "1"}],
    }
    body = outcome(karin.post("Procedure", {**new, "code": second}), 422)
    assert body["issue"][0]["expression"] == ["Procedure.code.coding[1]"]
    patient = karin.get(f"Patient/{ids['Patient']}").json()
    moved = {**patient, "address": [{**patient["address"][0], "city": "Uppsala"}]}
    body = outcome(karin.put(f"Patient/{ids['Patient']}", moved), 422)
    assert "Patient.address.city" in body["issue"][0]["diagnostics"]
    # as served (display texts and all), a resource is accepted
    assert karin.post("Procedure", new).status_code == 201
