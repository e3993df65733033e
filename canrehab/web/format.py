"""Swedish presentation: dates and times (Swedish local time), numbers with decimal comma, and labels for the
shared vocabularies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from canrehab.domain.model import (
    AssessmentStatus,
    HandoverStatus,
    KeyMoment,
    NeedsLevel,
    PhaseKind,
    PlanCloseReason,
    PlanEventKind,
    PlanStatus,
    ReferralStatus,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")

MONTHS_SV = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def local_time(value: datetime) -> datetime:
    """A point in time as Swedish local time (CET/CEST); a naive value is taken to be UTC (the database's)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(STOCKHOLM)


def _parse(value: str) -> date | datetime | str:
    try:
        if len(value) > 10 and value[10] in "T ":
            return datetime.fromisoformat(value)
        return date.fromisoformat(value[:10])
    except ValueError:
        return value


def sv_date(value: date | datetime | str | None, long: bool = False) -> str:
    """ISO date (Swedish standard, 2026-11-22) or, with ``long``, '22 november 2026'. A point in time (a
    datetime, or an ISO string with a time) is shown in Swedish local time: '2026-11-22 14:05', or with
    ``long`` '22 november 2026 kl. 14:05'."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = _parse(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime):
        value = local_time(value)
        if long:
            return f"{value.day} {MONTHS_SV[value.month - 1]} {value.year} kl. {value:%H:%M}"
        return value.strftime("%Y-%m-%d %H:%M")
    if long:
        return f"{value.day} {MONTHS_SV[value.month - 1]} {value.year}"
    return value.isoformat()


def sv_number(value: float | int | None, decimals: int = 1) -> str:
    """12 345,6 — decimal comma and a (non-breaking) space as thousands separator."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) and decimals == 0 else f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def sv_percent(value: float | None, decimals: int = 1) -> str:
    """0.823 -> '82,3 %'."""
    if value is None:
        return "–"
    return f"{sv_number(value * 100, decimals)}\u00a0%"


def _profession_names() -> dict[str, str]:
    """Swedish profession names for running text, from the code list (``codes/professions.yaml``)."""
    from canrehab.codes.catalog import load_professions

    return {p.value: d.label_sv[:1].lower() + d.label_sv[1:] for p, d in load_professions().items()}


PROFESSION_SV: dict[str, str] = _profession_names()

PHASE_SV: dict[str, str] = {
    PhaseKind.INVESTIGATION: "utredning",
    PhaseKind.DIAGNOSIS: "diagnos",
    PhaseKind.TREATMENT_START: "behandlingsstart",
    PhaseKind.TREATMENT_END: "behandlingsavslut",
    PhaseKind.FOLLOW_UP: "uppföljning",
    PhaseKind.CHRONIC: "kronisk fas",
    PhaseKind.PALLIATIVE: "palliativ fas",
}

KEY_MOMENT_SV: dict[str, str] = {
    KeyMoment.DIAGNOSIS: "vid diagnos",
    KeyMoment.TREATMENT_START: "vid behandlingsstart",
    KeyMoment.DURING_TREATMENT: "under behandling",
    KeyMoment.END_OF_TREATMENT: "vid behandlingsavslut",
    KeyMoment.FOLLOW_UP: "vid uppföljning",
    KeyMoment.PROGRESSION: "vid progress",
    KeyMoment.HANDOVER: "vid överlämning",
    KeyMoment.OTHER: "annat tillfälle",
}

STATUS_SV: dict[str, str] = {
    AssessmentStatus.IN_PROGRESS: "påbörjad",
    AssessmentStatus.SUBMITTED: "inskickad, väntar på bedömning",
    AssessmentStatus.CONFIRMED: "bedömd",
    PlanStatus.DRAFT: "utkast",
    PlanStatus.ESTABLISHED: "upprättad",
    PlanStatus.CLOSED: "avslutad",
    HandoverStatus.SENT: "skickad",
    HandoverStatus.RECEIVED: "mottagen",
    HandoverStatus.PATIENT_CONTACTED: "patientkontakt bekräftad",
    HandoverStatus.COMPLETED: "slutförd",
    HandoverStatus.REJECTED: "avvisad",
    ReferralStatus.ACCEPTED: "accepterad",
    ReferralStatus.COMPLETED: "slutförd",
    ReferralStatus.CANCELLED: "återkallad",
}

PLAN_EVENT_SV: dict[str, str] = {
    PlanEventKind.ESTABLISHED: "upprättad",
    PlanEventKind.FOLLOWED_UP: "uppföljd",
    PlanEventKind.REVISED: "reviderad",
    PlanEventKind.CLOSED: "avslutad",
}

CLOSE_REASON_SV: dict[str, str] = {
    PlanCloseReason.GOALS_REACHED: "målen är uppnådda",
    PlanCloseReason.NO_LONGER_RELEVANT: "inte längre aktuell",
    PlanCloseReason.DECLINED: "patienten avböjer",
    PlanCloseReason.DECEASED: "patienten har avlidit",
    PlanCloseReason.TRANSFERRED: "överförd till annan vårdgivare",
}

ROLE_SV: dict[str, str] = {
    "nurse": "sjuksköterska",
    "doctor": "läkare",
    "rehab_professional": "rehabiliteringsprofession",
    "unit_manager": "verksamhetschef",
    "regional_analyst": "regional analytiker",
    "admin": "administratör",
    "patient": "patient",
    "process_leader": "regional processledare",
}


def _process_names() -> dict[str, str]:
    """Swedish names of the diagnosis processes, from the code list (``codes/processes.yaml``)."""
    from canrehab.codes.catalog import load_processes

    return {p.id: p.name_sv for p in load_processes()}


PROCESS_SV: dict[str, str] = _process_names()

ADVICE_SV: dict[str, str] = {
    "DV111": "Enkla råd om tobak",
    "DV121": "Enkla råd om alkohol",
    "DV131": "Enkla råd om fysisk aktivitet",
    "DV141": "Enkla råd om matvanor",
}


def label(mapping: dict[str, str], value: object) -> str:
    if value is None:
        return "–"
    key = getattr(value, "value", value)
    return mapping.get(str(key), str(key).replace("_", " "))


def level_label(value: NeedsLevel | int | None) -> str:
    if value is None:
        return "ej bedömd"
    return NeedsLevel(int(value)).label_sv
