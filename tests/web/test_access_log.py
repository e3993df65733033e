"""The application log holds no identities (issue 14 item 5): ``canrehab serve`` is started as a real process,
FHIR searches by personnummer and page visits with patient ids are made against it, and its whole output is
grepped afterwards: the route templates are there, no personnummer, no patient id, no query string."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.services.context import SYSTEM, Services
from canrehab.web.access_log import LOGGER_NAME, route_template
from tests.fhir.harness import ONK, PASSWORD, auth, build_app, seed
from tests.web.live_server import free_port

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PNR = "191212121212"


def _seeded(tmp_path: Path, make_patient: Any, make_pathway: Any) -> tuple[Settings, str]:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret", pseudonym_key="test-pseudonym-key")
    services = Services.open(settings, migrate=True)
    app = build_app(services.engine, tmp_path)
    seed(app)
    patient = make_patient(personnummer=PNR)
    with app.state.fhir_services.uow(SYSTEM, log_reads=False) as uow:
        uow.patients.add(patient)
        unit = uow.units.get(ONK)
        uow.pathways.add(make_pathway(patient, unit))
    services.engine.dispose()
    return settings, str(patient.id)


def _serve(settings: Settings, port: int, log_file: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CANREHAB_DATA_DIR": str(settings.data_dir),
        "CANREHAB_SECRET_KEY": settings.secret_key,
        "CANREHAB_PSEUDONYM_KEY": settings.pseudonym_key,
    }
    out = log_file.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "canrehab.cli", "serve", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/halsa", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("canrehab serve did not start")


def _traffic(base: str, patient_id: str) -> None:
    with httpx.Client(base_url=base) as fhir:
        headers = {**auth("karin"), "Accept": "application/fhir+json"}
        for params in (
            {"identifier": f"http://electronichealth.se/identifier/personnummer|{PNR}"},
            {"identifier": PNR},
        ):
            assert fhir.get("/fhir/Patient", params=params, headers=headers).status_code == 200
        assert fhir.get(f"/fhir/Patient/{patient_id}", headers=headers).status_code == 200
        assert fhir.get("/fhir/Procedure", params={"patient": patient_id}, headers=headers).status_code == 200
        assert fhir.get("/fhir/Patient/finns-inte", headers=headers).status_code == 404
    with httpx.Client(base_url=base) as web:
        token = CSRF_RE.search(web.get("/logga-in", params={"next": f"/patient/{patient_id}"}).text)
        assert token is not None
        login = {"username": "karin", "password": PASSWORD, "csrf_token": token.group(1)}
        assert web.post("/logga-in", data=login).status_code == 303
        assert web.get(f"/patient/{patient_id}").status_code == 200
        assert web.get(f"/patient/{PNR}").status_code in (403, 404)
        assert web.get("/arbetslista", params={"sok": PNR}).status_code == 200


def test_served_app_logs_route_templates_and_no_personnummer_patient_id_or_query(
    tmp_path: Path, make_patient: Any, make_pathway: Any
) -> None:
    settings, patient_id = _seeded(tmp_path, make_patient, make_pathway)
    port = free_port()
    log_file = tmp_path / "serve.log"
    proc = _serve(settings, port, log_file)
    try:
        _wait(f"http://127.0.0.1:{port}", proc)
        _traffic(f"http://127.0.0.1:{port}", patient_id)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = log_file.read_text(encoding="utf-8", errors="replace")
    assert "GET /fhir/Patient 200" in text
    assert "GET /fhir/Patient/{rid} 200" in text
    assert "GET /patient/{patient_id} 200" in text
    assert "POST /logga-in 303" in text
    assert PNR not in text and PNR[2:] not in text
    assert patient_id not in text
    assert "?" not in text and "identifier" not in text
    assert '"GET /' not in text  # uvicorn's access-log line ("GET /path HTTP/1.1") is off


def test_unmatched_paths_are_logged_as_a_dash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from canrehab.web.app import create_app

    app = create_app(Settings(data_dir=tmp_path, secret_key="s"))
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    client = TestClient(app, base_url="http://127.0.0.1")
    assert client.get(f"/finns-inte/{PNR}").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    assert lines and lines[-1].startswith("GET - 404 ")
    assert all(PNR not in line for line in lines)


def test_route_template_needs_a_route_on_the_scope() -> None:
    assert route_template({"type": "http"}) == "-"
