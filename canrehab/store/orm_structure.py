"""The structure register's table: one row per unit, diagnosis process and version (append-only history;
the current entry is the highest version). Organisation data, not patient data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import HSA, Base, Json


class StructureEntryRow(Base):
    __tablename__ = "structure_entry"
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA), primary_key=True)
    process: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
    values: Mapped[dict[str, Any]] = mapped_column(Json)

    __table_args__ = (Index("ix_structure_entry_recorded_on", "recorded_on"),)


class GapAnalysisRow(Base):
    """One version of a gap analysis (004) as a document: the history over time is its versions."""

    __tablename__ = "gap_analysis_version"
    analysis_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    saved_by: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict[str, Any]] = mapped_column(Json)
