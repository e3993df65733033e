"""The work list page's rows: what is due for each patient, with its label, severity and date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from canrehab.domain.identity import format_personnummer
from canrehab.domain.worklist import date_group, is_late
from canrehab.services import worklist as worklist_service

PAGE_SIZE = 50  # worklist rows per page: the day's most urgent first
SORT_KEYS = {"urgency": "next_action", "name": "name", "process": "process"}  # the page's sort -> the query's


@dataclass(frozen=True)
class WorklistItem:
    key: str
    label: str
    severity: str = "due"  # due | overdue | ok
    on: date | None = None


@dataclass(frozen=True)
class WorklistRow:
    patient_id: str
    name: str
    personnummer: str
    process: str
    phase: str | None
    level: int | None
    items: tuple[WorklistItem, ...]
    on: date | None = None  # the earliest date of the row: the list is ordered by it
    group: str = "today"
    when: str = ""  # the date said in words: "i dag", "för 12 dagar sedan", "om 3 dagar"
    late: bool = False


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    count: int


@dataclass
class WorklistView:
    rows: list[WorklistRow]
    categories: list[Category]
    processes: list[str]
    unit_names: list[str]
    total: int  # rows matching every filter (paging)
    more_total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    all_total: int = 0  # rows with anything due, whatever the category filter ("Alla")
    groups: list[Category] = field(default_factory=list)


def relative_day(on: date, today: date) -> str:
    """A date relative to today in Swedish words."""
    days = (today - on).days
    if days == 0:
        return "i dag"
    if days == 1:
        return "i går"
    if days == -1:
        return "i morgon"
    return f"för {days} dagar sedan" if days > 0 else f"om {-days} dagar"


def items(row: Any, today: date | None = None, grace_days: int = 0) -> tuple[WorklistItem, ...]:
    """What is due for one worklist row, in the page's order. With ``today`` a dated item is late (red)
    only when its date is more than the unit's grace period past."""
    found = _items(row)
    if today is None:
        return found
    return tuple(
        WorklistItem(
            i.key,
            i.label,
            "overdue" if is_late(i.on or row.next_action_on, today, grace_days) else "due",
            i.on,
        )
        for i in found
    )


def _items(row: Any) -> tuple[WorklistItem, ...]:
    labels = worklist_service.CATEGORY_LABELS
    found: list[WorklistItem] = []
    if row.no_contact_nurse:
        found.append(WorklistItem("no_contact_nurse", labels["no_contact_nurse"], "overdue"))
    if row.no_min_vardplan:
        found.append(WorklistItem("no_min_vardplan", labels["no_min_vardplan"], "due"))
    if row.assessment_overdue:
        found.append(
            WorklistItem("assessment_overdue", labels["assessment_overdue"], "overdue", row.assessment_due)
        )
    elif row.assessment_due is not None:
        found.append(WorklistItem("assessment_due", labels["assessment_due"], "due", row.assessment_due))
    if row.assessments_to_confirm:
        found.append(WorklistItem("assessments_to_confirm", labels["assessments_to_confirm"], "due"))
    if row.plan_missing:
        found.append(WorklistItem("plan_missing", labels["plan_missing"], "overdue"))
    if row.plan_follow_up_due is not None:
        found.append(
            WorklistItem("plan_follow_up_due", labels["plan_follow_up_due"], "due", row.plan_follow_up_due)
        )
    if getattr(row, "team_missing", False):
        found.append(WorklistItem("team_missing", labels["team_missing"], "overdue"))
    for key in ("svf_mdk_due", "svf_treatment_due"):
        on = getattr(row, key, None)
        if on is not None:
            found.append(WorklistItem(key, labels[key], "due", on))
    for key in ("referrals_waiting", "handovers_in_awaiting", "handovers_out_unconfirmed"):
        count = getattr(row, key) or 0
        if count:
            found.append(WorklistItem(key, f"{labels[key]} ({count})", "due"))
    if row.handovers_out_overdue:
        found.append(WorklistItem("handovers_out_overdue", labels["handovers_out_overdue"], "overdue"))
    return tuple(found)


def worklist_view(
    result: worklist_service.WorklistResult,
    processes: list[str],
    unit_names: list[str],
    today: date | None = None,
) -> WorklistView:
    """The page's view of one ``services.worklist.unit_worklist`` result."""
    rows = [_row(r, today, result.grace_days.get(r.unit_hsa_id, 0)) for r in result.rows]
    categories = [
        Category(key, label, result.counts.get(key, 0)) for key, label in worklist_service.CATEGORIES
    ]
    return WorklistView(
        rows=rows,
        categories=categories,
        processes=processes,
        unit_names=unit_names,
        total=result.total,
        more_total=result.total,
        all_total=result.all_total,
        groups=[Category(key, label, result.groups.get(key, 0)) for key, label in worklist_service.GROUPS],
    )


def _row(r: Any, today: date | None, grace_days: int) -> WorklistRow:
    on = r.next_action_on
    group = date_group(on, today, grace_days) if today is not None and on is not None else "today"
    return WorklistRow(
        patient_id=r.patient_id,
        name=r.name,
        personnummer=format_personnummer(r.personnummer),
        process=r.process,
        phase=r.phase,
        level=r.level,
        items=items(r, today, grace_days),
        on=on,
        group=group,
        when=relative_day(on, today) if today is not None and on is not None else "",
        late=group == "overdue",
    )
