"""The whole Bulk Data flow against the running app (uvicorn on a loopback port; SQLite and PostgreSQL) as a
Bulk Data client does it over HTTP: a SMART Backend Services token (client credentials, signed assertion),
kick-off by GET and by POST (Parameters), polling the status URL as told by ``Retry-After`` while reading
``X-Progress``, the manifest, downloading every file with the bearer token, ``_type``, ``_typeFilter``,
Patient/ and Group/ level, and DELETE to cancel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from canrehab.fhir.smart.settings import FhirAuthSettings
from tests.fhir.harness import KIR, ONK
from tests.fhir.r4schema import check
from tests.fhir.smart_kit import FORM, Registered, assertion, token_form, write_registry
from tests.fhir.test_api import locations
from tests.web.live_server import serve

KICKOFF = {"Accept": "application/fhir+json", "Prefer": "respond-async"}


class BulkClient:
    """A minimal Bulk Data client: it knows the IG, not canrehab."""

    def __init__(self, http: httpx.Client, base: str, client: Registered) -> None:
        self.http, self.base, self.client = http, base, client
        token_url = f"{base}/auth/token"
        signed = assertion(client.key, client.alg, client.client_id, token_url)
        response = http.post(token_url, data=token_form(signed, "system/*.rs"), headers=FORM)
        assert response.status_code == 200, response.text
        self.auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        self.progress: list[str] = []
        self.manager: BulkClient | None = None

    def kickoff(self, path: str = "$export", params: Any = None, body: Any = None) -> str:
        headers = {**KICKOFF, **self.auth}
        if body is None:
            response = self.http.get(f"{self.base}/{path}", params=params, headers=headers)
        else:
            headers["Content-Type"] = "application/fhir+json"
            response = self.http.post(f"{self.base}/{path}", json=body, headers=headers)
        assert response.status_code == 202, response.text
        return str(response.headers["content-location"])

    def poll(self, status_url: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = self.http.get(status_url, headers={"Accept": "application/json", **self.auth})
            if response.status_code == 200:
                manifest: dict[str, Any] = response.json()
                return manifest
            assert response.status_code == 202, response.text
            self.progress.append(response.headers["x-progress"])
            wait = int(response.headers["retry-after"])
            assert wait >= 1
            time.sleep(min(wait, 0.1))  # told seconds; a test need not wait that long
        raise AssertionError("the export did not finish")

    def download(self, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        assert manifest["requiresAccessToken"] is True
        unauthorised = self.http.get(
            manifest["output"][0]["url"], headers={"Accept": "application/fhir+ndjson"}
        )
        assert unauthorised.status_code == 401
        out: dict[str, list[dict[str, Any]]] = {}
        for item in manifest["output"]:
            response = self.http.get(item["url"], headers={"Accept": "application/fhir+ndjson", **self.auth})
            assert response.status_code == 200, response.text
            lines = [json.loads(line) for line in response.text.splitlines() if line]
            assert len(lines) == item["count"]
            for line in lines:
                assert line["resourceType"] == item["type"] and line["meta"]["lastUpdated"]
                check(line, item["url"])
            out.setdefault(item["type"], []).extend(lines)
        return out

    def cancel(self, status_url: str) -> None:
        response = self.http.delete(status_url, headers=self.auth)
        assert response.status_code == 202, response.text
        gone = self.http.get(status_url, headers={"Accept": "application/json", **self.auth})
        assert gone.status_code == 404


@pytest.fixture
def live(
    fhir_app: FastAPI, imported: dict[str, Any], tmp_path: Path
) -> Iterator[tuple[BulkClient, dict[str, str]]]:
    exporter = Registered("exporter", "ES384", ["system/*.rs"], role="system", units=[])
    manager = Registered("unit-export", "RS384", ["system/*.rs"], role="unit_manager", units=[ONK])
    registry = write_registry(tmp_path / "clients.yaml", [exporter, manager])
    fhir_app.state.fhir_auth = FhirAuthSettings(clients_file=registry)
    with serve(fhir_app) as url, httpx.Client(timeout=30) as http:
        base = f"{url}/fhir"
        bulk = BulkClient(http, base, exporter)
        bulk.manager = BulkClient(http, base, manager)
        yield bulk, locations(imported)


def test_bulk_flow_over_http_with_a_backend_services_token(live: tuple[BulkClient, dict[str, str]]) -> None:
    bulk, ids = live
    status = bulk.kickoff()
    everything = bulk.download(bulk.poll(status))
    assert set(everything) >= {"Patient", "EpisodeOfCare", "Condition", "Procedure", "Organization"}
    assert len(everything["Patient"]) == 1 and len(everything["Procedure"]) == 3
    assert all("patienter" in p or p == "väntar" for p in bulk.progress)
    bulk.cancel(status)  # a completed job's files are removed too

    typed = bulk.poll(bulk.kickoff(params={"_type": "Patient,Procedure"}))
    assert {o["type"] for o in typed["output"]} == {"Patient", "Procedure"}

    code = everything["Procedure"][0]["code"]["coding"][0]["code"]
    filtered = bulk.download(
        bulk.poll(bulk.kickoff(params={"_type": "Procedure", "_typeFilter": f"Procedure?code={code}"}))
    )
    assert filtered["Procedure"] and all(
        r["code"]["coding"][0]["code"] == code for r in filtered["Procedure"]
    )

    parameters = {
        "resourceType": "Parameters",
        "parameter": [{"name": "_type", "valueString": "Patient,EpisodeOfCare"}],
    }
    posted = bulk.download(bulk.poll(bulk.kickoff("Patient/$export", body=parameters)))
    assert set(posted) == {"Patient", "EpisodeOfCare"}
    assert posted["EpisodeOfCare"][0]["id"] == ids["EpisodeOfCare"]

    group = bulk.download(bulk.poll(bulk.kickoff(f"Group/{ONK}/$export", params={"_type": "EpisodeOfCare"})))
    assert [r["id"] for r in group["EpisodeOfCare"]] == [ids["EpisodeOfCare"]]
    response = bulk.http.get(f"{bulk.base}/Group/nonexistent/$export", headers={**KICKOFF, **bulk.auth})
    assert response.status_code == 404
    # a unit manager's client exports its own unit's Group, not another unit's
    assert bulk.manager is not None
    own = bulk.manager.poll(bulk.manager.kickoff(f"Group/{ONK}/$export", params={"_type": "Patient"}))
    assert [o["count"] for o in own["output"]] == [1]
    other = bulk.http.get(f"{bulk.base}/Group/{KIR}/$export", headers={**KICKOFF, **bulk.manager.auth})
    assert other.status_code == 403
