"""The web layer's only door to patient data: thin adapters from page handlers to the services layer.

Every function here builds the services' ``Actor`` from the logged-in user and calls a use case in
``canrehab.services`` (which checks access by care unit, writes the audit log and checks versions), then
shapes the result for a template. No care-process rule lives here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import Request

from canrehab.config import Settings
from canrehab.domain.access import Actor
from canrehab.domain.coordination import TEAM_CODES, TEAM_LABEL_SV, CareMeeting, TeamEventKind
from canrehab.domain.errors import DomainError
from canrehab.domain.model import (
    Assessment,
    AssessmentStatus,
    CareUnit,
    Handover,
    HandoverContent,
    KeyMoment,
    NeedsLevel,
    PlanCloseReason,
    PlanContent,
    Profession,
    Referral,
    RehabPlan,
    Respondent,
)
from canrehab.services import assessments as assessment_service
from canrehab.services import audit as audit_service
from canrehab.services import coordination as coordination_service
from canrehab.services import handovers as handover_service
from canrehab.services import indicators as indicator_service
from canrehab.services import patients as patient_service
from canrehab.services import plans as plan_service
from canrehab.services import worklist as worklist_service
from canrehab.services.context import Services
from canrehab.web import charts
from canrehab.web import format as fmt
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
    total: int  # rows matching every filter (paging)
    more_total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    all_total: int = 0  # rows with anything due, whatever the category filter ("Alla")


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def services(request: Request) -> Services:
    return app_services(request.app)


def app_services(app: Any) -> Services:
    """One ``Services`` per app, sharing the web app's engine."""
    found = getattr(app.state, "services", None)
    if found is None:
        found = Services(settings=app.state.settings, engine=app.state.db.engine)
        app.state.services = found
    return found  # type: ignore[no-any-return]


def actor(user: WebUser) -> Actor:
    return Actor(
        role=user.role,
        staff_id=user.staff_id,
        unit_hsa_ids=frozenset(user.unit_hsa_ids),
        patient_id=user.patient_id,
        username=user.username,
    )


_actor = actor  # audit_events has a parameter named ``actor``

# ---------------------------------------------------------------------------------------------- set-up


def migrate(settings: Settings) -> None:
    from canrehab.store.db import migrate as run

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    run(settings.resolved_database_url)


def build_demo(settings: Settings, patients: int, seed: int) -> list[tuple[str, str, str]]:
    from canrehab.synth.demo import build_demo as build

    return build(settings, patients=patients, seed=seed)


def demo_logins(settings: Settings) -> list[tuple[str, str, str]]:
    from canrehab.synth.demo import demo_logins as logins

    return logins()


def create_user(settings: Settings, **fields: Any) -> None:
    from canrehab.services.accounts import create_user as create

    svc = Services.open(settings)
    try:
        create(svc, **fields)
    finally:
        svc.engine.dispose()


# ---------------------------------------------------------------------------------------------- worklist


def _items(row: Any) -> tuple[WorklistItem, ...]:
    labels = worklist_service.CATEGORY_LABELS
    items: list[WorklistItem] = []
    if row.no_contact_nurse:
        items.append(WorklistItem("no_contact_nurse", labels["no_contact_nurse"], "overdue"))
    if row.no_min_vardplan:
        items.append(WorklistItem("no_min_vardplan", labels["no_min_vardplan"], "due"))
    if row.assessment_overdue:
        items.append(
            WorklistItem("assessment_overdue", labels["assessment_overdue"], "overdue", row.assessment_due)
        )
    elif row.assessment_due is not None:
        items.append(WorklistItem("assessment_due", labels["assessment_due"], "due", row.assessment_due))
    if row.assessments_to_confirm:
        items.append(WorklistItem("assessments_to_confirm", labels["assessments_to_confirm"], "due"))
    if row.plan_missing:
        items.append(WorklistItem("plan_missing", labels["plan_missing"], "overdue"))
    if row.plan_follow_up_due is not None:
        items.append(
            WorklistItem("plan_follow_up_due", labels["plan_follow_up_due"], "due", row.plan_follow_up_due)
        )
    for key in ("referrals_waiting", "handovers_in_awaiting", "handovers_out_unconfirmed"):
        count = getattr(row, key) or 0
        if count:
            items.append(WorklistItem(key, f"{labels[key]} ({count})", "due"))
    if row.handovers_out_overdue:
        items.append(WorklistItem("handovers_out_overdue", labels["handovers_out_overdue"], "overdue"))
    return tuple(items)


PAGE_SIZE = 50  # worklist rows per page: the day's most urgent first


def worklist(
    request: Request, user: WebUser, *, process: str, phase: str, due: str, sort: str, page: int = 1
) -> WorklistView:
    svc = services(request)
    sort_key = {"urgency": "next_action", "name": "name", "process": "process"}.get(sort, "next_action")
    result = worklist_service.unit_worklist(
        svc,
        actor(user),
        process=process or None,
        phase=phase or None,
        due=due or None,
        sort=sort_key,
        limit=PAGE_SIZE,
        offset=(max(page, 1) - 1) * PAGE_SIZE,
    )
    rows = [
        WorklistRow(
            patient_id=r.patient_id,
            name=r.name,
            personnummer=fmt_pnr(r.personnummer),
            process=r.process,
            phase=r.phase,
            level=r.level,
            items=_items(r),
        )
        for r in result.rows
    ]
    categories = [
        Category(key, label, result.counts.get(key, 0)) for key, label in worklist_service.CATEGORIES
    ]
    names = unit_names(request)
    return WorklistView(
        rows=rows,
        categories=categories,
        processes=[p.id for p in svc.catalog.processes],
        unit_names=[names.get(u, u) for u in sorted(user.unit_hsa_ids)],
        total=result.total,
        more_total=result.total,
        all_total=result.all_total,
    )


def fmt_pnr(pnr: str) -> str:
    from canrehab.domain.identity import format_personnummer

    return format_personnummer(pnr)


# ---------------------------------------------------------------------------------------------- patient


UNIT_NAMES_TTL_SECONDS = 60.0


def unit_names(request: Request) -> dict[str, str]:
    """HSA-id → unit name, read at most once a minute per process (the worklist header shows them on
    every request; a renamed unit shows its new name within the minute)."""
    cached: tuple[float, dict[str, str]] | None = getattr(request.app.state, "unit_names", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < UNIT_NAMES_TTL_SECONDS:
        return cached[1]
    names = {u.hsa_id: u.name for u in units(request)}
    request.app.state.unit_names = (now, names)
    return names


def units(request: Request) -> list[CareUnit]:
    from canrehab.services.context import SYSTEM

    svc = services(request)
    with svc.uow(SYSTEM, log_reads=False) as uow:
        return list(uow.units.list_all())


def patient_header(request: Request, user: WebUser, patient_id: str) -> dict[str, Any]:
    patient = patient_service.patient_brief(services(request), actor(user), patient_id)
    return {"patient": patient, "personnummer": fmt_pnr(patient.personnummer)}


def _trends(svc: Services, record: patient_service.PatientRecord) -> list[dict[str, Any]]:
    from canrehab.web.questionnaire import labels

    done = [a for a in record.assessments if a.status != AssessmentStatus.IN_PROGRESS and a.answers]
    if len(done) < 1:
        return []
    done.sort(key=lambda a: a.submitted_on or a.started_on)
    instrument_id = done[-1].instrument_id
    item_labels = labels(_questionnaire(instrument_id))
    series: dict[str, list[tuple[str, float | None]]] = {}
    for a in done:
        if a.instrument_id != instrument_id:
            continue
        for link_id, value in a.answers.items():
            if isinstance(value, bool) or not isinstance(value, int | str):
                continue
            try:
                number = float(value)
            except ValueError:
                continue
            series.setdefault(link_id, []).append(((a.submitted_on or a.started_on).isoformat(), number))
    out = []
    for link_id, values in series.items():
        if not any(v for _, v in values if v):
            continue
        top = max(3.0, max(v or 0 for _, v in values))
        label = item_labels.get(link_id, link_id)
        out.append(
            {
                "label": label,
                "svg": charts.trend_line(values, top, f"{label} över tid"),
                "last": fmt.sv_number(values[-1][1], 0),
            }
        )
    return out


def patient_overview(request: Request, user: WebUser, patient_id: str) -> dict[str, Any]:
    svc = services(request)
    record = patient_service.patient_record(svc, actor(user), patient_id)
    today = svc.today()
    from canrehab.domain.handover import pathway_responsible_unit
    from canrehab.domain.pathway import current_contact_nurse

    unit_names = record.unit_names
    open_pathways = [p for p in record.pathways if p.closed_on is None] or record.pathways
    level = None
    level_on = None
    contact_nurse = None
    mvp_status = "–"
    responsible = "–"
    if open_pathways:
        pw = max(open_pathways, key=lambda p: p.diagnosis.diagnosed_on)
        level, level_on = pw.confirmed_level, pw.confirmed_level_on
        assignment = current_contact_nurse(pw, today)
        if assignment is not None:
            contact_nurse = record.staff_names.get(assignment.staff_id, "")
        mvp_status = pw.min_vardplan.status.label_sv
        responsible_id = pathway_responsible_unit(pw, record.handovers)
        responsible = unit_names.get(responsible_id, responsible_id)
    timeline: list[dict[str, Any]] = []
    for p in record.pathways:
        for phase in p.phases:
            timeline.append({"on": phase.on, "kind": "Fas", "text": fmt.label(fmt.PHASE_SV, phase.kind)})
        for a in p.contact_nurses:
            name = record.staff_names.get(a.staff_id, "")
            timeline.append({"on": a.from_date, "kind": "Kontaktsjuksköterska", "text": name})
            if a.offered_on is not None:
                timeline.append(
                    {"on": a.offered_on, "kind": "Kontaktsjuksköterska", "text": f"erbjuden: {name}"}
                )
            if a.to_date is not None:
                timeline.append(
                    {"on": a.to_date, "kind": "Kontaktsjuksköterska", "text": f"uppdraget avslutat: {name}"}
                )
    for a in record.assessments:
        text = f"{fmt.label(fmt.KEY_MOMENT_SV, a.key_moment)}, {fmt.status_label(a.status)}"
        if a.confirmed_level is not None:
            text += f", nivå {NeedsLevel(a.confirmed_level).label_sv}"
        timeline.append(
            {
                "on": a.submitted_on or a.started_on,
                "kind": "Bedömning",
                "text": text,
                "url": f"/bedomning/{a.id}",
            }
        )
    for plan in record.plans:
        for event in plan.events:
            timeline.append(
                {
                    "on": event.on,
                    "kind": "Rehabiliteringsplan",
                    "text": f"{fmt.label(fmt.PLAN_EVENT_SV, event.kind)} (version {event.content_version})",
                    "url": f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}",
                }
            )
    for r in record.referrals:
        timeline.append(
            {
                "on": r.sent_on,
                "kind": "Remiss",
                "text": ", ".join(
                    (fmt.label(fmt.PROFESSION_SV, r.to_profession), fmt.status_label(r.status))
                ),
            }
        )
    for h in record.handovers:
        timeline.append(
            {
                "on": h.sent_on,
                "kind": "Aktiv överlämning",
                "text": f"till {unit_names.get(h.to_unit_hsa_id, h.to_unit_hsa_id)}, "
                f"{fmt.status_label(h.status)}",
                "url": f"/overlamning/{h.id}",
            }
        )
    kva_labels = _kva_labels()
    for k in record.kva:
        label = kva_labels.get(k.code)
        timeline.append(
            {"on": k.performed_on, "kind": "KVÅ", "text": f"{k.code} {label}" if label else k.code}
        )
    timeline.sort(key=lambda e: e["on"], reverse=True)
    can_act = user.role in ("nurse", "doctor", "rehab_professional")
    actions: dict[str, dict[str, Any]] = {}
    if can_act:
        who = actor(user)
        for p in record.pathways:
            if p.closed_on is not None:
                continue
            current = current_contact_nurse(p, today)
            open_assignment = next((a for a in p.contact_nurses if a.to_date is None), None)
            actions[p.id] = {
                "nurses": patient_service.contact_nurse_candidates(svc, who, p.id),
                "current_nurse": record.staff_names.get(current.staff_id, "") if current else "",
                "open_assignment": open_assignment,
                "open_nurse": record.staff_names.get(open_assignment.staff_id, "") if open_assignment else "",
            }
    return {
        "patient": record.patient,
        "personnummer": fmt_pnr(record.patient.personnummer),
        "level": level,
        "level_on": level_on,
        "responsible": responsible,
        "contact_nurse": contact_nurse,
        "mvp_status": mvp_status,
        "pathways": record.pathways,
        "can_act": can_act,
        "actions": actions,
        "today": today,
        "team_kinds": [(k.value, f"{TEAM_LABEL_SV[k]} ({code})") for k, code in TEAM_CODES.items()],
        "trends": _trends(svc, record),
        "timeline": timeline,
        "unit_name": lambda hsa: unit_names.get(hsa, hsa),
    }


def _kva_labels() -> dict[str, str]:
    from canrehab.codes.catalog import load_kva

    return {code: definition.text_sv for code, definition in load_kva().items()}


def assign_contact_nurse(
    request: Request,
    user: WebUser,
    pathway_id: str,
    staff_id: str,
    version: int,
    *,
    from_date: date | None,
    offered_on: date | None,
) -> Any:
    return patient_service.assign_contact_nurse(
        services(request),
        actor(user),
        pathway_id,
        staff_id,
        version,
        from_date=from_date,
        offered_on=offered_on,
    )


def end_contact_nurse(request: Request, user: WebUser, pathway_id: str, on: date, version: int) -> Any:
    return patient_service.end_contact_nurse(services(request), actor(user), pathway_id, on, version)


def record_sip(
    request: Request, user: WebUser, patient_id: str, pathway_id: str, on: date, participants: str
) -> CareMeeting:
    return coordination_service.record_sip(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        on=on,
        participants=participants,
    )


def record_team_event(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    kind: TeamEventKind,
    on: date,
    note: str,
) -> CareMeeting:
    return coordination_service.record_team_event(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        kind=kind,
        on=on,
        note=note,
    )


# ---------------------------------------------------------------------------------------------- assessments


def start_assessment(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    moment: KeyMoment,
    respondent: Respondent,
) -> Assessment:
    return assessment_service.start(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        key_moment=moment,
        respondent=respondent,
    )


def create_assessment_link(request: Request, user: WebUser, assessment: Assessment) -> tuple[str, datetime]:
    return assessment_service.create_link(
        services(request), actor(user), assessment.id, validity=link_validity(request)
    )


def link_validity(request: Request) -> timedelta:
    """How long a patient's assessment link is valid (``WebSettings.assessment_link_days``)."""
    return timedelta(days=request.app.state.web_settings.assessment_link_days)


def get_assessment(request: Request, user: WebUser, assessment_id: str) -> tuple[Assessment, Any]:
    return assessment_service.get(services(request), actor(user), assessment_id)


def _questionnaire(instrument_id: str) -> dict[str, Any]:
    from canrehab.instruments import questionnaire_json

    return questionnaire_json(instrument_id)


def instrument(instrument_id: str) -> Any:
    return _questionnaire(instrument_id)


def confirm_level(
    request: Request,
    user: WebUser,
    assessment_id: str,
    level: NeedsLevel,
    reason: str,
    version: int,
    advice_given: tuple[str, ...] = (),
) -> Assessment:
    return assessment_service.confirm(
        services(request),
        actor(user),
        assessment_id,
        level=level,
        reason=reason,
        version=version,
        advice_given=advice_given,
    )


def save_answers(
    request: Request, user: WebUser, assessment_id: str, answers: dict[str, Any], version: int, submit: bool
) -> Assessment:
    return assessment_service.save_answers(
        services(request), actor(user), assessment_id, answers, version, submit
    )


def assessment_for_link(request: Request, token: str) -> tuple[Assessment, datetime] | None:
    return assessment_service.for_link(services(request), token)


def save_answers_by_link(
    request: Request, token: str, answers: dict[str, Any], version: int, submit: bool
) -> Assessment:
    return assessment_service.save_by_link(services(request), token, answers, version, submit)


# ---------------------------------------------------------------------------------------------- plans


def current_plan(request: Request, user: WebUser, pathway_id: str) -> RehabPlan | None:
    return plan_service.current(services(request), actor(user), pathway_id)


def plan_action(
    request: Request,
    user: WebUser,
    patient_id: str,
    pathway_id: str,
    op: str,
    content: PlanContent,
    version: int,
    note: str,
    next_follow_up_on: date | None = None,
) -> RehabPlan:
    return plan_service.act(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        op=op,
        content=content,
        version=version,
        note=note,
        next_follow_up_on=next_follow_up_on,
    )


def close_plan(
    request: Request, user: WebUser, plan_id: str, reason: PlanCloseReason, version: int
) -> RehabPlan:
    return plan_service.close(services(request), actor(user), plan_id, reason, version)


def _contacts(svc: Services, who: Actor, patient_id: str) -> tuple[list[Any], str, Any]:
    from canrehab.domain.pathway import current_contact_nurse
    from canrehab.web.pdf import Contact

    record = patient_service.patient_record(svc, who, patient_id)
    contacts: list[Contact] = []
    unit_name = ""
    for pw in record.pathways:
        unit_name = record.unit_names.get(pw.unit_hsa_id, pw.unit_hsa_id)
        assignment = current_contact_nurse(pw, svc.today())
        if assignment is not None:
            contacts.append(
                Contact(
                    "Din kontaktsjuksköterska", record.staff_names.get(assignment.staff_id, ""), unit_name
                )
            )
    return contacts, unit_name, record


def plan_pdf(request: Request, user: WebUser, plan_id: str | None) -> bytes:
    from canrehab.web.pdf import plan_pdf as render_pdf

    svc = services(request)
    who = actor(user)
    if plan_id is None:
        plan = plan_service.for_patient_self(svc, who)
        if plan is None:
            raise DomainError("plan.not_found", "Du har ingen rehabiliteringsplan ännu.", "no plan")
    else:
        plan = plan_service.get(svc, who, plan_id)
    contacts, unit_name, record = _contacts(svc, who, plan.patient_id)
    return render_pdf(plan, record.patient.name, contacts, unit_name, printed_on=svc.today())


# ---------------------------------------------------------------------------------------------- handovers


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
    return handover_service.send(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=to_unit,
        to_profession=to_profession,
        content=HandoverContent(
            needs=needs, wishes=wishes, plan_summary=plan_summary, ongoing_actions=ongoing_actions
        ),
        patient_informed=patient_informed,
    )


def _handover_dict(view: handover_service.HandoverView) -> dict[str, Any]:
    return {
        "handover": view.handover,
        "patient_name": view.patient_name,
        "from_unit": view.from_unit,
        "to_unit": view.to_unit,
        "overdue": view.overdue,
        "sender_responsible": view.sender_responsible,
        "is_receiver": view.is_receiver,
        "is_sender": view.is_sender,
    }


def handover_boxes(request: Request, user: WebUser) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    inbox, outbox = handover_service.boxes(services(request), actor(user))
    return [_handover_dict(v) for v in inbox], [_handover_dict(v) for v in outbox]


def handover_detail(request: Request, user: WebUser, handover_id: str) -> dict[str, Any]:
    return _handover_dict(handover_service.detail(services(request), actor(user), handover_id))


def handover_step(
    request: Request, user: WebUser, handover_id: str, step: str, version: int, reason: str
) -> Handover:
    return handover_service.step(services(request), actor(user), handover_id, step, version, reason)


def handover_inform_patient(request: Request, user: WebUser, handover_id: str, version: int) -> Handover:
    return handover_service.inform_patient(services(request), actor(user), handover_id, version)


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
    return handover_service.send_referral(
        services(request),
        actor(user),
        patient_id=patient_id,
        pathway_id=pathway_id,
        to_unit_hsa_id=to_unit,
        to_profession=to_profession,
        reason=reason,
    )


# ------------------------------------------------------------------------------------------ patient portal


def min_vardplan(request: Request, user: WebUser) -> dict[str, Any]:
    svc = services(request)
    who = actor(user)
    if not user.patient_id:
        raise DomainError("access.denied", "Kontot är inte kopplat till en patient.", "no patient on account")
    contacts, _unit, record = _contacts(svc, who, user.patient_id)
    plan = plan_service.for_patient_self(svc, who)
    advice: list[str] = []
    for a in record.assessments:
        if a.suggestion is not None:
            advice.extend(c for c in a.suggestion.advice_codes if c not in advice)
    open_assessments = []
    for a in record.assessments:
        if a.status == AssessmentStatus.IN_PROGRESS and a.respondent == Respondent.PATIENT:
            token, _expires = assessment_service.own_link(svc, who, a.id, validity=link_validity(request))
            title = _questionnaire(a.instrument_id).get("title", a.instrument_id)
            open_assessments.append({"url": f"/skattning/{token}", "title": title})
    titles = {key: _questionnaire(key).get("title", key) for key in svc.catalog.instruments}
    return {
        "patient": record.patient,
        "contacts": contacts,
        "open_assessments": open_assessments,
        "plan": plan,
        "advice": advice,
        "assessments": record.assessments,
        "instrument_titles": titles,
    }


# ---------------------------------------------------------------------------------------------- dashboards


def dashboard(
    request: Request, user: WebUser, *, unit: str, process: str, start: date, end: date, can_drill: bool
) -> dict[str, Any]:
    svc = services(request)
    result = indicator_service.dashboard(
        svc, actor(user), unit=unit or None, process=process or None, start=start, end=end
    )
    indicators = []
    for ind in result.indicators:
        bars = [charts.Bar(r.label, r.share, "för få" if r.suppressed else "") for r in ind.rows]
        indicators.append(
            {
                "key": ind.definition.id,
                "title": ind.definition.title_sv,
                "description": ind.definition.description_sv,
                "goal": ind.definition.goal.percent / 100 if ind.definition.goal else None,
                "svg": charts.bar_chart(
                    bars,
                    ind.definition.goal.percent / 100 if ind.definition.goal else None,
                    ind.definition.title_sv,
                ),
                "rows": [
                    {
                        "label": r.label,
                        "numerator_text": r.numerator_text,
                        "denominator_text": r.denominator_text,
                        "share_text": r.share_text,
                        "drill_url": (
                            f"/uppfoljning/patienter?indicator={ind.definition.id}&unit={r.unit_hsa_id}"
                            f"&process={process}&start={start.isoformat()}&end={end.isoformat()}"
                        )
                        if can_drill and r.unit_hsa_id
                        else "",
                    }
                    for r in ind.rows
                ],
            }
        )
    return {
        "units": result.units,
        "processes": [p.id for p in svc.catalog.processes],
        "indicators": indicators,
        "suppressed_note": result.suppressed_note,
    }


def drilldown(
    request: Request, user: WebUser, *, indicator: str, unit: str, process: str, start: date, end: date
) -> tuple[str, list[dict[str, Any]]]:
    return indicator_service.drilldown(
        services(request),
        actor(user),
        indicator_id=indicator,
        unit=unit,
        process=process or None,
        start=start,
        end=end,
    )


def audit_events(
    request: Request, user: WebUser, *, patient_id: str, actor: str, page: int = 1
) -> audit_service.AuditPage:
    return audit_service.events(
        services(request), _actor(user), patient_id=patient_id, username=actor, page=page
    )


def referral_inbox(request: Request, user: WebUser) -> list[handover_service.ReferralView]:
    return handover_service.referral_inbox(services(request), actor(user))


def referral_step(
    request: Request, user: WebUser, referral_id: str, step: str, version: int, reason: str
) -> Referral:
    return handover_service.referral_step(services(request), actor(user), referral_id, step, version, reason)
