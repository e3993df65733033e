"""The process leader's journey through the goals in Chromium (issue 11, "Done when"): records a unit's
structure in the register and sees the structure goal move; sees that the register goals wait for an extract;
imports a patient-register extract by the analyst's import path (``canrehab import-par``'s ``import_par`` into
the analytics store) and sees the register goal with the region's county, every county and the nation. At
1366 and 390 px, with screenshots."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from canrehab.codes.geography import default_counties
from canrehab.config import Settings
from canrehab.followup.importer import dataset_root, import_par
from canrehab.followup.synth_par import write_extract
from canrehab.services.context import SYSTEM, Services
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve

STRUCTURE_GOAL = "m000_1_kssk_finns"  # 000 mål 1: KSSK finns, answered by the structure register
REGISTER_GOAL = "m000_4_kva_statistik"  # 000 mål 4: statistics of the rehab plan's KVÅ codes (register)


@dataclass
class World:
    app: object
    settings: Settings
    unit: str
    unit_name: str
    units: int
    county_names: list[str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("journey")), secret_key="journey-secret")
    build_demo(settings, patients=20, seed=8, analytics_persons=100)
    shutil.rmtree(dataset_root(settings.analytics_dir))  # no register extract imported yet
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        units = list(uow.units.list_all())
    services.engine.dispose()
    # the demo region is an RCC's counties: the process leader sees each county's register figure
    names = sorted({default_counties().by_code[u.county_code].name for u in units if u.county_code})
    assert len(names) > 1
    yield World(create_app(settings), settings, units[0].hsa_id, units[0].name, len(units), names)


def _card(page: object, goal_id: str) -> str:
    return str(page.locator(f"#mal-{goal_id}").inner_text())  # type: ignore[attr-defined]


def test_the_process_leader_records_structure_imports_an_extract_and_sees_both_goals(
    world: World, logged_in_page: LoginPage, tmp_path: Path
) -> None:
    with serve(world.app) as base, chromium() as browser:
        page = logged_in_page(browser, base, "processledare")
        page.goto(f"{base}/uppfoljning/mal")
        assert f"0 av {world.units} verksamheter" in _card(page, STRUCTURE_GOAL)
        waiting = _card(page, REGISTER_GOAL)
        assert "inget registeruttag är importerat ännu" in waiting and "Källa: 000" in waiting

        # the structure register: contact nurses present at one unit for the breast-cancer process
        page.goto(f"{base}/struktur/{world.unit}/breast")
        page.get_by_label("Kontaktsjuksköterskor finns").select_option("ja")
        page.get_by_role("button", name="Spara ny version").click()
        page.wait_for_load_state()
        page.goto(f"{base}/uppfoljning/mal")
        card = _card(page, STRUCTURE_GOAL)
        assert f"1 av {world.units} verksamheter" in card and "Inte uppnått" in card
        assert "måldatum 2028-12-31" in card

        # the analyst's import path: a patient-register extract into the analytics store
        extract = tmp_path / "extrakt2024.csv"
        write_extract(extract, persons=400, year=2024, seed=3)
        result = import_par(extract, dataset_root(world.settings.analytics_dir) / "extrakt2024")
        assert result.accepted > 0 and result.rejected == 0

        page.goto(f"{base}/uppfoljning/mal?from=2024-01-01&to=2024-12-31")
        card = _card(page, REGISTER_GOAL)
        assert "Registeruttag 2024: målet anger ingen siffra, följs över tid" in card
        assert "datamängd extrakt2024" in card
        page.locator(f"#mal-{REGISTER_GOAL} summary").click()
        rows = page.locator(f"#mal-{REGISTER_GOAL} tbody th").all_inner_texts()
        assert "Riket" in rows and set(world.county_names) <= set(rows)  # every county and the nation
        cells = page.locator(f"#mal-{REGISTER_GOAL} tbody td.num").all_inner_texts()
        assert all(c.endswith("%") or c in ("X", "–") for c in cells) and any("," in c for c in cells)
        screenshot(page, "goals-journey-1366")
        for width in (390,):
            phone = logged_in_page(browser, base, "processledare", width=width)
            phone.goto(f"{base}/uppfoljning/mal?from=2024-01-01&to=2024-12-31")
            phone.locator(f"#mal-{REGISTER_GOAL} summary").click()
            scroll = phone.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"the goals page overflows at {width} px ({scroll} px)"
            phone.locator(f"#mal-{REGISTER_GOAL}").scroll_into_view_if_needed()
            screenshot(phone, f"goals-journey-{width}")
