"""Strict FHIR writes (issue 14 item 4): size, encoding and nesting limits on every body, conditional create,
a duplicate fullUrl refused, and a Procedure dated in the future refused -- each refusal an OperationOutcome,
nothing written, no 500."""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir, auth
from tests.fhir.test_api import locations, outcome


def _raw(client: TestClient, url: str, data: bytes, content_type: str = "application/fhir+json") -> Any:
    return client.post(
        f"/fhir/{url}".rstrip("/"),
        content=data,
        headers={**auth("karin"), "Content-Type": content_type},
    )


def _procedure(client: TestClient, imported: dict[str, Any]) -> tuple[dict[str, Any], str]:
    ids = locations(imported)
    karin = Fhir(client, "karin")
    procedure = copy.deepcopy(karin.get("Procedure", patient=ids["Patient"]).json()["entry"][0]["resource"])
    procedure.pop("id")
    procedure.pop("meta", None)
    return procedure, ids["Patient"]


def _count(client: TestClient, patient: str) -> int:
    total: int = Fhir(client, "karin").get("Procedure", patient=patient).json()["total"]
    return total


# ---------------------------------------------------------------------------------------------- (a) body


def test_a_body_over_the_limit_is_refused_413_and_nothing_is_written(
    fhir_app: FastAPI, client: TestClient, imported: dict[str, Any]
) -> None:
    procedure, patient = _procedure(client, imported)
    fhir_app.state.fhir_max_body_bytes = 10_000
    padded = {**procedure, "implicitRules": "x" * 20_000}
    body = outcome(_raw(client, "Procedure", json.dumps(padded).encode()), 413)
    assert "10000" in body["issue"][0]["diagnostics"]
    outcome(
        _raw(
            client,
            "",
            json.dumps({"resourceType": "Bundle", "type": "transaction", "id": "x" * 20_000}).encode(),
        ),
        413,
    )
    assert _count(client, patient) == 3
    assert _raw(client, "Procedure", json.dumps(procedure).encode()).status_code == 201


def test_a_body_in_utf16_or_not_utf8_is_refused_415(client: TestClient, imported: dict[str, Any]) -> None:
    procedure, patient = _procedure(client, imported)
    text = json.dumps(procedure, ensure_ascii=False)
    for data in (
        text.encode("utf-16"),
        text.encode("utf-16-le"),
        text.encode("utf-32"),
        json.dumps({**procedure, "language": "sv"}).encode()[:-1] + b"\xff}",
    ):
        outcome(_raw(client, "Procedure", data), 415)
    outcome(
        _raw(
            client,
            "Procedure",
            text.encode("latin-1", "replace"),
            "application/fhir+json; charset=iso-8859-1",
        ),
        415,
    )
    assert _count(client, patient) == 3


def test_a_deeply_nested_body_is_refused_400_not_500_and_the_connection_stays_usable(
    client: TestClient, imported: dict[str, Any]
) -> None:
    procedure, patient = _procedure(client, imported)
    deep = b'{"resourceType": "Procedure", "x": ' + b"[" * 400 + b"]" * 400 + b"}"
    body = outcome(_raw(client, "Procedure", deep), 400)
    assert "64" in body["issue"][0]["diagnostics"]
    very_deep = b"[" * 100_000 + b"]" * 100_000
    outcome(_raw(client, "", very_deep), 400)
    # brackets inside strings are not nesting
    in_string = _raw(client, "Procedure", json.dumps({**procedure, "implicitRules": "[" * 500}).encode())
    assert in_string.status_code < 500 and "nests" not in in_string.text
    assert _count(client, patient) == 3
    assert Fhir(client, "karin").get("metadata").status_code == 200


# ------------------------------------------------------------------------------------------- (b) conditional


def _criteria(procedure: dict[str, Any], patient: str) -> str:
    code = procedure["code"]["coding"][0]["code"]
    return f"patient={patient}&code={code}"


def test_b_if_none_exist_creates_once_then_answers_the_existing_one(
    client: TestClient, imported: dict[str, Any]
) -> None:
    procedure, patient = _procedure(client, imported)
    karin = Fhir(client, "karin")
    fresh = {**procedure, "code": {"coding": [{**procedure["code"]["coding"][0], "code": "AW020"}]}}
    criteria = _criteria(procedure, patient)
    found = karin.post("Procedure", procedure, {"If-None-Exist": criteria})
    assert found.status_code == 200, found.text
    assert _count(client, patient) == 3
    several = outcome(karin.post("Procedure", procedure, {"If-None-Exist": f"patient={patient}"}), 412)
    assert "3" in several["issue"][0]["diagnostics"]
    assert _count(client, patient) == 3
    fresh_criteria = f"patient={patient}&code=ZZ001"
    first = karin.post("Procedure", fresh, {"If-None-Exist": fresh_criteria})
    assert first.status_code == 201, first.text
    assert _count(client, patient) == 4


def test_b_if_none_exist_in_a_transaction_entry(client: TestClient, imported: dict[str, Any]) -> None:
    procedure, patient = _procedure(client, imported)
    karin = Fhir(client, "karin")
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:0b6e2a55-5d0a-4e7c-9a3e-000000000001",
                "resource": procedure,
                "request": {
                    "method": "POST",
                    "url": "Procedure",
                    "ifNoneExist": _criteria(procedure, patient),
                },
            }
        ],
    }
    answer = karin.post("", bundle)
    assert answer.status_code == 200, answer.text
    assert answer.json()["entry"][0]["response"]["status"].startswith("200")
    assert _count(client, patient) == 3
    bundle["entry"][0]["request"]["ifNoneExist"] = f"patient={patient}"
    outcome(karin.post("", bundle), 412)
    assert _count(client, patient) == 3


# ---------------------------------------------------------------------------------------------- (c) fullUrl


def test_c_the_same_full_url_twice_is_refused_and_nothing_is_written(
    client: TestClient, imported: dict[str, Any]
) -> None:
    procedure, patient = _procedure(client, imported)
    entry = {
        "fullUrl": "urn:uuid:0b6e2a55-5d0a-4e7c-9a3e-000000000002",
        "resource": procedure,
        "request": {"method": "POST", "url": "Procedure"},
    }
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [entry, copy.deepcopy(entry)]}
    body = outcome(Fhir(client, "karin").post("", bundle), 400)
    assert "fullUrl" in body["issue"][0]["diagnostics"]
    assert _count(client, patient) == 3


# ---------------------------------------------------------------------------------------------- (d) dates


def test_d_a_procedure_dated_in_the_future_is_refused_422(
    client: TestClient, imported: dict[str, Any]
) -> None:
    procedure, patient = _procedure(client, imported)
    future = {**procedure, "performedDateTime": "2099-01-01"}
    future.pop("performedPeriod", None)
    body = outcome(Fhir(client, "karin").post("Procedure", future), 422)
    assert "framtiden" in body["issue"][0]["diagnostics"] or "2099" in body["issue"][0]["diagnostics"]
    assert _count(client, patient) == 3
