"""Fixtures for the FHIR API tests: an app with only the FHIR router on the migrated test database (the
``engine`` fixture of tests/conftest.py: SQLite, and PostgreSQL when CANREHAB_TEST_PG_URL is set)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fhir.harness import Fhir, build_app, seed
from tests.fhir.r4schema import check_response

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pathway-bundle.json"


@pytest.fixture
def fhir_app(engine: Any, tmp_path: Path) -> FastAPI:
    app = build_app(engine, tmp_path)
    seed(app)
    return app


@pytest.fixture
def client(fhir_app: FastAPI) -> Iterator[TestClient]:
    """A client whose every FHIR response is validated against the R4 JSON schema (tests/fhir/r4schema)."""
    with TestClient(fhir_app) as c:
        c.event_hooks["response"].append(check_response)
        yield c


@pytest.fixture
def example_bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def imported(client: TestClient, example_bundle: dict[str, Any]) -> dict[str, Any]:
    """The example pathway imported by the administrator; the transaction-response Bundle."""
    response = Fhir(client, "admin").post("", example_bundle)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
