"""The FHIR router inside the full web app: included automatically, no CSRF token or cookie, Basic auth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.services.context import Services
from canrehab.web.app import create_app
from tests.fhir.harness import TODAY, Fhir, seed


def test_fhir_in_the_web_app_without_cookies_or_csrf(
    db_url: str, tmp_path: Path, example_bundle: dict[str, Any]
) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="test-secret", database_url=db_url, pseudonym_key="test-pseudonym-key"
    )
    app = create_app(settings)
    app.state.fhir_services = Services(
        settings=settings, engine=app.state.services.engine, clock=lambda: TODAY
    )
    seed(app)
    try:
        with TestClient(app) as client:
            metadata = client.get("/fhir/metadata")
            assert metadata.status_code == 200
            assert metadata.headers["content-type"].startswith("application/fhir+json")
            assert metadata.headers["x-content-type-options"] == "nosniff"
            r = Fhir(client, "admin").post("", example_bundle)  # a POST without any CSRF token
            assert r.status_code == 200, r.text
            assert "set-cookie" not in r.headers
            assert not client.cookies
            found = Fhir(client, "karin").get("Patient", identifier="191212121212").json()
            assert found["total"] == 1
    finally:
        app.state.services.engine.dispose()
