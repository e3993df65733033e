"""The services' shared context: database, configured definitions (instruments, rules, routines, code lists)
and the clock. One ``Services`` object per process.

Every use case opens a unit of work with ``services.uow(actor)``. Units of work join: while one is open
for this ``Services`` in the current context (thread or task), a nested ``with services.uow(actor)`` is
that same unit of work, so a caller that needs several use cases in one transaction (a FHIR transaction
Bundle) opens the outer one and calls them; only the outermost commits (or rolls back) and refreshes the
worklist of each pathway registered with ``uow.refresh_worklist`` once, just before its commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from canrehab.config import Settings
from canrehab.domain.access import Actor


@dataclass
class _OpenUnit:
    """The outermost unit of work open for one ``Services`` object, and what waits for its end."""

    uow: Any
    after: list[Callable[[], None]] = field(default_factory=list)


# id(Services) -> its open unit. A ContextVar: each thread and each asyncio task sees only its own (the
# FastAPI thread pool runs every request in a copy of the caller's context).
_OPEN_UNITS: ContextVar[dict[int, _OpenUnit] | None] = ContextVar("canrehab_open_units", default=None)


def _open_unit(services: object) -> _OpenUnit | None:
    return (_OPEN_UNITS.get() or {}).get(id(services))


@dataclass
class Catalog:
    """User-configurable definitions, loaded and validated once at start."""

    instruments: dict[str, Any]
    rules: dict[str, Any]
    routines: dict[str, Any]
    professions: dict[Any, Any]
    processes: list[Any]
    kva: dict[str, Any] = field(default_factory=dict)  # the KVÅ code list (validity, performing professions)
    level_set: Any = None  # the region's chosen needs-level set (LevelSetDef)
    children: Any = None  # the children's and young adults' rules (ChildrenDef, codes/children.yaml)
    mdk_rehab_regions: Any = None  # the healthcare regions' MDK-rehab (codes/mdk_rehab.yaml); None: shipped

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Catalog:
        """Load and check every definition (the shipped files, or the region's: ``CANREHAB_INSTRUMENTS_DIR``,
        ``CANREHAB_DEFINITIONS_DIR``; ``children.yaml`` also from ``data_dir``'s own copy, see
        ``codes.mdk_rehab.load_children``); an invalid one raises ``DefinitionError`` naming file and
        field."""
        from canrehab.codes.catalog import (
            check_routines_against_kva,
            check_routines_against_processes,
            check_rules_against_level_set,
            load_kva,
            load_level_set,
            load_processes,
            load_professions,
            load_routines,
        )
        from canrehab.codes.mdk_rehab import load_children
        from canrehab.instruments import load_instruments, load_rules

        instruments = load_instruments()
        routines, processes = load_routines(), load_processes()
        check_routines_against_processes(routines, processes)
        kva = load_kva()  # checked here so that a broken code list stops the start, not the first KVÅ record
        check_routines_against_kva(routines, kva)
        level_set = load_level_set()
        rules = {
            key: load_rules(key, level_set=level_set) for key, i in instruments.items() if i.decision_support
        }
        check_rules_against_level_set(rules, level_set)
        return cls(
            instruments=instruments,
            rules=rules,
            routines=routines,
            professions=load_professions(),
            processes=processes,
            kva=kva,
            level_set=level_set,
            children=load_children(data_dir=data_dir),
        )

    def routine_for(self, process: str) -> Any:
        return self.routines.get(process) or self.routines["default"]


@dataclass
class Services:
    settings: Settings
    engine: Engine
    clock: Callable[[], date] = field(default=date.today)
    default_instrument: str = "halsoskattning"

    @classmethod
    def open(cls, settings: Settings, engine: Engine | None = None, *, migrate: bool = False) -> Services:
        from canrehab.store.db import make_engine
        from canrehab.store.db import migrate as run_migrations

        engine = engine or make_engine(settings.resolved_database_url)
        if migrate:
            run_migrations(engine)
        services = cls(settings=settings, engine=engine)
        services.catalog  # noqa: B018  (load and check the definitions now: a bad file stops the start)
        return services

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from canrehab.store.db import session_factory

        return session_factory(self.engine)

    @cached_property
    def web_sessions(self) -> Any:
        """The server-side login sessions (``canrehab.store.sessions.SessionStore``) on this engine."""
        from canrehab.store.sessions import SessionStore

        return SessionStore(self.engine)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(data_dir=self.settings.data_dir)

    def today(self) -> date:
        return self.clock()

    @contextmanager
    def uow(self, actor: Actor, *, log_reads: bool = True) -> Iterator[Any]:
        """The unit of work open for this ``Services`` in this context (joined: no commit of its own; its
        ``log_reads`` stays the outer one's), else a new one that commits on normal exit. Joining is for the
        same actor only: another actor's work inside an open unit is a programming error."""
        from canrehab.store.uow import AuditActor

        open_unit = _open_unit(self)
        if open_unit is not None:
            wanted = AuditActor(
                username=actor.username, role=actor.role, unit_hsa_ids=tuple(sorted(actor.unit_hsa_ids))
            )
            if open_unit.uow.actor != wanted:
                raise RuntimeError("a unit of work is open for another actor; it cannot be joined")
            yield open_unit.uow
            return
        unit = _OpenUnit(self.independent_uow(actor, log_reads=log_reads))
        token = _OPEN_UNITS.set({**(_OPEN_UNITS.get() or {}), id(self): unit})
        try:
            with unit.uow:
                yield unit.uow
        finally:
            _OPEN_UNITS.reset(token)
            for work in unit.after:
                work()

    def independent_uow(self, actor: Actor, *, log_reads: bool = True, read_only: bool = False) -> Any:
        """A unit of work of its own, never joined with an open one (nor joinable: nested use cases open
        theirs). For writes that must not share the fate of the open transaction. ``read_only``: a long
        read that must not hold SQLite's write lock (see ``store.uow``)."""
        from canrehab.store.uow import AuditActor, UnitOfWork

        audit_actor = AuditActor(
            username=actor.username, role=actor.role, unit_hsa_ids=tuple(sorted(actor.unit_hsa_ids))
        )
        return UnitOfWork(
            self.sessions,
            audit_actor,
            log_reads=log_reads,
            before_commit=self._refresh_worklist,
            read_only=read_only,
        )

    def _refresh_worklist(self, uow: Any, pathway_ids: Sequence[str]) -> None:
        from canrehab.services.worklist import refresh_many

        refresh_many(self, uow, pathway_ids)

    def after_unit_of_work(self, work: Callable[[], None]) -> None:
        """Run ``work`` when the unit of work open in this context has ended, committed or rolled back (at
        once when none is open). For records that must survive a rollback, such as a refused access: written
        in a transaction of their own, after the refused one, so that SQLite's single writer is free."""
        open_unit = _open_unit(self)
        if open_unit is None:
            work()
        else:
            open_unit.after.append(work)


SYSTEM = Actor(role="system", staff_id=None, unit_hsa_ids=frozenset(), patient_id=None, username="system")
