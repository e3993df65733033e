"""The structure register's use cases: read and edit a unit's structure for a diagnosis process (the process
leader — ``admin`` — for any unit, a unit manager for their own units), its history, and the plain facts the
structure indicators are computed from (``structure_facts``).

Reading the register is follow-up (``Action.FOLLOWUP``); editing it is ``Action.EDIT_STRUCTURE`` and, for a
role that is not region-wide, one of the actor's own units. Every save is a new version in the audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from canrehab.domain import structure as rules
from canrehab.domain.access import Actor
from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action, allowed
from canrehab.domain.structure import StructureEntry, StructureFact, Value
from canrehab.services.guard import denied, log_denied, require_action
from canrehab.store.repositories.structure import StructureRepository

if TYPE_CHECKING:
    from canrehab.services.context import Services

__all__ = ["StructureFact", "edit", "history", "overview", "structure_facts"]


@dataclass(frozen=True)
class OverviewRow:
    unit_hsa_id: str
    unit_name: str
    process: str
    process_name: str
    entry: StructureEntry


def _region_wide(actor: Actor) -> bool:
    return allowed(actor.role, Action.FOLLOWUP_REGION_WIDE) or actor.role == "system"


def _check_unit_and_process(services: Services, uow: object, unit_hsa_id: str, process: str) -> None:
    if process not in {p.id for p in services.catalog.processes}:
        raise DomainError("structure.unknown_process", "Okänd diagnosprocess.", f"unknown process {process}")
    if uow.units.find(unit_hsa_id) is None:  # type: ignore[attr-defined]
        raise DomainError("structure.unknown_unit", "Okänd vårdenhet.", f"unknown unit {unit_hsa_id}")


def _require_unit(services: Services, actor: Actor, unit_hsa_id: str, process: str) -> None:
    if not _region_wide(actor) and unit_hsa_id not in actor.unit_hsa_ids:
        log_denied(services, actor, "structure_entry", f"{unit_hsa_id}/{process}", None)
        raise denied("Du har bara behörighet till dina egna enheters strukturuppgifter.", audited=True)


def overview(services: Services, actor: Actor) -> list[OverviewRow]:
    """The current entry of every unit the actor reaches and every diagnosis process (empty ones too)."""
    require_action(actor, Action.FOLLOWUP, services, "structure_register")
    with services.uow(actor) as uow:
        units = [u for u in uow.units.list_all() if _region_wide(actor) or u.hsa_id in actor.unit_hsa_ids]
        current = {
            (e.unit_hsa_id, e.process): e
            for e in StructureRepository(uow.session, uow.audit).latest_as_of(None, [u.hsa_id for u in units])
        }
    return [
        OverviewRow(
            unit_hsa_id=u.hsa_id,
            unit_name=u.name,
            process=p.id,
            process_name=p.name_sv,
            entry=current.get((u.hsa_id, p.id), StructureEntry(unit_hsa_id=u.hsa_id, process=p.id)),
        )
        for u in units
        for p in services.catalog.processes
    ]


def history(services: Services, actor: Actor, unit_hsa_id: str, process: str) -> list[StructureEntry]:
    """Every version for one unit and process, newest first (empty when nothing is recorded)."""
    require_action(actor, Action.FOLLOWUP, services, "structure_register")
    _require_unit(services, actor, unit_hsa_id, process)
    with services.uow(actor) as uow:
        _check_unit_and_process(services, uow, unit_hsa_id, process)
        return StructureRepository(uow.session, uow.audit).history(unit_hsa_id, process)


def edit(
    services: Services,
    actor: Actor,
    unit_hsa_id: str,
    process: str,
    values: Mapping[str, Value],
    *,
    expected_version: int,
) -> StructureEntry:
    """Save a new version of the unit's structure for the process; bad values or a stale version are refused
    with a Swedish message and nothing is written."""
    require_action(actor, Action.EDIT_STRUCTURE, services, "structure_edit")
    _require_unit(services, actor, unit_hsa_id, process)
    with services.uow(actor) as uow:
        _check_unit_and_process(services, uow, unit_hsa_id, process)
        repository = StructureRepository(uow.session, uow.audit)
        current = repository.current(unit_hsa_id, process)
        by = actor.username or actor.role
        changed = rules.revise(current, values, by=by, on=services.today(), expected_version=expected_version)
        return repository.add(changed, before=current)


def structure_facts(
    services: Services,
    *,
    as_of: date | None = None,
    unit_hsa_ids: Collection[str] | None = None,
    processes: Collection[str] | None = None,
) -> list[StructureFact]:
    """The structure register as plain facts for the indicator engine: per unit and diagnosis process, every
    field's value in the newest version recorded on or before ``as_of`` (the period's end; None: the newest
    of all). A unit/process with nothing recorded has no facts (not known, not "Nej").

    A system job's call (the indicator engine): organisation data only, no patient identifiers."""
    from canrehab.services.context import SYSTEM

    with services.uow(SYSTEM, log_reads=False) as uow:
        entries = StructureRepository(uow.session, uow.audit).latest_as_of(as_of, unit_hsa_ids)
    wanted = None if processes is None else set(processes)
    return [fact for e in entries if wanted is None or e.process in wanted for fact in rules.facts(e)]
