"""The services' shared context: database, configured definitions (instruments, rules, routines, code lists)
and the clock. One ``Services`` object per process; every use case opens its own unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from canrehab.config import Settings
from canrehab.domain.access import Actor


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

    @classmethod
    def load(cls) -> Catalog:
        """Load and check every definition (the shipped files, or the region's: ``CANREHAB_INSTRUMENTS_DIR``,
        ``CANREHAB_DEFINITIONS_DIR``); an invalid one raises ``DefinitionError`` naming file and field."""
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
        from canrehab.instruments import load_instruments, load_rules

        instruments = load_instruments()
        routines, processes = load_routines(), load_processes()
        check_routines_against_processes(routines, processes)
        kva = load_kva()  # checked here so that a broken code list stops the start, not the first KVÅ record
        check_routines_against_kva(routines, kva)
        level_set = load_level_set()
        rules = {key: load_rules(key, level_set=level_set) for key in instruments}
        check_rules_against_level_set(rules, level_set)
        return cls(
            instruments=instruments,
            rules=rules,
            routines=routines,
            professions=load_professions(),
            processes=processes,
            kva=kva,
            level_set=level_set,
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
        return Catalog.load()

    def today(self) -> date:
        return self.clock()

    def uow(self, actor: Actor, *, log_reads: bool = True) -> Any:
        from canrehab.store.uow import AuditActor, UnitOfWork

        audit_actor = AuditActor(
            username=actor.username, role=actor.role, unit_hsa_ids=tuple(sorted(actor.unit_hsa_ids))
        )
        return UnitOfWork(self.sessions, audit_actor, log_reads=log_reads)


SYSTEM = Actor(role="system", staff_id=None, unit_hsa_ids=frozenset(), patient_id=None, username="system")
