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
* indicators over the same population (``ShareTable.population``) have the same denominator per unit;
* nested populations and conditions are ``Subset`` relations per unit (``NESTED_POPULATIONS``: the patients
  with special or advanced needs, and those whose treatment has ended, are among the patients diagnosed in the
  period; ``NESTED_CONDITIONS``: offered a digital Min vårdplan among offered one, assessed repeatedly among
  assessed), so a hidden denominator cannot be pinned by the larger population's published one;
* ``Margin`` rows published beside the view (a trend's county, RCC or "own units" row: the sum of some
  unit rows) are the sums of those rows.

A trend view (unit × periods, region × periods, a goal trend) is a view per period: the periods are disjoint
tables with their own totals (a quarter's patients are not the next quarter's), and every trend row of a
period (the region, a unit, a county, an RCC, one's own units) is a row or a ``Margin`` of that period's
view. ``audit_published(..., published=...)`` starts from the suppression the dashboard itself shows for the
period and only adds complements among the margin rows (``protect(keep=...)``), so the trend pages and the
dashboard of the same period and filters never show one cell in two ways.

``audit_published`` starts from the row-by-row policy, completes it with least-cost complementary suppression
(``suppression.protect``, which audits its own result) and returns each row's published texts. A hidden ``0``
(a row of zero patients who meet the indicator among a small population) is known to the reader only as
"hidden", so the audit gives it no lower bound of 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from canrehab.followup.disclosure_audit import (
    COMPLEMENTARY,
    HIDDEN_TEXT,
    PRIMARY,
    SMALL_TEXT,
    AuditResult,
    DisclosureError,
    Group,
    Policy,
    Subset,
    System,
    audit,
)
from canrehab.followup.suppression import ShareCells, protect, share_cells

TOTAL_ROW = ""
_OTHER = ("__other__",)
_MARGIN = "__margin__"

# population -> the population it lies within, condition -> the condition it implies (per unit and period,
# as ``services.process_indicators.in_population`` and ``condition_met`` evaluate them)
NESTED_POPULATIONS: Mapping[Hashable, Hashable] = {
    "needs_special_or_more": "diagnosed_in_period",
    "treatment_ended": "diagnosed_in_period",
}
NESTED_CONDITIONS: Mapping[Hashable, Hashable] = {
    "offered_min_vardplan_digital": "offered_min_vardplan",
    "assessed_repeatedly": "assessed",
}


@dataclass(frozen=True)
class ShareTable:
    """One indicator of a dashboard view: ``rows`` are ``(unit, numerator, denominator)``, the total row's
    unit is ``total`` (``TOTAL_ROW``). Tables with the same ``population`` share their denominators; nested
    populations and conditions (``NESTED_POPULATIONS``, ``NESTED_CONDITIONS``) bound each other."""

    key: Hashable
    rows: Sequence[tuple[Hashable, int, int]]
    population: Hashable | None = None
    condition: Hashable | None = None


@dataclass(frozen=True)
class Margin:
    """A row published beside the view: table ``key``'s counts summed over ``units`` (a county, an RCC, the
    reader's own units), shown as ``(key, name)``."""

    key: Hashable
    name: Hashable
    units: tuple[Hashable, ...]


def _within(inner: Hashable | None, outer: Hashable | None, nested: Mapping[Hashable, Hashable]) -> bool:
    """``inner`` lies within ``outer`` (reflexively, through ``nested``)."""
    seen: set[Hashable] = set()
    while inner is not None and inner not in seen:
        if inner == outer:
            return True
        seen.add(inner)
        inner = nested.get(inner)
    return False


def view_system(
    tables: Sequence[ShareTable],
    threshold: int,
    total: Hashable = TOTAL_ROW,
    margins: Sequence[Margin] = (),
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
    by_key = {t.key: t for t in tables}
    for m in margins:
        t = by_key[m.key]
        members = [(u, int(n), int(d)) for u, n, d in t.rows if u in set(m.units) and u != total]
        unit = (_MARGIN, m.name)
        row(t.key, unit, sum(n for _, n, _ in members), sum(d for _, _, d in members), True)
        for kind in ("n", "d"):
            system.groups.append(Group(tuple((t.key, kind, u) for u, _, _ in members), (t.key, kind, unit)))
    _nest(system, tables, margins)
    system.check()
    return system, state


def _nest(system: System, tables: Sequence[ShareTable], margins: Sequence[Margin]) -> None:
    """``Subset`` relations, per unit (and total, and margin), between nested populations' denominators and
    between nested (population, condition) pairs' numerators."""
    for a in tables:
        for b in tables:
            if a.key == b.key or a.population is None or b.population is None:
                continue
            units = {u for u, _, _ in a.rows} & {u for u, _, _ in b.rows}
            units |= {(_MARGIN, m.name) for m in margins if m.key == a.key} & {
                (_MARGIN, m.name) for m in margins if m.key == b.key
            }
            pop = a.population != b.population and _within(a.population, b.population, NESTED_POPULATIONS)
            cond = (
                a.condition is not None
                and b.condition is not None
                and a.condition != b.condition
                and _within(a.population, b.population, NESTED_POPULATIONS)
                and _within(a.condition, b.condition, NESTED_CONDITIONS)
            )
            for u in sorted(units, key=repr):
                if pop:
                    system.subsets.append(Subset((a.key, "d", u), (b.key, "d", u)))
                if cond:
                    system.subsets.append(Subset((a.key, "n", u), (b.key, "n", u)))


def _from_texts(
    tables: Sequence[ShareTable],
    system: System,
    first: Mapping[Hashable, str],
    published: Mapping[tuple[Hashable, Hashable], ShareCells],
    margins: Sequence[Margin] = (),
) -> dict[Hashable, str]:
    """The suppression a view shows (its rows' and margins' texts) as a state of its system."""
    state: dict[Hashable, str] = {k: v for k, v in first.items() if isinstance(k, tuple) and k[1] == "c"}
    rows = [(t.key, u, u) for t in tables for u, _, _ in t.rows]
    rows += [(m.key, m.name, (_MARGIN, m.name)) for m in margins]
    for key, name, u in rows:
        cells = published[(key, name)]
        for kind, text in (("n", cells.numerator_text), ("d", cells.denominator_text)):
            k = (key, kind, u)
            if k in system.unpublished:
                continue
            if text.startswith("<"):
                state[k] = PRIMARY
            elif text == HIDDEN_TEXT and int(system.values[k]) > 0:
                state[k] = COMPLEMENTARY
    return state


def _around(system: System, start: set[Hashable], state: Mapping[Hashable, str]) -> System:
    """The part of ``system`` linked to ``start`` through relations over cells that are not known exactly
    (suppressed, unpublished or in ``start``): every relation touching such a cell, with all its cells."""
    free = set(state) | system.unpublished | start
    relations: list[tuple[Group | Subset, tuple[Hashable, ...]]] = [(g, g.members) for g in system.groups]
    relations += [(s, (s.part, s.whole)) for s in system.subsets]
    by_cell: dict[Hashable, list[int]] = {}
    for i, (_, cells) in enumerate(relations):
        for k in cells:
            by_cell.setdefault(k, []).append(i)
    seen, todo, used = set(start), list(start), set()
    while todo:
        k = todo.pop()
        for i in by_cell.get(k, []):
            if i in used:
                continue
            used.add(i)
            for c in relations[i][1]:
                if c not in seen:
                    seen.add(c)
                    if c in free:
                        todo.append(c)
    near = System(values={k: v for k, v in system.values.items() if k in seen})
    near.unpublished = system.unpublished & seen
    for i in sorted(used):
        r = relations[i][0]
        if isinstance(r, Group):
            near.groups.append(r)
        else:
            near.subsets.append(r)
    return near


def _protected(
    system: System, state: dict[Hashable, str], threshold: int, keep: set[Hashable]
) -> dict[Hashable, str]:
    try:
        return (
            protect(system, Policy(threshold=threshold), already=state, keep=keep) if threshold > 2 else state
        )
    except DisclosureError:
        # no pattern found: hide every count that may be hidden (never publish what the audit could not clear)
        for k, v in system.values.items():
            if k not in system.unpublished and k not in keep and int(v) > 0:
                state.setdefault(k, COMPLEMENTARY)
        return state


def audit_shown(
    tables: Sequence[ShareTable],
    shown: Mapping[tuple[Hashable, Hashable], ShareCells],
    threshold: int,
    *,
    total: Hashable = TOTAL_ROW,
    margins: Sequence[Margin] = (),
) -> AuditResult:
    """The joint audit of a view as it is shown (every row's and margin's texts, ``(key, unit or margin
    name)`` -> ``ShareCells``): which suppressed cells a reader can narrow from everything on it. A margin
    published as a share only is audited as if its counts were shown (a share beside the view's counts
    gives them back)."""
    system, first = view_system(tables, threshold, total, margins)
    return audit(system, _from_texts(tables, system, first, shown, margins), Policy(threshold=threshold))


def audit_published(
    tables: Sequence[ShareTable],
    threshold: int,
    *,
    total: Hashable = TOTAL_ROW,
    margins: Sequence[Margin] = (),
    published: Mapping[tuple[Hashable, Hashable], ShareCells] | None = None,
) -> dict[tuple[Hashable, Hashable], ShareCells]:
    """Each row's published texts (``(table key, unit)`` → ``ShareCells``, a margin's as ``(key, name)``)
    after the joint protection of the whole view: the row-by-row policy, completed so that no suppressed
    count (nor a small number of patients who do not meet an indicator) can be narrowed from the other rows,
    the total, the other indicators or the margins. With ``published`` (the view as already shown, e.g. by
    the dashboard), the view's rows keep their texts and only the margins get complements."""
    system, first = view_system(tables, threshold, total)
    if published is None:
        state = _protected(system, dict(first), threshold, set())
    else:
        state = _from_texts(tables, system, first, published)
    if margins:
        base = set(system.values)
        system, first = view_system(tables, threshold, total, margins)
        merged = {**{k: v for k, v in first.items() if k not in base}, **state}
        # only the margins' side of the view can change: protect the part of the system a margin reaches
        # through cells the reader does not know exactly (the rest was audited with the view itself)
        near = _around(system, set(system.values) - base, merged)
        state = {
            **merged,
            **_protected(near, {k: v for k, v in merged.items() if k in near.values}, threshold, base),
        }
    small = SMALL_TEXT.format(threshold=threshold)

    def text(k: Hashable, value: int, zero_hidden: bool = False) -> str:
        if state.get(k) == PRIMARY:
            return small
        if state.get(k) == COMPLEMENTARY or zero_hidden:
            return HIDDEN_TEXT
        return str(int(value))

    out: dict[tuple[Hashable, Hashable], ShareCells] = {}
    rows = [(t.key, u, u) for t in tables for u, _, _ in t.rows]
    rows += [(m.key, m.name, (_MARGIN, m.name)) for m in margins]
    for key, name, u in rows:
        nk, dk, ck = (key, "n", u), (key, "d", u), (key, "c", u)
        n, d = int(system.values[nk]), int(system.values[dk])
        hidden_zero = nk in system.unpublished
        if not (hidden_zero or nk in state or dk in state or ck in state):
            out[(key, name)] = ShareCells(str(n), str(d), False)
        else:
            out[(key, name)] = ShareCells(text(nk, n, hidden_zero), text(dk, d), True)
    return out
