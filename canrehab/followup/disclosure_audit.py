"""The disclosure audit: what a reader can compute from everything that is published together.

Method
------
Everything published together (all tables of a suite, a dashboard view, a CSV) is one linear system over the
persons the tables share. Each *cell* is a person count; the system knows

* ``Group``: a margin is the sum of its cells (county ⊂ RCC ⊂ nation; the strata that partition a population:
  women + men, the age bands, 18+ and children; cells that are never shown, such as persons with an unknown
  county, are members of the group but ``unpublished``);
* ``Union``: an indicator that counts persons with any of several codes (Min vårdplan = XV019 or XV020) is at
  least each of its parts and at most their sum;
* ``Subset``: a count of a subpopulation is at most the count of the population (a code in inpatient care
  is at most the code overall; persons with a code at most the persons of the unit).

What a reader knows of each cell comes from its published text (``Policy.known``): a published count exactly
(or, under rounding, to ±2), a ``<4`` cell is 1..3, an ``X`` cell is at least 1 (zeros are never hidden), an
unpublished cell at least 0. The audit solves, for every suppressed cell, two integer linear programs (HiGHS
through ``scipy.optimize.milp``): the least and the greatest value the cell can take given all relations and
all that is known. The system is first split into its connected components (cells linked by a relation through
cells that are not known exactly), so each program is small.

A suppressed small cell is *protected* when its feasible interval contains its whole primary range
(1..threshold-1: the reader learns nothing beyond ``<4``), or as much of it as any suppression can give
(zeros are published, so a hidden margin over two hidden cells is at least 2 whatever else is hidden).
With a protection level ``p > 0``, a complementary (``X``) cell's interval must also reach ``p`` persons
below and above its value. A cell whose interval is narrower is *recoverable* (``exact`` when the interval
is one value).

This module only reads; ``suppression`` chooses the cells to hide and calls ``audit`` on its own result.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

Key = Hashable
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
SMALL_TEXT = "<{threshold}"
HIDDEN_TEXT = "X"


@dataclass(frozen=True)
class Group:
    """An additive relation: ``margin == sum(cells)`` (cells not in the system count as 0)."""

    cells: tuple[Key, ...]
    margin: Key | None = None

    @property
    def members(self) -> tuple[Key, ...]:
        return self.cells if self.margin is None else (*self.cells, self.margin)


@dataclass(frozen=True)
class Union:
    """Persons with any of ``parts``: ``max(parts) <= whole <= sum(parts)``."""

    whole: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class Subset:
    """A subpopulation's count: ``part <= whole``."""

    part: Key
    whole: Key


@dataclass(frozen=True)
class Policy:
    """How counts are published: ``threshold`` (1..threshold-1 is ``<threshold``) and ``rounding`` (published
    counts rounded to the nearest multiple; 1 = exact). ``SUPPRESS`` is the register reports' policy,
    ``ROUND`` OpenSAFELY's (counts up to 7 suppressed, the rest rounded to the nearest 5)."""

    threshold: int = 4
    rounding: int = 1

    def is_small(self, n: int) -> bool:
        return 0 < n < self.threshold

    def rounded(self, n: int) -> int:
        r = self.rounding
        return n if r <= 1 or n == 0 else ((n + r // 2) // r) * r

    def known(self, n: int, state: str | None) -> tuple[int, float]:
        """The interval a reader can tell from the published text of a count ``n`` in ``state``."""
        if state == PRIMARY:
            return 1, self.threshold - 1
        if state == COMPLEMENTARY:
            return 1, math.inf
        if self.rounding <= 1 or n == 0:
            return n, n
        r = self.rounded(n)
        half = self.rounding // 2
        return max(r - half, self.threshold), r + (self.rounding - 1 - half)

    def count_text(self, n: int, state: str | None) -> str:
        if state == PRIMARY:
            return SMALL_TEXT.format(threshold=self.threshold)
        if state == COMPLEMENTARY:
            return HIDDEN_TEXT
        return str(self.rounded(int(n)))


SUPPRESS = Policy()
ROUND = Policy(threshold=8, rounding=5)
POLICIES = {"suppress": SUPPRESS, "round": ROUND}


@dataclass
class System:
    """Cells with their true values and the relations a reader knows between them."""

    values: dict[Key, int] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    unions: list[Union] = field(default_factory=list)
    subsets: list[Subset] = field(default_factory=list)
    unpublished: set[Key] = field(default_factory=set)
    # what a reader knows of an unpublished cell, when more than "at least 0" (a code listed as "<100")
    known_override: dict[Key, tuple[float, float]] = field(default_factory=dict)

    def add(self, other: System) -> None:
        clash = [k for k in other.values if k in self.values and self.values[k] != other.values[k]]
        if clash:
            raise ValueError(f"one cell, two values: {clash[:3]}")
        self.values.update(other.values)
        self.groups += other.groups
        self.unions += other.unions
        self.subsets += other.subsets
        self.unpublished |= other.unpublished
        self.known_override.update(other.known_override)

    def relations(self) -> list[tuple[tuple[Key, ...], list[float], str]]:
        """Each relation as (cells, coefficients, sense) with sense ``"="`` (== 0) or ``"<"`` (<= 0)."""
        out: list[tuple[tuple[Key, ...], list[float], str]] = []
        v = self.values
        for g in self.groups:
            cells = tuple(c for c in g.cells if c in v)
            if g.margin is None or g.margin not in v:
                continue
            out.append(((*cells, g.margin), [1.0] * len(cells) + [-1.0], "="))
        for u in self.unions:
            parts = tuple(p for p in u.parts if p in v)
            if u.whole not in v:
                continue
            for p in parts:
                out.append(((p, u.whole), [1.0, -1.0], "<"))
            out.append(((u.whole, *parts), [1.0] + [-1.0] * len(parts), "<"))
        for s in self.subsets:
            if s.part in v and s.whole in v:
                out.append(((s.part, s.whole), [1.0, -1.0], "<"))
        return out

    def check(self) -> None:
        """Raise if the true values break a relation (the system would prove nothing)."""
        for cells, coef, sense in self.relations():
            lhs = sum(c * self.values[k] for k, c in zip(cells, coef, strict=True))
            if (sense == "=" and lhs != 0) or (sense == "<" and lhs > 0):
                raise ValueError(f"relation broken by the true values: {cells[:4]}")


@dataclass(frozen=True)
class Finding:
    cell: Key
    state: str
    value: int
    low: float
    high: float
    required: tuple[float, float]

    @property
    def exact(self) -> bool:
        return self.low == self.high


@dataclass
class AuditResult:
    intervals: dict[Key, tuple[float, float]]
    recoverable: list[Finding]
    hidden: int
    components: int

    @property
    def clean(self) -> bool:
        return not self.recoverable

    def summary_sv(self) -> str:
        exact = sum(f.exact for f in self.recoverable)
        return (
            f"{self.hidden} dolda celler, {len(self.recoverable)} kan räknas fram eller ringas in "
            f"({exact} exakt)"
        )


def required_range(value: int, state: str, policy: Policy, protection: int = 0) -> tuple[float, float]:
    """The interval a suppressed cell's feasible interval must contain: a small count (shown ``<4``, or ``X``
    when its smallness is hidden too) its whole primary range."""
    if policy.is_small(value):
        return 1, policy.threshold - 1
    if protection > 0:
        return max(1, value - protection), value + protection
    return math.inf, -math.inf  # no requirement: any interval contains the empty range


def known_bounds(system: System, state: Mapping[Key, str], policy: Policy) -> dict[Key, tuple[float, float]]:
    out: dict[Key, tuple[float, float]] = {}
    for k, n in system.values.items():
        if k in system.unpublished:
            out[k] = system.known_override.get(k, (0, math.inf))
        else:
            out[k] = policy.known(int(n), state.get(k))
    return out


def components(
    keys: Iterable[Key], relations: list[tuple[tuple[Key, ...], list[float], str]], free: set[Key]
) -> list[set[Key]]:
    """Connected components of the free cells (cells linked by a relation)."""
    parent: dict[Key, Key] = {k: k for k in keys if k in free}

    def find(k: Key) -> Key:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for cells, _, _ in relations:
        fc = [c for c in cells if c in parent]
        for c in fc[1:]:
            a, b = find(fc[0]), find(c)
            if a != b:
                parent[a] = b
    comps: dict[Key, set[Key]] = {}
    for k in parent:
        comps.setdefault(find(k), set()).add(k)
    return list(comps.values())


def _solve(
    cells: list[Key],
    bounds: Mapping[Key, tuple[float, float]],
    fixed: Mapping[Key, float],
    relations: list[tuple[tuple[Key, ...], list[float], str]],
    target: Key,
    sense: int,
    cap: float | None = None,
) -> float:
    index = {k: i for i, k in enumerate(cells)}
    rows, cols, data, lo, hi = [], [], [], [], []
    for r, (rc, coef, kind) in enumerate(relations):
        const = 0.0
        for k, c in zip(rc, coef, strict=True):
            if k in index:
                rows.append(r)
                cols.append(index[k])
                data.append(c)
            else:
                const += c * fixed[k]
        lo.append(-const if kind == "=" else -np.inf)
        hi.append(-const)
    objective = np.zeros(len(cells))
    objective[index[target]] = sense
    constraints = []
    if relations:
        a = coo_matrix((data, (rows, cols)), shape=(len(relations), len(cells)))
        constraints.append(LinearConstraint(a, lo, hi))
    # an unbounded cell (an X or unpublished cell) is capped far above every true value; reaching the cap
    # means "no upper limit"
    cap = cap if cap is not None else _cap({k: bounds[k] for k in cells}, fixed)
    b = Bounds([bounds[k][0] for k in cells], [min(bounds[k][1], cap) for k in cells])
    res = milp(objective, constraints=constraints, bounds=b, integrality=np.ones(len(cells)))
    if not res.success:
        raise RuntimeError(f"disclosure audit: the system is infeasible ({res.message})")
    value = float(round(res.x[index[target]]))
    return math.inf if value >= cap else value


def _cap(bounds: Mapping[Key, tuple[float, float]], fixed: Mapping[Key, float]) -> float:
    finite = [abs(v) for lo, hi in bounds.values() for v in (lo, hi) if math.isfinite(v)]
    return 4.0 * (sum(finite) + sum(abs(v) for v in fixed.values())) + 1000.0


def audit(
    system: System, state: Mapping[Key, str], policy: Policy = SUPPRESS, *, protection: int = 0
) -> AuditResult:
    """Every suppressed cell's feasible interval, and the cells whose interval is narrower than required."""
    known = known_bounds(system, state, policy)
    free = {k for k, (lo, hi) in known.items() if lo != hi}
    fixed = {k: lo for k, (lo, hi) in known.items() if lo == hi}
    rels = system.relations()
    intervals: dict[Key, tuple[float, float]] = {}
    findings: list[Finding] = []
    comps = components(system.values, rels, free)
    for comp in comps:
        targets = [k for k in comp if k in state]
        if not targets:
            continue
        comp_rels = [r for r in rels if any(c in comp for c in r[0])]
        cells = sorted(comp, key=repr)
        cap = _cap({k: known[k] for k in cells}, {k: fixed[k] for r in comp_rels for k in r[0] if k in fixed})
        for k in sorted(targets, key=repr):
            low = _solve(cells, known, fixed, comp_rels, k, 1, cap)
            high = _solve(cells, known, fixed, comp_rels, k, -1, cap)
            intervals[k] = (low, high)
            need = required_range(int(system.values[k]), state[k], policy, protection)
            if low > need[0] or high < need[1]:
                need = _attainable(system, policy, comp_rels, k, need)
            if low > need[0] or high < need[1]:
                findings.append(Finding(k, state[k], int(system.values[k]), low, high, need))
    for k in state:
        if k not in intervals and k in system.values:
            # a suppressed cell in no relation: the reader knows only its text
            intervals[k] = known[k]
    return AuditResult(intervals, findings, len(state), len(comps))


def _attainable(
    system: System,
    policy: Policy,
    rels: list[tuple[tuple[Key, ...], list[float], str]],
    cell: Key,
    need: tuple[float, float],
) -> tuple[float, float]:
    """``need`` narrowed to what no suppression can hide: with every positive cell hidden, only the zeros are
    known (a margin over two hidden cells is at least 2 whatever else is hidden)."""
    everything = {k: COMPLEMENTARY for k, n in system.values.items() if int(n) > 0}
    known = known_bounds(system, everything, policy)
    free = {k for k, (lo, hi) in known.items() if lo != hi}
    fixed = {k: lo for k, (lo, hi) in known.items() if lo == hi}
    comp = next(c for c in components(system.values, rels, free) if cell in c)
    comp_rels = [r for r in rels if any(c in comp for c in r[0])]
    cells = sorted(comp, key=repr)
    cap = _cap({k: known[k] for k in cells}, {k: fixed[k] for r in comp_rels for k in r[0] if k in fixed})
    low = _solve(cells, known, fixed, comp_rels, cell, 1, cap)
    high = _solve(cells, known, fixed, comp_rels, cell, -1, cap)
    return max(need[0], low), min(need[1], high)


class DisclosureError(RuntimeError):
    """Publishing would let a reader recover suppressed cells (the audit of the output is not clean)."""

    def __init__(self, result: AuditResult) -> None:
        self.result = result
        self.message_sv = (
            "Röjandekontrollen stoppade publiceringen: " + result.summary_sv() + ". Inget skrevs."
        )
        super().__init__(self.message_sv)
