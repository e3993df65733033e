"""Relatives (närstående) of a patient: contacts with the patient's consent, and the support offered to them,
each coded by KVÅ.

002 ("Närstående"): "Det är patienten som bestämmer vilka personer som är dennes närstående ... bör de
närstående, med patientens medgivande, erbjudas att vara delaktiga och informeras om vilka stödinsatser som
finns." Minor children as relatives (HSL 5 kap. 7 §, 002 "Barn som anhöriga"): "Patienten kan tacka nej till
information och stöd till barnet, och detta ska respekteras".

Rules, each a ``DomainError`` that changes nothing:

* ``relative.consent_required``: information to a relative (GB010) and support of the relative's
  participation in the care (QQ001) need the patient's consent; support for the relative's own situation
  (QT011 *Närståendestöd*) does not, because it shares nothing of the patient's.
* ``relative.not_a_minor``: DU055–DU057 are about a minor (under 18 on the date).
* ``relative.declined_for_child``: when the patient has declined support to the child, only DU055 (the
  talk with the adult patient about the child's needs) can be recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from pydantic import Field

from canrehab.domain.definitions import KvaDef, ProfessionDef
from canrehab.domain.errors import DomainError
from canrehab.domain.kva import age_on
from canrehab.domain.model import (
    CareType,
    Entity,
    KvaRecord,
    Labelled,
    Pathway,
    Profession,
    Staff,
    new_id,
    register_labels,
)
from canrehab.domain.procedure import record_procedure

ADULT_AGE = 18
MAX_TEXT = 200


class RelationKind(Labelled):
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GUARDIAN = "guardian"  # vårdnadshavare (for a child patient)
    OTHER = "other"


register_labels(
    RelationKind,
    {
        RelationKind.PARTNER: "partner/make/maka",
        RelationKind.CHILD: "barn",
        RelationKind.PARENT: "förälder",
        RelationKind.SIBLING: "syskon",
        RelationKind.GUARDIAN: "vårdnadshavare",
        RelationKind.OTHER: "annan närstående",
    },
)


class ConsentStatus(Labelled):
    NOT_ASKED = "not_asked"
    GIVEN = "given"
    DECLINED = "declined"


register_labels(
    ConsentStatus,
    {
        ConsentStatus.NOT_ASKED: "inte tillfrågad",
        ConsentStatus.GIVEN: "medgivande finns",
        ConsentStatus.DECLINED: "patienten har avböjt",
    },
)


class SupportKind(Labelled):
    """Support to a relative, each with its KVÅ code (002 Bilaga 2)."""

    RELATIVE_SUPPORT = "relative_support"  # QT011 Närståendestöd
    PARTICIPATION = "participation"  # QQ001 Stöd av närståendes delaktighet i vården
    INFORMATION = "information"  # GB010 Information och undervisning riktad till närstående
    CHILD_TALK_WITH_PATIENT = "child_talk_with_patient"  # DU055
    CHILD_TALK_WITH_PATIENT_AND_CHILD = "child_talk_with_patient_and_child"  # DU056
    CHILD_TALK_WITH_CHILD = "child_talk_with_child"  # DU057


SUPPORT_CODES: dict[SupportKind, str] = {
    SupportKind.RELATIVE_SUPPORT: "QT011",
    SupportKind.PARTICIPATION: "QQ001",
    SupportKind.INFORMATION: "GB010",
    SupportKind.CHILD_TALK_WITH_PATIENT: "DU055",
    SupportKind.CHILD_TALK_WITH_PATIENT_AND_CHILD: "DU056",
    SupportKind.CHILD_TALK_WITH_CHILD: "DU057",
}
register_labels(
    SupportKind,
    {
        SupportKind.RELATIVE_SUPPORT: "närståendestöd",
        SupportKind.PARTICIPATION: "stöd av närståendes delaktighet i vården",
        SupportKind.INFORMATION: "information och undervisning till närstående",
        SupportKind.CHILD_TALK_WITH_PATIENT: "samtal med patienten om barnets behov och stöd",
        SupportKind.CHILD_TALK_WITH_PATIENT_AND_CHILD: "samtal med patienten och barnet om barnets situation",
        SupportKind.CHILD_TALK_WITH_CHILD: "samtal med barnet om barnets situation och behov",
    },
)
NEEDS_CONSENT = frozenset({SupportKind.PARTICIPATION, SupportKind.INFORMATION})
ABOUT_A_MINOR = frozenset(
    {
        SupportKind.CHILD_TALK_WITH_PATIENT,
        SupportKind.CHILD_TALK_WITH_PATIENT_AND_CHILD,
        SupportKind.CHILD_TALK_WITH_CHILD,
    }
)
WITH_THE_CHILD = frozenset({SupportKind.CHILD_TALK_WITH_PATIENT_AND_CHILD, SupportKind.CHILD_TALK_WITH_CHILD})


class Relative(Entity):
    """A person the patient names as a relative. ``birth_date`` is kept for minor children only."""

    id: str = Field(default_factory=new_id)
    patient_id: str
    name: str
    relation: RelationKind
    phone: str = ""
    birth_date: date | None = None
    consent: ConsentStatus = ConsentStatus.NOT_ASKED
    consent_on: date | None = None
    version: int = 1


class RelativeSupport(Entity):
    """Support given to a relative, with its KVÅ record."""

    id: str = Field(default_factory=new_id)
    patient_id: str
    pathway_id: str
    relative_id: str
    kind: SupportKind
    on: date
    by: str  # staff id
    kva_record_id: str
    note: str = ""


def is_minor(relative: Relative, on: date) -> bool:
    return relative.birth_date is not None and age_on(relative.birth_date, on) < ADULT_AGE


def add_relative(
    *,
    patient_id: str,
    name: str,
    relation: RelationKind,
    consent: ConsentStatus,
    on: date,
    phone: str = "",
    birth_date: date | None = None,
) -> Relative:
    """A relative the patient names (``relative.invalid`` without a name, with a birth date in the future,
    or with text that is too long)."""
    name, phone = name.strip(), phone.strip()
    if not name or len(name) > MAX_TEXT or len(phone) > MAX_TEXT:
        raise DomainError(
            "relative.invalid",
            f"Ange den närståendes namn (högst {MAX_TEXT} tecken).",
            "relative name missing or too long",
        )
    if birth_date is not None and birth_date > on:
        raise DomainError(
            "relative.invalid",
            f"Födelsedatumet {birth_date.isoformat()} ligger i framtiden.",
            "birth date in the future",
        )
    consent = ConsentStatus(consent)
    return Relative(
        patient_id=patient_id,
        name=name,
        relation=RelationKind(relation),
        phone=phone,
        birth_date=birth_date,
        consent=consent,
        consent_on=on if consent is not ConsentStatus.NOT_ASKED else None,
    )


def set_consent(relative: Relative, consent: ConsentStatus, on: date) -> Relative:
    """The patient gives, withdraws or declines consent for this relative (the date is kept)."""
    return relative.model_copy(update={"consent": ConsentStatus(consent), "consent_on": on})


def consenting(relatives: Sequence[Relative]) -> frozenset[str]:
    """The ids of the relatives the patient has consented to involve (plan participation, information)."""
    return frozenset(r.id for r in relatives if r.consent is ConsentStatus.GIVEN)


def _require_allowed(relative: Relative, kind: SupportKind, on: date) -> None:
    if kind in NEEDS_CONSENT and relative.consent is not ConsentStatus.GIVEN:
        raise DomainError(
            "relative.consent_required",
            f"{kind.label_sv.capitalize()} kräver patientens medgivande ({relative.consent.label_sv}).",
            f"{kind.value} needs the patient's consent",
        )
    if kind in ABOUT_A_MINOR and not is_minor(relative, on):
        raise DomainError(
            "relative.not_a_minor",
            f"{SUPPORT_CODES[kind]} gäller ett minderårigt barn (under {ADULT_AGE} år den dagen); ange "
            "barnets födelsedatum.",
            f"{SUPPORT_CODES[kind]} is about a minor",
        )
    if kind in WITH_THE_CHILD and relative.consent is ConsentStatus.DECLINED:
        raise DomainError(
            "relative.declined_for_child",
            "Patienten har tackat nej till information och stöd till barnet; det ska respekteras (002). "
            "Samtalet med patienten om barnets behov (DU055) kan registreras.",
            "the patient declined support to the child",
        )


def give_support(
    pathway: Pathway,
    relative: Relative,
    kind: SupportKind,
    *,
    by: Staff,
    on: date,
    today: date,
    professions: Mapping[Profession, ProfessionDef],
    codes: Mapping[str, KvaDef],
    care_type: CareType = CareType.OUTPATIENT,
    existing: Sequence[KvaRecord] = (),
    note: str = "",
) -> tuple[RelativeSupport, KvaRecord]:
    """Support given to a relative of the pathway's patient, coded by its KVÅ code with the professional's
    add-on code (``domain.procedure.record_procedure``: the profession must perform the code)."""
    kind = SupportKind(kind)
    if relative.patient_id != pathway.patient_id:
        raise DomainError(
            "relative.other_patient",
            "Den närstående hör till en annan patient.",
            "relative of another patient",
        )
    _require_allowed(relative, kind, on)
    record = record_procedure(
        pathway,
        code=SUPPORT_CODES[kind],
        by=by,
        on=on,
        today=today,
        professions=professions,
        codes=codes,
        care_type=care_type,
        existing=existing,
    )
    support = RelativeSupport(
        patient_id=pathway.patient_id,
        pathway_id=pathway.id,
        relative_id=relative.id,
        kind=kind,
        on=on,
        by=by.id,
        kva_record_id=record.id,
        note=note.strip()[:MAX_TEXT],
    )
    record = record.model_copy(update={"source": f"relative:{relative.id}:{kind.value}:{support.id}"})
    return support.model_copy(update={"kva_record_id": record.id}), record
