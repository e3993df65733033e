"""A bounded schemathesis run against the OpenAPI schema of an app that has only the FHIR router. The schema
describes the search parameters of each type, the If-Match and Prefer headers and an example body per type,
so the run reaches the parsers and the handlers. No input the schema allows may produce a server error;
status codes, content types and bodies must be the documented ones; every error is an OperationOutcome."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.meta import TestPhase
from schemathesis.generation.modes import GenerationMode
from sqlalchemy.engine import Engine

from canrehab.store.db import make_engine
from tests.fhir.harness import auth, build_app, router_app, seed

APP = router_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# The token endpoint's own refusals are RFC 6749 JSON (documented so), not OperationOutcomes.
OAUTH_ERRORS = {"/fhir/auth/token": (400, 401)}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per backend for the whole run (a database per operation would cost more than
    the operations): the operations' writes accumulate, which only widens what later ones meet."""
    name = f"canrehab_schemathesis_{os.getpid()}"
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("schemathesis") / "canrehab.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("pg_server")
        url = server.create(name, server.migrated_template())
    engine = make_engine(url)
    build_app(engine, tmp_path_factory.mktemp("schemathesis-data"), APP)
    seed(APP)
    yield engine
    engine.dispose()
    if request.param != "sqlite":
        server.drop(name)


@pytest.fixture
def wired(module_engine: Engine) -> str:
    """The module's app on the module's database (SQLite, PostgreSQL) with the accounts: the backend."""
    return module_engine.dialect.name


# fingerprints of the coverage phase's negative cases SQLite refused as malformed, before any query
REFUSED_ON_SQLITE: set[str] = set()
PARSE_REFUSALS = frozenset({400, 405, 406, 413, 415, 422})


def fingerprint(case: Any) -> str:
    return repr((case.method, case.formatted_path, case.query, case.headers, case.body, case.media_type))


def runs_on(case: Any, backend: str) -> bool:
    """Whether ``case`` is sent on ``backend``. SQLite gets every case of every phase: the schema's examples,
    the coverage phase's positive and negative cases, the fuzzing. PostgreSQL gets every operation's
    examples, fuzzing and positive coverage cases, and the negative coverage cases (a wrong type, length,
    pattern, enum or method) except those SQLite refused as malformed (400/405/406/413/415/422: the parameter
    parsers and the router refuse them before any query, the same on both backends). A negative case SQLite
    answered otherwise (a lenient search that ran, a 404 after a lookup) is sent to PostgreSQL too. The
    coverage cases are deterministic, so the two runs meet the same cases; without a SQLite run first (``-k
    postgres``) PostgreSQL gets every case."""
    if backend == "sqlite":
        return True
    negative = case.meta.generation.mode == GenerationMode.NEGATIVE
    coverage = case.meta.phase.name == TestPhase.COVERAGE
    return not (coverage and negative and fingerprint(case) in REFUSED_ON_SQLITE)


def test_schema_describes_search_parameters_if_match_and_examples() -> None:
    paths = APP.openapi()["paths"]
    names = {p["name"] for p in paths["/fhir/Procedure"]["get"]["parameters"]}
    assert {"patient", "code", "date", "status", "performer", "_id", "_count", "_offset", "Prefer"} <= names
    put = paths["/fhir/CarePlan/{rid}"]["put"]
    assert "If-Match" in {p["name"] for p in put["parameters"]}
    assert put["requestBody"]["content"]["application/fhir+json"]["example"]["resourceType"] == "CarePlan"
    assert "/fhir/CarePlan/{rid}/_history" in paths


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    # a zero-5xx check: a failure is reported as found (no shrinking, no explanation), nothing is replayed
    # from or saved to an example database
    phases=[Phase.explicit, Phase.generate],
    database=None,
)
def test_fhir_api_never_fails_with_a_server_error(case: Any, wired: str) -> None:
    if not runs_on(case, wired):
        return
    response = case.call(headers=auth("admin"))
    case.validate_response(response, checks=CHECKS)
    negative = case.meta.generation.mode == GenerationMode.NEGATIVE
    refused = negative and response.status_code in PARSE_REFUSALS
    if wired == "sqlite" and refused and case.meta.phase.name == TestPhase.COVERAGE:
        REFUSED_ON_SQLITE.add(fingerprint(case))
    if response.status_code >= 400 and response.status_code not in OAUTH_ERRORS.get(case.path, ()):
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/fhir+json"), response.text
        OperationOutcome.model_validate(response.json())


def test_the_run_covers_every_fhir_operation() -> None:
    """Every route of the FHIR router is an operation of the schema that ``schema.parametrize`` runs (a route
    left out of the schema would be left out of the fuzz run)."""
    from fastapi.routing import APIRoute

    # the app's FHIR routes: the router's own and those it includes (SMART's discovery and token endpoint)
    from canrehab.fhir.api import router
    from canrehab.fhir.smart import routes as smart

    routes = [route for route in router.routes if isinstance(route, APIRoute)]
    # only the catch-all that answers unknown paths with a 404 OperationOutcome stays out of the schema
    assert {route.path for route in routes if not route.include_in_schema} == {"/fhir/{path:path}"}
    served = {
        (method, route.path)
        for route in routes
        if route.include_in_schema
        for method in route.methods - {"HEAD"}
    }
    # SMART's discovery, JWKS and token endpoint are included into the FHIR router under its prefix
    served |= {
        (method, route.path if route.path.startswith("/fhir") else f"/fhir{route.path}")
        for route in smart.router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods - {"HEAD"}
    }
    documented = {(method.upper(), path) for path, ops in APP.openapi()["paths"].items() for method in ops}
    assert served == documented
    assert len(documented) == len(list(schema.get_all_operations()))


def test_every_operation_has_its_own_operation_id() -> None:
    """OpenAPI wants operation ids unique (clients name methods by them): the GET and POST kick-offs
    of ``$export`` are separate operations, and building the document warns about nothing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI's "Duplicate Operation ID" is a UserWarning
        document = router_app().openapi()  # a fresh app: APP caches its document
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    kickoffs = {(m, op["operationId"]) for m, op in document["paths"]["/fhir/$export"].items()}
    assert kickoffs == {("get", "export_system_get"), ("post", "export_system_post")}
