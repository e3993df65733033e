"""The cancer care pathway (vårdförlopp): its start (at diagnosis, or at välgrundad misstanke with the
diagnosis confirmed or the suspicion dismissed later), phases, named contact nurse, Min vårdplan, closing.

Every function returns a new ``Pathway`` (and the KVÅ records the action produced) or raises ``DomainError``;
the input is never changed. Any change to a closed pathway raises ``pathway.closed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.diagnosis import is_malignant
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import DEFAULT_CARE_TYPE, make_record
from canrehab.domain.model import (
    CareType,
    CareUnit,
    ClosedReason,
    ContactNurseAssignment,
    Diagnosis,
    KvaRecord,
    MinVardplan,
    MinVardplanStatus,
    Pathway,
    Patient,
    PhaseEntry,
    PhaseKind,
    Profession,
    Staff,
)

# Order of the phases along a pathway. Chronic and palliative phases and progressions (SIDE_PHASES) can
# begin any time after the diagnosis, also during treatment, and do not constrain the treatment phases.
# Prehabilitation lies between the diagnosis and the treatment start (001, "Prehabilitering").
# A progression (change in disease or treatment, 004) is an event: the pathway is not "in" it (EVENTS).
SIDE_PHASES = frozenset({PhaseKind.CHRONIC, PhaseKind.PALLIATIVE, PhaseKind.PROGRESSION})
EVENTS = frozenset({PhaseKind.PROGRESSION})
PHASE_RANK: dict[PhaseKind, int] = {
    PhaseKind.INVESTIGATION: 0,
    PhaseKind.DIAGNOSIS: 1,
    PhaseKind.PREHABILITATION: 2,
    PhaseKind.TREATMENT_START: 3,
    PhaseKind.TREATMENT_END: 4,
    PhaseKind.FOLLOW_UP: 5,
    PhaseKind.CHRONIC: 5,
    PhaseKind.PALLIATIVE: 5,
    PhaseKind.PROGRESSION: 5,
}
SIDE_RANK = PHASE_RANK[PhaseKind.DIAGNOSIS] + 0.5  # after the diagnosis, before or during anything else
CONTACT_NURSE_PROFESSIONS = frozenset(
    {Profession.CONTACT_NURSE, Profession.NURSE, Profession.CONSULTING_NURSE}
)
# Who can be named the child's konsultsjuksköterska: a staff member in that role, or a nurse of the centre
CONSULTING_NURSE_PROFESSIONS = frozenset({Profession.CONSULTING_NURSE, Profession.NURSE})


def _d(on: date) -> str:
    return on.isoformat()


def require_open(pathway: Pathway) -> None:
    """Raise ``pathway.closed`` when the pathway has been closed (``pathway.suspicion_dismissed`` when it was
    closed because the suspicion of cancer was dismissed)."""
    if pathway.closed_on is not None and pathway.suspicion_dismissed:
        raise DomainError(
            "pathway.suspicion_dismissed",
            f"Misstanken om cancer avskrevs {_d(pathway.closed_on)}; vårdförloppet är avslutat och kan inte "
            "ändras.",
            f"the suspicion was dismissed on {_d(pathway.closed_on)}; the pathway is closed",
        )
    if pathway.closed_on is not None:
        raise DomainError(
            "pathway.closed",
            f"Vårdförloppet avslutades {_d(pathway.closed_on)} och kan inte ändras.",
            f"pathway was closed on {_d(pathway.closed_on)}",
        )


def require_done_between_diagnosis_and_today(pathway: Pathway, on: date, today: date) -> None:
    """An action recorded after the fact lies between the pathway's start (the diagnosis, or the suspicion
    of a pathway started at välgrundad misstanke) and today (``pathway.date_order``)."""
    started = pathway.started_on
    if on < started or on > today:
        label = start_label_sv(pathway)
        raise DomainError(
            "pathway.date_order",
            f"Datumet {_d(on)} ska ligga mellan {label} ({_d(started)}) och i dag ({_d(today)}).",
            f"date {_d(on)} outside start {_d(started)} .. today {_d(today)}",
        )


def start_label_sv(pathway: Pathway) -> str:
    """What the pathway's start date is, in Swedish (for "not before …" messages)."""
    return "diagnosdatumet" if pathway.suspicion_on is None else "datumet för välgrundad misstanke"


def _not_before(on: date, earliest: date, what_sv: str, what_en: str) -> None:
    if on < earliest:
        raise DomainError(
            "pathway.date_order",
            f"Datumet {_d(on)} ligger före {what_sv} ({_d(earliest)}).",
            f"date {_d(on)} is before {what_en} ({_d(earliest)})",
        )


def open_pathway(patient: Patient, unit: CareUnit, diagnosis: Diagnosis, on: date) -> Pathway:
    """A new pathway at the treating unit, starting with the diagnosis phase. Only cancer (C00–C97)."""
    if diagnosis.icd10 is None or diagnosis.diagnosed_on is None:
        raise DomainError(
            "pathway.no_diagnosis",
            "Ange diagnos (ICD-10) och diagnosdatum, eller starta vårdförloppet vid välgrundad misstanke.",
            "a pathway opened at diagnosis needs the ICD-10 code and the date",
        )
    _require_malignant(diagnosis.icd10)
    if patient.deceased_on is not None and diagnosis.diagnosed_on > patient.deceased_on:
        raise DomainError(
            "pathway.patient_deceased",
            "Diagnosdatumet ligger efter patientens dödsdatum.",
            "diagnosis date after the patient's death",
        )
    _not_before(on, diagnosis.diagnosed_on, "diagnosdatumet", "the diagnosis date")
    return Pathway(
        patient_id=patient.id,
        unit_hsa_id=unit.hsa_id,
        diagnosis=diagnosis,
        phases=(PhaseEntry(kind=PhaseKind.DIAGNOSIS, on=diagnosis.diagnosed_on),),
    )


def _require_malignant(icd10: str) -> None:
    if not is_malignant(icd10):
        raise DomainError(
            "pathway.not_malignant",
            f"Diagnosen {icd10} är inte en cancerdiagnos (ICD-10 C00–C97); inget vårdförlopp öppnas.",
            f"{icd10} is not a malignant tumour (C00-C97)",
        )


def start_at_suspicion(
    patient: Patient, unit: CareUnit, process: str, suspicion_on: date, today: date
) -> Pathway:
    """A new pathway started at välgrundad misstanke (SVF): the investigation phase from the suspicion date,
    the diagnosis process known, no confirmed diagnosis yet (``confirm_diagnosis`` or ``dismiss_suspicion``
    follow). The suspicion lies neither after today nor after the patient's death."""
    if suspicion_on > today:
        raise DomainError(
            "pathway.suspicion_in_future",
            f"Datumet för välgrundad misstanke ({_d(suspicion_on)}) kan inte ligga efter dagens datum.",
            "suspicion date after today",
        )
    if patient.deceased_on is not None and suspicion_on > patient.deceased_on:
        raise DomainError(
            "pathway.patient_deceased",
            "Datumet för välgrundad misstanke ligger efter patientens dödsdatum.",
            "suspicion date after the patient's death",
        )
    return Pathway(
        patient_id=patient.id,
        unit_hsa_id=unit.hsa_id,
        diagnosis=Diagnosis(icd10=None, diagnosed_on=None, process=process),
        phases=(PhaseEntry(kind=PhaseKind.INVESTIGATION, on=suspicion_on),),
        suspicion_on=suspicion_on,
    )


def check_start(pathway: Pathway) -> Pathway:
    """A pathway recorded by another system, checked where it starts: a confirmed diagnosis of a pathway
    started at välgrundad misstanke lies on or after the suspicion, and a dismissed one has no diagnosis."""
    diagnosed, suspected = pathway.diagnosis.diagnosed_on, pathway.suspicion_on
    if diagnosed is not None and suspected is not None and diagnosed < suspected:
        raise DomainError(
            "pathway.diagnosis_before_suspicion",
            f"Diagnosdatumet ({_d(diagnosed)}) kan inte ligga före datumet för välgrundad misstanke "
            f"({_d(suspected)}).",
            "diagnosis date before the suspicion",
        )
    if pathway.suspicion_dismissed and pathway.diagnosis.confirmed:
        raise DomainError(
            "pathway.already_confirmed",
            "En avskriven misstanke har ingen bekräftad diagnos.",
            "a dismissed suspicion has no confirmed diagnosis",
        )
    return pathway


def _require_suspected(pathway: Pathway, action_sv: str, action_en: str) -> None:
    require_open(pathway)
    if pathway.suspicion_on is None:
        raise DomainError(
            "pathway.not_suspicion",
            f"Vårdförloppet startade vid diagnos, inte vid välgrundad misstanke; det finns ingen misstanke "
            f"att {action_sv}.",
            f"the pathway started at diagnosis; there is no suspicion to {action_en}",
        )
    if pathway.diagnosis.diagnosed_on is not None:
        raise DomainError(
            "pathway.already_confirmed",
            f"Diagnosen ({pathway.diagnosis.icd10}) bekräftades {_d(pathway.diagnosis.diagnosed_on)}; "
            f"misstanken kan inte {action_sv} igen.",
            f"the diagnosis was already confirmed on {_d(pathway.diagnosis.diagnosed_on)}",
        )


def confirm_diagnosis(pathway: Pathway, icd10: str, diagnosed_on: date, process: str, today: date) -> Pathway:
    """The suspicion is confirmed: the cancer diagnosis (ICD-10 C00–C97, normalised) and its date, which lies
    on or after the suspicion (the diagnosis is what the investigation started at välgrundad misstanke
    finds) and not after today; the diagnosis phase begins that day. Confirming twice is refused."""
    _require_suspected(pathway, "bekräftas", "confirm")
    _require_malignant(icd10)
    assert pathway.suspicion_on is not None
    if diagnosed_on > today:
        raise DomainError(
            "pathway.diagnosis_in_future",
            f"Diagnosdatumet ({_d(diagnosed_on)}) kan inte ligga efter dagens datum.",
            "diagnosis date after today",
        )
    if diagnosed_on < pathway.suspicion_on:
        raise DomainError(
            "pathway.diagnosis_before_suspicion",
            f"Diagnosdatumet ({_d(diagnosed_on)}) kan inte ligga före datumet för välgrundad misstanke "
            f"({_d(pathway.suspicion_on)}).",
            "diagnosis date before the suspicion",
        )
    changed = record_phase(pathway, PhaseKind.DIAGNOSIS, diagnosed_on)
    diagnosis = Diagnosis(icd10=icd10, diagnosed_on=diagnosed_on, process=process)
    return changed.model_copy(update={"diagnosis": diagnosis})


def dismiss_suspicion(pathway: Pathway, on: date, today: date) -> Pathway:
    """The suspicion of cancer is dismissed (avskriven misstanke): the pathway closes on that day with that
    reason and no cancer diagnosis is recorded. Only an unconfirmed suspicion can be dismissed; a confirmed
    pathway is closed ordinarily (``close_pathway``)."""
    _require_suspected(pathway, "avskrivas", "dismiss")
    require_done_between_diagnosis_and_today(pathway, on, today)
    closed = _closed(pathway, on)
    return closed.model_copy(update={"closed_reason": ClosedReason.SUSPICION_DISMISSED})


def _sorted_phases(phases: tuple[PhaseEntry, ...]) -> tuple[PhaseEntry, ...]:
    return tuple(sorted(phases, key=lambda p: (p.on, PHASE_RANK[p.kind])))


def record_phase(pathway: Pathway, kind: PhaseKind, on: date) -> Pathway:
    """Record that the pathway entered a phase on a date.

    Dates follow the order of the phases: a phase may not begin before a recorded earlier phase (treatment
    end before treatment start) nor after a recorded later phase (investigation after the diagnosis,
    treatment start after follow-up). Treatment end needs a treatment start. Chronic and palliative phases
    and progressions only need to lie after the diagnosis and may overlap treatment; prehabilitation lies
    between the diagnosis and the treatment start. A recurrence with new treatment is a
    new pathway (or a palliative/chronic phase).
    Recording the same phase on the same date again changes nothing.
    """
    require_open(pathway)
    if any(p.kind is kind and p.on == on for p in pathway.phases):
        return pathway
    rank = PHASE_RANK[kind] if kind not in SIDE_PHASES else SIDE_RANK
    for p in pathway.phases:
        if p.kind in SIDE_PHASES:
            continue
        other = PHASE_RANK[p.kind]
        if other < rank and on < p.on:
            raise DomainError(
                "pathway.phase_order",
                f"Fasen {kind.label_sv} kan inte börja {_d(on)}, före {p.kind.label_sv} ({_d(p.on)}).",
                f"{kind.value} on {_d(on)} is before {p.kind.value} on {_d(p.on)}",
            )
        if kind not in SIDE_PHASES and other > rank and on > p.on:
            raise DomainError(
                "pathway.phase_order",
                f"Fasen {kind.label_sv} kan inte börja {_d(on)}, efter "
                f"{p.kind.label_sv} ({_d(p.on)}) som kommer senare i förloppet.",
                f"{kind.value} on {_d(on)} is after the later phase {p.kind.value} on {_d(p.on)}",
            )
    if kind is PhaseKind.TREATMENT_END and not any(
        p.kind is PhaseKind.TREATMENT_START for p in pathway.phases
    ):
        raise DomainError(
            "pathway.phase_order",
            "Behandlingsslut kan inte registreras innan behandlingsstart har registrerats.",
            "treatment_end requires a recorded treatment_start",
        )
    entry = PhaseEntry(kind=kind, on=on)
    return pathway.model_copy(update={"phases": _sorted_phases((*pathway.phases, entry))})


def current_phase(pathway: Pathway, today: date) -> PhaseKind | None:
    """The phase the pathway is in on a date: the latest phase entered on or before it (a progression is an
    event, not a phase)."""
    started = [p for p in pathway.phases if p.on <= today and p.kind not in EVENTS]
    if not started:
        return None
    return max(started, key=lambda p: (p.on, PHASE_RANK[p.kind])).kind


def latest_phase_date(pathway: Pathway, kind: PhaseKind) -> date | None:
    dates = [p.on for p in pathway.phases if p.kind is kind]
    return max(dates) if dates else None


# --------------------------------------------------------------------------------------- contact nurse


def current_contact_nurse(pathway: Pathway, today: date) -> ContactNurseAssignment | None:
    """The contact nurse assignment in force on a date, if any."""
    active = [
        a
        for a in pathway.contact_nurses
        if a.from_date <= today and (a.to_date is None or a.to_date >= today)
    ]
    return max(active, key=lambda a: a.from_date) if active else None


def assign_contact_nurse(pathway: Pathway, staff: Staff, on: date, offered_on: date | None = None) -> Pathway:
    """Name a contact nurse from a date; an open earlier assignment ends the day before."""
    require_open(pathway)
    if staff.profession not in CONTACT_NURSE_PROFESSIONS:
        raise DomainError(
            "contact_nurse.not_nurse",
            "Kontaktsjuksköterska måste vara sjuksköterska eller kontaktsjuksköterska.",
            f"a contact nurse must be a nurse, not {staff.profession.value}",
        )
    _not_before(on, pathway.started_on, start_label_sv(pathway), "the pathway's start")
    if offered_on is not None and offered_on > on:
        raise DomainError(
            "pathway.date_order",
            f"Erbjudandedatumet ({_d(offered_on)}) ligger efter startdatumet ({_d(on)}).",
            "offered_on after from_date",
        )
    assignments = list(pathway.contact_nurses)
    open_ones = [i for i, a in enumerate(assignments) if a.to_date is None]
    for i in open_ones:
        previous = assignments[i]
        if previous.staff_id == staff.id and previous.from_date <= on:
            return pathway  # already the contact nurse
        if previous.from_date >= on:
            raise DomainError(
                "contact_nurse.date_order",
                f"Den nuvarande kontaktsjuksköterskan gäller från {_d(previous.from_date)}; en ny kan "
                "tidigast utses dagen efter.",
                f"the current assignment starts {_d(previous.from_date)}, the new one must start later",
            )
        assignments[i] = previous.model_copy(update={"to_date": on - timedelta(days=1)})
    # The new assignment is open-ended: it may not reach back into an ended one (not even one that began
    # after ``on``), or two nurses would be in force on the same days.
    for a in assignments:
        if a.to_date is not None and a.to_date >= on:
            raise DomainError(
                "contact_nurse.overlap",
                f"Det finns redan en kontaktsjuksköterska utsedd till och med {_d(a.to_date)}; en ny kan "
                f"tidigast utses {_d(a.to_date + timedelta(days=1))}.",
                f"an earlier assignment runs until {_d(a.to_date)}; a new one must start after it",
            )
    assignments.append(ContactNurseAssignment(staff_id=staff.id, offered_on=offered_on, from_date=on))
    return pathway.model_copy(update={"contact_nurses": tuple(assignments)})


def end_contact_nurse(pathway: Pathway, on: date) -> Pathway:
    """End the open contact nurse assignment on a date (inclusive)."""
    require_open(pathway)
    assignments = list(pathway.contact_nurses)
    open_ones = [i for i, a in enumerate(assignments) if a.to_date is None]
    if not open_ones:
        raise DomainError(
            "contact_nurse.none",
            "Patienten har ingen utsedd kontaktsjuksköterska att avsluta.",
            "no open contact nurse assignment",
        )
    for i in open_ones:
        _not_before(on, assignments[i].from_date, "uppdragets startdatum", "the assignment start")
        assignments[i] = assignments[i].model_copy(update={"to_date": on})
    return pathway.model_copy(update={"contact_nurses": tuple(assignments)})


# --------------------------------------------------------------------------------------- Min vårdplan


def _mvp_illegal(mvp: MinVardplan, action_sv: str, action_en: str) -> DomainError:
    return DomainError(
        "min_vardplan.illegal_transition",
        f"Min vårdplan är {mvp.status.label_sv} och kan inte {action_sv}.",
        f"Min vårdplan is {mvp.status.value}; cannot {action_en}",
    )


def offer_min_vardplan(pathway: Pathway, on: date) -> Pathway:
    require_open(pathway)
    mvp = pathway.min_vardplan
    if mvp.status not in (MinVardplanStatus.NONE, MinVardplanStatus.DECLINED):
        raise _mvp_illegal(mvp, "erbjudas igen", "offer it again")
    mvp = mvp.model_copy(update={"status": MinVardplanStatus.OFFERED, "offered_on": on, "declined_on": None})
    return pathway.model_copy(update={"min_vardplan": mvp})


def establish_min_vardplan(
    pathway: Pathway,
    staff: Staff,
    unit: CareUnit,
    on: date,
    professions: Mapping[Profession, ProfessionDef],
    *,
    digital_1177: bool = False,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[Pathway, list[KvaRecord]]:
    """Establish Min vårdplan (KVÅ XV019)."""
    require_open(pathway)
    mvp = pathway.min_vardplan
    if mvp.status not in (MinVardplanStatus.NONE, MinVardplanStatus.OFFERED, MinVardplanStatus.DECLINED):
        raise _mvp_illegal(mvp, "upprättas igen (revidera den i stället)", "establish it again (revise it)")
    if mvp.offered_on is not None and mvp.status is MinVardplanStatus.OFFERED:
        _not_before(on, mvp.offered_on, "datumet då planen erbjöds", "the offer date")
    mvp = mvp.model_copy(
        update={
            "status": MinVardplanStatus.ESTABLISHED,
            "offered_on": mvp.offered_on or on,
            "established_on": on,
            "declined_on": None,
            "digital_1177": digital_1177,
        }
    )
    changed = pathway.model_copy(update={"min_vardplan": mvp})
    record = make_record(
        code="XV019",
        pathway=changed,
        on=on,
        unit_hsa_id=unit.hsa_id,
        performer=staff,
        professions=professions,
        care_type=care_type,
        codes=codes,
        source=f"pathway:{pathway.id}:min_vardplan_established",
    )
    return changed, [record]


def revise_min_vardplan(
    pathway: Pathway,
    staff: Staff,
    unit: CareUnit,
    on: date,
    professions: Mapping[Profession, ProfessionDef],
    *,
    care_type: CareType = DEFAULT_CARE_TYPE,
    codes: Mapping[str, KvaDef] | None = None,
) -> tuple[Pathway, list[KvaRecord]]:
    """Revise an established Min vårdplan (KVÅ XV020)."""
    require_open(pathway)
    mvp = pathway.min_vardplan
    if mvp.status not in (MinVardplanStatus.ESTABLISHED, MinVardplanStatus.REVISED):
        raise _mvp_illegal(mvp, "revideras innan den har upprättats", "revise it before it is established")
    last = max((*mvp.revised_on, mvp.established_on or on))
    _not_before(on, last, "senaste upprättande/revidering", "the last establishment/revision")
    mvp = mvp.model_copy(update={"status": MinVardplanStatus.REVISED, "revised_on": (*mvp.revised_on, on)})
    changed = pathway.model_copy(update={"min_vardplan": mvp})
    record = make_record(
        code="XV020",
        pathway=changed,
        on=on,
        unit_hsa_id=unit.hsa_id,
        performer=staff,
        professions=professions,
        care_type=care_type,
        codes=codes,
        source=f"pathway:{pathway.id}:min_vardplan_revised:{len(mvp.revised_on)}",
    )
    return changed, [record]


def decline_min_vardplan(pathway: Pathway, on: date) -> Pathway:
    """The patient declined Min vårdplan (it can be offered again later)."""
    require_open(pathway)
    mvp = pathway.min_vardplan
    if mvp.status not in (MinVardplanStatus.NONE, MinVardplanStatus.OFFERED):
        raise _mvp_illegal(mvp, "avböjas", "decline it")
    mvp = mvp.model_copy(
        update={"status": MinVardplanStatus.DECLINED, "declined_on": on, "offered_on": mvp.offered_on or on}
    )
    return pathway.model_copy(update={"min_vardplan": mvp})


# --------------------------------------------------------------------------------------- closing


def close_pathway(pathway: Pathway, on: date) -> Pathway:
    """Close the pathway; an open contact nurse assignment ends the same day. A pathway started at
    välgrundad misstanke is closed only once its diagnosis is confirmed, or by ``dismiss_suspicion``."""
    require_open(pathway)
    if not pathway.diagnosis.confirmed:
        raise DomainError(
            "pathway.unconfirmed",
            "Vårdförloppet startade vid välgrundad misstanke: bekräfta diagnosen eller avskriv misstanken "
            "innan det avslutas.",
            "a suspicion is confirmed or dismissed before the pathway is closed",
        )
    return _closed(pathway, on)


def _closed(pathway: Pathway, on: date) -> Pathway:
    _not_before(on, pathway.started_on, start_label_sv(pathway), "the pathway's start")
    nurses = tuple(
        a.model_copy(update={"to_date": max(on, a.from_date)}) if a.to_date is None else a
        for a in pathway.contact_nurses
    )
    return pathway.model_copy(update={"closed_on": on, "contact_nurses": nurses})
