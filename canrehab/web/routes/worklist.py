from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.services import worklist as worklist_service
from canrehab.web.deps import ServicesDep, UnitWorker
from canrehab.web.pages import flash, render
from canrehab.web.views.units import unit_names
from canrehab.web.views.worklist import PAGE_SIZE, SORT_KEYS, worklist_view

router = APIRouter()

SORTS = (
    ("urgency", "Mest bråttom först"),
    ("name", "Namn"),
    ("process", "Diagnosprocess"),
)


@router.get("/arbetslista")
def worklist_page(
    request: Request,
    services: ServicesDep,
    user: UnitWorker,
    process: str = "",
    phase: str = "",
    due: str = "",
    sort: str = "urgency",
    sida: int = 1,
    vy: str = "",
    grupp: str = "",
) -> Response:
    page = max(1, min(sida, 10_000))
    filters = {
        "process": process,
        "phase": phase,
        "due": due,
        "sort": sort if sort in dict(SORTS) else "urgency",
        "vy": "mina" if vy == "mina" else "",
        "grupp": grupp if grupp in worklist_service.GROUP_LABELS else "",
    }
    result = worklist_service.unit_worklist(
        services,
        user.actor,
        process=process or None,
        phase=phase or None,
        due=due or None,
        sort=SORT_KEYS.get(filters["sort"], "next_action"),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        mine=filters["vy"] == "mina",
        group=filters["grupp"] or None,
    )
    names = unit_names(request.app, services)
    view = worklist_view(
        result,
        processes=[p.id for p in services.catalog.processes],
        unit_names=[names.get(u, u) for u in sorted(user.unit_hsa_ids)],
        today=services.today(),
    )

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
            "first_row": (page - 1) * PAGE_SIZE + 1,
            "has_next": page * PAGE_SIZE < view.total,
            "filters": filters,
            "filter_url": filter_url,
            "sorts": SORTS,
            "today": services.today(),
            "groups": view.groups,
            "group_labels": worklist_service.GROUP_LABELS,
            "grace_days": result.grace_days,
            "unit_label": lambda hsa: names.get(hsa, hsa),
            "has_nurse": bool(user.actor.staff_id),
        },
    )


@router.post("/arbetslista/karenstid")
def set_grace_days(
    request: Request,
    services: ServicesDep,
    user: UnitWorker,
    unit: str = Form(...),
    days: str = Form(...),
) -> Response:
    """The unit manager's grace period: how many days past its date an item may be before it is red."""
    try:
        value = int(days.strip())
    except ValueError:
        flash(request, "Karenstiden måste vara ett heltal (antal dagar).", "error")
        return RedirectResponse("/arbetslista#karenstid", status_code=303)
    worklist_service.set_grace_days(services, user.actor, unit, value)
    flash(request, f"Karenstiden är nu {value} dagar.")
    return RedirectResponse("/arbetslista", status_code=303)
