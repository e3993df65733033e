"""``dashboard_disclosure.audit_published``: a dashboard view as one linear system (rows, total row,
indicators over the same population), protected and audited."""

from __future__ import annotations

from canrehab.followup.dashboard_disclosure import (
    Margin,
    ShareTable,
    audit_published,
    audit_shown,
    view_system,
)
from canrehab.followup.disclosure_audit import COMPLEMENTARY, PRIMARY, Subset, System, audit
from canrehab.followup.suppression import ShareCells, protect


def _state(tables: list[ShareTable], shown: dict) -> dict:
    state = {}
    for (key, unit), cells in shown.items():
        for kind, text in (("n", cells.numerator_text), ("d", cells.denominator_text)):
            if text.startswith("<"):
                state[(key, kind, unit)] = PRIMARY
            elif text == "X":
                state[(key, kind, unit)] = COMPLEMENTARY
    return state


def test_a_hidden_row_is_recomputable_from_the_total_row_without_the_joint_audit() -> None:
    # 2 of 3 hidden row by row; 38 of 49 and the total 40 of 52 give it back
    t = ShareTable("mvp", [("a", 2, 3), ("b", 38, 49), ("", 40, 52)])
    system, state = view_system([t], 4)
    result = audit(system, state)
    assert {f.cell for f in result.recoverable if f.exact} >= {("mvp", "n", "a"), ("mvp", "d", "a")}


def test_the_joint_audit_hides_a_complement_and_leaves_nothing_recoverable() -> None:
    t = ShareTable("mvp", [("a", 2, 3), ("b", 38, 49), ("", 40, 52)])
    shown = audit_published([t], 4)
    assert shown[("mvp", "a")].hidden and shown[("mvp", "b")].hidden  # b (the cheapest complement) hidden
    system, first = view_system([t], 4)
    state = {k: v for k, v in first.items() if k[1] == "c"} | _state([t], shown)
    state = {k: v for k, v in state.items() if k not in system.unpublished or k[1] == "c"}
    assert audit(system, state).clean


def test_indicators_over_one_population_share_their_denominators() -> None:
    # unit a: 2 of 30 (hidden) in one, 25 of 30 (shown) in the other: the shown 30 is the hidden row's too
    one = ShareTable("i1", [("a", 2, 30), ("b", 20, 49), ("", 22, 79)], population="diagnosed")
    two = ShareTable("i2", [("a", 25, 30), ("b", 40, 49), ("", 65, 79)], population="diagnosed")
    shown = audit_published([one, two], 4)
    system, first = view_system([one, two], 4)
    assert any(g.margin == ("i1", "d", "a") and g.cells == (("i2", "d", "a"),) for g in system.groups)
    state = {k: v for k, v in first.items() if k[1] == "c"} | _state([one, two], shown)
    state = {k: v for k, v in state.items() if k not in system.unpublished or k[1] == "c"}
    assert audit(system, state).clean


def test_a_view_with_no_small_count_is_shown_as_it_is() -> None:
    t = ShareTable("mvp", [("a", 20, 30), ("b", 38, 49), ("", 58, 79)])
    shown = audit_published([t], 4)
    assert not any(c.hidden for c in shown.values())
    assert shown[("mvp", "")].numerator_text == "58"


def test_a_nested_population_pins_a_hidden_denominator_unless_it_is_linked_as_a_subset() -> None:
    # special needs (ns) are among the diagnosed (dx): unit b's 30 diagnosed are published, so b's hidden
    # ns count is at most 30, and the published ns total 32 then gives a's hidden ns count as at least 2
    dx = ShareTable(
        "dx", [("a", 5, 10), ("b", 15, 30), ("", 20, 40)], "diagnosed_in_period", "has_contact_nurse"
    )
    ns = ShareTable("ns", [("a", 1, 2), ("b", 20, 30), ("", 21, 32)], "needs_special_or_more", "has_plan")
    system, first = view_system([dx, ns], 4)
    assert Subset(("ns", "d", "b"), ("dx", "d", "b")) in system.subsets
    assert Subset(("ns", "d", ""), ("dx", "d", "")) in system.subsets
    # the protection chosen without the subset relations (as before): b's ns count hidden, the total shown
    unlinked = System(dict(system.values), list(system.groups), [], [], set(system.unpublished))
    before = audit(system, protect(unlinked, already=first))
    assert [(f.cell, f.low) for f in before.recoverable] == [(("ns", "d", "a"), 2.0)]
    # the joint protection with the subsets: nothing to recover, with or without them
    shown = audit_published([dx, ns], 4)
    assert audit_shown([dx, ns], shown, 4).clean
    assert shown[("ns", "")].denominator_text == "X"


def test_nested_conditions_bound_the_numerators_over_nested_populations() -> None:
    offered = ShareTable("o", [("a", 9, 20)], "diagnosed_in_period", "offered_min_vardplan")
    digital = ShareTable("g", [("a", 2, 20)], "diagnosed_in_period", "offered_min_vardplan_digital")
    again = ShareTable("r", [("a", 1, 8)], "treatment_ended", "assessed_repeatedly")
    once = ShareTable("s", [("a", 12, 20)], "diagnosed_in_period", "assessed")
    system, _ = view_system([offered, digital, again, once], 4)
    assert Subset(("g", "n", "a"), ("o", "n", "a")) in system.subsets
    assert Subset(("r", "n", "a"), ("s", "n", "a")) in system.subsets
    assert Subset(("r", "d", "a"), ("s", "d", "a")) in system.subsets
    assert Subset(("o", "n", "a"), ("g", "n", "a")) not in system.subsets


def test_a_trend_row_beside_the_dashboard_cannot_give_back_a_unit_the_dashboard_hides() -> None:
    # the dashboard hides a (2 of 3) and the cheapest complement c; b is shown. A trend row of "own units"
    # a + b, checked row by row (40 of 52: nothing small), would give a back as 40 - 38 of 52 - 49.
    t = ShareTable("mvp", [("a", 2, 3), ("b", 38, 49), ("c", 10, 20), ("", 50, 72)])
    dashboard = audit_published([t], 4)
    assert dashboard[("mvp", "a")].hidden and not dashboard[("mvp", "b")].hidden
    own = Margin("mvp", "own", ("a", "b"))
    row_by_row = {**dashboard, ("mvp", "own"): ShareCells("40", "52", False)}
    before = audit_shown([t], row_by_row, 4, margins=[own])
    assert any(f.cell == ("mvp", "n", "a") and f.exact for f in before.recoverable)
    # the trend's row as a margin kept against the dashboard's texts: hidden, the dashboard unchanged
    shown = audit_published([t], 4, margins=[own], published=dashboard)
    assert shown[("mvp", "own")].hidden
    assert {k: v for k, v in shown.items() if k[1] != "own"} == dashboard
    assert audit_shown([t], shown, 4, margins=[own]).clean


def test_a_margin_over_shown_rows_stays_shown_and_one_equal_to_a_row_gets_its_texts() -> None:
    t = ShareTable("mvp", [("a", 2, 3), ("b", 38, 49), ("c", 10, 20), ("", 50, 72)])
    dashboard = audit_published([t], 4)
    margins = [
        Margin("mvp", "bc", ("b", "c")),
        Margin("mvp", "all", ("a", "b", "c")),
        Margin("mvp", "a", ("a",)),
    ]
    shown = audit_published([t], 4, margins=margins, published=dashboard)
    assert audit_shown([t], shown, 4, margins=margins).clean
    assert shown[("mvp", "a")].numerator_text == dashboard[("mvp", "a")].numerator_text == "<4"
    assert shown[("mvp", "all")] == dashboard[("mvp", "")]  # the region's trend row is the total row
