"""Standardiserade vårdförlopp (SVF): a pathway's SVF dates and the SVF measures of 003 (Mål 2 and 3).
Values in, new values out.

An SVF starts at *välgrundad misstanke* (a well-founded suspicion), before any diagnosis; its dates are the
suspicion, the multidisciplinary conference (MDK: discussed yes/no, and when) and the start of the first
treatment. The lead time is the calendar days from the suspicion to the start of the first treatment,
measured against the maximum of the SVF pathway as data (``codes/svf.yaml``, each with its published
source). The inclusion share is the SVF patients started on treatment against the expected number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from canrehab.domain.errors import DomainError
from canrehab.domain.model import Pathway


class SvfPathwayDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_sv: str = Field(min_length=1)
    processes: tuple[str, ...] = ()  # canrehab diagnosis processes this SVF belongs to (may be none)
    max_days: int = Field(gt=0)  # calendar days, välgrundad misstanke -> start av första behandling
    source: str = Field(min_length=10)  # the published SVF document the maximum is taken from


class SvfGoal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: float = Field(gt=0, le=100)
    source: str = Field(min_length=3)


class SvfDefinitions(BaseModel):
    """The file ``codes/svf.yaml``: the SVF pathways and 003's SVF goals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pathways: tuple[SvfPathwayDef, ...]
    goals: Mapping[str, SvfGoal]

    @model_validator(mode="after")
    def _unique(self) -> SvfDefinitions:
        ids = [p.id for p in self.pathways]
        if len(ids) != len(set(ids)):
            raise ValueError("every SVF pathway id must be unique")
        return self

    def pathway(self, svf_id: str) -> SvfPathwayDef:
        found = next((p for p in self.pathways if p.id == svf_id), None)
        if found is None:
            raise DomainError("svf.unknown_pathway", "Okänt standardiserat vårdförlopp.", f"unknown {svf_id}")
        return found

    def pathway_for_process(self, process: str) -> SvfPathwayDef:
        """The one SVF pathway of a diagnosis process (a suspicion recorded by another system names the
        process only); refused when the definitions give the process none or several."""
        found = [p for p in self.pathways if process in p.processes]
        if len(found) != 1:
            raise DomainError(
                "svf.no_pathway_for_process",
                "Diagnosprocessen har inget (eller mer än ett) standardiserat vårdförlopp i "
                "SVF-definitionerna; starta vårdförloppet vid välgrundad misstanke i webbappen "
                "och välj SVF där.",
                f"{len(found)} SVF pathways for process {process}",
            )
        return found[0]


@dataclass(frozen=True)
class SvfRecord:
    """A pathway's SVF: which SVF, the suspicion date, MDK and treatment start (None: not yet / not known)."""

    svf_pathway: str
    suspicion_on: date
    mdk_discussed: bool | None = None
    mdk_on: date | None = None
    treatment_start_on: date | None = None


def _error(code: str, message_sv: str) -> DomainError:
    return DomainError(f"svf.{code}", message_sv, code.replace("_", " "))


def check_record(record: SvfRecord, definitions: SvfDefinitions, *, today: date) -> SvfRecord:
    """The record, checked: a known SVF; no date after today; MDK and treatment start not before the
    suspicion; an MDK date only when the patient was discussed at MDK."""
    definitions.pathway(record.svf_pathway)
    dates = {
        "Datum för välgrundad misstanke": record.suspicion_on,
        "Datum för MDK": record.mdk_on,
        "Datum för start av första behandling": record.treatment_start_on,
    }
    for label, on in dates.items():
        if on is not None and on > today:
            raise _error("future_date", f"{label} kan inte ligga efter dagens datum.")
    for label, on in list(dates.items())[1:]:
        if on is not None and on < record.suspicion_on:
            raise _error("before_suspicion", f"{label} kan inte ligga före den välgrundade misstanken.")
    if record.mdk_on is not None and record.mdk_discussed is not True:
        raise _error("mdk_date_without_mdk", "Datum för MDK kan bara anges när patienten diskuterats på MDK.")
    return record


def require_suspicion_is_start(pathway: Pathway, record: SvfRecord) -> None:
    """A pathway started at välgrundad misstanke starts on its SVF record's suspicion date: the two are one
    date (``svf.suspicion_is_start``)."""
    if pathway.suspicion_on is not None and record.suspicion_on != pathway.suspicion_on:
        raise DomainError(
            "svf.suspicion_is_start",
            f"Vårdförloppet startade vid välgrundad misstanke {pathway.suspicion_on.isoformat()}; datumet "
            "för misstanken är förloppets startdatum och ändras inte här.",
            "the suspicion date of a pathway started at suspicion is its start",
        )


def lead_time_days(record: SvfRecord) -> int | None:
    """Calendar days from the suspicion to the start of the first treatment (None: not started)."""
    if record.treatment_start_on is None:
        return None
    return (record.treatment_start_on - record.suspicion_on).days


def discussed_at_mdk_on(record: SvfRecord) -> date | None:
    """The day the patient was discussed at MDK (the suspicion's day when no MDK date was recorded), None
    when not discussed."""
    if record.mdk_discussed is not True:
        return None
    return record.mdk_on or record.suspicion_on


def within_max(record: SvfRecord, definitions: SvfDefinitions) -> bool | None:
    """Whether the treatment started within the SVF pathway's maximum (None: not started)."""
    days = lead_time_days(record)
    return None if days is None else days <= definitions.pathway(record.svf_pathway).max_days


def lead_time_share(records: Iterable[SvfRecord], definitions: SvfDefinitions) -> tuple[int, int]:
    """(started within the maximum, started): the numerator and denominator of 003's ledtidsmål."""
    started = [r for r in records if r.treatment_start_on is not None]
    return sum(1 for r in started if within_max(r, definitions)), len(started)


def inclusion_percent(started_via_svf: int, expected: int) -> float | None:
    """003's inklusionsmål: the patients started on treatment via SVF as a percentage of the expected number
    of patients who get a cancer diagnosis (RCC's beräkningsunderlag); None when no number is expected."""
    if started_via_svf < 0 or expected < 0:
        raise _error("negative_count", "Antal kan inte vara negativt.")
    return None if expected == 0 else 100.0 * started_via_svf / expected


SVF_COLUMNS: tuple[str, ...] = (
    "svf",
    "svf_pathway",
    "svf_suspicion_on",
    "svf_treatment_start_on",
    "svf_lead_time_days",
    "svf_within_max",
    "mdk_discussed",
)
"""The columns an SVF record adds to a pathway's row of the analytics dataset."""


def svf_columns(record: SvfRecord | None, definitions: SvfDefinitions) -> dict[str, Any]:
    """The analytics columns for one pathway (``svf`` False and the rest None when it is not an SVF)."""
    if record is None:
        return {"svf": False, **{name: None for name in SVF_COLUMNS[1:]}}
    return {
        "svf": True,
        "svf_pathway": record.svf_pathway,
        "svf_suspicion_on": record.suspicion_on,
        "svf_treatment_start_on": record.treatment_start_on,
        "svf_lead_time_days": lead_time_days(record),
        "svf_within_max": within_max(record, definitions),
        "mdk_discussed": record.mdk_discussed,
    }
