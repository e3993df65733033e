"""The audit view (/logg): who read or changed which patient's record, for unit managers (their own units'
patients and staff) and administrators / process leaders (region-wide), newest first, a page at a time, with
filters by date range, user, unit and patient, and a CSV export of what the filters select.

The patient filter takes a personnummer by POST (never a URL or an access log): it is looked up and the page
is addressed by the patient's internal id, the same pseudonymous id the patient pages use."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import DomainError
from canrehab.services import audit as audit_service
from canrehab.services.context import Services
from canrehab.web import forms
from canrehab.web.deps import AuditReader, ServicesDep
from canrehab.web.format import ROLE_SV, label, sv_date
from canrehab.web.pages import render
from canrehab.web.user import WebUser

router = APIRouter()

FILTER_KEYS = ("fran", "till", "actor", "enhet", "patient")


def _parse_day(value: str, what: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[what] = "Ange datum som ÅÅÅÅ-MM-DD."
        return None


def _query(params: dict[str, str]) -> tuple[audit_service.AuditQuery, dict[str, str]]:
    errors: dict[str, str] = {}
    since = _parse_day(params["fran"], "fran", errors)
    until = _parse_day(params["till"], "till", errors)
    if since and until and since > until:
        errors["till"] = "Till-datumet ligger före från-datumet."
    query = audit_service.AuditQuery(
        patient_id=params["patient"],
        username=params["actor"],
        unit_hsa_id=params["enhet"],
        since=since,
        until=None if "till" in errors else until,
    )
    return query, errors


def _params(values: dict[str, str]) -> dict[str, str]:
    limits = {"patient": 64, "actor": 100, "enhet": 64, "fran": 10, "till": 10}
    return {k: (values.get(k) or "").strip()[: limits[k]] for k in FILTER_KEYS}


def _page(
    request: Request,
    services: Services,
    user: WebUser,
    params: dict[str, str],
    page: int,
    *,
    pnr_error: str = "",
    personnummer: str = "",
) -> Response:
    query, errors = _query(params)
    if pnr_error:
        errors["personnummer"] = pnr_error
    result = audit_service.events(services, user.actor, query, page=page)
    choices = audit_service.filter_choices(services, user.actor)
    patient_name = next((e.patient_name for e in result.events if e.patient_id == query.patient_id), "")

    def page_url(number: int) -> str:
        return "/logg?" + urlencode({**{k: v for k, v in params.items() if v}, "sida": number})

    def without(key: str) -> str:
        rest = {k: v for k, v in params.items() if v and k != key}
        return "/logg" + ("?" + urlencode(rest) if rest else "")

    export = {k: v for k, v in params.items() if v}
    return render(
        request,
        "audit.html",
        {
            "events": result.events,
            "filters": params,
            "errors": errors,
            "personnummer": personnummer,
            "patient_name": patient_name,
            "choices": choices,
            "page": result.page,
            "total": result.total,
            "first_row": (result.page - 1) * result.page_size + 1,
            "has_next": result.has_next,
            "region_wide": result.region_wide,
            "page_url": page_url,
            "without": without,
            "csv_url": "/logg.csv" + ("?" + urlencode(export) if export else ""),
        },
        status_code=400 if errors else 200,
    )


@router.get("/logg")
def audit_log(request: Request, services: ServicesDep, user: AuditReader, sida: int = 1) -> Response:
    params = _params(dict(request.query_params))
    return _page(request, services, user, params, max(1, min(sida, 100_000)))


@router.post("/logg")
async def audit_log_patient(request: Request, services: ServicesDep, user: AuditReader) -> Response:
    """The patient filter: the personnummer comes in the body, the page goes on with the patient's id."""
    form = await request.form()
    params = _params({k: forms.text(form, k, 100) for k in FILTER_KEYS})
    personnummer = forms.text(form, "personnummer", 20)
    if not personnummer:
        params["patient"] = ""
        return _page(request, services, user, params, 1)
    try:
        patient_id = audit_service.patient_by_personnummer(services, user.actor, personnummer)
    except DomainError as error:
        return _page(
            request, services, user, params, 1, pnr_error=error.message_sv, personnummer=personnummer
        )
    if patient_id is None:
        return _page(
            request,
            services,
            user,
            params,
            1,
            pnr_error="Ingen patient med det personnumret finns registrerad.",
            personnummer=personnummer,
        )
    params["patient"] = patient_id
    return RedirectResponse("/logg?" + urlencode({k: v for k, v in params.items() if v}), status_code=303)


@router.get("/logg.csv")
def audit_log_csv(request: Request, services: ServicesDep, user: AuditReader) -> Response:
    """The selected events as CSV for Excel: semicolon-separated, UTF-8 with a byte-order mark, Swedish
    local times; the reader's own scope and filters, newest first."""
    query, errors = _query(_params(dict(request.query_params)))
    if errors:
        return _page(request, services, user, _params(dict(request.query_params)), 1)
    rows = audit_service.export(services, user.actor, query)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Tid", "Användare", "Namn", "Roll", "Enhet", "Händelse", "Patient", "Utfall"])
    for e in rows:
        writer.writerow(
            [
                sv_date(e.at),
                e.actor,
                e.actor_name,
                label(ROLE_SV, e.role),
                ", ".join(e.units),
                e.event,
                e.patient_name,
                e.outcome,
            ]
        )
    name = f"atkomstlogg-{services.today().isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
