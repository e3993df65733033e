"""The gap analysis pages (004): the list with a form to start one (``/gapanalys``), one analysis with its
gaps, decisions and actions and the forms to add them (``/gapanalys/{id}``), its history and the Excel
export (``/gapanalys/{id}/export.xlsx``). HTTP only: the use cases are ``canrehab.services.gap_analysis``."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from canrehab.domain.errors import DomainError
from canrehab.domain.gap_analysis import ActionItem, Decision, Gap, Participant, open_actions
from canrehab.domain.model import CareLevel
from canrehab.domain.permissions import Action
from canrehab.followup.goals import default_indicators
from canrehab.services import gap_analysis as service
from canrehab.services import process_indicators
from canrehab.services.gap_workbook import ordered_decisions
from canrehab.services.organisation import care_units
from canrehab.web.deps import ServicesDep, require
from canrehab.web.pages import flash, render
from canrehab.web.user import WebUser

router = APIRouter()
GapWorker = Annotated[WebUser, require(Action.GAP_ANALYSIS)]
ASCII = str.maketrans("åäöéü", "aaoeu")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(raw: object, label_sv: str) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise DomainError(
            "gap_analysis.not_date", f"{label_sv} ska vara ett datum (ÅÅÅÅ-MM-DD).", "date"
        ) from None


def _int(raw: object, label_sv: str, *, optional: bool = False) -> int | None:
    text = str(raw or "").strip()
    if optional and not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError("gap_analysis.not_number", f"{label_sv} ska vara ett heltal.", "number") from None


def _choice(enum: Any, raw: object, label_sv: str) -> Any:
    try:
        return enum(str(raw or ""))
    except ValueError:
        raise DomainError("gap_analysis.bad_choice", f"Välj {label_sv}.", "choice") from None


LEVEL_BY_NAME = {
    **{level.label_sv: level for level in CareLevel},
    "kommunal primärvård": CareLevel.MUNICIPAL,
    "specialistvård": CareLevel.SPECIALISED,
}


def _participants(text: str) -> tuple[Participant, ...]:
    """One participant a line, as 004's table: name; profession/funktion; verksamhet/enhet; vårdnivå
    (optional: specialiserad vård, regional primärvård or kommunal hälso- och sjukvård)."""
    people = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            parts = [p.strip() for p in line.split(";")] + ["", "", ""]
            level = None
            if parts[3]:
                level = LEVEL_BY_NAME.get(parts[3].lower())
                if level is None:
                    raise DomainError(
                        "gap_analysis.bad_choice",
                        f"Rad {number}: okänd vårdnivå ”{parts[3]}” (specialiserad vård, regional primärvård "
                        "eller kommunal hälso- och sjukvård).",
                        "care level",
                    )
            people.append(Participant(parts[0], parts[1], parts[2], level))
    return tuple(people)


def _indicator_links() -> dict[str, str]:
    """Where a linked indicator is followed, so that whether the gap closed is one click away: the care and
    structure indicators' trend against their goal, the register indicators' page under Statistik."""
    trend = {d.id for d in process_indicators.load_process_indicators()}
    trend |= {d.id for d in default_indicators().of_source("structure")}
    links = {i: f"/uppfoljning/mal/trend?indicator={i}" for i in sorted(trend)}
    links.update({d.id: "/statistik/indikatorer" for d in default_indicators().of_source("register")})
    return links


@router.get("/gapanalys")
def gap_list(request: Request, services: ServicesDep, user: GapWorker) -> Response:
    return render(request, "gap_list.html", {"analyses": service.list_analyses(services, user.actor)})


@router.post("/gapanalys")
async def gap_start(request: Request, services: ServicesDep, user: GapWorker) -> Response:
    form = await request.form()
    try:
        analysis = service.start(
            services,
            user.actor,
            title=str(form.get("title", "")),
            knowledge_support=str(form.get("knowledge_support", "")),
            held_on=_date(form.get("held_on"), "Datum"),
            participants=_participants(str(form.get("participants", ""))),
        )
    except DomainError as error:
        if not error.code.startswith("gap_analysis."):
            raise
        context = {
            "analyses": service.list_analyses(services, user.actor),
            "error": error.message_sv,
            "entered": {key: str(value) for key, value in form.items()},
        }
        return render(request, "gap_list.html", context, status_code=400)
    return RedirectResponse(f"/gapanalys/{analysis.id}", status_code=303)


def _detail(
    request: Request,
    services: ServicesDep,
    user: WebUser,
    analysis_id: str,
    error: str = "",
    step: str = "",
    entered: dict[str, Any] | None = None,
) -> Response:
    """The analysis page; after a refused step its form again, with the error above it and the input kept."""
    history = service.history(services, user.actor, analysis_id)
    if not history:
        return render(
            request, "error.html", {"heading": "Hittades inte", "message": "Gapanalysen finns inte."}, 404
        )
    analysis = history[0][0]
    areas: dict[str, list[Gap]] = {}
    for gap in analysis.gaps:
        areas.setdefault(gap.area, []).append(gap)
    units = care_units(services)
    region_wide = user.may(Action.FOLLOWUP_REGION_WIDE)
    today = services.today()
    context = {
        "analysis": analysis,
        "areas": areas,
        "history": history,
        "levels": list(CareLevel),
        "decisions": list(Decision),
        "indicators": sorted(service.indicator_names().items(), key=lambda item: item[1]),
        "indicator_names": service.indicator_names(),
        "indicator_links": _indicator_links(),
        "unit_names": {u.hsa_id: u.name for u in units},
        "ordered": lambda decisions: ordered_decisions(decisions, {u.hsa_id: u.name for u in units}),
        "decision_units": {
            level: [
                u for u in units if u.level is level and (region_wide or u.hsa_id in user.actor.unit_hsa_ids)
            ]
            for level in CareLevel
        },
        "region_wide": region_wide,
        "today": today,
        "open_actions": open_actions(analysis, today),
        "error": error,
        "step": step,
        "entered": entered or {},
    }
    return render(request, "gap_detail.html", context, status_code=400 if error else 200)


@router.get("/gapanalys/{analysis_id}")
def gap_detail(request: Request, analysis_id: str, services: ServicesDep, user: GapWorker) -> Response:
    return _detail(request, services, user, analysis_id)


@router.post("/gapanalys/{analysis_id}/{step}")
async def gap_step(
    request: Request, analysis_id: str, step: str, services: ServicesDep, user: GapWorker
) -> Response:
    form = await request.form()
    version = _int(form.get("version"), "Version") or 0
    try:
        if step == "gap":
            gap = Gap(
                id=str(form.get("gap_id", "")).strip() or f"gap{version}",
                area=str(form.get("area", "")),
                text=str(form.get("text", "")),
                priority=_int(form.get("priority"), "Prioritet") or 0,
                priority_to=_int(form.get("priority_to"), "Prioritet till", optional=True),
                indicator_ids=tuple(str(i) for i in form.getlist("indicator_ids")),
            )
            service.add_gap(services, user.actor, analysis_id, gap, expected_version=version)
        elif step == "beslut":
            service.decide(
                services,
                user.actor,
                analysis_id,
                str(form.get("gap_id", "")),
                care_level=_choice(CareLevel, form.get("care_level"), "vårdnivå"),
                decision=_choice(Decision, form.get("decision"), "beslut"),
                comment=str(form.get("comment", "")),
                unit_hsa_id=str(form.get("unit_hsa_id", "")).strip() or None,
                expected_version=version,
            )
        elif step == "atgard":
            action = ActionItem(
                str(form.get("text", "")),
                str(form.get("responsible", "")),
                _date(form.get("due_on"), "Klart senast"),
            )
            service.add_action(
                services,
                user.actor,
                analysis_id,
                str(form.get("gap_id", "")),
                action,
                expected_version=version,
            )
        else:
            return render(
                request, "error.html", {"heading": "Sidan finns inte", "message": "Okänd åtgärd."}, 404
            )
    except DomainError as error:
        if error.code.startswith("gap_analysis.") and error.code != "gap_analysis.not_found":
            entered: dict[str, Any] = {key: str(value) for key, value in form.items()}
            entered["indicator_ids"] = [str(i) for i in form.getlist("indicator_ids")]
            return _detail(request, services, user, analysis_id, error.message_sv, step, entered)
        raise
    flash(request, "Gapanalysen är sparad som en ny version.")
    return RedirectResponse(f"/gapanalys/{analysis_id}", status_code=303)


@router.get("/gapanalys/{analysis_id}/export.xlsx")
def gap_export(analysis_id: str, services: ServicesDep, user: GapWorker) -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        path = service.export(services, user.actor, analysis_id, Path(tmp) / "gapanalys.xlsx")
        if path is None:
            raise DomainError("gap_analysis.not_found", "Gapanalysen finns inte.", "gap analysis not found")
        content = path.read_bytes()
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": _attachment(analysis_id, services, user)}
    )


def _attachment(analysis_id: str, services: ServicesDep, user: WebUser) -> str:
    """``gapanalys-2026-01-15-region-test.xlsx``: the date and the title, ASCII for every browser and the
    Swedish name for those that read ``filename*``."""
    analysis = service.history(services, user.actor, analysis_id)[0][0]
    title = re.sub(r"^gapanalys\b[\s–-]*", "", analysis.title, flags=re.IGNORECASE)  # said once, first
    name = f"gapanalys-{analysis.held_on.isoformat()}-{title}"
    plain = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(ASCII)).strip("-")[:80] or "gapanalys"
    swedish = re.sub(r"[^\w-]+", "-", name.lower(), flags=re.UNICODE).strip("-")[:80]
    return f"attachment; filename=\"{plain}.xlsx\"; filename*=UTF-8''{quote(swedish)}.xlsx"
