"""The entities of the care process: the shared vocabulary of every layer.

Entities are immutable pydantic models. A state change is a pure function that takes an entity and returns a
new one (``model_copy(update=...)``) together with the KVÅ records it produced, or raises ``DomainError`` and
changes nothing. ``id`` values are opaque strings (uuid4 hex) assigned when an entity is created.
``version`` on the aggregates that are edited concurrently (patient, assessment, rehab plan, handover,
referral) is the optimistic-locking counter owned by the store: the domain copies it, the store checks and
bumps it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator


def new_id() -> str:
    return uuid.uuid4().hex


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Vocabularies. Each enum that people see carries its Swedish label (``label_sv``), written once beside its
# values (``register_labels``); pages, PDFs, messages and FHIR displays all read it from there.

_LABELS_SV: dict[type, Mapping[str, str]] = {}
_E = TypeVar("_E", bound="Labelled")


class Labelled(StrEnum):
    """A vocabulary whose members have a Swedish label."""

    @property
    def label_sv(self) -> str:
        return _LABELS_SV[type(self)][self]


def register_labels(enum: type[_E], labels: Mapping[_E, str]) -> Mapping[_E, str]:
    """Registers the Swedish labels of ``enum``; every member must have one (checked at import)."""
    missing = [member.value for member in enum if member not in labels]
    if missing:
        raise ValueError(f"{enum.__name__}: no Swedish label for {missing}")
    _LABELS_SV[enum] = labels  # type: ignore[assignment]
    return labels


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def par_code(self) -> str:
        """Patient-register code: 1 man, 2 woman."""
        return "1" if self is Sex.MALE else "2"


class CareLevel(Labelled):
    SPECIALISED = "specialised"  # specialiserad vård
    REGIONAL_PRIMARY = "regional_primary"  # regional primärvård
    MUNICIPAL = "municipal"  # kommunal primärvård/hälso- och sjukvård


register_labels(
    CareLevel,
    {
        CareLevel.SPECIALISED: "specialiserad vård",
        CareLevel.REGIONAL_PRIMARY: "regional primärvård",
        CareLevel.MUNICIPAL: "kommunal hälso- och sjukvård",
    },
)


class CareType(Labelled):
    """Vårdform as in the patient register."""

    INPATIENT = "sluten"
    OUTPATIENT = "oppen"


register_labels(CareType, {CareType.INPATIENT: "slutenvård", CareType.OUTPATIENT: "öppenvård"})


class Profession(StrEnum):
    NURSE = "nurse"  # sjuksköterska
    CONTACT_NURSE = "contact_nurse"  # kontaktsjuksköterska
    CONSULTING_NURSE = "consulting_nurse"  # konsultsjuksköterska (barncancercentrum, 002)
    PHYSICIAN = "physician"  # läkare
    OCCUPATIONAL_THERAPIST = "occupational_therapist"  # arbetsterapeut
    DIETITIAN = "dietitian"  # dietist
    PHYSIOTHERAPIST = "physiotherapist"  # fysioterapeut
    COUNSELLOR = "counsellor"  # kurator
    SPEECH_THERAPIST = "speech_therapist"  # logoped
    LYMPH_THERAPIST = "lymph_therapist"  # lymfterapeut
    PSYCHOLOGIST = "psychologist"  # psykolog
    SEXOLOGIST = "sexologist"  # sexolog
    STOMA_THERAPIST = "stoma_therapist"  # stomiterapeut
    URO_THERAPIST = "uro_therapist"  # uroterapeut
    REHAB_COORDINATOR = "rehab_coordinator"  # rehabiliteringskoordinator
    REHAB_TEAM = "rehab_team"  # rehabiliteringsteam / MDK-rehab


class NeedsLevel(IntEnum):
    """Ranks of rehabilitation need, ordered: comparisons work (``level >= NeedsLevel.SPECIAL``).

    The value is the rank that is stored. Which ranks a region uses and what they are called is data: the
    chosen level set (``codes/level_sets.yaml``, ``definitions.LevelSetDef``): the national care
    programme's grundläggande/särskild/avancerad by default, 001's four levels, or the children's
    generella/särskilda/avancerade insatser. ``label_sv`` below is the national adult name of each rank.
    """

    BASIC = 1  # grundläggande
    SPECIAL = 2  # särskild
    ADVANCED = 3  # avancerad
    VERY_ADVANCED = 4  # mycket avancerad

    @property
    def label_sv(self) -> str:
        return {1: "grundläggande", 2: "särskild", 3: "avancerad", 4: "mycket avancerad"}[int(self)]


class PhaseKind(Labelled):
    """Pathway phases and events. PREHABILITATION lies between diagnosis and treatment start (001:
    "insatser under perioden från diagnos till behandlingsstart"); PROGRESSION marks a change in disease or
    treatment (004's key moment "förändringar i sjukdom eller behandling"), an event, not a phase one is in.
    """

    INVESTIGATION = "investigation"  # misstanke/utredning
    DIAGNOSIS = "diagnosis"
    PREHABILITATION = "prehabilitation"
    TREATMENT_START = "treatment_start"
    TREATMENT_END = "treatment_end"
    FOLLOW_UP = "follow_up"
    CHRONIC = "chronic"
    PALLIATIVE = "palliative"
    PROGRESSION = "progression"


register_labels(
    PhaseKind,
    {
        PhaseKind.INVESTIGATION: "misstanke/utredning",
        PhaseKind.DIAGNOSIS: "diagnos",
        PhaseKind.PREHABILITATION: "prehabilitering",
        PhaseKind.TREATMENT_START: "behandlingsstart",
        PhaseKind.TREATMENT_END: "behandlingsavslut",
        PhaseKind.FOLLOW_UP: "uppföljning",
        PhaseKind.CHRONIC: "kronisk fas",
        PhaseKind.PALLIATIVE: "palliativ fas",
        PhaseKind.PROGRESSION: "förändring i sjukdom eller behandling",
    },
)


class KeyMoment(Labelled):
    """Nyckeltillfällen for structured needs assessment."""

    DIAGNOSIS = "diagnosis"
    TREATMENT_START = "treatment_start"
    DURING_TREATMENT = "during_treatment"
    END_OF_TREATMENT = "end_of_treatment"
    FOLLOW_UP = "follow_up"
    PROGRESSION = "progression"
    HANDOVER = "handover"
    OTHER = "other"


register_labels(
    KeyMoment,
    {
        KeyMoment.DIAGNOSIS: "vid diagnos",
        KeyMoment.TREATMENT_START: "vid behandlingsstart",
        KeyMoment.DURING_TREATMENT: "under behandling",
        KeyMoment.END_OF_TREATMENT: "vid behandlingsavslut",
        KeyMoment.FOLLOW_UP: "vid uppföljning",
        KeyMoment.PROGRESSION: "vid progress",
        KeyMoment.HANDOVER: "vid överlämning",
        KeyMoment.OTHER: "annat tillfälle",
    },
)


class Respondent(StrEnum):
    PATIENT = "patient"
    STAFF_ON_BEHALF = "staff_on_behalf"


class MinVardplanStatus(Labelled):
    NONE = "none"
    OFFERED = "offered"
    ESTABLISHED = "established"
    REVISED = "revised"
    DECLINED = "declined"


register_labels(
    MinVardplanStatus,
    {
        MinVardplanStatus.NONE: "inte erbjuden",
        MinVardplanStatus.OFFERED: "erbjuden",
        MinVardplanStatus.ESTABLISHED: "upprättad",
        MinVardplanStatus.REVISED: "reviderad",
        MinVardplanStatus.DECLINED: "avböjd",
    },
)


class AssessmentStatus(Labelled):
    IN_PROGRESS = "in_progress"  # started, saved, can be resumed
    SUBMITTED = "submitted"  # answers complete; suggestion computed, awaiting clinician
    CONFIRMED = "confirmed"  # clinician confirmed or overrode the suggested level


register_labels(
    AssessmentStatus,
    {
        AssessmentStatus.IN_PROGRESS: "påbörjad",
        AssessmentStatus.SUBMITTED: "inskickad",
        AssessmentStatus.CONFIRMED: "bekräftad",
    },
)


class PlanStatus(Labelled):
    DRAFT = "draft"
    ESTABLISHED = "established"
    CLOSED = "closed"


register_labels(
    PlanStatus,
    {
        PlanStatus.DRAFT: "utkast",
        PlanStatus.ESTABLISHED: "upprättad",
        PlanStatus.CLOSED: "avslutad",
    },
)


class PlanEventKind(Labelled):
    ESTABLISHED = "established"  # AW020
    FOLLOWED_UP = "followed_up"  # AW024
    REVISED = "revised"  # AW027
    CLOSED = "closed"  # AW035


register_labels(
    PlanEventKind,
    {
        PlanEventKind.ESTABLISHED: "upprättad",
        PlanEventKind.FOLLOWED_UP: "uppföljd",
        PlanEventKind.REVISED: "reviderad",
        PlanEventKind.CLOSED: "avslutad",
    },
)


class PlanCloseReason(Labelled):
    GOALS_REACHED = "goals_reached"
    NO_LONGER_RELEVANT = "no_longer_relevant"
    DECLINED = "declined"
    DECEASED = "deceased"
    TRANSFERRED = "transferred"


register_labels(
    PlanCloseReason,
    {
        PlanCloseReason.GOALS_REACHED: "målen är uppnådda",
        PlanCloseReason.NO_LONGER_RELEVANT: "inte längre aktuell",
        PlanCloseReason.DECLINED: "patienten avböjer",
        PlanCloseReason.DECEASED: "patienten har avlidit",
        PlanCloseReason.TRANSFERRED: "överförd till annan vårdgivare",
    },
)


class HandoverStatus(Labelled):
    SENT = "sent"
    RECEIVED = "received"
    PATIENT_CONTACTED = "patient_contacted"
    COMPLETED = "completed"
    REJECTED = "rejected"


register_labels(
    HandoverStatus,
    {
        HandoverStatus.SENT: "skickad",
        HandoverStatus.RECEIVED: "mottagen",
        HandoverStatus.PATIENT_CONTACTED: "bekräftad med patientkontakt",
        HandoverStatus.COMPLETED: "avslutad",
        HandoverStatus.REJECTED: "avvisad",
    },
)


class ContactMethod(Labelled):
    """How the receiver of a handover made contact with the patient."""

    PHONE = "phone"
    VISIT = "visit"
    VIDEO = "video"
    DIGITAL_MESSAGE = "digital_message"
    LETTER = "letter"


register_labels(
    ContactMethod,
    {
        ContactMethod.PHONE: "telefon",
        ContactMethod.VISIT: "besök",
        ContactMethod.VIDEO: "videobesök",
        ContactMethod.DIGITAL_MESSAGE: "digitalt meddelande (1177)",
        ContactMethod.LETTER: "brev",
    },
)


class ReferralStatus(Labelled):
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


register_labels(
    ReferralStatus,
    {
        ReferralStatus.SENT: "skickad",
        ReferralStatus.ACCEPTED: "accepterad",
        ReferralStatus.REJECTED: "avvisad",
        ReferralStatus.COMPLETED: "avslutad",
        ReferralStatus.CANCELLED: "återkallad",
    },
)

# ---------------------------------------------------------------------------------------------- organisation


class CareUnit(Entity):
    hsa_id: str  # e.g. SE2321000032-ABC123
    name: str
    county_code: str  # SCB two-digit code
    level: CareLevel = CareLevel.SPECIALISED


class Staff(Entity):
    """A staff member at a care unit. ``hsa_id``: the person's HSA-id; ``assignment_hsa_id``: the HSA-id of
    their assignment at the unit (medarbetaruppdrag), when known (HL7 Sweden's SEBasePractitionerRole)."""

    id: str = Field(default_factory=new_id)
    hsa_id: str
    name: str
    profession: Profession
    unit_hsa_id: str
    assignment_hsa_id: str | None = None


# ---------------------------------------------------------------------------------------------- patient


class Patient(Entity):
    id: str = Field(default_factory=new_id)
    personnummer: str  # normalised 12 digits, no separator (see domain.identity)
    pseudonym: str  # stable pseudonymous id for analytics (see domain.identity)
    is_coordination_number: bool = False  # samordningsnummer
    name: str = ""
    sex: Sex
    birth_date: date
    county_code: str | None = None  # county of residence (SCB code); None when unknown
    deceased_on: date | None = None
    version: int = 1


class Diagnosis(Entity):
    """The pathway's cancer diagnosis. A pathway started at välgrundad misstanke (SVF) has its diagnosis
    process but no confirmed diagnosis yet: ``icd10`` and ``diagnosed_on`` are both None until the diagnosis
    is confirmed (``domain.pathway.confirm_diagnosis``); they are set together or not at all."""

    icd10: str | None  # normalised, no dot: C509; None: not confirmed (a suspicion)
    diagnosed_on: date | None
    process: str  # diagnosis process id (see codes), e.g. "breast", "lung", "colorectal", "prostate"

    @model_validator(mode="after")
    def _both_or_neither(self) -> Diagnosis:
        if (self.icd10 is None) != (self.diagnosed_on is None):
            raise ValueError("a confirmed diagnosis has both its ICD-10 code and its date")
        return self

    @property
    def confirmed(self) -> bool:
        return self.diagnosed_on is not None


class ClosedReason(Labelled):
    """Why a pathway was closed when it was not the ordinary end of the care episode
    (``Pathway.closed_reason`` None): the suspicion of cancer was dismissed (avskriven misstanke, SVF: the
    investigation found no cancer)."""

    SUSPICION_DISMISSED = "suspicion_dismissed"


register_labels(ClosedReason, {ClosedReason.SUSPICION_DISMISSED: "avskriven misstanke"})


class PhaseEntry(Entity):
    kind: PhaseKind
    on: date


class NurseRole(Labelled):
    """The named nurse's role on the pathway: the adult care's kontaktsjuksköterska, or the children's
    cancer centre's konsultsjuksköterska (002: "Inom barncancervården finns inte kontaktsjuksköterskor,
    istället finns en roll som kallas konsultsjuksköterska vid samtliga BCC")."""

    CONTACT_NURSE = "contact_nurse"
    CONSULTING_NURSE = "consulting_nurse"


register_labels(
    NurseRole,
    {
        NurseRole.CONTACT_NURSE: "kontaktsjuksköterska",
        NurseRole.CONSULTING_NURSE: "konsultsjuksköterska",
    },
)


class ContactNurseAssignment(Entity):
    staff_id: str
    offered_on: date | None = None
    from_date: date
    to_date: date | None = None
    role: NurseRole = NurseRole.CONTACT_NURSE


class MinVardplan(Entity):
    status: MinVardplanStatus = MinVardplanStatus.NONE
    offered_on: date | None = None
    established_on: date | None = None
    revised_on: tuple[date, ...] = ()
    declined_on: date | None = None
    digital_1177: bool = False


class Pathway(Entity):
    """One cancer care episode of a patient at a treating unit (vårdförlopp)."""

    id: str = Field(default_factory=new_id)
    patient_id: str
    unit_hsa_id: str
    diagnosis: Diagnosis
    phases: tuple[PhaseEntry, ...] = ()
    contact_nurses: tuple[ContactNurseAssignment, ...] = ()
    min_vardplan: MinVardplan = MinVardplan()
    confirmed_level: NeedsLevel | None = None
    confirmed_level_on: date | None = None
    closed_on: date | None = None
    # Started at välgrundad misstanke (SVF) on this date, before any diagnosis; None: started at diagnosis.
    suspicion_on: date | None = None
    closed_reason: ClosedReason | None = None  # None: open, or closed ordinarily
    version: int = 1

    @model_validator(mode="after")
    def _started_somewhere(self) -> Pathway:
        if self.suspicion_on is None and not self.diagnosis.confirmed:
            raise ValueError("a pathway has a confirmed diagnosis or a suspicion date (välgrundad misstanke)")
        return self

    @property
    def started_on(self) -> date:
        """The day the pathway began: the suspicion of a pathway started at välgrundad misstanke, else the
        diagnosis date. Actions on the pathway (contact nurse, offers, closing) lie on or after it."""
        if self.suspicion_on is not None:
            return self.suspicion_on
        assert self.diagnosis.diagnosed_on is not None  # a pathway without suspicion has its diagnosis
        return self.diagnosis.diagnosed_on

    @property
    def suspicion_dismissed(self) -> bool:
        return self.closed_reason is ClosedReason.SUSPICION_DISMISSED


# ---------------------------------------------------------------------------------------------- assessment


class Suggestion(Entity):
    """Decision support computed from answers by the rules-as-data. Never a decision."""

    troublesome_areas: tuple[str, ...] = ()  # questionnaire item linkIds
    wants_to_talk: tuple[str, ...] = ()  # linkIds where the patient wants to talk to someone
    advice_codes: tuple[str, ...] = ()  # DV111, DV121, DV131, DV141
    professions: tuple[Profession, ...] = ()
    level: NeedsLevel = NeedsLevel.BASIC
    reasons: tuple[str, ...] = ()  # human-readable (Swedish) reasons, rule ids


AnswerValue = int | str | bool | tuple[str, ...] | None


class Assessment(Entity):
    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    unit_hsa_id: str
    instrument_id: str  # Questionnaire.id, e.g. "halsoskattning"
    instrument_version: str
    key_moment: KeyMoment
    respondent: Respondent
    started_on: date
    submitted_on: date | None = None
    answers: dict[str, AnswerValue] = Field(default_factory=dict)  # linkId -> value
    status: AssessmentStatus = AssessmentStatus.IN_PROGRESS
    suggestion: Suggestion | None = None
    confirmed_level: NeedsLevel | None = None
    level_overridden: bool = False
    override_reason: str = ""
    confirmed_by: str | None = None  # staff id
    confirmed_on: date | None = None
    version: int = 1


# ---------------------------------------------------------------------------------------------- rehab plan


class Goal(Entity):
    text: str
    responsible: str = ""  # person name or role
    profession: Profession | None = None
    target_date: date | None = None


class PlannedAction(Entity):
    what: str
    who: str = ""
    profession: Profession | None = None
    unit_hsa_id: str | None = None
    when: date | None = None


class PlanContent(Entity):
    summary: str = ""  # sammanfattande bedömning
    goals: tuple[Goal, ...] = ()
    actions: tuple[PlannedAction, ...] = ()
    self_care: str = ""
    follow_up_on: date | None = None
    part_of_min_vardplan: bool = True
    # A plan for return to work or other occupation is coded DV077 instead of AW020 when established
    # (002 Bilaga 2, AW020: "Upprättande av sjukskrivnings- och rehabiliteringsplan för återgång i arbete
    # ... se DV077").
    return_to_work: bool = False


class PlanParticipation(Entity):
    """Who took part in a plan event (002 AW020: "tillsammans med patientens och/eller dennes
    anhörig/närstående"): the patient, relatives (ids of ``domain.relatives.Relative`` with the patient's
    consent) and the professions present (several per event)."""

    patient: bool = False
    relative_ids: tuple[str, ...] = ()
    professions: tuple[Profession, ...] = ()


class PlanEvent(Entity):
    kind: PlanEventKind
    on: date
    by: str  # staff id
    content_version: int  # which PlanVersion was current after the event
    note: str = ""
    follow_up_on: date | None = None  # the follow-up date planned at this event (None: unchanged/done)
    participation: PlanParticipation = PlanParticipation()


class PlanVersion(Entity):
    number: int
    content: PlanContent
    created_on: date
    created_by: str


class RehabPlan(Entity):
    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    unit_hsa_id: str
    status: PlanStatus = PlanStatus.DRAFT
    content: PlanContent = PlanContent()
    versions: tuple[PlanVersion, ...] = ()  # history of established/revised contents
    events: tuple[PlanEvent, ...] = ()
    close_reason: PlanCloseReason | None = None
    closed_on: date | None = None
    version: int = 1


# ------------------------------------------------------------------------------------ handover, referral


class HandoverContent(Entity):
    needs: str = ""
    wishes: str = ""
    plan_summary: str = ""
    ongoing_actions: str = ""
    disease: str = ""  # the cancer disease and its state (sjukdom)
    treatment: str = ""  # given and ongoing treatment (behandling)


class Handover(Entity):
    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    from_unit_hsa_id: str
    to_unit_hsa_id: str
    from_staff_id: str
    from_profession: Profession | None = None
    to_profession: Profession | None = None
    to_staff_id: str | None = None
    content: HandoverContent = HandoverContent()
    status: HandoverStatus = HandoverStatus.SENT
    sent_on: date
    received_on: date | None = None
    patient_contacted_on: date | None = None
    patient_contact_method: ContactMethod | None = None  # how the receiver contacted the patient
    from_care_level: CareLevel | None = None  # the sending unit's care level when sent (None: not known)
    to_care_level: CareLevel | None = None  # the receiving unit's care level when sent
    completed_on: date | None = None
    rejected_on: date | None = None
    reject_reason: str = ""
    patient_informed: bool = False
    patient_informed_on: date | None = None
    version: int = 1


class Referral(Entity):
    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    from_unit_hsa_id: str
    from_staff_id: str
    to_profession: Profession  # REHAB_TEAM for team/MDK-rehab
    to_unit_hsa_id: str | None = None
    is_mdk_rehab: bool = False
    reason: str = ""
    status: ReferralStatus = ReferralStatus.SENT
    sent_on: date
    answered_on: date | None = None
    completed_on: date | None = None
    reject_reason: str = ""
    version: int = 1


# ---------------------------------------------------------------------------------------------- KVÅ


class KvaRecord(Entity):
    """A coded procedure (KVÅ) produced by an action in the care process."""

    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    code: str  # e.g. AW020
    performed_on: date
    unit_hsa_id: str
    performer_id: str | None = None  # staff id
    profession_code: str | None = None  # XS9xx add-on code where known
    care_type: CareType = CareType.OUTPATIENT
    source: str = ""  # e.g. "plan:<id>:established"
    recorded_at: datetime | None = None
