"""Parameters that do not validate get a Swedish answer — an error page, or JSON for a client that asks for
JSON — instead of FastAPI's English 422 JSON; the FHIR API keeps its OperationOutcome."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.services.accounts import create_user
from canrehab.services.context import Services
from canrehab.web.app import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "ett-langt-losenord"
ENGLISH = ("Input should be", "Field required", '"detail"', "value_error")


@pytest.fixture
def nurse(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path, secret_key="validation-secret")
    services = Services.open(settings, migrate=True)
    create_user(services, username="sara", role="nurse", password=PASSWORD)
    services.engine.dispose()
    client = TestClient(create_app(settings), base_url="http://127.0.0.1")
    token = CSRF_RE.search(client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    client.headers["x-csrf-token"] = token
    r = client.post("/logga-in", data={"username": "sara", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    return client


def assert_swedish(text: str) -> None:
    for english in ENGLISH:
        assert english not in text


def test_a_bad_query_parameter_gives_a_swedish_error_page(nurse: TestClient) -> None:
    r = nurse.get("/arbetslista?sida=x")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in r.text
    assert "Ogiltiga uppgifter" in r.text
    assert "Sidnummer i adressen måste vara ett heltal." in r.text
    assert_swedish(r.text)
    assert r.headers["x-frame-options"] == "DENY"  # still a page of the app, with its headers


def test_a_missing_form_field_gives_a_swedish_error_page(nurse: TestClient) -> None:
    r = nurse.post("/bedomning/abc/bekrafta", data={"version": "ett"})
    assert r.status_code == 422
    assert "Behovsnivån i formuläret saknas." in r.text
    assert "Versionsnumret i formuläret måste vara ett heltal." in r.text
    assert_swedish(r.text)


def test_free_text_in_the_error_is_not_echoed(nurse: TestClient) -> None:
    r = nurse.get("/arbetslista?sida=<script>alert(1)</script>")
    assert r.status_code == 422
    assert "<script>alert(1)" not in r.text


def test_a_client_asking_for_json_gets_swedish_json(nurse: TestClient) -> None:
    r = nurse.get("/arbetslista?sida=x", headers={"accept": "application/json"})
    assert r.status_code == 422
    expected = ["Sidnummer i adressen måste vara ett heltal."]
    assert r.json() == {"fel": "Ogiltiga uppgifter", "detaljer": expected}


def test_fhir_keeps_its_operation_outcome(nurse: TestClient) -> None:
    r = nurse.get("/fhir/NoSuchType/1")  # the resource type does not validate (a path enum)
    assert r.status_code == 404
    assert r.json()["resourceType"] == "OperationOutcome"
    assert "Ogiltiga uppgifter" not in r.text
