"""Reading the audit log a page at a time (the FHIR AuditEvent search): filters on the stored columns, the
number of matching entries, and one entry by id. Newest first. Reading does not log anything: the caller
records that the audit log was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from canrehab.store.audit import AUDIT, AuditEntry, concerns_units, entry_of

Interval = tuple[datetime | None, datetime | None]  # [lo, hi), None: unbounded


@dataclass(frozen=True)
class AuditFilter:
    """Each field restricts the entries; ``at`` holds groups that must all hold, each a union of intervals."""

    ids: frozenset[int] | None = None
    patient_ids: frozenset[str] | None = None
    actions: frozenset[str] | None = None
    at: tuple[tuple[Interval, ...], ...] = ()
    units: frozenset[str] | None = None  # only entries concerning these units (audit.concerns_units)
    actors: frozenset[str] | None = None  # only entries made by these usernames


class AuditReader:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._naive = session.get_bind().dialect.name == "sqlite"  # SQLite keeps UTC without a zone

    def _moment(self, value: datetime) -> datetime:
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return utc.replace(tzinfo=None) if self._naive else utc

    def _interval(self, interval: Interval) -> ColumnElement[bool]:
        lo, hi = interval
        parts = []
        if lo is not None:
            parts.append(AUDIT.c.at >= self._moment(lo))
        if hi is not None:
            parts.append(AUDIT.c.at < self._moment(hi))
        return and_(true(), *parts)

    def _where(self, f: AuditFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        for values, column in (
            (f.ids, AUDIT.c.id),
            (f.patient_ids, AUDIT.c.patient_id),
            (f.actions, AUDIT.c.action),
            (f.actors, AUDIT.c.actor_username),
        ):
            if values is not None:
                where.append(column.in_(sorted(values)) if values else false())
        if f.units is not None:
            where.append(concerns_units(sorted(f.units)))
        for group in f.at:
            where.append(or_(false(), *(self._interval(i) for i in group)))
        return where

    def count(self, f: AuditFilter) -> int:
        stmt: Select[Any] = select(func.count()).select_from(AUDIT).where(*self._where(f))
        return int(self.session.execute(stmt).scalar_one())

    def page(self, f: AuditFilter, *, offset: int, limit: int) -> list[AuditEntry]:
        stmt = select(AUDIT).where(*self._where(f)).order_by(AUDIT.c.id.desc()).offset(offset).limit(limit)
        return [entry_of(row) for row in self.session.execute(stmt).mappings()]

    def get(self, entry_id: int, units: frozenset[str] | None = None) -> AuditEntry | None:
        found = self.page(AuditFilter(ids=frozenset({entry_id}), units=units), offset=0, limit=1)
        return found[0] if found else None
