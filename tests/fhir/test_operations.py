"""batch Bundles beside transaction, ``$validate`` and ``Patient/$everything`` against the running app."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir
from tests.fhir.test_api import locations, outcome


def test_batch_answers_each_entry_on_its_own(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    patient = karin.get(f"Patient/{pid}").json()
    patient["name"] = [{"use": "official", "text": "Tolvan Tolvansson Ek"}]
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "GET", "url": f"Patient/{pid}"}},
            {"request": {"method": "GET", "url": f"Procedure?patient={pid}&_sort=date"}},
            {"request": {"method": "GET", "url": "Patient/nobody"}},
            {"request": {"method": "GET", "url": f"Procedure?patient={pid}&colour=blue"}},
            {"resource": patient, "request": {"method": "PUT", "url": f"Patient/{pid}"}},
            {"request": {"method": "DELETE", "url": f"Patient/{pid}"}},
        ],
    }
    response = karin.post("", bundle)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["type"] == "batch-response" and len(result["entry"]) == 6
    statuses = [e["response"]["status"] for e in result["entry"]]
    assert statuses[0] == "200 OK" and result["entry"][0]["resource"]["id"] == pid
    assert statuses[1] == "200 OK" and result["entry"][1]["resource"]["total"] == 3
    assert statuses[2].startswith("404") and result["entry"][2]["response"]["outcome"]["issue"]
    assert statuses[3].startswith("400") and "colour" in str(result["entry"][3]["response"]["outcome"])
    assert statuses[4] == "200 OK" and result["entry"][4]["response"]["etag"] == 'W/"2"'
    assert statuses[5].startswith("405")
    broken = {**patient, "birthDate": "12/12/1912"}
    late = karin.post(
        "",
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                {"request": {"method": "GET", "url": f"Patient/{pid}"}},
                {"resource": broken, "request": {"method": "PUT", "url": f"Patient/{pid}"}},
            ],
        },
    ).json()
    failed = late["entry"][1]["response"]
    assert failed["status"].startswith("4") and "Bundle.entry[0]" not in str(failed["outcome"]), failed
    # the update went through although other entries failed
    assert karin.get(f"Patient/{pid}").json()["name"][0]["text"] == "Tolvan Tolvansson Ek"
    outcome(karin.post("", {"resourceType": "Bundle", "type": "batch", "entry": []}), 400)


def test_validate_checks_without_storing(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    patient = karin.get(f"Patient/{pid}").json()
    patient.pop("id"), patient.pop("meta")
    good = karin.post("Patient/$validate", patient)
    assert good.status_code == 200 and good.json()["issue"][0]["severity"] == "information"
    wrapped = karin.post(
        "Patient/$validate",
        {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": patient}]},
    )
    assert wrapped.json()["issue"][0]["severity"] == "information"
    bad = karin.post("Patient/$validate", {**patient, "birthDate": "12/12/1912"})
    assert bad.status_code == 200 and bad.json()["issue"][0]["severity"] == "error"
    wrong = karin.post("Procedure/$validate", patient).json()["issue"][0]
    assert wrong["severity"] == "error" and "resourceType" in wrong["diagnostics"]
    assert (
        karin.get(
            "Patient", identifier="http://electronichealth.se/identifier/personnummer|191212121212"
        ).json()["total"]
        == 1
    )  # nothing was stored


def test_patient_everything(client: TestClient, imported: dict[str, Any]) -> None:
    ids = locations(imported)
    pid = ids["Patient"]
    response = Fhir(client, "karin").get(f"Patient/{pid}/$everything")
    assert response.status_code == 200, response.text
    body = response.json()
    types = [e["resource"]["resourceType"] for e in body["entry"]]
    assert types[0] == "Patient"
    for rtype in (
        "EpisodeOfCare",
        "Condition",
        "QuestionnaireResponse",
        "CarePlan",
        "ServiceRequest",
        "Task",
    ):
        assert rtype in types, rtype
    assert types.count("Procedure") == 3 and "Organization" in types and "PractitionerRole" in types
    assert body["total"] == len(body["entry"])
    outcome(Fhir(client, "eva").get(f"Patient/{pid}/$everything"), 403)  # another care unit
    outcome(Fhir(client, "karin").get("Patient/nobody/$everything"), 404)
    outcome(Fhir(client, "karin").get(f"Patient/{pid}/$everything", _since="2026-01-01"), 400)


def test_capability_declares_batch_and_the_operations(client: TestClient) -> None:
    rest = client.get("/fhir/metadata").json()["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"transaction", "batch"}
    assert {o["name"] for o in rest["operation"]} >= {"validate", "everything", "export"}
