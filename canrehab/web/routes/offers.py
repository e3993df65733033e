"""The offers form on the patient page (``_offers.html``): Min vårdplan offered, digitally or on paper."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.offers import CHANNEL_SV, parse_channel
from canrehab.services import offers as offer_service
from canrehab.web import forms
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import error_page, flash

router = APIRouter()


@router.post("/patient/{patient_id}/erbjudande/min-vardplan")
async def offer_min_vardplan(
    request: Request, patient_id: str, services: ServicesDep, user: UnitWorker
) -> Response:
    form = await request.form()
    offered_on = forms.opt_date(form, "offered_on")
    if forms.text(form, "offered_on") and offered_on is None:
        return error_page(request, 400, "Ogiltigt datum", "Ange erbjudandedatumet som ÅÅÅÅ-MM-DD.")
    channel = forms.text(form, "channel", 20)
    offer_service.offer_min_vardplan(
        services,
        user.actor,
        forms.text(form, "pathway_id", 64),
        forms.int_field(form, "version"),
        channel=channel,
        offered_on=offered_on,
    )
    flash(request, f"Min vårdplan är erbjuden {CHANNEL_SV[parse_channel(channel)]}.")
    return RedirectResponse(f"/patient/{patient_id}", status_code=303)
