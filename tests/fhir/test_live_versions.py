"""Issue 15 items 2-7 against the running app (uvicorn on a loopback port, httpx as the client): Patient
history and vread, ``meta.lastUpdated`` with ``Last-Modified``, ``If-Modified-Since`` -> 304,
``_lastUpdated``, the county as ``address.state`` (SEBasePatient), the CapabilityStatement's declared
versioning, and a write with an element canrehab does not keep refused with an OperationOutcome."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from canrehab.fhir import systems
from tests.fhir.harness import FHIR, auth
from tests.fhir.test_api import locations
from tests.web.live_server import serve


def _http(url: str, username: str) -> httpx.Client:
    return httpx.Client(base_url=f"{url}/fhir", headers={**auth(username), **FHIR}, timeout=30)


def test_patient_versions_headers_and_last_updated_over_http(
    fhir_app: FastAPI, imported: dict[str, Any]
) -> None:
    pid = locations(imported)["Patient"]
    with serve(fhir_app) as url, _http(url, "karin") as karin:
        first = karin.get(f"/Patient/{pid}")
        assert first.status_code == 200
        body = first.json()
        stamp = first.headers["last-modified"]
        assert body["meta"]["lastUpdated"] and body["meta"]["versionId"] == "1"
        cached = karin.get(f"/Patient/{pid}", headers={"If-Modified-Since": stamp})
        assert cached.status_code == 304 and cached.content == b""
        found = karin.get("/Patient", params={"_id": pid, "_lastUpdated": f"ge{body['meta']['lastUpdated']}"})
        assert found.json()["total"] == 1
        assert karin.get("/Patient", params={"_id": pid, "_lastUpdated": "lt2000"}).json()["total"] == 0
        body["name"] = [{"use": "official", "text": "Tolvan Ek"}]
        body["address"] = [{"state": "01", "country": "SE"}]
        put = karin.put(f"/Patient/{pid}", json=body, headers={"If-Match": 'W/"1"'})
        assert put.status_code == 200, put.text
        assert put.json()["meta"]["versionId"] == "2" and put.json()["address"][0]["state"] == "01"
        history = karin.get(f"/Patient/{pid}/_history").json()
        assert history["type"] == "history" and [
            e["resource"]["meta"]["versionId"] for e in history["entry"]
        ] == [
            "2",
            "1",
        ]
        old = karin.get(f"/Patient/{pid}/_history/1")
        assert old.status_code == 200 and old.json()["name"][0]["text"] != "Tolvan Ek"
        assert karin.get(f"/Patient/{pid}/_history/9").status_code == 404


def test_capability_declares_vread_exactly_where_history_is_kept_over_http(
    fhir_app: FastAPI, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    with serve(fhir_app) as url, _http(url, "admin") as admin:
        statement = admin.get("/metadata").json()
        for resource in statement["rest"][0]["resource"]:
            rtype = resource["type"]
            codes = {i["code"] for i in resource.get("interaction", [])}
            if rtype not in ids or "read" not in codes:
                continue
            history = admin.get(f"/{rtype}/{ids[rtype]}/_history")
            if "vread" in codes:
                assert history.status_code == 200, (rtype, history.text)
                assert resource.get("versioning") in ("versioned", "versioned-update"), rtype
            else:
                assert history.status_code in (404, 405), (rtype, history.status_code)


def test_a_write_with_an_unknown_element_is_refused_with_an_operation_outcome_over_http(
    fhir_app: FastAPI, imported: dict[str, Any]
) -> None:
    ids = locations(imported)
    with serve(fhir_app) as url, _http(url, "admin") as admin:
        for rtype in ("Patient", "EpisodeOfCare", "Procedure"):
            before = admin.get(f"/{rtype}/{ids[rtype]}").json()
            body = {
                **before,
                "extension": [*before.get("extension", []), {"url": f"{systems.CANREHAB_BASE}/x"}],
            }
            body["extension"][-1]["valueString"] = "y"
            version = before["meta"].get("versionId")
            match = {"If-Match": f'W/"{version}"'} if version else {}
            if rtype == "Procedure":  # recorded once, never updated: a new one with the unknown element
                body = {k: v for k, v in body.items() if k not in ("id", "meta")}
                answer = admin.post(f"/{rtype}", json=body)
            else:
                answer = admin.put(f"/{rtype}/{body['id']}", json=body, headers=match)
            assert answer.status_code in (400, 422), (rtype, answer.status_code)
            assert answer.json()["resourceType"] == "OperationOutcome"
            after = admin.get(f"/{rtype}/{ids[rtype]}").json()
            assert after == before, rtype  # nothing written
        procedures = admin.get("/Procedure", params={"patient": ids["Patient"]}).json()["total"]
        assert procedures == 3  # the refused new Procedure was not stored
