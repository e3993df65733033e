"""The goals overview (/uppfoljning/mal) on a real (SQLite) demo database: the process leader records a unit's
structure in the register and sees the structure goal move on the goals page, every goal of the goals file
with its source; a unit manager sees only their own unit; a nurse is refused; in Chromium at desktop and phone
width with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.followup.goals import default_goals
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import DEMO_PASSWORD, build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.live_server import serve
from tests.web.login import logged_in


@dataclass
class World:
    app: object
    services: Services
    own_unit: str
    own_unit_name: str
    units: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("goals")), secret_key="goals-secret")
    build_demo(settings, patients=20, seed=5, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        own = uow.accounts.get("chef").unit_hsa_ids[0]
        units = list(uow.units.list_all())
    name = next(u.name for u in units if u.hsa_id == own)
    yield World(create_app(settings), services, own, name, len(units))
    services.engine.dispose()


def _goal_card(html: str, goal_id: str) -> str:
    start = html.index(f'id="mal-{goal_id}"')
    return html[start : html.index("</article>", start)]


def test_every_goal_is_shown_with_its_source(world: World) -> None:
    html = logged_in(world.app, "processledare").get("/uppfoljning/mal").text
    for goal in default_goals().goals:
        card = _goal_card(html, goal.id)
        assert goal.source.section in card.replace("&#39;", "'")


def test_a_structure_goal_follows_the_register_as_the_process_leader_records_it(world: World) -> None:
    client = logged_in(world.app, "processledare")
    before = _goal_card(client.get("/uppfoljning/mal").text, "m000_1_kssk_finns")
    saved = client.post(
        f"/struktur/{world.own_unit}/breast",
        data={"version": "0", "contact_nurses_present": "ja"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = _goal_card(client.get("/uppfoljning/mal").text, "m000_1_kssk_finns")
    assert f"0 av {world.units} verksamheter" in before
    assert f"1 av {world.units} verksamheter" in after and "Inte uppnått" in after
    assert world.own_unit_name in after and "ej registrerat" in after


def test_a_unit_manager_sees_their_unit_and_a_nurse_is_refused(world: World) -> None:
    html = logged_in(world.app, "chef").get("/uppfoljning/mal").text
    card = _goal_card(html, "m000_1_kssk_finns")
    assert "av 1 verksamheter" in card and world.own_unit_name in card
    assert logged_in(world.app, "ssk").get("/uppfoljning/mal").status_code == 403


def test_the_goals_page_in_chromium_at_desktop_and_phone_width(world: World) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"{base}/logga-in")
            page.get_by_label("Användarnamn").fill("processledare")
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.goto(f"{base}/uppfoljning")
            page.get_by_role("link", name="Alla mål – var enheterna och regionen står").click()
            assert page.get_by_role("heading", name="Mål för cancerrehabiliteringen").is_visible()
            width_px = page.evaluate("document.documentElement.scrollWidth")
            assert width_px <= width + 1, f"the page overflows at {width} px ({width_px} px)"
            screenshot(page, f"goals-{width}")
