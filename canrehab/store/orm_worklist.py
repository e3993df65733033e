"""The worklist's own tables and indexes beside ``worklist_status`` (migration 0009): each unit's grace
period (days past a due date before an item counts as overdue and shows red), and the index behind
"Mina patienter"."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from canrehab.store.orm import HSA, Base, WorklistStatusTable

DEFAULT_GRACE_DAYS = 7  # a unit that has set nothing: a week's grace before an item is red


class WorklistUnitSetting(Base):
    __tablename__ = "worklist_unit_setting"
    unit_hsa_id: Mapped[str] = mapped_column(String(HSA), primary_key=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_GRACE_DAYS)


# "Mina patienter": the unit's rows of one contact nurse, in date order, from the index alone.
NURSE_INDEX = Index(
    "ix_worklist_status_unit_nurse",
    WorklistStatusTable.unit_hsa_id,
    WorklistStatusTable.contact_nurse_id,
    WorklistStatusTable.next_action_on,
)
