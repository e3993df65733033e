"""The administrator's (processledare's) staff page (``/personal``): every staff member with their unit, the
person's HSA-id and the HSA-id of their assignment (medarbetaruppdrag), which the page records. HTTP only:
the use cases are ``canrehab.services.registry``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import DomainError
from canrehab.domain.permissions import Action
from canrehab.services import organisation, registry
from canrehab.web.deps import ServicesDep, require
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()
StaffAdmin = Annotated[WebUser, require(Action.REGISTER_ORGANISATION)]


def _page(
    request: Request,
    services: ServicesDep,
    user: WebUser,
    *,
    failed: str | None = None,
    kept: str = "",
    error: str | None = None,
) -> Response:
    units = {u.hsa_id: u.name for u in organisation.care_units(services)}
    return render(
        request,
        "staff_admin.html",
        {
            "staff": registry.staff_list(services, user.actor),
            "units": units,
            "failed": failed,
            "kept": kept,
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/personal")
def staff_page(request: Request, services: ServicesDep, user: StaffAdmin) -> Response:
    return _page(request, services, user)


@router.post("/personal/{staff_id}/uppdrag")
async def staff_assignment(
    request: Request, staff_id: str, services: ServicesDep, user: StaffAdmin
) -> Response:
    form = await request.form()
    raw = str(form.get("assignment_hsa_id", ""))
    try:
        saved = registry.set_assignment_hsa_id(services, user.actor, staff_id, raw)
    except DomainError as error:
        if error.code.startswith(("hsa.", "staff.")):
            return _page(request, services, user, failed=staff_id, kept=raw, error=error.message_sv)
        raise
    if saved.assignment_hsa_id:
        flash(request, f"Uppdragets HSA-id för {saved.name} är sparat.")
    else:
        flash(request, f"Uppdragets HSA-id för {saved.name} är borttaget.")
    return RedirectResponse(f"/personal#personal-{staff_id}", status_code=303)
