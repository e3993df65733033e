"""MDK-rehab as its own workflow, apart from the unit's rehabilitation team (001,
"Bäckencancerrehabilitering").

001: "MDK-rehab är en sjukvårdsregional konferens för patienter med besvär/symtom relaterade till
cancerbehandling i bäckenområdet ... Vid konferensen tas besluts om rekommendationer för fortsatt
handläggning och förslag på rehabiliteringsplan", and "En sjukvårdsregional koordinator för
bäckencancerrehabilitering som har i uppdrag att vara remissinstans, planera och ansvara för MDK-rehab".

    referred --receive (the regional coordinator)--> received --hold conference (XS008/XS007)--> concluded
    referred / received --reject (with reason)--> rejected

Which healthcare region's coordinator receives the referral, and which diagnosis processes MDK-rehab takes,
are data (``codes/mdk_rehab.yaml``). The worklist flag ``team_missing`` raises a confirmed level of avancerad
or higher with neither a referral to a rehabilitation team nor an MDK-rehab case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import Field

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import make_record
from canrehab.domain.model import (
    CareType,
    Entity,
    KvaRecord,
    Labelled,
    NeedsLevel,
    Pathway,
    Profession,
    Referral,
    ReferralStatus,
    Staff,
    new_id,
    register_labels,
)
from canrehab.domain.pathway import require_done_between_diagnosis_and_today, require_open

MAX_TEXT = 4000


class MdkRehabStatus(Labelled):
    REFERRED = "referred"
    RECEIVED = "received"
    CONCLUDED = "concluded"
    REJECTED = "rejected"


register_labels(
    MdkRehabStatus,
    {
        MdkRehabStatus.REFERRED: "remitterad till koordinator",
        MdkRehabStatus.RECEIVED: "mottagen av koordinator",
        MdkRehabStatus.CONCLUDED: "konferens hållen",
        MdkRehabStatus.REJECTED: "avvisad",
    },
)


class MdkRehabRegion(Entity):
    """One healthcare region's MDK-rehab: its coordinator's unit and the processes it takes."""

    id: str  # e.g. "norr"
    name_sv: str
    coordinator_unit_hsa_id: str
    county_codes: tuple[str, ...]
    processes: tuple[str, ...]


class MdkRehabOutcome(Entity):
    """What the conference decided: its recommendation for further handling and a proposed rehab plan."""

    recommendation: str
    proposed_plan: str
    professions: tuple[Profession, ...] = ()
    with_patient: bool = False
    kva_record_id: str = ""


class MdkRehabCase(Entity):
    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    from_unit_hsa_id: str
    from_staff_id: str
    coordinator_unit_hsa_id: str
    healthcare_region: str
    reason: str
    status: MdkRehabStatus = MdkRehabStatus.REFERRED
    sent_on: date
    received_on: date | None = None
    conference_on: date | None = None
    outcome: MdkRehabOutcome | None = None
    reject_reason: str = ""
    version: int = 1


CONFERENCE_CODE = "XS008"  # Konferens om patient
CONFERENCE_WITH_PATIENT_CODE = "XS007"  # Konferens med patient
OPEN = (MdkRehabStatus.REFERRED, MdkRehabStatus.RECEIVED)
ACTION_SV = {"receive": "tas emot", "conclude": "avslutas med konferens", "reject": "avvisas"}


def _text(value: str, what_sv: str, code: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_TEXT:
        raise DomainError(
            code, f"Ange {what_sv} (högst {MAX_TEXT} tecken).", f"{what_sv} missing or too long"
        )
    return value


def _require(case: MdkRehabCase, allowed: tuple[MdkRehabStatus, ...], action: str) -> None:
    if case.status not in allowed:
        raise DomainError(
            "mdk_rehab.illegal_transition",
            f"MDK-rehab-remissen är {case.status.label_sv} och kan inte {ACTION_SV[action]}.",
            f"MDK-rehab case is {case.status.value}; cannot {action}",
        )


def _require_coordinator(case: MdkRehabCase, by: Staff) -> None:
    if by.unit_hsa_id != case.coordinator_unit_hsa_id:
        raise DomainError(
            "mdk_rehab.not_coordinator",
            "Bara den sjukvårdsregionala koordinatorns enhet tar emot och besvarar MDK-rehab-remisser.",
            "only the regional coordinator's unit handles MDK-rehab referrals",
        )


def region_for(county_code: str, regions: Sequence[MdkRehabRegion]) -> MdkRehabRegion:
    """The healthcare region whose coordinator receives referrals from a unit in this county."""
    for region in regions:
        if county_code in region.county_codes:
            return region
    raise DomainError(
        "mdk_rehab.no_region",
        f"Ingen sjukvårdsregional MDK-rehab är konfigurerad för län {county_code}.",
        f"no MDK-rehab region for county {county_code}",
    )


def refer(
    pathway: Pathway,
    *,
    by: Staff,
    unit_county_code: str,
    reason: str,
    on: date,
    regions: Sequence[MdkRehabRegion],
) -> MdkRehabCase:
    """A referral to the healthcare region's MDK-rehab coordinator; the pathway's diagnosis process must be
    one MDK-rehab takes (001: pelvic cancer: colorectal, anal, urological, gynaecological, some
    haematological cancer)."""
    require_open(pathway)
    region = region_for(unit_county_code, regions)
    if pathway.diagnosis.process not in region.processes:
        raise DomainError(
            "mdk_rehab.process_not_included",
            f"MDK-rehab i {region.name_sv} tar emot patienter med besvär efter behandling av cancer i lilla "
            f"bäckenet; diagnosprocessen {pathway.diagnosis.process!r} ingår inte.",
            f"process {pathway.diagnosis.process} not included in MDK-rehab {region.id}",
        )
    return MdkRehabCase(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        from_unit_hsa_id=by.unit_hsa_id,
        from_staff_id=by.id,
        coordinator_unit_hsa_id=region.coordinator_unit_hsa_id,
        healthcare_region=region.id,
        reason=_text(reason, "frågeställning/besvär", "mdk_rehab.reason_required"),
        sent_on=on,
    )


def receive(case: MdkRehabCase, *, by: Staff, on: date) -> MdkRehabCase:
    _require(case, (MdkRehabStatus.REFERRED,), "receive")
    _require_coordinator(case, by)
    if on < case.sent_on:
        raise DomainError(
            "mdk_rehab.date_order", "Mottagandet ligger före remissdatumet.", "received before sent"
        )
    return case.model_copy(update={"status": MdkRehabStatus.RECEIVED, "received_on": on})


def reject(case: MdkRehabCase, *, by: Staff, on: date, reason: str) -> MdkRehabCase:
    _require(case, OPEN, "reject")
    _require_coordinator(case, by)
    text = _text(reason, "varför remissen avvisas", "mdk_rehab.reason_required")
    return case.model_copy(
        update={
            "status": MdkRehabStatus.REJECTED,
            "reject_reason": text,
            "received_on": case.received_on or on,
        }
    )


def conclude(
    case: MdkRehabCase,
    pathway: Pathway,
    *,
    by: Staff,
    on: date,
    today: date,
    recommendation: str,
    proposed_plan: str,
    professions: Sequence[Profession],
    with_patient: bool,
    profession_defs: Mapping[Profession, ProfessionDef],
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[MdkRehabCase, KvaRecord]:
    """The conference: its recommendation and proposed plan, the professions in the team, coded XS008
    (XS007 when the patient takes part) at the coordinator's unit."""
    _require(case, (MdkRehabStatus.RECEIVED,), "conclude")
    _require_coordinator(case, by)
    require_done_between_diagnosis_and_today(pathway, on, today)
    if case.received_on is not None and on < case.received_on:
        raise DomainError(
            "mdk_rehab.date_order",
            "Konferensen ligger före mottagandet av remissen.",
            "conference before receipt",
        )
    outcome = MdkRehabOutcome(
        recommendation=_text(recommendation, "konferensens rekommendation", "mdk_rehab.outcome_required"),
        proposed_plan=_text(
            proposed_plan, "förslaget till rehabiliteringsplan", "mdk_rehab.outcome_required"
        ),
        professions=tuple(dict.fromkeys(professions)),
        with_patient=with_patient,
    )
    record = make_record(
        code=CONFERENCE_WITH_PATIENT_CODE if with_patient else CONFERENCE_CODE,
        pathway=pathway,
        on=on,
        unit_hsa_id=by.unit_hsa_id,
        performer=by,
        professions=profession_defs,
        source=f"mdk_rehab:{case.id}",
        care_type=CareType.OUTPATIENT,
        codes=codes,
    )
    outcome = outcome.model_copy(update={"kva_record_id": record.id})
    return case.model_copy(
        update={"status": MdkRehabStatus.CONCLUDED, "conference_on": on, "outcome": outcome}
    ), record


def team_missing(pathway: Pathway, referrals: Sequence[Referral], cases: Sequence[MdkRehabCase]) -> bool:
    """A confirmed level of avancerad or higher on an open pathway with neither a referral to a
    rehabilitation team (not rejected or cancelled) nor an MDK-rehab case (not rejected): 001 "Avancerade
    och Mycket avancerade behov: Bedömning och behandling i multiprofessionellt rehabiliteringsteam"."""
    if pathway.closed_on is not None or pathway.confirmed_level is None:
        return False
    if pathway.confirmed_level < NeedsLevel.ADVANCED:
        return False
    dead = (ReferralStatus.REJECTED, ReferralStatus.CANCELLED)
    has_team = any(
        r.pathway_id == pathway.id and r.to_profession is Profession.REHAB_TEAM and r.status not in dead
        for r in referrals
    )
    has_case = any(c.pathway_id == pathway.id and c.status is not MdkRehabStatus.REJECTED for c in cases)
    return not (has_team or has_case)
