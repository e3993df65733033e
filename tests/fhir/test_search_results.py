"""The result parameters of a search against the running API: ``_sort``, ``_summary``, ``_elements``,
``_include``/``_revinclude``, the ``patient.identifier`` chain, and the refusal of what is not supported."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from canrehab.fhir import systems
from tests.fhir.harness import Fhir
from tests.fhir.r4schema import package_file
from tests.fhir.test_api import locations, outcome

PNR = "191212121212"


def _bundle(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    Bundle.model_validate(body)
    return body


def _dates(body: dict[str, Any]) -> list[str]:
    return [e["resource"]["performedDateTime"] for e in body["entry"] if e["search"]["mode"] == "match"]


def test_sort_by_date_both_ways_and_by_id(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    ascending = _dates(_bundle(karin.get("Procedure", patient=pid, _sort="date")))
    descending = _dates(_bundle(karin.get("Procedure", patient=pid, _sort="-date")))
    assert len(ascending) == 3 and ascending == sorted(ascending) and descending == ascending[::-1]
    # the sort comes before the page: the first page of one is the earliest procedure
    first = _dates(_bundle(karin.get("Procedure", patient=pid, _sort="date", _count="1")))
    assert first == ascending[:1]
    ids = [e["resource"]["id"] for e in _bundle(karin.get("Procedure", patient=pid, _sort="-_id"))["entry"]]
    assert ids == sorted(ids, reverse=True)
    refused = outcome(karin.get("Procedure", patient=pid, _sort="code"), 400)
    assert "date" in refused["issue"][0]["diagnostics"] and refused["issue"][0]["expression"] == ["_sort"]


def test_summary_count_true_and_elements(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    counted = _bundle(karin.get("Procedure", patient=pid, _summary="count"))
    assert counted["total"] == 3 and counted["entry"] == []
    summary = _bundle(karin.get("EpisodeOfCare", patient=pid, _summary="true"))["entry"][0]["resource"]
    assert "extension" not in summary and "careManager" not in summary  # not summary elements in R4
    assert summary["status"] and summary["patient"]["reference"].endswith(pid)
    assert {"code": "SUBSETTED"}.items() <= summary["meta"]["tag"][0].items()
    full = _bundle(karin.get("EpisodeOfCare", patient=pid))["entry"][0]["resource"]
    assert "extension" in full and "tag" not in full.get("meta", {})
    cut = _bundle(karin.get("Procedure", patient=pid, _elements="code,status"))["entry"][0]["resource"]
    assert set(cut) == {"resourceType", "id", "meta", "code", "status", "subject"}  # subject: mandatory
    assert cut["meta"]["tag"][-1]["code"] == "SUBSETTED"
    outcome(karin.get("Procedure", patient=pid, _summary="maybe"), 400)
    outcome(karin.get("Procedure", patient=pid, _elements="code.coding"), 400)


def test_include_and_revinclude_follow_references(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    ids = locations(imported)
    pid = ids["Patient"]
    body = _bundle(karin.get("EpisodeOfCare", patient=pid, _include="EpisodeOfCare:organization"))
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in body["entry"]]
    assert ("EpisodeOfCare", "match") in modes and ("Organization", "include") in modes
    assert body["total"] == 1  # the total counts the matches only
    both = _bundle(
        client.get(
            f"/fhir/EpisodeOfCare?patient={pid}&_include=EpisodeOfCare:patient"
            "&_include=EpisodeOfCare:care-manager:PractitionerRole",
            headers=karin.headers(),
        )
    )
    included = {e["resource"]["resourceType"] for e in both["entry"] if e["search"]["mode"] == "include"}
    assert included == {"Patient", "PractitionerRole"}
    rev = _bundle(karin.get("Patient", _id=pid, _revinclude="Procedure:patient"))
    kinds = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in rev["entry"]]
    assert kinds.count(("Procedure", "include")) == 3 and kinds[0] == ("Patient", "match")
    for bad in ("Procedure:patient", "EpisodeOfCare:status", "EpisodeOfCare:nothing", "*"):
        outcome(karin.get("EpisodeOfCare", patient=pid, _include=bad), 400)
    outcome(karin.get("Patient", _id=pid, _revinclude="Procedure:performer"), 400)


def test_chain_on_patient_identifier(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    chained = _bundle(karin.get("Procedure", **{"patient.identifier": f"{systems.PERSONNUMMER}|{PNR}"}))
    assert chained["total"] == 3
    assert {e["resource"]["subject"]["reference"] for e in chained["entry"]} == {f"Patient/{pid}"}
    assert "patient.identifier=" in next(x["url"] for x in chained["link"] if x["relation"] == "self")
    nobody = _bundle(karin.get("Condition", **{"patient.identifier": f"{systems.PERSONNUMMER}|199001011234"}))
    assert nobody["total"] == 0
    outcome(karin.get("Procedure", **{"patient.name": "Tolvan"}), 400)
    outcome(karin.get("Procedure", **{"performer.identifier": "x"}), 400)


def test_unsupported_parameters_are_refused_unless_lenient(
    client: TestClient, imported: dict[str, Any]
) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    for params in ({"_lastUpdated": "ge2026-13-01"}, {"_has:Procedure:patient:code": "x"}, {"color": "blue"}):
        refused = outcome(karin.get("Procedure", patient=pid, **params), 400)
        assert refused["issue"][0]["code"] in ("not-supported", "value")
    lenient = client.get(
        f"/fhir/Procedure?patient={pid}&color=blue", headers=karin.headers({"Prefer": "handling=lenient"})
    )
    assert _bundle(lenient)["total"] == 3


def test_questionnaire_by_canonical_with_version(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    ids = locations(imported)
    answer = karin.get(f"QuestionnaireResponse/{ids['QuestionnaireResponse']}").json()
    canonical = answer["questionnaire"]
    url, _, version = canonical.partition("|")
    assert version, canonical
    for hit in (canonical, url, f"Questionnaire/{url.rsplit('/', 1)[-1]}|{version}"):
        found = _bundle(karin.get("QuestionnaireResponse", patient=ids["Patient"], questionnaire=hit))
        assert found["total"] == 1, hit
    other = _bundle(karin.get("QuestionnaireResponse", patient=ids["Patient"], questionnaire=f"{url}|0.0-x"))
    assert other["total"] == 0


def test_capability_declares_vread_only_where_versions_are_kept(client: TestClient) -> None:
    statement = client.get("/fhir/metadata").json()
    for resource in statement["rest"][0]["resource"]:
        codes = {i["code"] for i in resource.get("interaction", [])}
        kept = resource.get("readHistory", False)
        assert ("vread" in codes) == kept == ("history-instance" in codes), resource["type"]
    assert any(r["readHistory"] for r in statement["rest"][0]["resource"])


def test_capability_names_each_parameters_definition_and_the_includes(client: TestClient) -> None:
    statement = client.get("/fhir/metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    for rtype, resource in resources.items():
        for param in resource.get("searchParam", []):
            definition = param["definition"]
            assert definition.startswith(
                ("http://hl7.org/fhir/SearchParameter/", f"{systems.CANREHAB_BASE}/SearchParameter/")
            ), (rtype, param)
    by_name = {p["name"]: p["definition"] for p in resources["Procedure"]["searchParam"]}
    assert by_name["patient"] == "http://hl7.org/fhir/SearchParameter/clinical-patient"
    assert by_name["performer"] == "http://hl7.org/fhir/SearchParameter/Procedure-performer"
    assert by_name["_id"] == "http://hl7.org/fhir/SearchParameter/Resource-id"
    assert "EpisodeOfCare:organization" in resources["EpisodeOfCare"]["searchInclude"]
    assert "Procedure:patient" in resources["Patient"]["searchRevInclude"]
    assert "searchInclude" not in resources["Patient"]  # no empty arrays in FHIR JSON


def test_each_hl7_definition_is_an_r4_search_parameter_for_that_type_and_name(client: TestClient) -> None:
    """Checked against the R4 SearchParameters shipped in the npm package (tests/fhir/r4schema)."""
    published = json.loads(package_file("search-parameters.json").read_text(encoding="utf-8"))
    r4 = {e["resource"]["url"]: e["resource"] for e in published["entry"]}
    statement = client.get("/fhir/metadata").json()
    for resource in statement["rest"][0]["resource"]:
        for param in resource.get("searchParam", []):
            if not param["definition"].startswith("http://hl7.org/"):
                continue
            found = r4.get(param["definition"])
            assert found is not None, (resource["type"], param)
            assert found["code"] == param["name"] and found["type"] == param["type"], (
                resource["type"],
                param,
            )
            assert resource["type"] in found["base"] or "Resource" in found["base"], (resource["type"], param)
