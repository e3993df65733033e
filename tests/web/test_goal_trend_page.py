"""The goal trend page (/uppfoljning/mal/trend) on a real (SQLite) demo database: an indicator per quarter or
year for the whole scope, a unit, a county or an RCC, with the goal line and the baseline in the SVG and the
same figures as the dashboard's engine for each period; aggregate-only readers see small counts suppressed by
the dashboard's rule; a nurse is refused; in Chromium at desktop and phone width with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.followup.goals import default_goals
from canrehab.services import indicators as indicator_service
from canrehab.services.context import SYSTEM, Services
from canrehab.services.goal_trends import indicator_trend, periods
from canrehab.synth.demo import build_demo
from canrehab.web.app import create_app
from tests.web.browser import chromium, screenshot
from tests.web.conftest import LoginPage
from tests.web.live_server import serve
from tests.web.login import logged_in

LEADER = Actor(role="admin", staff_id=None, username="processledare")
ANALYST = Actor(role="regional_analyst", staff_id=None, username="analytiker")


@dataclass
class World:
    app: object
    services: Services
    own_unit: str
    county: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("trend")), secret_key="trend-secret")
    build_demo(settings, patients=40, seed=5, analytics_persons=100)
    services = Services.open(settings)
    with services.uow(SYSTEM, log_reads=False) as uow:
        own = uow.accounts.get("chef").unit_hsa_ids[0]
        county = next(u.county_code for u in uow.units.list_all() if u.hsa_id == own)
    yield World(create_app(settings), services, own, county)
    services.engine.dispose()


def test_periods_are_calendar_quarters_or_years_ending_at_the_chosen_day() -> None:
    quarters = periods("quarter", date(2026, 5, 10), 3)
    assert [p[0] for p in quarters] == ["2025 kv. 4", "2026 kv. 1", "2026 kv. 2"]
    assert quarters[0][1:] == (date(2025, 10, 1), date(2025, 12, 31))
    assert quarters[-1][1:] == (date(2026, 4, 1), date(2026, 5, 10))
    years = periods("year", date(2026, 5, 10), 2)
    assert [(p[1], p[2]) for p in years] == [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 5, 10)),
    ]


def test_each_period_has_the_dashboards_figures_for_the_unit_and_the_county(world: World) -> None:
    end = world.services.today()
    trend = indicator_trend(
        world.services,
        LEADER,
        indicator_id="erbjuden_kontaktsjukskoterska",
        level="county",
        value=world.county,
        granularity="year",
        end=end,
        count=2,
    )
    with world.services.uow(SYSTEM, log_reads=False) as uow:
        in_county = {u.hsa_id for u in uow.units.list_all() if u.county_code == world.county}
    assert [p.label for p in trend.points] == [str(end.year - 1), str(end.year)]
    for point in trend.points:
        board = indicator_service.dashboard(
            world.services, LEADER, unit=None, process=None, start=point.start, end=point.end
        )
        rows = next(r for r in board.indicators if r.definition.id == "erbjuden_kontaktsjukskoterska").rows
        expected = [r for r in rows if r.unit_hsa_id in in_county]
        assert point.row.numerator == sum(r.numerator for r in expected)
        assert point.row.denominator == sum(r.denominator for r in expected)
    assert sum(p.row.denominator for p in trend.points) > 0, "the demo has patients diagnosed in two years"
    unit = indicator_trend(
        world.services,
        LEADER,
        indicator_id="erbjuden_kontaktsjukskoterska",
        level="unit",
        value=world.own_unit,
        granularity="year",
        end=end,
        count=2,
    )
    for point, upoint in zip(trend.points, unit.points, strict=True):
        assert upoint.row.denominator <= point.row.denominator
    assert trend.goals == default_goals().for_indicator("erbjuden_kontaktsjukskoterska")


def test_an_analyst_sees_small_counts_suppressed_as_on_the_dashboard(world: World) -> None:
    """The unit's trend row of each quarter is that unit's row of the quarter's whole dashboard view, as the
    joint protection of the view shows it (a small count hidden, and a unit hidden as a complement hidden
    too), not the unit's counts suppressed one row at a time."""
    end = world.services.today()
    indicator = "erbjuden_kontaktsjukskoterska"
    trend = indicator_trend(
        world.services,
        ANALYST,
        indicator_id=indicator,
        level="unit",
        value=world.own_unit,
        granularity="quarter",
        end=end,
        count=8,
    )
    threshold = world.services.settings.suppression_threshold
    compared = 0
    for point in trend.points:
        board = indicator_service.dashboard(
            world.services, ANALYST, unit=None, process=None, start=point.start, end=point.end
        )
        rows = [
            row
            for r in board.indicators
            if r.definition.id == indicator
            for row in r.rows
            if row.unit_hsa_id == world.own_unit
        ]
        if not rows:  # the view lists no unit without patients in the quarter: the trend has none either
            assert point.row.denominator == 0 and point.percent is None, point.start
            continue
        [on_board] = rows
        compared += 1
        shown = (point.row.numerator_text, point.row.denominator_text, point.row.share_text)
        assert shown == (on_board.numerator_text, on_board.denominator_text, on_board.share_text), point.start
        assert point.row.suppressed == on_board.suppressed
        if 0 < point.row.denominator < threshold:
            assert point.percent is None and point.row.share_text == "X"
    assert compared  # the unit has patients in at least one quarter


def test_the_page_draws_the_goal_and_baseline_and_refuses_a_nurse(world: World) -> None:
    client = logged_in(world.app, "processledare")
    html = client.get(
        "/uppfoljning/mal/trend?indicator=erbjuden_kontaktsjukskoterska&niva=all&period=kvartal&antal=6"
    ).text
    goal = next(
        g
        for g in default_goals().for_indicator("erbjuden_kontaktsjukskoterska")
        if g.level.percent is not None
    )
    assert 'class="goal"' in html and f"mål {goal.level.percent:g} %" in html
    if goal.baseline.percent is not None:
        assert 'class="baseline"' in html
    assert len(re.findall(r'<th scope="row">', html)) == 6
    assert "måldatum" in html.lower() and goal.name_sv in html
    bad = client.get("/uppfoljning/mal/trend?indicator=erbjuden_kontaktsjukskoterska&niva=county&varde=")
    assert bad.status_code == 200 and "Välj län." in bad.text
    assert logged_in(world.app, "ssk").get("/uppfoljning/mal/trend").status_code == 403


def test_the_trend_page_in_chromium_at_desktop_and_phone_width(
    world: World, logged_in_page: LoginPage
) -> None:
    with serve(world.app) as base, chromium() as browser:
        for width in (1366, 390):
            page = logged_in_page(browser, base, "processledare", width=width)
            page.goto(
                f"{base}/uppfoljning/mal/trend?indicator=erbjuden_kontaktsjukskoterska&niva=county&varde={world.county}"
            )
            assert page.get_by_role("heading", name="Trend mot målen").is_visible()
            width_px = page.evaluate("document.documentElement.scrollWidth")
            assert width_px <= width + 1, f"the page overflows at {width} px ({width_px} px)"
            screenshot(page, f"goal-trend-{width}")
