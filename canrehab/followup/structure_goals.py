"""Structure indicators evaluated from per-unit facts: the interface the structure register plugs into.

The structure register (``services/structure.py``, issue 11 item 4) records per unit and diagnosis process
whether contact nurses are present, whether their assignment is written and resourced, whether the routines
exist and are implemented, and so on (:data:`canrehab.followup.goals.StructureFact`). It hands the current
facts to :func:`evaluate_structure` as :class:`UnitFacts`, one per unit (and diagnosis process); a unit meets
a structure indicator when every fact in its ``structure.facts_all`` holds. A fact not recorded counts as not
met. The result is the share of units that meet it, per unit for drill-down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from canrehab.followup.goals import IndicatorDef


@dataclass(frozen=True)
class UnitFacts:
    """The structure register's current facts for one unit (and optionally one diagnosis process)."""

    unit_id: str
    facts: Mapping[str, bool]
    process: str | None = None


@dataclass(frozen=True)
class StructureResult:
    indicator_id: str
    units: int
    units_met: int
    met_by_unit: Mapping[tuple[str, str | None], bool] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return None if self.units == 0 else 100.0 * self.units_met / self.units


def evaluate_structure(indicator: IndicatorDef, facts: Iterable[UnitFacts]) -> StructureResult:
    """Evaluate a structure indicator over the units' facts (the share of units where every fact holds)."""
    if indicator.source != "structure" or indicator.structure is None:
        raise ValueError(f"{indicator.id} is not a structure indicator")
    needed = indicator.structure.facts_all
    met: dict[tuple[str, str | None], bool] = {}
    for unit in facts:
        met[(unit.unit_id, unit.process)] = all(unit.facts.get(f, False) for f in needed)
    return StructureResult(indicator.id, len(met), sum(met.values()), met)
