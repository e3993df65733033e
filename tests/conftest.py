"""Shared fixtures for every layer's tests (store, services, fhir, web).

Databases — every test that takes one of these runs twice, on SQLite and on PostgreSQL:

``db_backend``
    ``"sqlite"`` or ``"postgres"`` (the parametrisation). The postgres param carries ``pytest.mark.postgres``
    and is skipped only when ``CANREHAB_TEST_PG_URL`` is unset (``scripts/pg-test-server start`` prints it).
``db_url``
    URL of a fresh database for this test, already migrated to the newest schema. SQLite: a file in the
    test's tmp dir. PostgreSQL: a throw-away database ``canrehab_t_<random>_<n>`` on the server of
    ``CANREHAB_TEST_PG_URL``, cloned from a template migrated once per session and dropped after the test
    (the shared ``canrehab`` database is never touched, so several developers can share one server).
``empty_db_url``
    Like ``db_url`` but empty (no tables): for migration tests.
``engine``
    ``canrehab.store.db.make_engine(db_url)``, disposed after the test.
``session_factory``
    ``canrehab.store.db.session_factory(engine)``.
``uow``
    ``uow()`` / ``uow(actor, log_reads=False)``: a new ``UnitOfWork`` on ``session_factory`` (default actor
    ``TEST_ACTOR``), to be used as ``with uow() as u: ...``.

Entity factories — plain, unsaved entities with unique ids (pure, no database):

``make_unit(**overrides) -> CareUnit``, ``make_staff(unit=None, **overrides) -> Staff``,
``make_patient(**overrides) -> Patient`` (valid, unique personnummer; the first is 19121212-1212),
``make_pathway(patient, unit=None, **overrides) -> Pathway``.
``save(*entities)`` stores units, staff, patients and pathways (in that order) in one system unit of work,
adding the default unit ``TEST_UNIT`` when an entity refers to it.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from canrehab.domain.identity import generate_personnummer, pseudonymise
from canrehab.domain.model import (
    CareLevel,
    CareUnit,
    Diagnosis,
    Entity,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    Profession,
    Sex,
    Staff,
)
from canrehab.store.audit import AuditActor
from canrehab.store.db import make_engine, migrate
from canrehab.store.db import session_factory as make_session_factory
from canrehab.store.uow import UnitOfWork

PG_ENV = "CANREHAB_TEST_PG_URL"
TEST_UNIT = "SE2321000016-TEST"
TEST_ACTOR = AuditActor(username="tester", role="nurse", unit_hsa_ids=(TEST_UNIT,))
SYSTEM_ACTOR = AuditActor(username="system", role="system", unit_hsa_ids=())
PSEUDONYM_KEY = b"test-pseudonym-key"

_counter = itertools.count(1)
_SESSION_TAG = uuid.uuid4().hex[:8]


def advisory_lock_holders(engine: Engine) -> list[str]:
    """The ``application_name`` of every session holding an advisory lock in the engine's database (the
    scheduler lock's holder names itself ``canrehab-scheduler-<pid>``)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
                )
            ).scalars()
        )


# ---------------------------------------------------------------------------------------------- servers


class PgServer:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self.template: str | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        with self.admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}{clause}"))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        """Drop the database, ending the test's own connections. An autovacuum worker busy in it belongs to
        the superuser and cannot be ended by the test role (InsufficientPrivilege): it finishes within a
        moment, so the drop is retried a few times before the error is raised."""
        for attempt in range(20):
            try:
                with self.admin.connect() as conn:
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                return
            except sa.exc.ProgrammingError as err:
                if "pg_signal_backend" not in str(err) or attempt == 19:
                    raise
                time.sleep(0.25)

    def migrated_template(self) -> str:
        if self.template is None:
            name = f"canrehab_t_{_SESSION_TAG}_tpl"
            engine = make_engine(self.create(name))
            try:
                migrate(engine)
            finally:
                engine.dispose()
            self.template = name
        return self.template


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (start one with scripts/pg-test-server start)")
    server = PgServer(url)
    yield server
    if server.template is not None:
        server.drop(server.template)
    server.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


# ---------------------------------------------------------------------------------------------- databases


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _fresh(request: pytest.FixtureRequest, backend: str, tmp_path: Path, *, migrated: bool) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / f"canrehab-{next(_counter)}.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"canrehab_t_{_SESSION_TAG}_{next(_counter)}"
    url = server.create(name, server.migrated_template() if migrated else None)
    try:
        yield url
    finally:
        server.drop(name)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, db_backend: str, tmp_path: Path) -> Iterator[str]:
    yield from _fresh(request, db_backend, tmp_path, migrated=True)


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, db_backend: str, tmp_path: Path) -> Iterator[str]:
    yield from _fresh(request, db_backend, tmp_path, migrated=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> Callable[..., UnitOfWork]:
    def make(actor: AuditActor = TEST_ACTOR, *, log_reads: bool = True) -> UnitOfWork:
        return UnitOfWork(session_factory, actor, log_reads=log_reads)

    return make


# ---------------------------------------------------------------------------------------------- factories


@pytest.fixture
def make_unit() -> Callable[..., CareUnit]:
    def make(**overrides: Any) -> CareUnit:
        n = next(_counter)
        values: dict[str, Any] = {
            "hsa_id": f"SE2321000016-U{n:05d}",
            "name": f"Enhet {n}",
            "county_code": "01",
            "level": CareLevel.SPECIALISED,
        }
        return CareUnit(**(values | overrides))

    return make


@pytest.fixture
def make_staff() -> Callable[..., Staff]:
    def make(unit: CareUnit | None = None, **overrides: Any) -> Staff:
        n = next(_counter)
        values: dict[str, Any] = {
            "hsa_id": f"SE2321000016-P{n:05d}",
            "name": f"Medarbetare {n}",
            "profession": Profession.CONTACT_NURSE,
            "unit_hsa_id": unit.hsa_id if unit is not None else TEST_UNIT,
        }
        return Staff(**(values | overrides))

    return make


@pytest.fixture
def make_patient() -> Callable[..., Patient]:
    rng = random.Random(1212)
    used: set[str] = set()

    def make(**overrides: Any) -> Patient:
        if "personnummer" in overrides:
            pnr = overrides["personnummer"]
        elif "191212121212" not in used:
            pnr = "191212121212"
        else:
            birth = date(rng.randint(1930, 2000), rng.randint(1, 12), rng.randint(1, 28))
            pnr = generate_personnummer(rng, birth, overrides.get("sex", Sex.FEMALE))
            while pnr in used:
                pnr = generate_personnummer(rng, birth, overrides.get("sex", Sex.FEMALE))
        used.add(pnr)
        values: dict[str, Any] = {
            "personnummer": pnr,
            "pseudonym": pseudonymise(pnr, PSEUDONYM_KEY),
            "name": "Tolvan Tolvansson" if pnr == "191212121212" else f"Testpatient {len(used)}",
            "sex": Sex.MALE if int(pnr[10]) % 2 else Sex.FEMALE,
            "birth_date": date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8]) % 60),
            "county_code": "01",
        }
        return Patient(**(values | overrides))

    return make


@pytest.fixture
def make_pathway() -> Callable[..., Pathway]:
    def make(patient: Patient, unit: CareUnit | None = None, **overrides: Any) -> Pathway:
        diagnosed = overrides.pop("diagnosed_on", date(2026, 1, 10))
        values: dict[str, Any] = {
            "patient_id": patient.id,
            "unit_hsa_id": unit.hsa_id if unit is not None else TEST_UNIT,
            "diagnosis": Diagnosis(icd10="C509", diagnosed_on=diagnosed, process="breast"),
            "phases": (PhaseEntry(kind=PhaseKind.DIAGNOSIS, on=diagnosed),),
        }
        return Pathway(**(values | overrides))

    return make


@pytest.fixture
def save(uow: Callable[..., UnitOfWork]) -> Callable[..., None]:
    order = (CareUnit, Staff, Patient, Pathway)

    def store(*entities: Entity) -> None:
        with uow(SYSTEM_ACTOR, log_reads=False) as u:
            uses_test_unit = any(getattr(e, "unit_hsa_id", None) == TEST_UNIT for e in entities)
            has_test_unit = any(isinstance(e, CareUnit) and e.hsa_id == TEST_UNIT for e in entities)
            if uses_test_unit and not has_test_unit and u.units.find(TEST_UNIT) is None:
                u.units.add(CareUnit(hsa_id=TEST_UNIT, name="Testenheten", county_code="01"))
            for kind in order:
                for entity in (e for e in entities if type(e) is kind):
                    repos: dict[type, Any] = {
                        CareUnit: u.units,
                        Staff: u.staff,
                        Patient: u.patients,
                        Pathway: u.pathways,
                    }
                    repo = repos[kind]
                    repo.add(entity)
            unknown = [type(e).__name__ for e in entities if type(e) not in order]
            if unknown:
                raise TypeError(f"save() stores units, staff, patients and pathways, not {unknown}")

    return store
