"""``dashboard_disclosure.audit_published``: a dashboard view as one linear system (rows, total row,
indicators over the same population), protected and audited."""

from __future__ import annotations

from canrehab.followup.dashboard_disclosure import ShareTable, audit_published, view_system
from canrehab.followup.disclosure_audit import COMPLEMENTARY, PRIMARY, audit


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
