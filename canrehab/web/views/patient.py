"""The patient overview page: header facts, the answers over time and the record's timeline, shaped from
``services.patients.patient_record``."""

from __future__ import annotations

from datetime import date
from typing import Any

from canrehab.codes.catalog import load_kva
from canrehab.domain.coordination import TEAM_CODES, TEAM_LABEL_SV
from canrehab.domain.handover import pathway_responsible_unit
from canrehab.domain.identity import format_personnummer
from canrehab.domain.model import AssessmentStatus, KeyMoment, NeedsLevel, Patient, Staff
from canrehab.domain.pathway import current_contact_nurse
from canrehab.instruments import questionnaire_json
from canrehab.services.patients import PatientRecord
from canrehab.web import charts
from canrehab.web import format as fmt
from canrehab.web.questionnaire import short_labels


def header(patient: Patient) -> dict[str, Any]:
    """The patient header every record page shows."""
    return {"patient": patient, "personnummer": format_personnummer(patient.personnummer)}


def trends(record: PatientRecord) -> list[dict[str, Any]]:
    """One small line chart per numeric answer of the newest instrument, over the patient's assessments."""
    done = [a for a in record.assessments if a.status != AssessmentStatus.IN_PROGRESS and a.answers]
    if len(done) < 1:
        return []
    done.sort(key=lambda a: a.submitted_on or a.started_on)
    instrument_id = done[-1].instrument_id
    item_labels = short_labels(questionnaire_json(instrument_id))
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


def _kva_labels() -> dict[str, str]:
    return {code: definition.text_sv for code, definition in load_kva().items()}


def timeline(record: PatientRecord) -> list[dict[str, Any]]:
    """Everything that happened in the record, newest first: phases, contact nurses, assessments, plan
    events, referrals, handovers and KVÅ records. A linear list of event kinds, hence its length."""
    unit_names = record.unit_names
    events: list[dict[str, Any]] = []
    for p in record.pathways:
        for phase in p.phases:
            events.append({"on": phase.on, "kind": "Fas", "text": fmt.label(fmt.PHASE_SV, phase.kind)})
        for a in p.contact_nurses:
            name = record.staff_names.get(a.staff_id, "")
            events.append({"on": a.from_date, "kind": "Kontaktsjuksköterska", "text": name})
            if a.offered_on is not None:
                events.append(
                    {"on": a.offered_on, "kind": "Kontaktsjuksköterska", "text": f"erbjuden: {name}"}
                )
            if a.to_date is not None:
                events.append(
                    {"on": a.to_date, "kind": "Kontaktsjuksköterska", "text": f"uppdraget avslutat: {name}"}
                )
    for a in record.assessments:
        text = f"{fmt.label(fmt.KEY_MOMENT_SV, a.key_moment)}, {fmt.status_label(a.status)}"
        if a.confirmed_level is not None:
            text += f", nivå {NeedsLevel(a.confirmed_level).label_sv}"
        events.append(
            {
                "on": a.submitted_on or a.started_on,
                "kind": "Bedömning",
                "text": text,
                "url": f"/bedomning/{a.id}",
            }
        )
    for plan in record.plans:
        for event in plan.events:
            events.append(
                {
                    "on": event.on,
                    "kind": "Rehabiliteringsplan",
                    "text": f"{fmt.label(fmt.PLAN_EVENT_SV, event.kind)} (version {event.content_version})",
                    "url": f"/patient/{plan.patient_id}/plan?pathway_id={plan.pathway_id}",
                }
            )
    for r in record.referrals:
        events.append(
            {
                "on": r.sent_on,
                "kind": "Remiss",
                "text": ", ".join(
                    (fmt.label(fmt.PROFESSION_SV, r.to_profession), fmt.status_label(r.status))
                ),
            }
        )
    for h in record.handovers:
        to_unit = unit_names.get(h.to_unit_hsa_id, h.to_unit_hsa_id)
        events.append(
            {
                "on": h.sent_on,
                "kind": "Aktiv överlämning",
                "text": f"till {to_unit}, {fmt.status_label(h.status)}",
                "url": f"/overlamning/{h.id}",
            }
        )
    kva_labels = _kva_labels()
    for k in record.kva:
        label = kva_labels.get(k.code)
        events.append({"on": k.performed_on, "kind": "KVÅ", "text": f"{k.code} {label}" if label else k.code})
    events.sort(key=lambda e: e["on"], reverse=True)
    return events


def _actions(
    record: PatientRecord, today: date, candidates: dict[str, list[Staff]]
) -> dict[str, dict[str, Any]]:
    """Per open pathway, what the contact-nurse forms need (``candidates``: pathway id → nurses)."""
    actions: dict[str, dict[str, Any]] = {}
    for p in record.pathways:
        if p.id not in candidates:
            continue
        current = current_contact_nurse(p, today)
        open_assignment = next((a for a in p.contact_nurses if a.to_date is None), None)
        actions[p.id] = {
            "nurses": candidates[p.id],
            "current_nurse": record.staff_names.get(current.staff_id, "") if current else "",
            "open_assignment": open_assignment,
            "open_nurse": record.staff_names.get(open_assignment.staff_id, "") if open_assignment else "",
        }
    return actions


def overview(
    record: PatientRecord, today: date, *, can_act: bool, candidates: dict[str, list[Staff]]
) -> dict[str, Any]:
    """The overview page's context. ``candidates`` (pathway id → nurses to choose from) holds the open
    pathways whose contact-nurse forms are shown (empty when the user may not act)."""
    unit_names = record.unit_names
    open_pathways = [p for p in record.pathways if p.closed_on is None] or record.pathways
    level: int | None = None
    level_on: date | None = None
    contact_nurse: str | None = None
    nurse_role = "Kontaktsjuksköterska"
    newest_id = ""
    mvp_status = "–"
    responsible = "–"
    if open_pathways:
        pw = max(open_pathways, key=lambda p: p.started_on)
        level, level_on, newest_id = pw.confirmed_level, pw.confirmed_level_on, pw.id
        assignment = current_contact_nurse(pw, today)
        if assignment is not None:
            contact_nurse = record.staff_names.get(assignment.staff_id, "")
            nurse_role = assignment.role.label_sv.capitalize()
        mvp_status = pw.min_vardplan.status.label_sv
        responsible_id = pathway_responsible_unit(pw, record.handovers)
        responsible = unit_names.get(responsible_id, responsible_id)
    return {
        **header(record.patient),
        "level": level,
        "level_on": level_on,
        "responsible": responsible,
        "contact_nurse": contact_nurse,
        "nurse_role": nurse_role,
        "newest_pathway_id": newest_id,
        "mvp_status": mvp_status,
        "pathways": record.pathways,
        "can_act": can_act,
        "actions": _actions(record, today, candidates),
        "today": today,
        "team_kinds": [(k.value, f"{TEAM_LABEL_SV[k]} ({code})") for k, code in TEAM_CODES.items()],
        "trends": trends(record),
        "timeline": timeline(record),
        "unit_name": lambda hsa: unit_names.get(hsa, hsa),
    }


def todos(record: PatientRecord, rows: dict[str, Any], today: date) -> dict[str, list[dict[str, str]]]:
    """Per pathway, why the patient is on the unit's worklist: each open to-do with its one action (a link
    to the form or page that does it)."""
    from canrehab.web.views.worklist import items

    pid = record.patient.id
    submitted = {a.pathway_id: a.id for a in record.assessments if a.status == AssessmentStatus.SUBMITTED}
    out: dict[str, list[dict[str, str]]] = {}
    for pathway_id, row in rows.items():
        plan_url = f"/patient/{pid}/plan?pathway_id={pathway_id}"
        actions = {
            "no_contact_nurse": (f"#kontaktsjukskoterska-{pathway_id}", "Utse kontaktsjuksköterska"),
            "no_min_vardplan": (f"#min-vardplan-{pathway_id}", "Min vårdplan: erbjud eller upprätta"),
            "assessment_overdue": (f"#bedomning-{pathway_id}", "Starta bedömning"),
            "assessment_due": (f"#bedomning-{pathway_id}", "Starta bedömning"),
            "assessments_to_confirm": (f"/bedomning/{submitted.get(pathway_id, '')}", "Bedöm skattningen"),
            "plan_missing": (plan_url, "Upprätta rehabiliteringsplan"),
            "plan_follow_up_due": (plan_url, "Följ upp planen"),
            "team_missing": (f"#mdk-rehab-{pathway_id}", "Remittera till rehabteam eller MDK-rehab"),
            "svf_mdk_due": (f"/patient/{pid}/svf/{pathway_id}", "Registrera MDK i SVF"),
            "svf_treatment_due": (f"/patient/{pid}/svf/{pathway_id}", "Registrera behandlingsstart i SVF"),
            "referrals_waiting": ("/remisser", "Till remisserna"),
            "handovers_in_awaiting": ("/overlamningar", "Bekräfta överlämningen"),
            "handovers_out_unconfirmed": ("/overlamningar", "Se överlämningen"),
            "handovers_out_overdue": ("/overlamningar", "Följ upp överlämningen"),
        }
        out[pathway_id] = [
            {
                "label": item.label,
                "on": item.on.isoformat() if item.on else "",
                "severity": item.severity,
                "url": actions[item.key][0],
                "action": actions[item.key][1],
            }
            for item in items(row, today, 7)
            if item.key in actions
        ]
    return out


def default_key_moments(record: PatientRecord, today: date) -> dict[str, str]:
    """Per pathway, the key moment the assessment form preselects (from the current phase)."""
    from canrehab.domain.pathway import current_phase
    from canrehab.domain.worklist import KEY_MOMENT_FOR_PHASE

    return {
        p.id: KEY_MOMENT_FOR_PHASE.get(current_phase(p, today), KeyMoment.OTHER).value
        for p in record.pathways
    }
