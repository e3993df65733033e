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
    outcome(_raw(client, "", json.dumps({"resourceType": "Bundle", "type": "transaction",
                                          "id": "x" * 20_000}).encode()), 413)
    assert _count(client, patient) == 3
    assert _raw(client, "Procedure", json.dumps(procedure).encode()).status_code == 201


def test_a_body_in_utf16_or_not_utf8_is_refused_415(client: TestClient, imported: dict[str, Any]) -> None:
    procedure, patient = _procedure(client, imported)
    text = json.dumps(procedure, ensure_ascii=False)
    for data in (text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-32"),
                 json.dumps({**procedure, "language": "sv"}).encode()[:-1] + b"\xff}"):
        outcome(_raw(client, "Procedure", data), 415)
    outcome(_raw(client, "Procedure", text.encode("latin-1", "replace"),
                 "application/fhir+json; charset=iso-8859-1"), 415)
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
