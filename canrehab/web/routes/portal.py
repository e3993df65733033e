"""Min vårdplan: the patient's own view (own data only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.web import backend
from canrehab.web.app import render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()


@router.get("/min-vardplan")
def min_vardplan(request: Request, user: WebUser = require_roles("patient")) -> Response:
    return render(request, "min_vardplan.html", backend.min_vardplan(request, user))


@router.get("/min-vardplan/plan.pdf")
def min_vardplan_pdf(request: Request, user: WebUser = require_roles("patient")) -> Response:
    data = backend.plan_pdf(request, user, plan_id=None)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="min-vardplan.pdf"'},
    )
