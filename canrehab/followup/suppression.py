"""Small-count disclosure control for published person counts.

Method
------
*Primary suppression.* A count ``n`` with ``1 <= n < threshold`` (default threshold 4, i.e. 1–3 persons)
is published as ``<4`` and its rate as ``X``. Zero is published as ``0`` (an absence is not a disclosure
of a person). Denominators (total patients of a county) follow the same rule.

*Complementary (secondary) suppression.* A published table often also publishes sums of its cells: a county
column sums to the national figure (plus persons with an unknown county: a cell of the group that is never
shown but is suppressed like any other when small, so it cannot be recovered by subtraction), the counties
of an RCC sum to the RCC figure, the RCCs sum to the nation. A suppressed cell could then be recovered by
subtraction. Every such additive relation is a *group* (its cells and its margin). Until no group changes,
for every group that contains suppressed cells we require

1. at least two suppressed cells, and
2. that the suppressed cells of the group add up to at least ``2 × threshold``, and
3. that no suppressed cell is pinned down by the published margin (interval check: primary cells lie in
   1..threshold-1, complementary ones are at least 1 — e.g. three ``<4`` cells summing to 9 are all 3),

so that subtraction yields only a sum that is compatible with several values of each suppressed cell. When
a group fails, we suppress one more of its cells: the smallest positive unsuppressed inner cell (least
information lost). Zero cells are never suppressed (a published 0 reveals no person, and hiding it protects
nothing). When no positive cell is left, rule 2 is relaxed to what the group can give: the group is accepted
if rule 3 holds; otherwise the margin is suppressed too.
Cells suppressed this way are published as ``X`` (count and rate), so a reader can tell them from primary
``<4`` cells. The choice is the classic "smallest cell" heuristic (as used by statistical offices for
frequency tables): it is not an optimal (minimum-loss) solution of the suppression problem, but it is
deterministic (ties break on the cell key), cheap, and guarantees that no suppressed cell equals a
published margin minus published cells. Each relation is checked on its own; combinations of relations are
not audited (as a linear-programming audit would), so in rare layouts several equations together can still
narrow a hidden value.

Complementary suppression can be turned off (``complementary=False``) to reproduce the primary-only tables
of Socialstyrelsen's report.

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

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

REPORT = "report"
DASHBOARD = "dashboard"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
SMALL_TEXT = "<{threshold}"
HIDDEN_TEXT = "X"


@dataclass(frozen=True)
class Group:
    """An additive relation: ``margin == sum(cells)`` (up to unpublished terms)."""

    cells: tuple[Hashable, ...]
    margin: Hashable | None = None

    @property
    def members(self) -> tuple[Hashable, ...]:
        return self.cells if self.margin is None else (*self.cells, self.margin)


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
) -> dict[Hashable, str]:
    """Return ``{cell: PRIMARY | COMPLEMENTARY}`` for every suppressed cell."""
    status: dict[Hashable, str] = dict(already or {})
    status.update(primary(counts, threshold))
    if not complementary or threshold <= 1:
        return status
    groups = list(groups)
    changed = True
    while changed:
        changed = False
        for g in groups:
            members = [m for m in g.members if m in counts]
            sup = [m for m in members if m in status]
            if not sup:
                continue
            while True:
                short = len(sup) < 2 or sum(int(counts[m]) for m in sup) < 2 * threshold
                pinned = _determined(counts, status, g, threshold)
                if not short and not pinned:
                    break
                free = [c for c in g.cells if c in counts and c not in status]
                pick = _smallest_positive(counts, free)
                if pick is None:
                    margin = g.margin
                    if margin is None or margin not in counts or margin in status or not pinned:
                        break
                    pick = margin
                status[pick] = COMPLEMENTARY
                sup.append(pick)
                changed = True
    return status


def _smallest_positive(counts: Mapping[Hashable, int], free: Sequence[Hashable]) -> Hashable | None:
    positive = sorted((int(counts[c]), str(c), c) for c in free if int(counts[c]) > 0)
    return positive[0][2] if positive else None


def _determined(
    counts: Mapping[Hashable, int], status: Mapping[Hashable, str], g: Group, threshold: int
) -> bool:
    """Whether a published margin minus the published cells pins down a suppressed cell of ``g``."""
    if g.margin is None or g.margin not in counts or g.margin in status:
        return False
    hidden = [c for c in g.cells if c in counts and c in status]
    if not hidden:
        return False
    total = sum(int(counts[c]) for c in hidden)  # what the reader learns: margin - published cells
    big = total + 1  # no upper bound for a complementary cell beyond the sum itself
    lo = {c: 1 for c in hidden}
    hi = {c: (threshold - 1 if status[c] == PRIMARY else big) for c in hidden}
    for c in hidden:
        others_lo = sum(lo[o] for o in hidden if o != c)
        others_hi = sum(hi[o] for o in hidden if o != c)
        low = max(lo[c], total - others_hi)
        high = min(hi[c], total - others_lo)
        if low >= high:
            return True
    return False


def count_text(n: int, state: str | None, threshold: int) -> str:
    if state == PRIMARY:
        return SMALL_TEXT.format(threshold=threshold)
    if state == COMPLEMENTARY:
        return HIDDEN_TEXT
    return str(int(n))


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
