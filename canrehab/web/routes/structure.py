"""The structure register's pages: the overview of one's units (``/struktur``), and per unit and diagnosis
process the form with its history (``/struktur/{enhet}/{process}``). HTTP only: the use cases are
``canrehab.services.structure``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import ConflictError, DomainError
from canrehab.domain.permissions import Action
from canrehab.domain.structure import FIELD_BY_NAME, FIELDS, FieldType, Value
from canrehab.services import structure as structure_service
from canrehab.web.deps import FollowupUser, ServicesDep, require
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()
StructureEditor = Annotated[WebUser, require(Action.EDIT_STRUCTURE)]

YES_NO = {"ja": True, "nej": False, "": None}


def _parse(form: Any) -> dict[str, Value]:
    """The form's fields as values; a value that cannot be read is refused with a Swedish message."""
    values: dict[str, Value] = {}
    for definition in FIELDS:
        raw = str(form.get(definition.name, "")).strip()
        if definition.type is FieldType.YES_NO:
            if raw not in YES_NO:
                raise DomainError(
                    "structure.not_yes_no", f"”{definition.label_sv}” ska vara Ja eller Nej.", "not yes/no"
                )
            values[definition.name] = YES_NO[raw]
        elif definition.type is FieldType.DATE:
            try:
                values[definition.name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                raise DomainError(
                    "structure.not_date",
                    f"”{definition.label_sv}” ska vara ett datum (ÅÅÅÅ-MM-DD).",
                    "not a date",
                ) from None
        else:
            values[definition.name] = raw or None
    return {name: value for name, value in values.items() if value is not None}


def _process_name(services: ServicesDep, process: str) -> str:
    return next((p.name_sv for p in services.catalog.processes if p.id == process), process)


@router.get("/struktur")
def structure_overview(request: Request, services: ServicesDep, user: FollowupUser) -> Response:
    rows = structure_service.overview(services, user.actor)
    units: dict[str, list[Any]] = {}
    for row in rows:
        units.setdefault(row.unit_name, []).append(row)
    return render(
        request,
        "structure_overview.html",
        {"units": units, "can_edit": user.may(Action.EDIT_STRUCTURE), "fields": FIELD_BY_NAME},
    )


def _form_page(
    request: Request,
    services: ServicesDep,
    user: WebUser,
    unit_hsa_id: str,
    process: str,
    *,
    values: Mapping[str, object] | None = None,
    error: str | None = None,
) -> Response:
    history = structure_service.history(services, user.actor, unit_hsa_id, process)
    current = history[0] if history else None
    return render(
        request,
        "structure_edit.html",
        {
            "unit_hsa_id": unit_hsa_id,
            "unit_name": next(
                (
                    r.unit_name
                    for r in structure_service.overview(services, user.actor)
                    if r.unit_hsa_id == unit_hsa_id
                ),
                unit_hsa_id,
            ),
            "process": process,
            "process_name": _process_name(services, process),
            "fields": FIELDS,
            "values": values if values is not None else (dict(current.values) if current else {}),
            "version": current.version if current else 0,
            "history": history,
            "can_edit": user.may(Action.EDIT_STRUCTURE),
            "error": error,
        },
        status_code=400 if error else 200,
    )


@router.get("/struktur/{unit_hsa_id}/{process}")
def structure_edit_form(
    request: Request, unit_hsa_id: str, process: str, services: ServicesDep, user: FollowupUser
) -> Response:
    return _form_page(request, services, user, unit_hsa_id, process)


@router.post("/struktur/{unit_hsa_id}/{process}")
async def structure_save(
    request: Request, unit_hsa_id: str, process: str, services: ServicesDep, user: StructureEditor
) -> Response:
    form = await request.form()
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = -1  # refused below as a stale version
    try:
        values = _parse(form)
        structure_service.edit(services, user.actor, unit_hsa_id, process, values, expected_version=version)
    except ConflictError:
        raise
    except DomainError as error:
        if error.code.startswith("structure.") and error.code not in (
            "structure.unknown_unit",
            "structure.unknown_process",
        ):
            raw = {d.name: str(form.get(d.name, "")) for d in FIELDS}
            return _form_page(
                request, services, user, unit_hsa_id, process, values=raw, error=error.message_sv
            )
        raise
    flash(request, "Strukturuppgifterna är sparade som en ny version.")
    return RedirectResponse(f"/struktur/{unit_hsa_id}/{process}", status_code=303)
