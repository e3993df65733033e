"""The structure register's pages on a real (SQLite) demo database: a unit manager edits their unit's
structure through the form, a bad value re-renders the form with a Swedish message and writes nothing,
another unit's structure and a nurse are refused; in Chromium at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.services import structure
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")


@dataclass
class World:
    app: object
    services: Services
    own_unit: str
    other_unit: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("structure")), secret_key="structure-secret")
    build_demo(settings, patients=20, seed=3, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        own = uow.accounts.get("chef").unit_hsa_ids[0]
        other = next(u.hsa_id for u in uow.units.list_all() if u.hsa_id != own)
    yield World(create_app(settings), services, own, other)
    services.engine.dispose()


def _form(version: int, **values: str) -> dict[str, str]:
    return {"version": str(version), **values}


def test_a_unit_manager_saves_a_new_version_of_their_units_structure(world: World) -> None:
    client = logged_in(world.app, "chef")
    page = client.get(f"/struktur/{world.own_unit}/breast")
    assert page.status_code == 200 and "Kontaktsjuksköterskor finns" in page.text
    saved = client.post(
        f"/struktur/{world.own_unit}/breast",
        data=_form(
            0,
            contact_nurses_present="ja",
            assignment_written="ja",
            assignment_resourced="ja",
            assignment_document="Dnr 2025/77",
            assignment_date="2025-10-01",
            coding_routine_exists="nej",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    facts = {
        f.field: f.value for f in structure.structure_facts(world.services, unit_hsa_ids=[world.own_unit])
    }
    assert facts["assignment_document"] == "Dnr 2025/77" and facts["coding_routine_exists"] is False
    shown = client.get(f"/struktur/{world.own_unit}/breast").text
    assert "Version 1" in shown and "Dnr 2025/77" in shown


def test_a_bad_date_re_renders_the_form_with_a_swedish_message_and_writes_nothing(world: World) -> None:
    client = logged_in(world.app, "chef")
    answer = client.post(
        f"/struktur/{world.own_unit}/lung",
        data=_form(0, contact_nurses_present="ja", assignment_written="ja", assignment_date="1 okt"),
    )
    assert answer.status_code == 400 and "ska vara ett datum" in answer.text
    assert 'value="1 okt"' in answer.text  # what the user typed stays in the form
    assert structure.history(world.services, LEADER, world.own_unit, "lung") == []


def test_a_unit_manager_is_refused_another_units_structure(world: World) -> None:
    client = logged_in(world.app, "chef")
    assert client.get(f"/struktur/{world.other_unit}/breast").status_code == 403
    refused = client.post(f"/struktur/{world.other_unit}/breast", data=_form(0, rehab_team_available="ja"))
    assert refused.status_code == 403
    assert structure.history(world.services, LEADER, world.other_unit, "breast") == []


def test_a_nurse_has_no_structure_register(world: World) -> None:
    client = logged_in(world.app, "ssk")
    assert client.get("/struktur").status_code == 403
    assert client.post(f"/struktur/{world.own_unit}/breast", data=_form(0)).status_code == 403


def test_the_process_leader_sees_every_unit_in_the_overview(world: World) -> None:
    text = logged_in(world.app, "processledare").get("/struktur").text
    assert world.own_unit in text and world.other_unit in text


def test_the_pages_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/logga-in")
            page.get_by_label("Användarnamn").fill("chef")
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.goto(f"{base}/struktur")
            assert page.get_by_role("heading", name="Strukturregister").is_visible()
            screenshot(page, f"structure-overview-{width}")
            page.goto(f"{base}/struktur/{world.own_unit}/colorectal")
            page.get_by_label("Rehabteam finns").select_option("ja")
            page.get_by_role("button", name="Spara ny version").click()
            assert page.get_by_text("sparade som en ny version").is_visible()
            screenshot(page, f"structure-edit-{width}")
    versions = structure.history(world.services, LEADER, world.own_unit, "colorectal")
    assert [v.version for v in versions] == [2, 1]
