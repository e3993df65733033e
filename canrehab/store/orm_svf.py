"""A pathway's SVF record (standardiserat vårdförlopp): one row per pathway, versioned (optimistic locking).
Patient data: read and written through ``store.repositories.svf``, which audits both."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import Base


class SvfRecordRow(Base):
    __tablename__ = "svf_record"
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    svf_pathway: Mapped[str] = mapped_column(String(60))
    suspicion_on: Mapped[date] = mapped_column(Date)
    mdk_discussed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    mdk_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    treatment_start_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # domain.svf.FirstTreatment: the kind of the first treatment, recorded with its start (migration 0021)
    first_treatment: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
