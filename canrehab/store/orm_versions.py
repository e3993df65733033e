"""Every stored version of a versioned record (migration 0013): one row per entity, key and version, the
entity as JSON as it was written. Written by ``Repository.add`` and ``Repository.update`` in the same
transaction as the record itself; never updated. Served as FHIR history and vread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import ID, Base, Json


class RecordVersionRow(Base):
    __tablename__ = "record_version"
    entity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str | None] = mapped_column(String(ID), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(Json)


VERSIONS: Table = Base.metadata.tables["record_version"]
