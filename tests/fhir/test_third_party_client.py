"""The API driven by a FHIR client nobody here wrote (fhirpy, sync client over requests) against a real
uvicorn server on a loopback port: search, read, include, chain, update and the R4 check of what it got."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import FastAPI
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome

from canrehab.fhir import systems
from tests.fhir.harness import PASSWORD
from tests.fhir.r4schema import check
from tests.fhir.test_api import locations
from tests.web.live_server import serve


def _client(url: str, username: str, extra: dict[str, str] | None = None) -> SyncFHIRClient:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return SyncFHIRClient(f"{url}/fhir", authorization=f"Basic {token}", extra_headers=extra or {})


def test_fhirpy_searches_reads_includes_and_updates(fhir_app: FastAPI, imported: dict[str, Any]) -> None:
    pid = locations(imported)["Patient"]
    with serve(fhir_app) as url:
        karin = _client(url, "karin")
        patients = (
            karin.resources("Patient").search(identifier=f"{systems.PERSONNUMMER}|191212121212").fetch()
        )
        assert [p.id for p in patients] == [pid]
        procedures = (
            karin.resources("Procedure")
            .search(**{"patient.identifier": f"{systems.PERSONNUMMER}|191212121212"})
            .sort("-date")
            .fetch_all()
        )
        dates = [p["performedDateTime"] for p in procedures]
        assert len(dates) == 3 and dates == sorted(dates, reverse=True)
        counted = karin.resources("Procedure").search(patient=pid, _summary="count").fetch_raw()
        assert counted["total"] == 3
        # fhirpy's count() adds Aidbox's _totalMethod: refused, unless the client asks for lenient handling
        lenient = _client(url, "karin", {"Prefer": "handling=lenient"})
        assert lenient.resources("Procedure").search(patient=pid).count() == 3
        bundle = (
            karin.resources("EpisodeOfCare")
            .search(patient=pid)
            .include("EpisodeOfCare", "organization")
            .fetch_raw()
        )
        check(json.loads(json.dumps(bundle)), "fhirpy EpisodeOfCare search")
        assert {e["search"]["mode"] for e in bundle["entry"]} == {"match", "include"}
        patient = karin.reference("Patient", pid).to_resource()
        check(patient.serialize(), "fhirpy Patient read")
        patient["name"] = [{"use": "official", "text": "Tolvan Tolvansson Ek"}]
        patient.save()  # PUT with meta.versionId as the version it is based on
        again = karin.reference("Patient", pid).to_resource()
        assert again["name"][0]["text"] == "Tolvan Tolvansson Ek" and again["meta"]["versionId"] == "2"
        try:
            karin.resources("Procedure").search(patient=pid, colour="blue").fetch()
        except OperationOutcome as exc:
            assert "colour" in str(exc)
        else:
            raise AssertionError("an unsupported parameter was not refused")
