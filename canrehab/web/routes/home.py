from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.permissions import Role
from canrehab.web.deps import CurrentUser

router = APIRouter()

START_PAGE: dict[str, str] = {
    Role.NURSE: "/arbetslista",
    Role.DOCTOR: "/arbetslista",
    Role.REHAB_PROFESSIONAL: "/arbetslista",
    Role.UNIT_MANAGER: "/arbetslista",
    Role.REGIONAL_ANALYST: "/uppfoljning",
    Role.ADMIN: "/logg",
    Role.PATIENT: "/min-vardplan",
}


@router.get("/")
def home(user: CurrentUser) -> Response:
    return RedirectResponse(START_PAGE.get(user.role, "/logga-in"), status_code=303)


@router.get("/halsa", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
