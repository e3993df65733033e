"""Entity <-> row conversion for every entity of ``canrehab.domain.model``.

Scalar fields map to columns of the same name (enums as their values, dates as dates); nested value objects
are JSON columns written with ``model_dump(mode="json")`` and read back through ``model_validate``. The one
renamed field is ``Pathway.diagnosis``, stored as the columns ``icd10``, ``diagnosed_on`` and ``process``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Table

from canrehab.domain.model import (
    Assessment,
    CareUnit,
    Entity,
    Handover,
    KvaRecord,
    Pathway,
    Patient,
    Referral,
    RehabPlan,
    Staff,
)
from canrehab.store.orm import TABLES

E = TypeVar("E", bound=Entity)
# Columns the store keeps beside the entity's fields (migration 0013), not part of the entity.
STORE_KEPT = frozenset({"updated_at"})


def aware(value: datetime | None) -> datetime | None:
    """Datetimes are stored in UTC; SQLite hands them back naive."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return aware(value)
    return value


@dataclass(frozen=True)
class EntityMap(Generic[E]):
    entity: type[E]
    table: Table
    key: str
    json_fields: frozenset[str] = frozenset()
    name: str = ""

    @property
    def entity_type(self) -> str:
        return self.name or self.table.name

    @cached_property
    def _nested_fields(self) -> tuple[str, ...]:
        """Fields holding a value object that is stored as columns (not JSON): ``Pathway.diagnosis``."""
        return tuple(
            name
            for name, info in self.entity.model_fields.items()
            if name not in self.json_fields
            and isinstance(info.annotation, type)
            and issubclass(info.annotation, Entity)
        )

    @cached_property
    def _scalar_fields(self) -> tuple[str, ...]:
        skip = set(self.json_fields) | set(self._nested_fields)
        return tuple(name for name in self.entity.model_fields if name not in skip)

    def to_row(self, entity: E) -> dict[str, Any]:
        values = entity.__dict__
        row: dict[str, Any] = {field: _scalar(values[field]) for field in self._scalar_fields}
        for field in self._nested_fields:
            row.update({k: _scalar(v) for k, v in values[field].__dict__.items()})
        if self.json_fields:
            row.update(entity.model_dump(mode="json", include=set(self.json_fields)))
        return row

    def from_row(self, row: Mapping[Any, Any]) -> E:
        data = {key: row[key] for key in self.table.columns.keys() if key not in STORE_KEPT}  # noqa: SIM118
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = aware(value)
        return self.entity.model_validate(self._nest(data))

    @cached_property
    def datetime_columns(self) -> tuple[str, ...]:
        return tuple(
            c.name for c in self.table.columns if isinstance(c.type, DateTime) and c.name not in STORE_KEPT
        )

    def from_columns(self, data: dict[str, Any]) -> E:
        """``from_row`` for a dict of exactly the table's columns but ``STORE_KEPT`` (the Bulk export's
        reader builds it from a tuple row): the same entity, without copying the row."""
        for key in self.datetime_columns:
            value = data[key]
            if value is not None:
                data[key] = aware(value)
        return self.entity.model_validate(self._nest(data))

    def _nest(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def snapshot(self, entity: E) -> dict[str, Any]:
        """The entity as JSON for the audit log's before/after."""
        return entity.model_dump(mode="json")


class PathwayMap(EntityMap[Pathway]):
    DIAGNOSIS = ("icd10", "diagnosed_on", "process")

    def _nest(self, data: dict[str, Any]) -> dict[str, Any]:
        data["diagnosis"] = {key: data.pop(key) for key in self.DIAGNOSIS}
        return data


UNIT = EntityMap(CareUnit, TABLES["care_unit"], "hsa_id")
STAFF = EntityMap(Staff, TABLES["staff"], "id")
PATIENT = EntityMap(Patient, TABLES["patient"], "id")
PATHWAY = PathwayMap(
    Pathway, TABLES["pathway"], "id", frozenset({"phases", "contact_nurses", "min_vardplan"})
)
ASSESSMENT = EntityMap(Assessment, TABLES["assessment"], "id", frozenset({"answers", "suggestion"}))
PLAN = EntityMap(RehabPlan, TABLES["rehab_plan"], "id", frozenset({"content", "versions", "events"}))
HANDOVER = EntityMap(Handover, TABLES["handover"], "id", frozenset({"content"}))
REFERRAL = EntityMap(Referral, TABLES["referral"], "id")
KVA = EntityMap(KvaRecord, TABLES["kva_record"], "id")

MAPS: tuple[EntityMap[Any], ...] = (UNIT, STAFF, PATIENT, PATHWAY, ASSESSMENT, PLAN, HANDOVER, REFERRAL, KVA)
BY_ENTITY: dict[type[Entity], EntityMap[Any]] = {m.entity: m for m in MAPS}


def to_row(entity: Entity) -> dict[str, Any]:
    return BY_ENTITY[type(entity)].to_row(entity)


def from_row(entity_type: type[E], row: Mapping[Any, Any]) -> E:
    result: E = BY_ENTITY[entity_type].from_row(row)
    return result
