"""A bounded schemathesis run against the OpenAPI schema of an app that has only the FHIR router: no input the
schema allows may produce a server error, and every error is an OperationOutcome."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.fhir.harness import auth

schema = schemathesis.pytest.from_fixture("fhir_schema")


@pytest.fixture
def fhir_schema(fhir_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fhir_app)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fhir_api_never_fails_with_a_server_error(case: Any) -> None:
    response = case.call(headers=auth("admin"))
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/fhir+json"), response.text
        OperationOutcome.model_validate(response.json())
