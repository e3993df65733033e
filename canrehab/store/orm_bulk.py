"""The FHIR Bulk Data export jobs (migration 0011): one row per ``$export`` kick-off, so that a job's status
survives the request that started it (and a poll served by another request or thread sees it).

The files themselves live on disk under ``<data dir>/bulk-export/<job id>/``; the row holds who asked (the
downloads are checked against it), what was asked, the state and, when complete, the manifest's outputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import ID, Base, Json


class BulkExportJobRow(Base):
    __tablename__ = "bulk_export_job"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    owner_username: Mapped[str] = mapped_column(String(100), index=True)
    owner_role: Mapped[str] = mapped_column(String(40))
    owner_units: Mapped[list[str]] = mapped_column(Json)
    owner_staff_id: Mapped[str | None] = mapped_column(String(ID))
    level: Mapped[str] = mapped_column(String(16))  # system | patient | group
    group_id: Mapped[str | None] = mapped_column(String(64))
    request: Mapped[str] = mapped_column(Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(Json)
    pseudonymised: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))  # accepted | running | completed | failed | cancelled
    progress: Mapped[str] = mapped_column(String(200))
    patients_done: Mapped[int] = mapped_column(Integer, default=0)
    patients_total: Mapped[int | None] = mapped_column(Integer)
    transaction_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    output: Mapped[list[Any]] = mapped_column(Json)
    error: Mapped[list[Any]] = mapped_column(Json)
    failure: Mapped[str] = mapped_column(Text, default="")
