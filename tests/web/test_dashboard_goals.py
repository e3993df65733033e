"""The unit dashboard shows each indicator against the goals of the goals file: level, target date and time
left, reached or not, the baseline with its date and the source; the result measure and the offers are on it.
Screenshots at 1366 and 390 px."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.followup.goals import default_goals
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.conftest import login_page
from tests.web.live_server import serve
from tests.web.login import logged_in


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("dash-goals")), secret_key="dash-secret")
    build_demo(settings, patients=30, seed=3, analytics_persons=100)
    yield create_app(settings)


def section(page: str, key: str) -> str:
    start = page.index(f'id="ind-{key}"')
    return page[start : page.index("</section>", start)]


def test_each_indicator_names_its_goals_with_source_baseline_and_time_left(app: object) -> None:
    page = logged_in(app, "processledare").get("/uppfoljning?from=2020-01-01").text
    keys = re.findall(r'<h2 id="ind-([a-z0-9_]+)">', page)
    assert {"erbjuden_kontaktsjukskoterska", "erbjuden_min_vardplan", "besvar_minskade"} <= set(keys)
    assert {"svf_ledtid", "mdk_diskuterad"} <= set(keys)  # from the pathways' SVF records
    assert "svf_inklusion" not in keys  # no data canrehab holds (the expected number): not shown as 0 %
    assert "prem_delaktighet" in keys  # the PREM's answers are recorded (issue 11 item 5)
    for key in keys:
        text = html.unescape(section(page, key))
        for goal in default_goals().for_indicator(key):
            assert goal.name_sv in text and goal.source.section in text, (key, goal.id)
            assert goal.baseline.text_sv.rstrip(".") in text
    nurse = html.unescape(section(page, "erbjuden_kontaktsjukskoterska"))
    assert "målnivå 100 %, måldatum 2024-12-31 (måldatum passerat" in nurse
    assert "79,7" in nurse and "inget måldatum angivet i källan" in nurse  # 003's national indicator
    assert re.search(r"\): <strong>(uppnått|inte uppnått)</strong>", nurse)


def test_an_indicator_without_a_goal_says_so_in_words(app: object) -> None:
    """The dashboard read "Målnivå: –." under an indicator no goal names: now it says there is none and
    points at the goals page."""
    page = html.unescape(logged_in(app, "chef").get("/uppfoljning?from=2020-01-01").text)
    assert "Målnivå: –" not in page
    nurse = section(page, "named_nurse")
    assert not default_goals().for_indicator("named_nurse")
    assert "Inget mål i målfilen anger den här indikatorn" in nurse and 'href="/uppfoljning/mal"' in nurse


def test_dashboard_with_goals_in_chromium_at_desktop_and_phone_width(app: object) -> None:
    with serve(app) as base, chromium() as browser:
        for width, name in ((1366, "dashboard-goals-desktop"), (390, "dashboard-goals-phone")):
            page = login_page(browser, base, "chef", width=width)
            page.goto(f"{base}/uppfoljning?from=2020-01-01")
            screenshot(page, name)
            assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_group_level_distribution_of_problem_areas_and_needs_levels_per_unit(app: object) -> None:
    manager = logged_in(app, "chef").get("/uppfoljning?from=2020-01-01").text
    part = html.unescape(manager[manager.index('id="fordelning"') :])
    assert "Besvärande problemområden vid senaste Hälsoskattningen" in part and "Bekräftad behovsnivå" in part
    assert "Grundläggande" in part or "grundläggande" in part
    # the analyst sees the same tables with the dashboard's disclosure control: no count 1-3 is shown
    analyst = logged_in(app, "analytiker").get("/uppfoljning?from=2020-01-01").text
    cells = re.findall(r'<td class="num">([^<]*)</td>', analyst[analyst.index('id="fordelning"') :])
    assert cells and not any(c.strip() in {"1", "2", "3"} for c in cells)


def test_the_manager_sees_the_own_units_trend_per_quarter(app: object) -> None:
    from canrehab.domain.access import Actor
    from canrehab.services import indicators
    from canrehab.services.context import SYSTEM

    services = app.state.services  # type: ignore[attr-defined]
    with services.uow(SYSTEM, log_reads=False) as uow:
        account = uow.accounts.get("chef")
        unit_name = uow.units.get(account.unit_hsa_ids[0]).name
    manager = Actor(
        role=account.role,
        staff_id=account.staff_id,
        unit_hsa_ids=frozenset(account.unit_hsa_ids),
        username="chef",
    )
    end = services.today()
    trends = indicators.own_unit_trends(services, manager, unit=None, process=None, end=end)
    assert trends and all(len(series) == indicators.TREND_QUARTERS for series in trends.values())
    # The newest quarter is the dashboard's own figure for the same 91 days.
    from datetime import timedelta

    board = indicators.dashboard(
        services, manager, unit=None, process=None, start=end - timedelta(days=90), end=end
    )
    for result in board.indicators:
        own = [r for r in result.rows if r.unit_hsa_id in manager.unit_hsa_ids]
        last = trends[result.definition.id][-1][1]
        if own and own[0].denominator:
            assert last is not None and abs(last - 100 * own[0].numerator / own[0].denominator) < 1e-9
    page = logged_in(app, "chef").get("/uppfoljning").text
    assert any(v is not None for series in trends.values() for _, v in series)
    assert f"Utvecklingen för {unit_name}" in page
    assert "per kvartal" in page and "<desc>" in page and " %" in page
