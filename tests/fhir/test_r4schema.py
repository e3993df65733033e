"""The independent R4 check of the suite (tests/fhir/r4schema.py) catches what is not valid R4 and runs on
every FHIR response the ``client`` fixture receives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir
from tests.fhir.r4schema import check_response, schema_errors
from tests.fhir.test_api import locations


def test_the_schema_refuses_what_r4_refuses() -> None:
    assert schema_errors({"resourceType": "Patient", "gender": "male", "birthDate": "1912-12-12"}) == []
    assert schema_errors({"resourceType": "Patient", "gender": "man"})
    assert schema_errors({"resourceType": "Patient", "birthDate": "12/12/1912"})
    assert schema_errors({"resourceType": "Patient", "colour": "blue"})
    bad_entry = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": {"resourceType": "Goal"}}],
    }
    assert schema_errors(bad_entry)  # a Goal needs lifecycleStatus, description and subject


def test_every_fhir_response_of_the_client_is_checked(client: TestClient, imported: dict[str, Any]) -> None:
    assert check_response in client.event_hooks["response"]
    seen: list[str] = []
    client.event_hooks["response"].append(lambda r: seen.append(r.headers.get("content-type", "")))
    pid = locations(imported)["Patient"]
    Fhir(client, "karin").get(f"Patient/{pid}")
    assert seen and seen[0].startswith("application/fhir+json")
    invalid = httpx.Response(
        200,
        headers={"content-type": "application/fhir+json"},
        json={"resourceType": "Patient", "gender": "man"},
        request=httpx.Request("GET", "http://testserver/fhir/Patient/x"),
    )
    with pytest.raises(AssertionError, match="not valid R4"):
        check_response(invalid)
