"""A dashboard view's cells through the same joint audit as a report suite's tables.

A dashboard view publishes, per care indicator, a row per unit (numerator *of* denominator, so also their
difference: the patients who do not meet the indicator) and a total row over the units. Row by row the
``DASHBOARD`` policy (``suppression.share_cells``) hides a row with a small count; but the total row and the
other indicators over the same population are published beside it, so a hidden count could be computed
from them (a total of 40 of 52 beside the other units' 38 of 49 gives the hidden unit's 2 of 3). Here the
whole view is one linear system (``disclosure_audit.System``):

* per row: ``numerator + not_met == denominator`` (``not_met`` is never shown on its own: an unpublished cell,
  audited when it is small);
* per indicator: the unit rows add up to the total row (plus an unpublished remainder, for units the total
  counts but the view does not list);
* indicators over the same population (``ShareTable.population``) have the same denominator per unit.

``audit_published`` starts from the row-by-row policy, completes it with least-cost complementary suppression
(``suppression.protect``, which audits its own result) and returns each row's published texts. A hidden ``0``
(a row of zero patients who meet the indicator among a small population) is known to the reader only as
"hidden", so the audit gives it no lower bound of 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from canrehab.followup.disclosure_audit import (
    COMPLEMENTARY,
    HIDDEN_TEXT,
    PRIMARY,
    SMALL_TEXT,
    DisclosureError,
    Group,
    Policy,
    System,
)
from canrehab.followup.suppression import ShareCells, protect, share_cells

TOTAL_ROW = ""
_OTHER = ("__other__",)


@dataclass(frozen=True)
class ShareTable:
    """One indicator of a dashboard view: ``rows`` are ``(unit, numerator, denominator)``, the total row's
    unit is ``total`` (``TOTAL_ROW``). Tables with the same ``population`` share their denominators."""

    key: Hashable
    rows: Sequence[tuple[Hashable, int, int]]
    population: Hashable | None = None


def view_system(
    tables: Sequence[ShareTable], threshold: int, total: Hashable = TOTAL_ROW
) -> tuple[System, dict[Hashable, str]]:
    """The view as one linear system, and the row-by-row policy's suppression as its starting state."""
    policy = Policy(threshold=threshold)
    system = System()
    state: dict[Hashable, str] = {}
    first: dict[Hashable, dict[Hashable, tuple[Hashable, int]]] = {}

    def row(key: Hashable, unit: Hashable, n: int, d: int, shown: bool) -> None:
        nk, dk, ck = (key, "n", unit), (key, "d", unit), (key, "c", unit)
        system.values.update({nk: n, dk: d, ck: d - n})
        system.unpublished.add(ck)
        system.groups.append(Group((nk, ck), dk))
        if not shown:
            system.unpublished |= {nk, dk}
            return
        if share_cells(n, d, threshold).hidden:
            if policy.is_small(n):
                state[nk] = PRIMARY
            elif n > 0:
                state[nk] = COMPLEMENTARY
            else:
                system.unpublished.add(nk)  # a hidden 0: the reader knows nothing of it
            if policy.is_small(d):
                state[dk] = PRIMARY
        if policy.is_small(d - n):
            state[ck] = PRIMARY  # the patients who do not meet the indicator: the audit's target too

    for t in tables:
        units = [(u, int(n), int(d)) for u, n, d in t.rows if u != total]
        totals = [(int(n), int(d)) for u, n, d in t.rows if u == total]
        for u, n, d in units:
            row(t.key, u, n, d, True)
        if totals:
            tn, td = totals[0]
            row(t.key, total, tn, td, True)
            on, od = tn - sum(n for _, n, _ in units), td - sum(d for _, _, d in units)
            if 0 <= on <= od:
                # a unit the view does not list has no patients (the reader knows the total is the sum of
                # the listed rows); a remainder the total counts beyond them is an unpublished cell
                other = ((t.key, "n", _OTHER), (t.key, "d", _OTHER))
                if od:
                    row(t.key, _OTHER, on, od, False)
                for kind, rest in zip(("n", "d"), other, strict=True):
                    cells = (*((t.key, kind, u) for u, _, _ in units), *((rest,) if od else ()))
                    system.groups.append(Group(cells, (t.key, kind, total)))
        if t.population is not None:
            seen = first.setdefault(t.population, {})
            for u, _, d in [(u, n, int(d)) for u, n, d in t.rows]:
                if u in seen and seen[u][1] == d:
                    system.groups.append(Group(((t.key, "d", u),), (seen[u][0], "d", u)))
                else:
                    seen.setdefault(u, (t.key, d))
    system.check()
    return system, state


def audit_published(
    tables: Sequence[ShareTable], threshold: int, *, total: Hashable = TOTAL_ROW
) -> dict[tuple[Hashable, Hashable], ShareCells]:
    """Each row's published texts (``(table key, unit)`` → ``ShareCells``) after the joint protection of the
    whole view: the row-by-row policy, completed so that no suppressed count (nor a small number of patients
    who do not meet an indicator) can be narrowed from the other rows, the total or the other indicators."""
    system, state = view_system(tables, threshold, total)
    small = SMALL_TEXT.format(threshold=threshold)
    try:
        state = protect(system, Policy(threshold=threshold), already=state) if threshold > 2 else state
    except DisclosureError:
        # no pattern found: hide every count of the view (never publish what the audit could not clear)
        for k, v in system.values.items():
            if k not in system.unpublished and int(v) > 0:
                state.setdefault(k, COMPLEMENTARY)
    out: dict[tuple[Hashable, Hashable], ShareCells] = {}
    for t in tables:
        for u, n, d in t.rows:
            nk, dk, ck = (t.key, "n", u), (t.key, "d", u), (t.key, "c", u)
            hidden_zero = nk in system.unpublished
            hidden = hidden_zero or nk in state or dk in state or ck in state
            if not hidden:
                out[(t.key, u)] = ShareCells(str(int(n)), str(int(d)), False)
                continue

            def text(k: Hashable, value: int, zero_hidden: bool = False) -> str:
                if state.get(k) == PRIMARY:
                    return small
                if state.get(k) == COMPLEMENTARY or zero_hidden:
                    return HIDDEN_TEXT
                return str(int(value))

            out[(t.key, u)] = ShareCells(text(nk, n, hidden_zero), text(dk, d), True)
    return out
