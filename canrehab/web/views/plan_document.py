"""The patient's plan document: the printable page and the PDF, one template (``_plan_document.html``), and
the care contacts it and Min vårdplan show."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from canrehab.domain.access import Actor
from canrehab.domain.model import RehabPlan
from canrehab.domain.pathway import current_contact_nurse
from canrehab.services import patients as patient_service
from canrehab.services.context import Services
from canrehab.services.patients import PatientRecord
from canrehab.web.pages import render
from canrehab.web.pdf import Contact, document_context, plan_pdf


def contacts(record: PatientRecord, today: date) -> tuple[list[Contact], str]:
    """The patient's current contact nurses, and the name of the (last) pathway's unit."""
    found: list[Contact] = []
    unit_name = ""
    for pw in record.pathways:
        unit_name = record.unit_names.get(pw.unit_hsa_id, pw.unit_hsa_id)
        assignment = current_contact_nurse(pw, today)
        if assignment is not None:
            found.append(
                Contact(
                    "Din kontaktsjuksköterska", record.staff_names.get(assignment.staff_id, ""), unit_name
                )
            )
    return found, unit_name


def _context(services: Services, actor: Actor, plan: RehabPlan) -> dict[str, Any]:
    record = patient_service.patient_record(services, actor, plan.patient_id)
    today = services.today()
    found, unit_name = contacts(record, today)
    return document_context(plan, record.patient.name, found, unit_name, today)


def plan_pdf_response(request: Request, services: Services, actor: Actor, plan: RehabPlan) -> Response:
    """The plan as the patient's PDF, shown in the browser."""
    data = plan_pdf(request.app.state.templates.env, _context(services, actor, plan))
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="min-vardplan.pdf"'},
    )


def plan_print_page(
    request: Request, services: Services, actor: Actor, plan: RehabPlan, *, back_url: str, pdf_url: str
) -> Response:
    """The same document as a printable page."""
    context = _context(services, actor, plan)
    context.update({"back_url": back_url, "pdf_url": pdf_url})
    return render(request, "plan_print.html", context)
