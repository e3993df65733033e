"""A bounded schemathesis run against the OpenAPI schema of an app that has only the FHIR router: no input the
schema allows may produce a server error, and every error is an OperationOutcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.fhir.harness import auth, build_app, router_app, seed

APP = router_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def wired(engine: Any, tmp_path: Path) -> None:
    """The module's app on the freshly migrated test database (SQLite, PostgreSQL) with the accounts."""
    build_app(engine, tmp_path, APP)
    seed(APP)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fhir_api_never_fails_with_a_server_error(case: Any, wired: None) -> None:
    response = case.call(headers=auth("admin"))
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/fhir+json"), response.text
        OperationOutcome.model_validate(response.json())
