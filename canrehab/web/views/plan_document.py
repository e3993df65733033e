"""The patient's printable plan (PDF) and the care contacts it and Min vårdplan show."""

from __future__ import annotations

from datetime import date

from fastapi.responses import Response

from canrehab.domain.access import Actor
from canrehab.domain.model import RehabPlan
from canrehab.domain.pathway import current_contact_nurse
from canrehab.services import patients as patient_service
from canrehab.services.context import Services
from canrehab.services.patients import PatientRecord
from canrehab.web.pdf import Contact, plan_pdf


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


def plan_pdf_response(services: Services, actor: Actor, plan: RehabPlan) -> Response:
    """The plan as the patient's PDF, shown in the browser."""
    record = patient_service.patient_record(services, actor, plan.patient_id)
    today = services.today()
    found, unit_name = contacts(record, today)
    data = plan_pdf(plan, record.patient.name, found, unit_name, printed_on=today)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="min-vardplan.pdf"'},
    )
