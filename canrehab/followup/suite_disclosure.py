"""The suite's tables as one linear system: the region and RCC tables, every indicator-year's geographic
table and the code tables, with the relations between them (an indicator's denominator is the population of
the region table; an indicator over codes shown in the region table is their union; code table 1 is the
nation's row of the region table). ``disclosure_audit`` audits it; ``suppression.protect`` completes it.

Keys are the tables' own keys under a prefix: ``("geo", …)`` the region table, ``("ind", id, year, …)`` an
indicator-year, ``("codes", …)`` the code tables.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from canrehab.followup import suppression as sup
from canrehab.followup.goals import IndicatorDef
from canrehab.followup.tables import TOTAL, GeoTable


@dataclass
class Joint:
    system: sup.System
    state: dict[Hashable, str]


def _prefixed(prefix: tuple[Hashable, ...], system: sup.System, state: Mapping[Hashable, str]) -> Joint:
    def key(k: Hashable) -> Hashable:
        return (*prefix, k)

    out = sup.System(
        values={key(k): v for k, v in system.values.items()},
        groups=[sup.Group(tuple(key(c) for c in g.cells), key(g.margin)) for g in system.groups],
        unions=[sup.Union(key(u.whole), tuple(key(p) for p in u.parts)) for u in system.unions],
        subsets=[sup.Subset(key(s.part), key(s.whole)) for s in system.subsets],
        unpublished={key(k) for k in system.unpublished},
        known_override={key(k): v for k, v in system.known_override.items()},
    )
    return Joint(out, {key(k): v for k, v in state.items()})


def joint(
    geo: GeoTable,
    indicators: Mapping[tuple[str, int], GeoTable],
    codes: Mapping[str, object],
    defs: Sequence[IndicatorDef],
    year: int,
    region_codes: Sequence[str],
) -> Joint:
    """Everything the suite publishes for ``year`` (and the indicators' other years) as one system."""
    assert geo.system is not None and geo.state is not None
    parts = [_prefixed(("geo",), geo.system, geo.state)]
    for (ind_id, ind_year), t in indicators.items():
        assert t.system is not None and t.state is not None
        parts.append(_prefixed(("ind", ind_id, ind_year), t.system, t.state))
    if codes:
        parts.append(_prefixed(("codes",), codes["system"], codes["state"]))  # type: ignore[arg-type]
    out = Joint(sup.System(), {})
    for p in parts:
        out.system.add(p.system)
        out.state.update(p.state)
    units: list[tuple[str, str, str]] = [
        k  # type: ignore[misc]
        for k in geo.system.values
        if k[2] == TOTAL  # type: ignore[index]
    ]
    by_id = {d.id: d for d in defs}
    for ind_id, ind_year in indicators:
        d = by_id[ind_id]
        den = d.denominator
        if ind_year != year or den.care_type or den.age_groups or den.sex:
            continue
        for level, code, _ in units:
            # the indicator's denominator is the unit's population, published in the region table
            whole = ("ind", ind_id, ind_year, (level, code, TOTAL))
            out.system.groups.append(sup.Group((("geo", (level, code, TOTAL)),), whole))
            kva = d.kva()
            if kva.care_type or not kva.codes_any or not set(kva.codes_any) <= set(region_codes):
                continue
            num = ("ind", ind_id, ind_year, (level, code, "numerator"))
            shown = tuple(("geo", (level, code, c)) for c in kva.codes_any)
            out.system.unions.append(sup.Union(num, shown))
    if codes:
        for c in region_codes:
            cell = ("codes", ("code", "all", c))
            if cell in out.system.values:
                out.system.groups.append(sup.Group((("geo", ("nation", "00", c)),), cell))
    out.system.check()
    return out


def split(state: Mapping[Hashable, str]) -> tuple[dict[Hashable, str], dict[tuple[str, int], dict], dict]:
    """The joint state back per table: (region table, per indicator-year, code tables)."""
    geo: dict[Hashable, str] = {}
    ind: dict[tuple[str, int], dict[Hashable, str]] = {}
    codes: dict[Hashable, str] = {}
    for k, v in state.items():
        kind = k[0]  # type: ignore[index]
        if kind == "geo":
            geo[k[1]] = v  # type: ignore[index]
        elif kind == "ind":
            ind.setdefault((k[1], k[2]), {})[k[3]] = v  # type: ignore[index]
        else:
            codes[k[1]] = v  # type: ignore[index]
    return geo, ind, codes
