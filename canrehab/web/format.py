"""Swedish presentation: dates and times (Swedish local time), numbers with decimal comma, and labels for the
shared vocabularies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from canrehab.domain.model import (
    KeyMoment,
    Labelled,
    NeedsLevel,
    PhaseKind,
    PlanCloseReason,
    PlanEventKind,
)
from canrehab.domain.permissions import Role
from canrehab.domain.sv import sv_number as sv_number
from canrehab.domain.sv import sv_percent as sv_percent

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


def _profession_names() -> dict[str, str]:
    """Swedish profession names for running text, from the code list (``codes/professions.yaml``)."""
    from canrehab.codes.catalog import load_professions

    return {p.value: d.label_sv[:1].lower() + d.label_sv[1:] for p, d in load_professions().items()}


PROFESSION_SV: dict[str, str] = _profession_names()


def _labels_of(enum: type[Labelled]) -> dict[str, str]:
    """Value -> Swedish label of an enum (for the forms' option lists); the labels live on the enum."""
    return {member.value: member.label_sv for member in enum}


PHASE_SV: dict[str, str] = _labels_of(PhaseKind)

KEY_MOMENT_SV: dict[str, str] = _labels_of(KeyMoment)


PLAN_EVENT_SV: dict[str, str] = _labels_of(PlanEventKind)

CLOSE_REASON_SV: dict[str, str] = _labels_of(PlanCloseReason)

ROLE_SV: dict[str, str] = {role.value: role.label_sv for role in Role}


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
    if isinstance(value, Labelled):
        return value.label_sv
    key = getattr(value, "value", value)
    return mapping.get(str(key), str(key).replace("_", " "))


def status_label(value: object) -> str:
    """The Swedish label of a status (an assessment's, plan's, handover's or referral's)."""
    return label({}, value)


def level_label(value: NeedsLevel | int | None) -> str:
    if value is None:
        return "ej bedömd"
    return NeedsLevel(int(value)).label_sv
