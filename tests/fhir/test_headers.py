"""HTTP behaviour of the FHIR API against the running app: 406 for formats not served, HEAD, If-None-Match
(304), and ``Prefer: return=minimal|representation|OperationOutcome`` on updates."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir
from tests.fhir.test_api import locations, outcome


def test_formats_not_served_are_406(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    for accept in ("application/fhir+xml", "application/xml", "text/turtle", "application/json;q=0"):
        response = client.get(f"/fhir/Patient/{pid}", headers={**karin.headers(), "Accept": accept})
        assert "application/fhir+json" in outcome(response, 406)["issue"][0]["diagnostics"]
    outcome(client.get(f"/fhir/Patient/{pid}?_format=xml", headers=karin.headers()), 406)
    for accept in ("application/fhir+json", "application/json", "*/*", "text/html,*/*;q=0.8"):
        response = client.get(f"/fhir/Patient/{pid}", headers={**karin.headers(), "Accept": accept})
        assert response.status_code == 200, accept
    assert client.get(f"/fhir/Patient/{pid}?_format=json", headers=karin.headers()).status_code == 200
    assert karin.get("Procedure", patient=pid, _format="application/fhir+json").json()["total"] == 3


def test_head_answers_the_headers_of_get(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    got = client.get(f"/fhir/Patient/{pid}", headers=karin.headers())
    head = client.head(f"/fhir/Patient/{pid}", headers=karin.headers())
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"].startswith("application/fhir+json")
    assert client.head("/fhir/metadata").status_code == 200
    assert client.head(f"/fhir/Procedure?patient={pid}", headers=karin.headers()).status_code == 200
    missing = client.head("/fhir/Patient/nobody", headers=karin.headers())
    assert missing.status_code == 404 and missing.content == b""


def test_if_none_match_is_304_while_the_version_is_current(
    client: TestClient, imported: dict[str, Any]
) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    current = client.get(f"/fhir/Patient/{pid}", headers=karin.headers())
    tag = current.headers["etag"]
    for header in (tag, '"1"', f'W/"9", {tag}', "*"):
        cached = client.get(f"/fhir/Patient/{pid}", headers=karin.headers({"If-None-Match": header}))
        assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == tag, header
    changed = client.get(f"/fhir/Patient/{pid}", headers=karin.headers({"If-None-Match": 'W/"9"'}))
    assert changed.status_code == 200 and changed.json()["id"] == pid


def test_prefer_return_on_update(client: TestClient, imported: dict[str, Any]) -> None:
    karin = Fhir(client, "karin")
    pid = locations(imported)["Patient"]
    body = karin.get(f"Patient/{pid}").json()
    body.pop("meta")  # If-Match carries the version
    body["name"] = [{"use": "official", "text": "Tolvan Tolvansson Ek"}]
    minimal = karin.put(f"Patient/{pid}", body, {"If-Match": 'W/"1"', "Prefer": "return=minimal"})
    assert minimal.status_code == 200 and minimal.content == b"", minimal.text
    assert minimal.headers["etag"] == 'W/"2"' and minimal.headers["location"].endswith(
        f"/Patient/{pid}/_history/2"
    )
    body["name"] = [{"use": "official", "text": "Tolvan Ek"}]
    told = karin.put(f"Patient/{pid}", body, {"If-Match": 'W/"2"', "Prefer": "return=OperationOutcome"})
    issue = told.json()["issue"][0]
    assert (
        told.status_code == 200 and issue["severity"] == "information" and "version 3" in issue["diagnostics"]
    )
    body["name"] = [{"use": "official", "text": "Tolvan"}]
    full = karin.put(f"Patient/{pid}", body, {"If-Match": 'W/"3"', "Prefer": "return=representation"})
    assert full.status_code == 200 and full.json()["meta"]["versionId"] == "4"
    assert karin.get(f"Patient/{pid}").json()["name"][0]["text"] == "Tolvan"
