"""Form idempotency keys (issue 14 item 8): the send forms carry a hidden one-time key; a second submit of
the same key creates no second record and shows the first result; a submit that failed used no key."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from canrehab.config import Settings
from canrehab.services.context import SYSTEM, Services
from canrehab.store.orm import TABLES
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.login import CSRF_RE, logged_in

KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')


@dataclass
class World:
    app: object
    services: Services
    patient_id: str
    pathway_id: str
    to_unit: str


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("idem")
    url = None
    name = f"idem_{uuid.uuid4().hex[:12]}"
    if request.param == "postgres":
        server = request.getfixturevalue("pg_server")
        url = server.create(name)
    settings = Settings(data_dir=data_dir, secret_key="idem-secret", database_url=url or "")
    build_demo(settings, patients=40, seed=3, analytics_persons=200)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        nurse = uow.staff.get(uow.accounts.get("ssk").staff_id)
        physio = uow.staff.get(uow.accounts.get("fysioterapeut").staff_id)
        pathway = next(p for p in uow.pathways.for_unit(nurse.unit_hsa_id) if p.closed_on is None)
    yield World(create_app(settings), services, pathway.patient_id, pathway.id, physio.unit_hsa_id)
    services.engine.dispose()
    if url is not None:
        server.drop(name)


def _handovers(world: World) -> int:
    table = TABLES["handover"]
    with world.services.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.pathway_id == world.pathway_id)
            ).scalar_one()
        )


def _form(world: World, client: object) -> dict[str, str]:
    page = client.get(  # type: ignore[attr-defined]
        f"/patient/{world.patient_id}/overlamning", params={"pathway_id": world.pathway_id}
    ).text
    return {
        "csrf_token": CSRF_RE.search(page).group(1),  # type: ignore[union-attr]
        "idempotency_key": KEY_RE.search(page).group(1),  # type: ignore[union-attr]
        "pathway_id": world.pathway_id,
        "to_unit": world.to_unit,
        "needs": "Träning efter behandling",
        "patient_informed": "1",
    }


def test_a_double_submit_of_send_handover_creates_one_handover_and_shows_it_twice(world: World) -> None:
    client = logged_in(world.app, "ssk")
    before = _handovers(world)
    data = _form(world, client)
    first = client.post(f"/patient/{world.patient_id}/overlamning", data=data, follow_redirects=False)
    second = client.post(f"/patient/{world.patient_id}/overlamning", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].startswith("/overlamning/")
    assert second.headers["location"] == first.headers["location"]
    assert _handovers(world) == before + 1
    shown = client.get(second.headers["location"])
    assert "redan skickad" in shown.text
    # A new form (a new key) sends a new handover.
    third = client.post(
        f"/patient/{world.patient_id}/overlamning", data=_form(world, client), follow_redirects=False
    )
    assert third.status_code == 303 and third.headers["location"] != first.headers["location"]
    assert _handovers(world) == before + 2


def test_concurrent_submits_of_one_key_create_one_handover(world: World) -> None:
    client = logged_in(world.app, "ssk")
    before = _handovers(world)
    data = _form(world, client)
    locations: list[str] = []
    start = threading.Barrier(4)

    def submit() -> None:
        c = logged_in(world.app, "ssk")
        start.wait()
        r = c.post(f"/patient/{world.patient_id}/overlamning", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        locations.append(r.headers["location"])

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(locations) == 4 and len(set(locations)) == 1
    assert _handovers(world) == before + 1


def test_a_refused_submit_uses_no_key_so_the_corrected_form_goes_through(world: World) -> None:
    client = logged_in(world.app, "ssk")
    before = _handovers(world)
    data = _form(world, client)
    refused = client.post(
        f"/patient/{world.patient_id}/overlamning", data={**data, "to_unit": ""}, follow_redirects=False
    )
    assert refused.status_code == 400
    done = client.post(f"/patient/{world.patient_id}/overlamning", data=data, follow_redirects=False)
    assert done.status_code == 303
    assert _handovers(world) == before + 1


def test_a_key_of_another_form_is_refused_and_creates_nothing(world: World) -> None:
    client = logged_in(world.app, "ssk")
    data = _form(world, client)
    assert client.post(f"/patient/{world.patient_id}/overlamning", data=data).status_code == 200
    before = _handovers(world)
    referral = client.post(
        f"/patient/{world.patient_id}/remiss",
        data={**data, "reason": "Smärta"},
        follow_redirects=False,
    )
    assert referral.status_code == 400 and "redan använts" in referral.text
    assert _handovers(world) == before
