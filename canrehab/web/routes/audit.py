"""The audit view (/logg): who read or changed which patient's record, for unit managers (their own units'
patients and staff) and administrators / process leaders (region-wide), newest first, a page at a time."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.services import audit as audit_service
from canrehab.web.deps import AuditReader, ServicesDep
from canrehab.web.pages import render

router = APIRouter()


@router.get("/logg")
def audit_log(
    request: Request,
    services: ServicesDep,
    user: AuditReader,
    patient: str = "",
    actor: str = "",
    sida: int = 1,
) -> Response:
    page = max(1, min(sida, 100_000))
    filters = {"patient": patient.strip()[:64], "actor": actor.strip()[:100]}
    result = audit_service.events(
        services, user.actor, patient_id=filters["patient"], username=filters["actor"], page=page
    )

    def page_url(number: int) -> str:
        return "/logg?" + urlencode({**{k: v for k, v in filters.items() if v}, "sida": number})

    return render(
        request,
        "audit.html",
        {
            "events": result.events,
            "filters": filters,
            "page": result.page,
            "first_row": (result.page - 1) * result.page_size + 1,
            "has_next": result.has_next,
            "region_wide": result.region_wide,
            "page_url": page_url,
        },
    )
