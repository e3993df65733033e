"""A FastAPI app with only the FHIR router, on a migrated database, with accounts and care units."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.model import CareUnit, Profession, Staff
from canrehab.services.login_throttle import LoginThrottle

ONK = "SE2321000016-ONK1"
REH = "SE2321000016-REH1"
KIR = "SE2321000016-KIR1"
PASSWORD = "rätt-lösenord-123"
TODAY = date(2026, 3, 2)

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ACCOUNTS: dict[str, dict[str, Any]] = {
    "karin": {"role": "nurse", "staff_id": "nurse-onk", "units": (ONK,)},
    "per": {"role": "rehab_professional", "staff_id": "diet-reh", "units": (REH,)},
    "eva": {"role": "nurse", "staff_id": "nurse-kir", "units": (KIR,)},
    "chef": {"role": "unit_manager", "staff_id": None, "units": (ONK,)},
    "analys": {"role": "regional_analyst", "staff_id": None, "units": ()},
    "admin": {"role": "admin", "staff_id": None, "units": ()},
}


def router_app() -> FastAPI:
    """A FastAPI app with only the FHIR router (and its own OpenAPI schema)."""
    from canrehab.fhir.api import router

    app = FastAPI(title="canrehab FHIR")
    app.include_router(router)
    return app


def build_app(engine: Any, tmp_path: Path, app: FastAPI | None = None) -> FastAPI:
    """``app`` (or a new router-only app) wired to the database."""
    from canrehab.services.context import Services

    settings = Settings(data_dir=tmp_path, secret_key="test-secret", pseudonym_key="test-pseudonym-key")
    app = app or router_app()
    app.state.settings = settings
    app.state.throttle = LoginThrottle(engine, {})  # no back-off: the tests log in thousands of times
    app.state.fhir_services = Services(settings=settings, engine=engine, clock=lambda: TODAY)
    return app


def seed(app: FastAPI) -> None:
    from canrehab.services.context import SYSTEM

    services = app.state.fhir_services
    with services.uow(SYSTEM, log_reads=False) as uow:
        uow.units.add(
            CareUnit(hsa_id=ONK, name="Onkologiska kliniken, Universitetssjukhuset", county_code="01")
        )
        uow.units.add(CareUnit(hsa_id=REH, name="Rehabiliteringsmottagningen", county_code="01"))
        uow.units.add(CareUnit(hsa_id=KIR, name="Kirurgiska kliniken", county_code="03"))
        uow.staff.add(
            Staff(
                id="nurse-onk",
                hsa_id="SE2321000016-P1001",
                name="Karin Nilsson",
                profession=Profession.CONTACT_NURSE,
                unit_hsa_id=ONK,
            )
        )
        uow.staff.add(
            Staff(
                id="diet-reh",
                hsa_id="SE2321000016-P1002",
                name="Per Berg",
                profession=Profession.DIETITIAN,
                unit_hsa_id=REH,
            )
        )
        uow.staff.add(
            Staff(
                id="nurse-kir",
                hsa_id="SE2321000016-P1003",
                name="Eva Lind",
                profession=Profession.CONTACT_NURSE,
                unit_hsa_id=KIR,
            )
        )
        hashed = CHEAP_HASHER.hash(PASSWORD)  # verify_password reads the cost from the hash: fast tests
        for username, a in ACCOUNTS.items():
            uow.accounts.create(
                username=username,
                password_hash=hashed,
                role=a["role"],
                display_name=username,
                staff_id=a["staff_id"],
                unit_hsa_ids=a["units"],
            )


def auth(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


FHIR = {"Content-Type": "application/fhir+json"}


@dataclass
class Fhir:
    """A test client speaking FHIR as one user."""

    client: TestClient
    username: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**auth(self.username), **FHIR, **(extra or {})}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/fhir/{url}", params=params or None, headers=self.headers())

    def post(self, url: str, body: Any, extra: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/fhir/{url}".rstrip("/"), json=body, headers=self.headers(extra))

    def put(self, url: str, body: Any, extra: dict[str, str] | None = None) -> Any:
        return self.client.put(f"/fhir/{url}", json=body, headers=self.headers(extra))


def actor(username: str) -> Actor:
    a = ACCOUNTS[username]
    return Actor(
        role=a["role"], staff_id=a["staff_id"], unit_hsa_ids=frozenset(a["units"]), username=username
    )


@contextmanager
def client_for(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
