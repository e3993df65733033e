"""The structure indicators (000 mål 1–4's strukturmått, 001's agreements with primary care) evaluated from
the structure register for the units an actor follows up: per unit and diagnosis process whether the indicator
is met, and the share of the units that meet it, as of a period's end.

The register is organisation data (no patients), so no small-count suppression applies. A unit in scope that
has recorded nothing for the process (or, with no process chosen, for any process) counts as *not met* and is
shown as "ej registrerat": a unit cannot reach a goal by staying silent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain.access import Actor
from canrehab.domain.permissions import Action
from canrehab.followup.goals import IndicatorDef, default_indicators
from canrehab.followup.structure_goals import UnitFacts, evaluate_structure
from canrehab.services.guard import require_action
from canrehab.services.indicators import scope
from canrehab.services.structure import structure_facts

if TYPE_CHECKING:
    from canrehab.services.context import Services

NOT_RECORDED_SV = "ej registrerat"


@dataclass(frozen=True)
class StructureRow:
    unit_hsa_id: str
    unit_name: str
    process: str | None  # None: the unit has recorded nothing for any process
    met: bool
    recorded: bool

    @property
    def met_text(self) -> str:
        if not self.recorded:
            return NOT_RECORDED_SV
        return "Ja" if self.met else "Nej"


@dataclass
class StructureIndicatorResult:
    definition: IndicatorDef
    rows: list[StructureRow] = field(default_factory=list)

    @property
    def units(self) -> int:
        return len(self.rows)

    @property
    def units_met(self) -> int:
        return sum(r.met for r in self.rows)

    @property
    def percent(self) -> float | None:
        return None if not self.rows else 100.0 * self.units_met / len(self.rows)


def structure_indicators(
    services: Services,
    actor: Actor,
    *,
    unit: str | None = None,
    process: str | None = None,
    as_of: date | None = None,
) -> list[StructureIndicatorResult]:
    """Every structure indicator of the definitions, evaluated over the units the actor follows up (one unit
    with ``unit``), for one diagnosis process or all, from the register's newest versions on or before
    ``as_of`` (the period's end; None: today's)."""
    require_action(actor, Action.FOLLOWUP, services, "structure_indicators")
    visible, unit_ids = scope(services, actor, unit)
    names = {u.hsa_id: u.name for u in visible}
    recorded = structure_facts(
        services, as_of=as_of, unit_hsa_ids=unit_ids, processes=None if process is None else [process]
    )
    by_pair: dict[tuple[str, str], dict[str, bool]] = defaultdict(dict)
    for fact in recorded:
        by_pair[(fact.unit_hsa_id, fact.process)][fact.field] = fact.value is True
    pairs: list[UnitFacts] = []
    silent: list[tuple[str, str | None]] = []
    for unit_id in unit_ids:
        own = sorted(p for (u, p) in by_pair if u == unit_id)
        if not own:
            silent.append((unit_id, process))
            continue
        pairs.extend(UnitFacts(unit_id, by_pair[(unit_id, p)], p) for p in own)
    results: list[StructureIndicatorResult] = []
    for definition in default_indicators().of_source("structure"):
        evaluated = evaluate_structure(definition, pairs)
        result = StructureIndicatorResult(definition)
        for (unit_id, proc), met in evaluated.met_by_unit.items():
            result.rows.append(StructureRow(unit_id, names.get(unit_id, unit_id), proc, met, True))
        result.rows.extend(StructureRow(u, names.get(u, u), p, False, False) for u, p in silent)
        result.rows.sort(key=lambda r: (r.unit_name, r.process or ""))
        results.append(result)
    with services.uow(actor) as uow:
        uow.audit.record("read", "structure_indicators", ",".join(unit_ids), None, "strukturmått")
    return results
