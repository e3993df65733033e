from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from canrehab.web.auth import WebUser, current_user

router = APIRouter()

START_PAGE = {
    "nurse": "/arbetslista",
    "doctor": "/arbetslista",
    "rehab_professional": "/arbetslista",
    "unit_manager": "/arbetslista",
    "regional_analyst": "/uppfoljning",
    "admin": "/logg",
    "patient": "/min-vardplan",
}


@router.get("/")
def home(user: WebUser = Depends(current_user)) -> Response:
    return RedirectResponse(START_PAGE.get(user.role, "/logga-in"), status_code=303)


@router.get("/halsa", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}
