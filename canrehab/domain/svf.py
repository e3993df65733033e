"""Standardiserade vårdförlopp (SVF): a pathway's SVF dates and the SVF measures of 003 (Mål 2 and 3).
Values in, new values out.

An SVF starts at *välgrundad misstanke* (a well-founded suspicion), before any diagnosis; its dates are the
suspicion, the multidisciplinary conference (MDK: discussed yes/no, and when) and the start of the first
treatment. The lead time is the calendar days from the suspicion to the start of the first treatment,
measured against the maximum of the SVF pathway as data (``codes/svf.yaml``, each with its published
source). Most SVF documents give that maximum per kind of first treatment (kirurgi, strålbehandling, ...):
such a pathway has ``max_days_by_treatment`` instead of one ``max_days``, the record names the kind of its
first treatment (``FirstTreatment``, the one vocabulary), and the lead time is judged against the maximum of
that kind. The inclusion share is the SVF patients started on treatment against the expected number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from canrehab.domain.errors import DomainError
from canrehab.domain.model import Pathway


class FirstTreatment(StrEnum):
    """The kinds of first treatment the SVF documents give a lead time for ("Ledtider för nationell
    uppföljning"): the one vocabulary of ``max_days_by_treatment``, the record and the FHIR/web forms."""

    KIRURGI = "kirurgi"
    STRALBEHANDLING = "stralbehandling"
    LAKEMEDELSBEHANDLING = "lakemedelsbehandling"
    KOMBINERAD_LAKEMEDEL_STRAL = "kombinerad_lakemedel_stralbehandling"
    AKTIV_MONITORERING = "aktiv_monitorering"
    EXSPEKTANS = "exspektans"
    ICKE_TUMORSPECIFIK = "icke_tumorspecifik"


FIRST_TREATMENT_SV: Mapping[FirstTreatment, str] = {
    FirstTreatment.KIRURGI: "Kirurgi",
    FirstTreatment.STRALBEHANDLING: "Strålbehandling",
    FirstTreatment.LAKEMEDELSBEHANDLING: "Läkemedelsbehandling",
    FirstTreatment.KOMBINERAD_LAKEMEDEL_STRAL: "Kombinerad läkemedels- och strålbehandling",
    FirstTreatment.AKTIV_MONITORERING: "Aktiv monitorering",
    FirstTreatment.EXSPEKTANS: "Exspektans",
    FirstTreatment.ICKE_TUMORSPECIFIK: "Icke tumörspecifik behandling (palliativ, symtomlindrande)",
}
"""The Swedish name of each kind of first treatment (the forms and the lead-time notice)."""


def parse_first_treatment(raw: str | None) -> FirstTreatment | None:
    """The kind of first treatment from its code (None for none); an unknown code is refused in Swedish."""
    if raw is None or raw == "":
        return None
    try:
        return FirstTreatment(raw)
    except ValueError:
        known = ", ".join(kind.value for kind in FirstTreatment)
        raise DomainError(
            "svf.unknown_first_treatment",
            f"Okänd typ av första behandling (”{raw[:40]}”); välj en av typerna i listan.",
            f"unknown first treatment {raw[:40]!r}; known: {known}",
        ) from None


class SvfPathwayDef(BaseModel):
    """One SVF pathway: either one maximum (``max_days``) or one per kind of first treatment
    (``max_days_by_treatment``), in calendar days from välgrundad misstanke to start av första behandling."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_sv: str = Field(min_length=1)
    processes: tuple[str, ...] = ()  # canrehab diagnosis processes this SVF belongs to (may be none)
    max_days: int | None = Field(default=None, gt=0)
    max_days_by_treatment: Mapping[FirstTreatment, Annotated[int, Field(gt=0)]] | None = None
    source: str = Field(min_length=10)  # the published SVF document the maximum is taken from

    @model_validator(mode="after")
    def _one_kind_of_maximum(self) -> SvfPathwayDef:
        if (self.max_days is None) == (self.max_days_by_treatment is None):
            raise ValueError("an SVF pathway has either max_days or max_days_by_treatment (exactly one)")
        if self.max_days_by_treatment is not None and not self.max_days_by_treatment:
            raise ValueError("max_days_by_treatment names at least one kind of first treatment")
        return self

    @property
    def by_treatment(self) -> bool:
        """Whether the maximum depends on the kind of first treatment (the record must name it)."""
        return self.max_days_by_treatment is not None

    def max_days_for(self, kind: FirstTreatment | None) -> int | None:
        """The maximum for a first treatment of this kind; for a pathway with maxima per kind and no kind
        given (data recorded before the kind was, or imported without it) the shortest maximum — the
        treatment is only counted as within when it is within the maximum of every kind; None when the
        pathway gives no maximum for the kind."""
        if self.max_days_by_treatment is None:
            return self.max_days
        if kind is None:
            return min(self.max_days_by_treatment.values())
        return self.max_days_by_treatment.get(kind)

    def longest_max_days(self) -> int:
        """The longest maximum of any kind (the one maximum of a pathway with one): the day by which every
        first treatment is late (the worklist's due date while the kind is not yet known)."""
        if self.max_days_by_treatment is None:
            assert self.max_days is not None
            return self.max_days
        return max(self.max_days_by_treatment.values())

    def maxima_sv(self) -> str:
        """The maxima in Swedish, e.g. "35 dagar" or "kirurgi 30 dagar, strålbehandling 34 dagar"."""
        if self.max_days_by_treatment is None:
            return f"{self.max_days} dagar"
        return ", ".join(
            f"{FIRST_TREATMENT_SV[k].lower()} {d} dagar" for k, d in self.max_days_by_treatment.items()
        )


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
    first_treatment: FirstTreatment | None = None  # the kind of the first treatment (with its start)


def _error(code: str, message_sv: str) -> DomainError:
    return DomainError(f"svf.{code}", message_sv, code.replace("_", " "))


def check_record(record: SvfRecord, definitions: SvfDefinitions, *, today: date) -> SvfRecord:
    """The record, checked: a known SVF; no date after today; MDK and treatment start not before the
    suspicion; an MDK date only when the patient was discussed at MDK; the kind of the first treatment only
    with its start, required with it when the SVF's maximum depends on the kind, and one the SVF gives a
    maximum for."""
    svf = definitions.pathway(record.svf_pathway)
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
    kind = record.first_treatment
    if kind is not None and not isinstance(kind, FirstTreatment):
        raise _error("unknown_first_treatment", "Okänd typ av första behandling.")
    if kind is not None and record.treatment_start_on is None:
        raise _error(
            "first_treatment_without_start",
            "Typ av första behandling kan bara anges tillsammans med datum för start av första behandling.",
        )
    if svf.by_treatment and record.treatment_start_on is not None:
        if kind is None:
            raise _error(
                "first_treatment_required",
                f"Ange typ av första behandling: ledtiden för {svf.name_sv} beror på behandlingen "
                f"({svf.maxima_sv()}).",
            )
        if svf.max_days_for(kind) is None:
            raise _error(
                "first_treatment_not_in_pathway",
                f"{svf.name_sv} har ingen ledtid för {FIRST_TREATMENT_SV[kind].lower()}; välj en av "
                f"behandlingarna i vårdförloppet ({svf.maxima_sv()}).",
            )
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


def max_days_of(record: SvfRecord, definitions: SvfDefinitions) -> int | None:
    """The maximum lead time the record is judged against: its SVF's, for the kind of its first treatment
    when the maximum depends on it (``SvfPathwayDef.max_days_for``: the shortest when no kind is recorded)."""
    return definitions.pathway(record.svf_pathway).max_days_for(record.first_treatment)


def within_max(record: SvfRecord, definitions: SvfDefinitions) -> bool | None:
    """Whether the treatment started within the SVF pathway's maximum for the kind of the first treatment
    (None: not started). A record without the kind on a pathway whose maximum depends on it (recorded before
    the kind was, or imported without it) is within only when within the shortest maximum — within whichever
    kind it was; a kind the pathway has no maximum for is not within."""
    days = lead_time_days(record)
    if days is None:
        return None
    maximum = max_days_of(record, definitions)
    return maximum is not None and days <= maximum


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
    "svf_first_treatment",
    "svf_lead_time_days",
    "svf_max_days",
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
        "svf_first_treatment": None if record.first_treatment is None else record.first_treatment.value,
        "svf_lead_time_days": lead_time_days(record),
        "svf_max_days": None if record.treatment_start_on is None else max_days_of(record, definitions),
        "svf_within_max": within_max(record, definitions),
        "mdk_discussed": record.mdk_discussed,
    }
