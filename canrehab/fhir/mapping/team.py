"""The patient's team on a pathway -> CareTeam (read-only, a view of the pathway like its Condition).

Issue 12 item 8: the children's konsultsjuksköterska (002: "en roll som kallas konsultsjuksköterska vid
samtliga BCC") and the adults' kontaktsjuksköterska are the pathway's named nurses; the rehab
professionals are those who recorded a rehab action on the pathway (the needs assessment at
särskild/avancerad level, AW019, or another coded procedure of a rehab profession). The CareTeam has the id
``<pathway id>-team``; each participant is a PractitionerRole (canrehab's staff id) with its role: the
nurse's role (``nurse-role``: contact_nurse, consulting_nurse) or the profession (canrehab's profession code
with the KVÅ add-on code), and the period the member took part. Category: LOINC LA27977-0 "Episode of
care-focused care team" (R4's CareTeam category example value set): the team is the pathway's
(EpisodeOfCare)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from fhir.resources.R4B.careteam import CareTeam

from canrehab.domain.assessment import REHAB_ASSESSMENT_CODE, REHAB_PROFESSIONS
from canrehab.domain.model import KvaRecord, Pathway, Profession
from canrehab.fhir import systems
from canrehab.fhir.mapping.common import Json, clean, coding, iso, ref, to_model
from canrehab.fhir.mapping.pathway import CONDITION_SUFFIX
from canrehab.fhir.mapping.vocab import profession_concept

TEAM_SUFFIX = "-team"
LOINC = "http://loinc.org"
EPISODE_TEAM = coding(LOINC, "LA27977-0", "Episode of care-focused care team")
# The nurses are on the team through their named-nurse role, not as rehab professionals; the rehab team as a
# profession is a unit, not a person.
TEAM_PROFESSIONS = REHAB_PROFESSIONS - {Profession.NURSE, Profession.REHAB_TEAM}


@dataclass(frozen=True)
class RehabMember:
    staff_id: str
    profession: Profession
    first_on: date
    last_on: date


def team_id(pathway_id: str) -> str:
    return f"{pathway_id}{TEAM_SUFFIX}"


def rehab_members(
    pathway_id: str, kva: Iterable[KvaRecord], profession_of: Callable[[str], Profession | None]
) -> list[RehabMember]:
    """The rehab professionals of the pathway: the performers of its AW019 records and of its procedures
    recorded by a rehab profession (``TEAM_PROFESSIONS``), each with the first and last date, in the order
    they joined."""
    spans: dict[str, tuple[Profession, date, date]] = {}
    for record in kva:
        if record.pathway_id != pathway_id or record.performer_id is None:
            continue
        profession = profession_of(record.performer_id)
        if profession is None:
            continue
        if record.code != REHAB_ASSESSMENT_CODE and profession not in TEAM_PROFESSIONS:
            continue
        found = spans.get(record.performer_id)
        on = record.performed_on
        spans[record.performer_id] = (
            (profession, on, on) if found is None else (profession, min(found[1], on), max(found[2], on))
        )
    members = [RehabMember(sid, p, first, last) for sid, (p, first, last) in spans.items()]
    return sorted(members, key=lambda m: (m.first_on, m.staff_id))


def care_team_json(pathway: Pathway, rehab: Iterable[RehabMember]) -> Json:
    nurses = [
        {
            "role": [
                {
                    "coding": [coding(systems.CS_NURSE_ROLE, a.role.value, a.role.label_sv)],
                    "text": a.role.label_sv,
                }
            ],
            "member": ref("PractitionerRole", a.staff_id),
            "onBehalfOf": ref("Organization", pathway.unit_hsa_id),
            "period": clean({"start": iso(a.from_date), "end": iso(a.to_date)}),
        }
        for a in pathway.contact_nurses
    ]
    professionals = [
        {
            "role": [profession_concept(m.profession)],
            "member": ref("PractitionerRole", m.staff_id),
            "period": {"start": iso(m.first_on)},
        }
        for m in rehab
    ]
    data = {
        "resourceType": "CareTeam",
        "id": team_id(pathway.id),
        "status": "active" if pathway.closed_on is None else "inactive",
        "category": [{"coding": [EPISODE_TEAM]}],
        "name": "Vårdteam för cancerrehabilitering",
        "subject": ref("Patient", pathway.patient_id),
        "period": clean({"start": iso(pathway.diagnosis.diagnosed_on), "end": iso(pathway.closed_on)}),
        "participant": [*nurses, *professionals] or None,
        "reasonReference": [ref("Condition", f"{pathway.id}{CONDITION_SUFFIX}")],
        "managingOrganization": [ref("Organization", pathway.unit_hsa_id)],
    }
    return clean(data)


def care_team_to_fhir(pathway: Pathway, rehab: Iterable[RehabMember]) -> CareTeam:
    model: CareTeam = to_model(care_team_json(pathway, rehab))  # type: ignore[assignment]
    return model
