"""Tables of the care process added by migration 0008: relatives with the patient's consent, the support
given to them, and MDK-rehab cases. Same conventions as ``store.orm`` (imported at its end so that the
metadata, and so Alembic, knows them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import HSA, ID, Base, Json


class RelativeRow(Base):
    __tablename__ = "relative"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(24))
    phone: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    consent: Mapped[str] = mapped_column(String(24))
    consent_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)


class RelativeSupportRow(Base):
    __tablename__ = "relative_support"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    relative_id: Mapped[str] = mapped_column(ForeignKey("relative.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(ID))
    kva_record_id: Mapped[str] = mapped_column(String(ID))
    note: Mapped[str] = mapped_column(Text)


class MdkRehabCaseRow(Base):
    __tablename__ = "mdk_rehab_case"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    pathway_id: Mapped[str] = mapped_column(ForeignKey("pathway.id"), index=True)
    from_unit_hsa_id: Mapped[str] = mapped_column(String(HSA))
    from_staff_id: Mapped[str] = mapped_column(String(ID))
    coordinator_unit_hsa_id: Mapped[str] = mapped_column(String(HSA), index=True)
    healthcare_region: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24))
    sent_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    conference_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(Json)
    reject_reason: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
