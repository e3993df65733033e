from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from canrehab.web import backend
from canrehab.web.app import STAFF_ROLES, render
from canrehab.web.auth import WebUser, require_roles

router = APIRouter()

SORTS = (
    ("urgency", "Mest bråttom först"),
    ("name", "Namn"),
    ("process", "Diagnosprocess"),
)


@router.get("/arbetslista")
def worklist_page(
    request: Request,
    process: str = "",
    phase: str = "",
    due: str = "",
    sort: str = "urgency",
    sida: int = 1,
    user: WebUser = require_roles(*STAFF_ROLES),
) -> Response:
    page = max(1, min(sida, 10_000))
    filters = {
        "process": process,
        "phase": phase,
        "due": due,
        "sort": sort if sort in dict(SORTS) else "urgency",
    }
    view = backend.worklist(request, user, page=page, **filters)

    def filter_url(**changes: str | None) -> str:
        params = {**filters, **changes}
        return "/arbetslista?" + urlencode({k: v for k, v in params.items() if v})

    return render(
        request,
        "worklist.html",
        {
            "rows": view.rows,
            "categories": view.categories,
            "processes": view.processes,
            "unit_names": view.unit_names,
            "total": view.total,
            "all_total": view.all_total,
            "more": view.more_total > len(view.rows),
            "more_total": view.more_total,
            "page": page,
            "first_row": (page - 1) * backend.PAGE_SIZE + 1,
            "has_next": page * backend.PAGE_SIZE < view.total,
            "filters": filters,
            "filter_url": filter_url,
            "sorts": SORTS,
            "today": backend.services(request).today(),
        },
    )
