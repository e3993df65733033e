"""A trend is one published view per period (issue 14 item 1, "a dashboard view"): every trend row a reader
can ask for (the region, each unit, a county, an RCC, one's own units) is a margin of that period's dashboard
view, so together with the dashboard of the same period it gives back no cell either of them hides. Row by row
(the trends before) the units' and the region's rows gave a hidden unit back by subtraction."""

from __future__ import annotations

from datetime import date, timedelta

from canrehab.codes.geography import default_counties
from canrehab.domain.access import Actor
from canrehab.followup.dashboard_disclosure import Margin, audit_shown
from canrehab.followup.suppression import ShareCells, share_cells
from canrehab.services.context import Services
from canrehab.services.goal_trends import indicator_trend
from canrehab.services.indicators import Dashboard, dashboard, own_unit_trends, share_tables
from tests.services.conftest import ANALYST, KIR, ONK, REH, TODAY, diagnosed_pathways, nurse_at

UNITS = (ONK, KIR, REH)
INDICATOR = "named_nurse"  # diagnosed in the period, with a named contact nurse: 0 of each unit's patients


def _region(services: Services) -> None:
    diagnosed_pathways(services, ONK, nurse_at(ONK, 1), 2, born=1940)  # 0 of 2 without a nurse: hidden
    diagnosed_pathways(services, KIR, nurse_at(KIR, 2), 12, born=1950)
    diagnosed_pathways(services, REH, nurse_at(REH, 3), 5, born=1970)


def _shown(board: Dashboard) -> dict[tuple[object, object], ShareCells]:
    return {
        (r.definition.id, row.unit_hsa_id): ShareCells(
            row.numerator_text, row.denominator_text, row.suppressed
        )
        for r in board.indicators
        for row in r.rows
    }


def _texts(cells: ShareCells) -> tuple[str, str]:
    return cells.numerator_text, cells.denominator_text


def test_the_goal_trend_pages_of_every_group_and_the_dashboard_give_back_nothing(services: Services) -> None:
    _region(services)
    rcc = default_counties().rcc_of("01").code
    pages = {("all", ""): UNITS, ("county", "01"): UNITS, ("rcc", rcc): UNITS}
    pages |= {("unit", u): (u,) for u in UNITS}
    trends = {
        page: indicator_trend(
            services, ANALYST, indicator_id=INDICATOR, level=page[0], value=page[1], end=TODAY, count=1
        )
        for page in pages
    }
    start = trends["all", ""].points[-1].start
    board = dashboard(services, ANALYST, unit=None, process=None, start=start, end=TODAY)
    tables = share_tables(board.indicators)
    margins = [Margin(INDICATOR, page, units) for page, units in pages.items()]
    shown = _shown(board)
    row_by_row = dict(shown)
    for page, trend in trends.items():
        row = trend.points[-1].row
        shown[(INDICATOR, page)] = ShareCells(row.numerator_text, row.denominator_text, row.suppressed)
        row_by_row[(INDICATOR, page)] = share_cells(row.numerator, row.denominator, 4)
    # the dashboard hides ONK and a complement; the trend rows checked one by one (as before) give ONK back
    assert shown[(INDICATOR, ONK)].hidden
    before = audit_shown(tables, row_by_row, 4, margins=margins)
    assert any(f.cell == (INDICATOR, "d", ONK) and f.exact for f in before.recoverable)
    # every page as it is shown, together with the dashboard of the same quarter: nothing to recover
    after = audit_shown(tables, shown, 4, margins=margins)
    assert after.clean, after.summary_sv()
    # each unit's trend row is its dashboard row; the region's is the dashboard's total row
    for u in UNITS:
        row = trends["unit", u].points[-1].row
        assert (row.numerator_text, row.denominator_text) == _texts(shown[(INDICATOR, u)])
    total = trends["all", ""].points[-1].row
    assert (total.numerator_text, total.denominator_text) == _texts(shown[(INDICATOR, "")])


def test_the_own_units_trend_beside_the_dashboard_gives_back_no_hidden_unit(services: Services) -> None:
    _region(services)
    analyst = Actor(role="regional_analyst", staff_id=None, unit_hsa_ids=frozenset({ONK, KIR}), username="a")
    series = own_unit_trends(services, analyst, unit=None, process=None, end=TODAY)
    start = TODAY - timedelta(days=90)
    board = dashboard(services, analyst, unit=None, process=None, start=start, end=TODAY)
    tables = share_tables(board.indicators)
    own = [Margin(r.definition.id, "own", (ONK, KIR)) for r in board.indicators]
    shown, row_by_row = _shown(board), _shown(board)
    hidden_somewhere = False
    for r in board.indicators:
        rows = [row for row in r.rows if row.unit_hsa_id in (ONK, KIR)]
        num, den = sum(row.numerator for row in rows), sum(row.denominator for row in rows)
        share = series[r.definition.id][-1][1]
        assert series[r.definition.id][-1][0] == TODAY.isoformat()
        # a shown share is audited as its counts (beside the dashboard's counts it gives them back)
        shown[(r.definition.id, "own")] = (
            ShareCells(str(num), str(den), False) if share is not None else ShareCells("X", "X", True)
        )
        row_by_row[(r.definition.id, "own")] = share_cells(num, den, 4)
        hidden_somewhere |= share is None and den > 0
    assert hidden_somewhere
    assert not audit_shown(tables, row_by_row, 4, margins=own).clean  # the trend before: ONK = own − KIR
    after = audit_shown(tables, shown, 4, margins=own)
    assert after.clean, after.summary_sv()


def test_a_suppressed_reader_is_refused_a_unit_trend_outside_the_scope(services: Services) -> None:
    from canrehab.domain.errors import DomainError

    reader = Actor(role="regional_analyst", staff_id=None, username="b")
    try:
        indicator_trend(services, reader, indicator_id=INDICATOR, level="unit", value="SE-NONE", end=TODAY)
    except DomainError as refused:
        assert refused.code == "access.denied"
    else:
        raise AssertionError("a unit outside the scope was not refused")


def test_a_drill_down_reader_gets_the_unit_trend_unsuppressed(services: Services) -> None:
    _region(services)
    admin = Actor(role="admin", staff_id=None, username="processledare")
    trend = indicator_trend(
        services, admin, indicator_id=INDICATOR, level="unit", value=ONK, end=TODAY, count=1
    )
    row = trend.points[-1].row
    assert (row.numerator_text, row.denominator_text, row.suppressed) == ("0", "2", False)
    assert date.fromisoformat(TODAY.isoformat()) == trend.points[-1].end


def test_a_dashboard_filtered_to_one_unit_shows_its_rows_as_the_whole_view_does(services: Services) -> None:
    """Filtered to one unit, the view used to audit that unit's row on its own: a unit the whole view hides as
    a complement was shown, and beside the whole view gave the hidden unit back by subtraction."""
    _region(services)
    start = TODAY - timedelta(days=90)
    board = dashboard(services, ANALYST, unit=None, process=None, start=start, end=TODAY)
    shown = _shown(board)
    complements = [
        key
        for key, cells in shown.items()
        if cells.hidden
        and key[1] not in ("", ONK)
        and next(
            row.denominator
            for r in board.indicators
            if r.definition.id == key[0]
            for row in r.rows
            if row.unit_hsa_id == key[1]
        )
        >= 4
    ]
    assert complements  # the whole view hides a unit that on its own would pass the threshold
    for u in UNITS:
        one = dashboard(services, ANALYST, unit=u, process=None, start=start, end=TODAY)
        for r in one.indicators:
            for row in r.rows:
                assert row.unit_hsa_id == u
                assert _texts(ShareCells(row.numerator_text, row.denominator_text, row.suppressed)) == _texts(
                    shown[(r.definition.id, u)]
                ), (r.definition.id, u)
    tables = share_tables(board.indicators)
    assert audit_shown(tables, shown, 4).clean
