"""The dashboard view goes through the joint disclosure audit before it is shown: a unit row hidden row by row
cannot be recomputed from the total row and the other units (issue 14 item 1, "a dashboard view")."""

from __future__ import annotations

from datetime import timedelta

from canrehab.domain.access import Actor
from canrehab.followup.dashboard_disclosure import ShareTable, view_system
from canrehab.followup.disclosure_audit import COMPLEMENTARY, PRIMARY, audit
from canrehab.services.context import Services
from canrehab.services.indicators import Dashboard, dashboard
from tests.services.conftest import ANALYST, KIR, ONK, TODAY, diagnosed_pathways, nurse_at


def _published_state(board: Dashboard) -> tuple[list[ShareTable], dict[object, str]]:
    """The view's cells as a reader sees them: ``<4`` a small count, ``X`` hidden."""
    tables, state = [], {}
    for r in board.indicators:
        assert r.definition.care is not None
        tables.append(
            ShareTable(
                r.definition.id,
                [(row.unit_hsa_id, row.numerator, row.denominator) for row in r.rows],
                r.definition.care.population,
            )
        )
        for row in r.rows:
            for kind, text in (("n", row.numerator_text), ("d", row.denominator_text)):
                if text.startswith("<"):
                    state[(r.definition.id, kind, row.unit_hsa_id)] = PRIMARY
                elif text == "X":
                    state[(r.definition.id, kind, row.unit_hsa_id)] = COMPLEMENTARY
    return tables, state


def test_a_small_unit_row_cannot_be_recomputed_from_the_total_and_the_other_units(services: Services) -> None:
    diagnosed_pathways(services, ONK, nurse_at(ONK, 1), 2, born=1940)  # two patients: hidden row by row
    diagnosed_pathways(services, KIR, nurse_at(KIR, 2), 12, born=1950)
    board = dashboard(services, ANALYST, unit=None, process=None, start=TODAY - timedelta(days=90), end=TODAY)
    tables, published = _published_state(board)
    system, row_by_row = view_system(tables, 4, "")
    # what the row-by-row policy alone would show: the total minus KIR gives ONK's 2 patients exactly
    before = audit(system, row_by_row)
    assert before.recoverable and any(f.exact for f in before.recoverable)
    # what the dashboard shows: the joint audit of everything on the view finds nothing to recover
    for k in system.unpublished:
        published.pop(k, None)
    after = audit(system, {**{k: v for k, v in row_by_row.items() if k[1] == "c"}, **published})
    assert after.clean, after.summary_sv()
    onk = [row for r in board.indicators for row in r.rows if row.unit_hsa_id == ONK]
    assert onk and all(row.suppressed and row.share_text == "X" for row in onk)
    # the protection is a complement elsewhere on the view (KIR's or the total's figures), not at ONK alone
    assert any(row.suppressed for r in board.indicators for row in r.rows if row.unit_hsa_id != ONK)


def test_a_manager_with_drill_down_sees_the_figures_unsuppressed(services: Services) -> None:
    diagnosed_pathways(services, ONK, nurse_at(ONK, 1), 2, born=1940)
    diagnosed_pathways(services, KIR, nurse_at(KIR, 2), 5, born=1950)
    admin = Actor(role="admin", staff_id=None, username="processledare")
    board = dashboard(services, admin, unit=None, process=None, start=TODAY - timedelta(days=90), end=TODAY)
    rows = [row for r in board.indicators for row in r.rows if row.denominator]
    assert rows and not any(row.suppressed for row in rows)
