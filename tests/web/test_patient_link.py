"""The patient's assessment link: Min vårdplan gives the same link on every visit while it is valid (a new
one only near its end), links are valid for ``WebSettings.assessment_link_days``, and an expired link is
refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from canrehab.domain.access import Actor
from canrehab.domain.model import KeyMoment, Respondent
from canrehab.services import assessments
from canrehab.services.context import SYSTEM
from canrehab.web.app import create_app
from canrehab.web.format import local_time
from canrehab.web.settings import WebSettings
from tests.web.login import CSRF_RE, logged_in
from tests.web.test_routes_access import World, world

__all__ = ["world"]
LINK_DAYS = 3
LINK_RE = re.compile(r'href="(?:http://127\.0\.0\.1)?/skattning/([^"]+)"')


@pytest.fixture(scope="module")
def app(world: World) -> object:
    return create_app(world.services.settings, WebSettings(assessment_link_days=LINK_DAYS))


def login(app: object, username: str) -> TestClient:
    return logged_in(app, username)


@pytest.fixture(scope="module")
def open_assessment(world: World) -> str:
    """A self-assessment the patient of the demo login has not filled in yet."""
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        pathway = uow.pathways.for_patient(world.patient_account_patient)[0]
        nurse = uow.accounts.get("ssk")
    actor = Actor(
        role="nurse", staff_id=nurse.staff_id, unit_hsa_ids=frozenset(nurse.unit_hsa_ids), username="ssk"
    )
    started = assessments.start(
        world.services,
        actor,
        patient_id=world.patient_account_patient,
        pathway_id=pathway.id,
        key_moment=KeyMoment.FOLLOW_UP,
        respondent=Respondent.PATIENT,
    )
    return started.id


def links(world: World, assessment_id: str) -> list[dict[str, object]]:
    with world.services.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT * FROM assessment_link WHERE assessment_id = :a ORDER BY created_at"),
            {"a": assessment_id},
        )
        return [dict(r) for r in rows.mappings()]


def as_utc(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def own_tokens(client: TestClient) -> list[str]:
    page = client.get("/min-vardplan")
    assert page.status_code == 200
    return LINK_RE.findall(page.text)


def test_min_vardplan_reuses_the_open_link(world: World, app: object, open_assessment: str) -> None:
    patient = login(app, "patient")
    first = own_tokens(patient)
    assert len(first) == 1
    assert own_tokens(patient) == first
    assert own_tokens(login(app, "patient")) == first  # a new login, the same link
    rows = links(world, open_assessment)
    assert len(rows) == 1
    validity = as_utc(rows[0]["expires_at"]) - as_utc(rows[0]["created_at"])
    assert validity == timedelta(days=LINK_DAYS)
    form = patient.get(f"/skattning/{first[0]}")
    assert form.status_code == 200


def test_a_link_near_its_end_is_replaced(world: World, app: object, open_assessment: str) -> None:
    patient = login(app, "patient")
    before = own_tokens(patient)
    with world.services.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE assessment_link SET expires_at = :soon WHERE assessment_id = :a"),
            {"soon": datetime.now(UTC) + timedelta(hours=2), "a": open_assessment},
        )
    after = own_tokens(patient)
    assert after != before
    assert own_tokens(patient) == after
    assert len(links(world, open_assessment)) == 2


def test_an_expired_link_is_refused(world: World, app: object, open_assessment: str) -> None:
    patient = login(app, "patient")
    token = own_tokens(patient)[0]
    with world.services.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE assessment_link SET expires_at = :past WHERE assessment_id = :a"),
            {"past": datetime.now(UTC) - timedelta(minutes=1), "a": open_assessment},
        )
    anonymous = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    r = anonymous.get(f"/skattning/{token}")
    assert r.status_code == 404
    assert "Länken fungerar inte" in r.text
    csrf = CSRF_RE.search(anonymous.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    r = anonymous.post(f"/skattning/{token}", data={"csrf_token": csrf, "version": "1", "op": "submit"})
    assert r.status_code == 404


def test_a_link_sent_by_staff_is_valid_for_the_configured_days(world: World, app: object) -> None:
    nurse = login(app, "ssk")
    r = nurse.post(
        f"/patient/{world.own_patient}/bedomning",
        data={"pathway_id": world.own_pathway, "key_moment": "other", "mode": "link"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = nurse.get(f"/patient/{world.own_patient}").text
    token = LINK_RE.search(page).group(1)  # type: ignore[union-attr]
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        assessment_id, expires = uow.links.resolve(token)  # type: ignore[misc]
    assert abs(expires - (datetime.now(UTC) + timedelta(days=LINK_DAYS))) < timedelta(minutes=5)
    local = local_time(expires)
    assert f"giltig till {local:%Y-%m-%d %H:%M}" in page
    assert assessment_id
