"""The web layer's only door to patient data: thin adapters from page handlers to the services layer.

Every function here builds the services' ``Actor`` from the logged-in user and calls a use case in
``canrehab.services`` (which checks access by care unit, writes the audit log and checks versions), then
shapes the result for a template. No care-process rule lives here. Imports of the lower layers are local to
the functions so that the web app (login, security) starts even while a layer is being migrated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import Request

from canrehab.config import Settings
from canrehab.domain.model import (
    Assessment,
    CareUnit,
    Handover,
    KeyMoment,
    NeedsLevel,
    PlanCloseReason,
    PlanContent,
    Profession,
    Referral,
    RehabPlan,
    Respondent,
)
from canrehab.web.auth import WebUser
from canrehab.web.db import Database


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
    total: int
    more_total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def actor(user: WebUser) -> Any:
    from canrehab.services import Actor

    return Actor(
        role=user.role,
        staff_id=user.staff_id,
        unit_hsa_ids=frozenset(user.unit_hsa_ids),
        patient_id=user.patient_id,
        username=user.username,
    )


def _not_ready(what: str) -> NotImplementedError:
    return NotImplementedError(f"services layer does not provide {what} yet")


# The functions below are bound to ``canrehab.services`` once that layer has landed.


def migrate(settings: Settings) -> None:
    raise _not_ready("migrations")


def build_demo(settings: Settings, patients: int, seed: int) -> list[tuple[str, str, str]]:
    raise _not_ready("synthetic demo data")


def demo_logins(settings: Settings) -> list[tuple[str, str, str]]:
    raise _not_ready("demo logins")


def create_user(settings: Settings, **fields: Any) -> None:
    raise _not_ready("user accounts")


def worklist(
    request: Request, user: WebUser, *, process: str, phase: str, due: str, sort: str
) -> WorklistView:
    raise _not_ready("the worklist")


def patient_overview(request: Request, user: WebUser, patient_id: str) -> dict[str, Any]:
    raise _not_ready("patient overview")


def patient_header(request: Request, user: WebUser, patient_id: str) -> dict[str, Any]:
    raise _not_ready("patient")


def units(request: Request) -> list[CareUnit]:
    raise _not_ready("care units")


def start_assessment(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    moment: KeyMoment,
    respondent: Respondent,
) -> Assessment:
    raise _not_ready("assessments")


def create_assessment_link(request: Request, user: WebUser, assessment: Assessment) -> tuple[str, datetime]:
    raise _not_ready("assessment links")


def get_assessment(request: Request, user: WebUser, assessment_id: str) -> tuple[Assessment, Any]:
    raise _not_ready("assessments")


def instrument(instrument_id: str) -> Any:
    raise _not_ready("instruments")


def confirm_level(
    request: Request, user: WebUser, assessment_id: str, level: NeedsLevel, reason: str, version: int
) -> Assessment:
    raise _not_ready("assessments")


def save_answers(
    request: Request, user: WebUser, assessment_id: str, answers: dict[str, Any], version: int, submit: bool
) -> Assessment:
    raise _not_ready("assessments")


def assessment_for_link(request: Request, token: str) -> tuple[Assessment, datetime] | None:
    raise _not_ready("assessment links")


def save_answers_by_link(
    request: Request, token: str, answers: dict[str, Any], version: int, submit: bool
) -> Assessment:
    raise _not_ready("assessment links")


def current_plan(request: Request, user: WebUser, pathway_id: str) -> RehabPlan | None:
    raise _not_ready("plans")


def plan_action(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    op: str,
    content: PlanContent,
    version: int,
    note: str,
) -> RehabPlan:
    raise _not_ready("plans")


def close_plan(
    request: Request, user: WebUser, plan_id: str, reason: PlanCloseReason, version: int
) -> RehabPlan:
    raise _not_ready("plans")


def plan_pdf(request: Request, user: WebUser, plan_id: str | None) -> bytes:
    raise _not_ready("plans")


def send_handover(
    request: Request,
    user: WebUser,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit: str,
    to_profession: Profession | None,
    needs: str,
    wishes: str,
    plan_summary: str,
    ongoing_actions: str,
    patient_informed: bool,
) -> Handover:
    raise _not_ready("handovers")


def handover_boxes(request: Request, user: WebUser) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    raise _not_ready("handovers")


def handover_detail(request: Request, user: WebUser, handover_id: str) -> dict[str, Any]:
    raise _not_ready("handovers")


def handover_step(
    request: Request, user: WebUser, handover_id: str, step: str, version: int, reason: str
) -> Handover:
    raise _not_ready("handovers")


def send_referral(
    request: Request,
    user: WebUser,
    *,
    patient_id: str,
    pathway_id: str,
    to_unit: str | None,
    to_profession: Profession,
    reason: str,
) -> Referral:
    raise _not_ready("referrals")


def min_vardplan(request: Request, user: WebUser) -> dict[str, Any]:
    raise _not_ready("Min vårdplan")


def dashboard(
    request: Request, user: WebUser, *, unit: str, process: str, start: date, end: date, can_drill: bool
) -> dict[str, Any]:
    raise _not_ready("indicators")


def drilldown(
    request: Request, user: WebUser, *, indicator: str, unit: str, process: str, start: date, end: date
) -> tuple[str, list[dict[str, Any]]]:
    raise _not_ready("indicators")


def audit_events(request: Request, user: WebUser, *, patient_id: str, actor: str) -> list[dict[str, Any]]:
    raise _not_ready("the audit log")
