"""Reading posted forms into domain values (free text is kept as text; it is escaped when shown)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from canrehab.domain.model import Goal, PlanContent, PlannedAction, Profession

MAX_ROWS = 30


def text(form: Mapping[str, Any], name: str, max_len: int = 4000) -> str:
    value = form.get(name)
    return str(value).strip()[:max_len] if value is not None else ""


def idempotency_key(form: Mapping[str, Any]) -> str | None:
    """The form's one-time key (``services.idempotency``), None when it carries none."""
    return text(form, "idempotency_key", 100) or None


def opt_date(form: Mapping[str, Any], name: str) -> date | None:
    value = text(form, name, 10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def opt_profession(form: Mapping[str, Any], name: str) -> Profession | None:
    value = text(form, name, 40)
    try:
        return Profession(value) if value else None
    except ValueError:
        return None


def int_field(form: Mapping[str, Any], name: str, default: int = 0) -> int:
    try:
        return int(text(form, name, 12))
    except ValueError:
        return default


def plan_content(form: Mapping[str, Any]) -> PlanContent:
    goals: list[Goal] = []
    for i in range(min(int_field(form, "goal_rows"), MAX_ROWS)):
        goal_text = text(form, f"goal_text_{i}", 500)
        if goal_text:
            goals.append(
                Goal(
                    text=goal_text,
                    responsible=text(form, f"goal_responsible_{i}", 200),
                    profession=opt_profession(form, f"goal_profession_{i}"),
                    target_date=opt_date(form, f"goal_date_{i}"),
                )
            )
    actions: list[PlannedAction] = []
    for i in range(min(int_field(form, "action_rows"), MAX_ROWS)):
        what = text(form, f"action_what_{i}", 500)
        if what:
            actions.append(
                PlannedAction(
                    what=what,
                    who=text(form, f"action_who_{i}", 200),
                    profession=opt_profession(form, f"action_profession_{i}"),
                    when=opt_date(form, f"action_date_{i}"),
                )
            )
    return PlanContent(
        summary=text(form, "summary"),
        goals=tuple(goals),
        actions=tuple(actions),
        self_care=text(form, "self_care"),
        follow_up_on=opt_date(form, "follow_up_on"),
        part_of_min_vardplan=form.get("part_of_min_vardplan") == "1",
    )


def editor_rows(content: PlanContent, extra: int = 2) -> tuple[list[Goal], list[PlannedAction]]:
    """Existing goals/actions plus empty rows to fill in (adding rows works without JavaScript)."""
    goals = list(content.goals) + [Goal(text="")] * extra
    actions = list(content.actions) + [PlannedAction(what="")] * extra
    return goals, actions
