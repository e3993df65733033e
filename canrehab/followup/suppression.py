"""Small-count disclosure control for published person counts.

Method
------
*Primary suppression.* A count ``n`` with ``1 <= n < threshold`` (default threshold 4, i.e. 1–3 persons)
is published as ``<4`` and its rate as ``X``. Zero is published as ``0`` (an absence is not a disclosure
of a person). Denominators (total patients of a county) follow the same rule.

*Complementary (secondary) suppression.* A published table also publishes sums of its cells (counties sum
to their RCC, RCCs and counties to the nation, strata partition a population, an indicator is the union of
codes shown beside it), so a hidden cell could be recovered or narrowed by arithmetic over several tables.
Everything published together is one linear system (``disclosure_audit.System``), and the audit computes each
suppressed cell's feasible interval by integer linear programming. Complementary cells are chosen so that
every primary cell's interval spans its whole primary range 1..threshold-1 (and, with a protection level
``p``, each complementary cell's interval reaches ``p`` around its value), with the least information lost:

1. suppress the primary cells; audit;
2. for each recoverable cell and each side it cannot reach (up to threshold-1, down to 1), solve a small
   integer program (the attacker's move, as in Fischetti and Salazar's model used by τ-Argus): find a
   perturbation of the cells that keeps every relation and every published value except those of the cells it
   newly hides, reaches the required value, and minimises the *cost* of the newly hidden cells (``value``:
   their total count, τ-Argus's default; ``cells``: their number); hide those cells;
3. repeat until the audit is clean.

Hiding a cell only widens every feasible interval (a reader knows less), so a repaired exposure stays
repaired; every round hides at least one more cell (or stops, clean), so the loop ends after at most as many
rounds as there are cells, and ``suppress`` returns only a pattern whose final audit is clean (it raises
``DisclosureError`` otherwise). Zero cells are never hidden (a published 0 reveals no person). The choice is
optimal for each exposure in turn, not jointly for all of them (a joint optimum is NP-hard; the sequential
one is the "incremental" variant).

Complementary suppression can be turned off (``complementary=False``) to reproduce the primary-only tables
of Socialstyrelsen's report exactly. It then protects only single cells: a ``<4`` cell can be recovered
from the margins (an RCC shown ``<4`` over counties shown ``<4``; a code table of adults beside the overall
one; an indicator that is a union of codes shown beside them) — ``PRIMARY_ONLY_WARNING_SV`` says so.

*Rounding* (``policy="round"``, OpenSAFELY's rule): counts up to 7 are suppressed, the others rounded to the
nearest 5 (rates from the rounded counts); the audit then knows each published count only to ±2.

Two policies, one module
------------------------
This module is the one home of disclosure control; the register reports and the care-process dashboards
both call it. They apply two named policies, because they publish different things:

* ``REPORT`` (``suppress`` with ``Group`` relations, above): the register tables publish person counts
  whose sums (county -> RCC -> nation) are published too; zero stays ``0``.
* ``DASHBOARD`` (``share_cells``): a unit dashboard row publishes a numerator *of* a denominator for one
  unit, so it also publishes their difference, the patients who do *not* meet the indicator (whom a unit
  manager can list by drill-down). The row is hidden when any of the three counts is small: the share is
  ``X``, the numerator ``<4`` when it is itself small and ``X`` otherwise (a ``0`` of a hidden row would
  tell that every patient of it failed), the denominator ``<4`` only when it is itself small (a unit's
  size is not the sensitive fact). Rows are checked one by one; the total row is not audited against the
  unit rows, so with several units a hidden numerator can be narrowed down from the total.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from canrehab.followup.disclosure_audit import (
    COMPLEMENTARY,
    HIDDEN_TEXT,
    POLICIES,
    PRIMARY,
    ROUND,
    SMALL_TEXT,
    SUPPRESS,
    DisclosureError,
    Group,
    Policy,
    Subset,
    System,
    Union,
    audit,
    known_bounds,
)

__all__ = [
    "COMPLEMENTARY",
    "POLICIES",
    "PRIMARY",
    "ROUND",
    "DisclosureError",
    "Group",
    "Subset",
    "System",
    "Union",
]

REPORT = "report"
DASHBOARD = "dashboard"
COSTS = ("value", "cells")
PRIMARY_ONLY_WARNING_SV = (
    "Endast primär undertryckning (--no-complementary): antal 1–{last} visas som <{threshold}, men inga "
    "andra celler döljs. Ett dolt värde kan då räknas fram ur summor: län mot RCC och riket, kön- och "
    "åldersgrupper mot samtliga, en indikator som är en av flera koder mot koderna. Använd bara för att "
    "återskapa Socialstyrelsens publicerade tabeller."
)


def primary_only_warning_sv(threshold: int) -> str:
    return PRIMARY_ONLY_WARNING_SV.format(last=threshold - 1, threshold=threshold)


def is_small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def primary(counts: Mapping[Hashable, int], threshold: int) -> dict[Hashable, str]:
    return {k: PRIMARY for k, n in counts.items() if is_small(int(n), threshold)}


def suppress(
    counts: Mapping[Hashable, int],
    groups: Iterable[Group],
    threshold: int = 4,
    *,
    complementary: bool = True,
    already: Mapping[Hashable, str] | None = None,
    unpublished: Iterable[Hashable] = (),
    policy: Policy | None = None,
    protection: int = 0,
    cost: str = "value",
) -> dict[Hashable, str]:
    """Return ``{cell: PRIMARY | COMPLEMENTARY}`` for every suppressed cell of one table's relations."""
    system = System(values=dict(counts), groups=list(groups), unpublished=set(unpublished))
    return protect(
        system,
        policy or Policy(threshold=threshold),
        complementary=complementary,
        already=already,
        protection=protection,
        cost=cost,
    )


def protect(
    system: System,
    policy: Policy = SUPPRESS,
    *,
    complementary: bool = True,
    already: Mapping[Hashable, str] | None = None,
    protection: int = 0,
    cost: str = "value",
    keep: Iterable[Hashable] = (),
) -> dict[Hashable, str]:
    """Primary and (unless ``complementary`` is off) complementary suppression of a whole system, audited:
    the result's audit is clean, or ``DisclosureError`` is raised. Cells in ``keep`` are never chosen as
    complements (they are published already, e.g. a dashboard beside the trend that extends it)."""
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}")
    status: dict[Hashable, str] = dict(already or {})
    status.update(
        {k: PRIMARY for k, n in system.values.items() if policy.is_small(int(n)) and k not in status}
    )
    if not complementary or policy.threshold <= 1:
        return status
    if policy.threshold == 2:
        return status  # "<2" itself says "1": there is no range to protect
    kept = frozenset(keep)
    rels = system.relations()
    by_cell: dict[Hashable, list[int]] = {}
    for i, (rc, _, _) in enumerate(rels):
        for k in rc:
            by_cell.setdefault(k, []).append(i)
    for _ in range(len(system.values) + 1):
        result = audit(system, status, policy, protection=protection)
        if result.clean:
            return status
        added = False
        for f in result.recoverable:
            for side, target in ((1, f.required[1]), (-1, f.required[0])):
                reached = f.high if side == 1 else f.low
                if side * (reached - target) >= 0:
                    continue
                for k in _cheapest_complement(
                    system, status, policy, f.cell, target, cost, rels, by_cell, kept
                ):
                    if status.get(k) != COMPLEMENTARY:
                        status[k] = COMPLEMENTARY
                        added = True
        if not added:
            break
    raise DisclosureError(audit(system, status, policy, protection=protection))


def _cheapest_complement(
    system: System,
    status: Mapping[Hashable, str],
    policy: Policy,
    cell: Hashable,
    target: float,
    cost: str,
    rels: list[tuple[tuple[Hashable, ...], list[float], str]],
    by_cell: Mapping[Hashable, list[int]],
    kept: frozenset[Hashable] = frozenset(),
) -> list[Hashable]:
    """The cheapest set of published cells (not in ``kept``) whose hiding lets ``cell`` take the value
    ``target`` (an integer program over the perturbation ``y`` of every cell of the relations around
    ``cell``)."""
    keys = _neighbourhood(cell, rels, by_cell)
    cells = sorted(keys, key=repr)
    index = {k: i for i, k in enumerate(cells)}
    known = known_bounds(system, status, policy)
    values = system.values
    big = 4.0 * sum(abs(int(values[k])) for k in cells) + 1000.0
    # a published cell can be hidden (X); a <4 cell can hide that it is small (X: at least 1)
    candidates = [
        k
        for k in cells
        if status.get(k) != COMPLEMENTARY
        and k not in system.unpublished
        and k not in kept
        and int(values[k]) > 0
        and k != cell
    ]
    n, m = len(cells), len(candidates)
    # variables: y (n, integer perturbation), z (m, binary: hide this cell)
    lo = np.zeros(n + m)
    hi = np.ones(n + m)
    for i, k in enumerate(cells):
        x = int(values[k])
        klo, khi = known[k]
        lo[i] = (1 if k in candidates else klo) - x
        hi[i] = min(khi, big) - x if k not in candidates else big
    rows: list[np.ndarray] = []
    rlo: list[float] = []
    rhi: list[float] = []
    for i in sorted({i for k in cells for i in by_cell.get(k, [])}):
        rc, coef, kind = rels[i]
        row = np.zeros(n + m)
        const = 0.0
        for k, c in zip(rc, coef, strict=True):
            if k in index:
                row[index[k]] += c
            const += c * int(values[k])
        rows.append(row)
        # the true values satisfy the relation; the perturbation must keep it (y of cells outside is 0)
        rlo.append(-const if kind == "=" else -np.inf)
        rhi.append(-const)
    for j, k in enumerate(candidates):
        x = int(values[k])
        klo, khi = known[k]
        up = np.zeros(n + m)  # y <= (khi - x) + big * z
        up[index[k]] = 1.0
        up[n + j] = -big
        rows.append(up)
        rlo.append(-np.inf)
        rhi.append(min(khi, big) - x)
        down = np.zeros(n + m)  # y >= (klo - x) - (klo - 1) * z
        down[index[k]] = 1.0
        down[n + j] = klo - 1
        rows.append(down)
        rlo.append(klo - x)
        rhi.append(np.inf)
    lo[index[cell]] = hi[index[cell]] = target - int(values[cell])
    weights = np.zeros(n + m)
    for j, k in enumerate(candidates):
        # ties break towards fewer cells (value) or smaller cells (cells)
        weights[n + j] = (int(values[k]) + 1e-3) if cost == "value" else 1.0 + int(values[k]) / big
        if status.get(k) == PRIMARY:
            weights[n + j] += big  # hiding that a cell is small: only when nothing else helps
    a = coo_matrix(np.array(rows)) if rows else None
    constraints = [LinearConstraint(a, rlo, rhi)] if a is not None else []
    res = milp(weights, constraints=constraints, bounds=Bounds(lo, hi), integrality=np.ones(n + m))
    if not res.success:
        # no perturbation even with every neighbour hidden: hide them all (the next audit decides)
        return candidates
    return [k for j, k in enumerate(candidates) if res.x[n + j] > 0.5]


def _neighbourhood(
    cell: Hashable,
    rels: list[tuple[tuple[Hashable, ...], list[float], str]],
    by_cell: Mapping[Hashable, list[int]],
) -> set[Hashable]:
    """The cells connected to ``cell`` through relations (all of them: a published cell may be hidden)."""
    seen = {cell}
    todo = [cell]
    while todo:
        k = todo.pop()
        for i in by_cell.get(k, []):
            for c in rels[i][0]:
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
    return seen


def count_text(n: int, state: str | None, threshold: int, rounding: int = 1) -> str:
    return Policy(threshold=threshold, rounding=rounding).count_text(int(n), state)


def rate_text(rate: float | None, state: str | None, decimals: int = 2, decimal: str = ".") -> str:
    if state is not None:
        return HIDDEN_TEXT
    if rate is None:
        return ""
    return f"{rate:.{decimals}f}".replace(".", decimal)


@dataclass(frozen=True)
class ShareCells:
    """The published texts of one dashboard row (the ``DASHBOARD`` policy); ``hidden``: the share is ``X``."""

    numerator_text: str
    denominator_text: str
    hidden: bool


def share_cells(numerator: int, denominator: int, threshold: int) -> ShareCells:
    """The ``DASHBOARD`` policy for a numerator of a denominator (see the module docstring)."""
    complement = denominator - numerator
    if not any(is_small(n, threshold) for n in (numerator, denominator, complement)):
        return ShareCells(str(numerator), str(denominator), False)
    small = SMALL_TEXT.format(threshold=threshold)
    return ShareCells(
        small if is_small(numerator, threshold) else HIDDEN_TEXT,
        small if is_small(denominator, threshold) else str(denominator),
        True,
    )
