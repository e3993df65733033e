"""Min vårdplan from the patient page: offered, established (XV019), revised (XV020) or declined."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.services import patients as patient_service
from canrehab.web.deps import Clinician, ServicesDep
from canrehab.web.pages import flash

router = APIRouter()

STEP_SV = {
    "offer": "Min vårdplan är erbjuden.",
    "establish": "Min vårdplan är upprättad (KVÅ XV019).",
    "revise": "Min vårdplan är reviderad (KVÅ XV020).",
    "decline": "Patienten har tackat nej till Min vårdplan.",
}


@router.post("/patient/{patient_id}/min-vardplan")
def min_vardplan_step(
    request: Request,
    patient_id: str,
    services: ServicesDep,
    user: Clinician,
    pathway_id: str = Form(...),
    step: str = Form(...),
    version: int = Form(...),
) -> Response:
    if step not in STEP_SV:
        flash(request, "Välj en av knapparna för Min vårdplan.", "error")
    else:
        patient_service.min_vardplan_step(services, user.actor, pathway_id, step, version)
        flash(request, STEP_SV[step])
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)
