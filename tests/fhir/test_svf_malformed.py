"""Malformed ``svf`` extensions: every shape a careless client can send is a 4xx OperationOutcome, never a
500, and nothing is written."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.fhir import systems
from tests.fhir.test_svf_fhir import _found, _read_web_started

MALFORMED: list[tuple[str, Any]] = [
    ("extension not a list", "mdk"),
    ("sub-extension not an object", ["mdk"]),
    ("sub-extension without url", [{"valueDate": "2026-02-17"}]),
    ("url not a string", [{"url": 7, "valueDate": "2026-02-17"}]),
    ("coding as a string", [{"url": "pathway", "valueCoding": "prostatacancer"}]),
    ("date not a date", [{"url": "mdk", "valueDate": "17 februari"}]),
    ("version as a string", [{"url": "version", "valueInteger": "2"}]),
    ("nested sub-extensions", [{"url": "mdk", "extension": [{"url": "x", "valueString": "y"}]}]),
    ("null", None),
]


@pytest.mark.parametrize(("case", "parts"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_a_malformed_svf_extension_is_refused_and_nothing_is_written(
    client: TestClient, fhir_app: FastAPI, case: str, parts: Any
) -> None:
    pathway, karin, read = _read_web_started(client, fhir_app)
    before = _found(fhir_app, pathway.id, pathway.patient_id)
    sent = copy.deepcopy(read.json())
    (svf,) = [e for e in sent["extension"] if e["url"] == systems.EXT_SVF]
    kept = [p for p in svf["extension"] if p.get("url") in ("pathway", "suspicion", "version")]
    svf["extension"] = parts if not isinstance(parts, list) else kept + parts
    answer = karin.put(f"EpisodeOfCare/{pathway.id}", sent, {"If-Match": read.headers["etag"]})
    assert 400 <= answer.status_code < 500, (case, answer.status_code, answer.text)
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert _found(fhir_app, pathway.id, pathway.patient_id) == before
