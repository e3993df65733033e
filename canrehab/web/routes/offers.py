"""The offers form on the patient page (``_offers.html``): Min vårdplan offered, digitally or on paper."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.offers import CHANNEL_SV, parse_channel
from canrehab.services import offers as offer_service
from canrehab.web import forms
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash
from canrehab.web.routes.patients import overview_page

router = APIRouter()


@router.post("/patient/{patient_id}/erbjudande/min-vardplan")
async def offer_min_vardplan(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    offered_on = forms.opt_date(form, "offered_on")
    channel = forms.text(form, "channel", 20)
    pathway_id = forms.text(form, "pathway_id", 64)

    def again(message: str) -> Response:
        entered = {
            "pathway_id": pathway_id,
            "channel": channel,
            "offered_on": forms.text(form, "offered_on", 20),
        }
        return overview_page(
            request, services, user, patient_id, form_errors={"offer": {"error": message, **entered}}
        )

    if forms.text(form, "offered_on") and offered_on is None:
        return again("Ange erbjudandedatumet som ÅÅÅÅ-MM-DD.")
    try:
        offer_service.offer_min_vardplan(
            services,
            user.actor,
            pathway_id,
            forms.int_field(form, "version"),
            channel=channel,
            offered_on=offered_on,
        )
    except ConflictError:
        raise
    except DomainError as refused:
        if refused.code.endswith("not_found") or "access" in refused.code:
            raise
        return again(refused.message_sv)
    flash(request, f"Min vårdplan är erbjuden {CHANNEL_SV[parse_channel(channel)]}.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)
